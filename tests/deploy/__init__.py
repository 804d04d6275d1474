"""Static checks of the deployment files: Dockerfiles, docker-compose.yml, deploy/k8s."""
