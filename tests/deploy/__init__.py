"""Static checks of the deployment files: Dockerfiles, docker-compose.yml, deploy/k8s; and that
each process starts in production with the environment docker-compose.yml gives it."""
