"""Checks of the rendered Kubernetes manifests: the Kubernetes API schemas (kubernetes-validate),
the Strimzi custom resources, the security context of every pod, and the platform's wiring."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import kubernetes_validate
from jsonschema import Draft7Validator

from .problems import ALL_TOPICS, PROCESSES, Problem

STRIMZI_GROUP = "kafka.strimzi.io/"
POD_TEMPLATES = {"Deployment", "StatefulSet", "DaemonSet", "Job"}
LONG_RUNNING = {"Deployment", "StatefulSet", "DaemonSet"}
GRACE_SECONDS = 45

# Kubernetes' resource quantity, as the Strimzi CRDs spell it.
_QUANTITY_PATTERN = (
    r"^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))"
    r"(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$"
)
_QUANTITY = {"anyOf": [{"type": "integer"}, {"type": "string", "pattern": _QUANTITY_PATTERN}]}
_RESOURCES = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "requests": {"type": "object", "additionalProperties": _QUANTITY},
        "limits": {"type": "object", "additionalProperties": _QUANTITY},
    },
}
_VOLUME = {
    "type": "object",
    "additionalProperties": False,
    "required": ["type"],
    "properties": {
        "id": {"type": "integer", "minimum": 0},
        "type": {"enum": ["ephemeral", "persistent-claim"]},
        "size": {"type": "string"},
        "class": {"type": "string"},
        "deleteClaim": {"type": "boolean"},
        "kraftMetadata": {"enum": ["shared"]},
    },
}


def _resource(spec: dict[str, Any], *, labels_required: bool) -> dict[str, Any]:
    metadata: dict[str, Any] = {"type": "object", "required": ["name"]}
    if labels_required:
        metadata["required"] = ["name", "labels"]
        metadata["properties"] = {"labels": {"type": "object", "required": ["strimzi.io/cluster"]}}
    return {
        "type": "object",
        "required": ["apiVersion", "kind", "metadata", "spec"],
        "additionalProperties": False,
        "properties": {
            "apiVersion": {"const": "kafka.strimzi.io/v1beta2"},
            "kind": {"type": "string"},
            "metadata": metadata,
            "spec": spec,
        },
    }


_ACL: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["resource", "operations"],
    "properties": {
        "resource": {
            "type": "object",
            "additionalProperties": False,
            "required": ["type"],
            "properties": {
                "type": {"enum": ["topic", "group", "cluster", "transactionalId"]},
                "name": {"type": "string"},
                "patternType": {"enum": ["literal", "prefix"]},
            },
        },
        "type": {"enum": ["allow", "deny"]},
        "host": {"type": "string"},
        "operations": {
            "type": "array",
            "minItems": 1,
            "items": {
                "enum": [
                    "Read",
                    "Write",
                    "Create",
                    "Delete",
                    "Alter",
                    "Describe",
                    "ClusterAction",
                    "AlterConfigs",
                    "DescribeConfigs",
                    "IdempotentWrite",
                    "All",
                ]
            },
        },
    },
}

# The fields deploy/k8s uses, transcribed from the openAPIV3Schema of Strimzi's CRDs
# (packaging/install/cluster-operator/04*-Crd-*.yaml, API kafka.strimzi.io/v1beta2); no
# PyPI or npm package ships those CRDs. Stricter than the CRDs in one way: an unknown field
# is an error here, where the API server would silently prune it.
STRIMZI_SCHEMAS: dict[str, dict[str, Any]] = {
    "KafkaTopic": _resource(
        {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "topicName": {"type": "string"},
                "partitions": {"type": "integer", "minimum": 1},
                "replicas": {"type": "integer", "minimum": 1, "maximum": 32767},
                "config": {"type": "object"},
            },
        },
        labels_required=True,
    ),
    "KafkaNodePool": _resource(
        {
            "type": "object",
            "additionalProperties": False,
            "required": ["replicas", "roles", "storage"],
            "properties": {
                "replicas": {"type": "integer", "minimum": 0},
                "roles": {
                    "type": "array",
                    "minItems": 1,
                    "items": {"enum": ["controller", "broker"]},
                },
                "storage": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["type"],
                    "properties": {
                        "type": {"enum": ["ephemeral", "persistent-claim", "jbod"]},
                        "size": {"type": "string"},
                        "class": {"type": "string"},
                        "deleteClaim": {"type": "boolean"},
                        "volumes": {"type": "array", "items": _VOLUME},
                    },
                },
                "resources": _RESOURCES,
            },
        },
        labels_required=True,
    ),
    "Kafka": _resource(
        {
            "type": "object",
            "additionalProperties": False,
            "required": ["kafka"],
            "properties": {
                "kafka": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["listeners"],
                    "properties": {
                        "version": {"type": "string"},
                        "metadataVersion": {"type": "string"},
                        "listeners": {
                            "type": "array",
                            "minItems": 1,
                            "items": {
                                "type": "object",
                                "additionalProperties": False,
                                "required": ["name", "port", "type", "tls"],
                                "properties": {
                                    "name": {"type": "string", "pattern": "^[a-z0-9]{1,11}$"},
                                    "port": {"type": "integer", "minimum": 9092},
                                    "type": {
                                        "enum": [
                                            "internal",
                                            "route",
                                            "loadbalancer",
                                            "nodeport",
                                            "ingress",
                                            "cluster-ip",
                                        ]
                                    },
                                    "tls": {"type": "boolean"},
                                    "networkPolicyPeers": {
                                        "type": "array",
                                        "items": {
                                            "type": "object",
                                            "additionalProperties": False,
                                            "properties": {
                                                "podSelector": {"type": "object"},
                                                "namespaceSelector": {"type": "object"},
                                                "ipBlock": {"type": "object"},
                                            },
                                        },
                                    },
                                    "authentication": {
                                        "type": "object",
                                        "required": ["type"],
                                        "properties": {
                                            "type": {
                                                "enum": ["tls", "scram-sha-512", "oauth", "custom"]
                                            }
                                        },
                                    },
                                },
                            },
                        },
                        "authorization": {
                            "type": "object",
                            "additionalProperties": False,
                            "required": ["type"],
                            "properties": {
                                "type": {"enum": ["simple", "opa", "keycloak", "custom"]},
                                "superUsers": {"type": "array", "items": {"type": "string"}},
                            },
                        },
                        "config": {"type": "object"},
                    },
                },
                "entityOperator": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "topicOperator": {"type": "object"},
                        "userOperator": {"type": "object"},
                    },
                },
            },
        },
        labels_required=False,
    ),
    "KafkaUser": _resource(
        {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "authentication": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["type"],
                    "properties": {"type": {"enum": ["tls", "tls-external", "scram-sha-512"]}},
                },
                "authorization": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["type", "acls"],
                    "properties": {
                        "type": {"enum": ["simple"]},
                        "acls": {"type": "array", "items": _ACL},
                    },
                },
            },
        },
        labels_required=True,
    ),
}


def _name(obj: Mapping[str, Any]) -> str:
    return f"{obj.get('kind')}/{(obj.get('metadata') or {}).get('name')}"


def schema_problems(obj: dict[str, Any], k8s_version: str) -> list[Problem]:
    """Kubernetes API schema (strict: unknown fields rejected), or Strimzi's for its kinds."""
    if str(obj.get("apiVersion", "")).startswith(STRIMZI_GROUP):
        schema = STRIMZI_SCHEMAS.get(str(obj.get("kind")))
        if schema is None:
            return [Problem(_name(obj), "a Strimzi kind this check knows", obj.get("kind"))]
        return [
            Problem(
                f"{_name(obj)}:{'/'.join(str(p) for p in e.absolute_path)}",
                f"strimzi schema: {e.message}",
            )
            for e in Draft7Validator(schema).iter_errors(obj)
        ]
    try:
        kubernetes_validate.validate(obj, k8s_version, strict=True)
    except kubernetes_validate.ValidationError as error:
        path = "/".join(str(p) for p in error.path)
        return [
            Problem(f"{_name(obj)}:{path}", f"kubernetes {k8s_version} schema: {error.message}")
        ]
    except kubernetes_validate.SchemaNotFoundError as error:
        return [Problem(_name(obj), "a kind known to Kubernetes", error.message)]
    return []


def _pod_spec(obj: Mapping[str, Any]) -> dict[str, Any]:
    return ((obj.get("spec") or {}).get("template") or {}).get("spec") or {}


def _image_pinned(image: str) -> bool:
    last = image.rsplit("/", 1)[-1]
    return "@sha256:" in image or (":" in last and last.split(":", 1)[1] != "latest")


def security_problems(obj: Mapping[str, Any]) -> list[Problem]:
    """Every pod locked down: non-root, RuntimeDefault seccomp, no service-account token,
    and per container a read-only root filesystem (with /tmp on an emptyDir), no privilege
    escalation, capabilities ALL dropped, resource requests and limits, a pinned image; long
    running containers have liveness and readiness probes."""
    if obj.get("kind") not in POD_TEMPLATES:
        return []
    found: list[Problem] = []
    where = _name(obj)
    pod = _pod_spec(obj)
    pod_security = pod.get("securityContext") or {}
    containers = list(pod.get("containers") or []) + list(pod.get("initContainers") or [])
    if not containers:
        found.append(Problem(where, "a pod has containers"))
    if pod.get("automountServiceAccountToken") is not False:
        found.append(Problem(where, "automountServiceAccountToken is false"))
    empty_dirs = {v["name"] for v in pod.get("volumes") or [] if "emptyDir" in v}

    for container in containers:
        at = f"{where}/{container.get('name')}"
        security = container.get("securityContext") or {}
        if security.get("runAsNonRoot", pod_security.get("runAsNonRoot")) is not True:
            found.append(Problem(at, "runAsNonRoot is true"))
        if security.get("runAsUser", pod_security.get("runAsUser")) == 0:
            found.append(Problem(at, "runAsUser is not 0"))
        seccomp = security.get("seccompProfile", pod_security.get("seccompProfile")) or {}
        if seccomp.get("type") != "RuntimeDefault":
            found.append(Problem(at, "seccompProfile is RuntimeDefault", seccomp.get("type")))
        if security.get("readOnlyRootFilesystem") is not True:
            found.append(Problem(at, "readOnlyRootFilesystem is true"))
        else:
            tmp = [m for m in container.get("volumeMounts") or [] if m.get("mountPath") == "/tmp"]
            if not tmp or tmp[0].get("name") not in empty_dirs:
                found.append(Problem(at, "a read-only root filesystem has /tmp on an emptyDir"))
        if security.get("allowPrivilegeEscalation") is not False:
            found.append(Problem(at, "allowPrivilegeEscalation is false"))
        if security.get("privileged"):
            found.append(Problem(at, "a container is not privileged"))
        capabilities = security.get("capabilities") or {}
        if "ALL" not in (capabilities.get("drop") or []):
            found.append(Problem(at, "capabilities drop ALL", capabilities.get("drop")))
        if capabilities.get("add"):
            found.append(Problem(at, "no capability is added", capabilities.get("add")))
        resources = container.get("resources") or {}
        for kind in ("requests", "limits"):
            for resource in ("cpu", "memory"):
                if resource not in (resources.get(kind) or {}):
                    found.append(Problem(at, f"resources {kind} {resource} is set"))
        image = str(container.get("image", ""))
        if not _image_pinned(image):
            found.append(Problem(at, "image is pinned to a tag, never latest", image))
        if obj.get("kind") in LONG_RUNNING and container in (pod.get("containers") or []):
            for probe in ("livenessProbe", "readinessProbe"):
                if not container.get(probe):
                    found.append(Problem(at, f"{probe} is set"))
    return found


def _by_kind(objects: Iterable[Mapping[str, Any]], kind: str) -> dict[str, Mapping[str, Any]]:
    return {o["metadata"]["name"]: o for o in objects if o.get("kind") == kind}


def _selects(selector: Mapping[str, str], labels: Mapping[str, str]) -> bool:
    return all(labels.get(k) == v for k, v in selector.items())


# The caller-token keys of each process (cbec.shared.callers), each from a Secret.
_TOKEN_KEYS: dict[str, tuple[str, ...]] = {
    "gateway": ("SERVICE_TOKEN_PRIVATE_KEY",),
    "declaration": ("SERVICE_TOKEN_PUBLIC_KEY", "SERVICE_TOKEN_PRIVATE_KEY"),
    "logistics": ("SERVICE_TOKEN_PUBLIC_KEY",),
    "payments": ("SERVICE_TOKEN_PUBLIC_KEY",),
    "tax-refund": ("SERVICE_TOKEN_PUBLIC_KEY", "DECLARATION_TOKEN_PUBLIC_KEY"),
}


def wiring_problems(objects: list[dict[str, Any]]) -> list[Problem]:
    """The platform's processes are complete and consistent: per process a Deployment with
    its probes, grace period and settings, a Service, a PodDisruptionBudget, an HPA within
    the partitions, a migration Job; the topics; references to ConfigMaps and Secrets."""
    found: list[Problem] = []
    deployments = _by_kind(objects, "Deployment")
    services = _by_kind(objects, "Service")
    pdbs = _by_kind(objects, "PodDisruptionBudget")
    hpas = _by_kind(objects, "HorizontalPodAutoscaler")
    jobs = _by_kind(objects, "Job")
    config_maps = _by_kind(objects, "ConfigMap")
    secrets = _by_kind(objects, "Secret")
    topics = _by_kind(objects, "KafkaTopic")

    settings = (config_maps.get("cbec-config") or {}).get("data") or {}
    if not settings:
        found.append(Problem("ConfigMap/cbec-config", "the shared settings ConfigMap exists"))
    partitions = int(settings.get("KAFKA_TOPIC_PARTITIONS", "0"))
    for key, value in {
        "KAFKA_ENABLE_IDEMPOTENCE": "true",
        "DB_MIGRATE_ON_START": "false",
        "CBEC_ENV": "production",
    }.items():
        if settings.get(key) != value:
            found.append(Problem(f"ConfigMap/cbec-config.{key}", f"is {value}", settings.get(key)))
    for key in ("KAFKA_BOOTSTRAP_SERVERS", "OTEL_EXPORTER_OTLP_ENDPOINT", "LOG_LEVEL"):
        if not settings.get(key):
            found.append(Problem(f"ConfigMap/cbec-config.{key}", "is set"))

    for name, port in PROCESSES.items():
        deployment = deployments.get(name)
        if deployment is None:
            found.append(Problem(f"Deployment/{name}", "every process has a Deployment"))
            continue
        pod = _pod_spec(deployment)
        labels = deployment["spec"]["template"]["metadata"].get("labels") or {}
        if pod.get("terminationGracePeriodSeconds") != GRACE_SECONDS:
            found.append(
                Problem(
                    f"Deployment/{name}",
                    f"terminationGracePeriodSeconds is {GRACE_SECONDS} (consumers drain ~30 s)",
                    pod.get("terminationGracePeriodSeconds"),
                )
            )
        container = (pod.get("containers") or [{}])[0]
        expected_args = ["serve", name, "--host", "0.0.0.0", "--port", str(port)]
        if container.get("args") != expected_args:
            found.append(
                Problem(
                    f"Deployment/{name}",
                    f"runs cbec {' '.join(expected_args)}",
                    container.get("args"),
                )
            )
        if not re.fullmatch(rf"[\w./-]*cbec/{name}:[\w.-]+", str(container.get("image", ""))):
            found.append(
                Problem(f"Deployment/{name}", f"runs the image cbec/{name}", container.get("image"))
            )
        ports = {p.get("name"): p.get("containerPort") for p in container.get("ports") or []}
        if ports.get("http") != port:
            found.append(Problem(f"Deployment/{name}", f"container port http is {port}", ports))
        for probe, path in (("readinessProbe", "/readyz"), ("livenessProbe", "/healthz")):
            got = ((container.get(probe) or {}).get("httpGet") or {}).get("path")
            if got != path:
                found.append(Problem(f"Deployment/{name}", f"{probe} probes {path}", got))
        env = {e["name"]: e for e in container.get("env") or []}
        if (env.get("OTEL_SERVICE_NAME") or {}).get("value") != f"cbec-{name}":
            found.append(Problem(f"Deployment/{name}", f"OTEL_SERVICE_NAME is cbec-{name}"))
        if "DATABASE_URL" not in env:
            found.append(Problem(f"Deployment/{name}", "DATABASE_URL is set"))
        if {"configMapRef": {"name": "cbec-config"}} not in (container.get("envFrom") or []):
            found.append(Problem(f"Deployment/{name}", "the shared settings come from cbec-config"))
        if name == "gateway":
            for key in (
                "GATEWAY_SECRET_KEY",
                "DECLARATION_URL",
                "LOGISTICS_URL",
                "PAYMENTS_URL",
                "TAX_REFUND_URL",
            ):
                if key not in env:
                    found.append(Problem("Deployment/gateway", f"{key} is set"))
            if "secretKeyRef" not in ((env.get("GATEWAY_SECRET_KEY") or {}).get("valueFrom") or {}):
                found.append(
                    Problem("Deployment/gateway", "GATEWAY_SECRET_KEY comes from a Secret")
                )
        for key in _TOKEN_KEYS.get(name, ()):
            if "secretKeyRef" not in ((env.get(key) or {}).get("valueFrom") or {}):
                found.append(Problem(f"Deployment/{name}", f"{key} comes from a Secret"))

        service = services.get(name)
        if service is None:
            found.append(Problem(f"Service/{name}", "every process has a Service"))
        else:
            if not _selects(service["spec"].get("selector") or {}, labels):
                found.append(
                    Problem(f"Service/{name}", "the Service selects the Deployment's pods")
                )
            service_ports = {
                p.get("name"): p.get("port") for p in service["spec"].get("ports") or []
            }
            if service_ports.get("http") != port:
                found.append(Problem(f"Service/{name}", f"port http is {port}", service_ports))

        pdb = pdbs.get(name)
        if pdb is None:
            found.append(
                Problem(f"PodDisruptionBudget/{name}", "every process has a PodDisruptionBudget")
            )
        elif not _selects(pdb["spec"]["selector"].get("matchLabels") or {}, labels):
            found.append(Problem(f"PodDisruptionBudget/{name}", "selects the Deployment's pods"))

        hpa = hpas.get(name)
        if hpa is None:
            found.append(Problem(f"HorizontalPodAutoscaler/{name}", "every process has an HPA"))
        else:
            target = hpa["spec"]["scaleTargetRef"]
            if (target.get("kind"), target.get("name")) != ("Deployment", name):
                found.append(
                    Problem(f"HorizontalPodAutoscaler/{name}", "scales its Deployment", target)
                )
            if hpa["spec"]["maxReplicas"] > partitions:
                found.append(
                    Problem(
                        f"HorizontalPodAutoscaler/{name}",
                        "maxReplicas is at most the partitions (idle consumers otherwise)",
                        (hpa["spec"]["maxReplicas"], partitions),
                    )
                )

        job = jobs.get(f"{name}-migrate")
        if job is None:
            found.append(Problem(f"Job/{name}-migrate", "every process has a migration Job"))
        else:
            job_pod = _pod_spec(job)
            job_args = (job_pod.get("containers") or [{}])[0].get("args")
            if job_args != ["migrate", name]:
                found.append(Problem(f"Job/{name}-migrate", f"runs cbec migrate {name}", job_args))
            job_labels = job["spec"]["template"]["metadata"].get("labels") or {}
            if service is not None and _selects(service["spec"].get("selector") or {}, job_labels):
                found.append(
                    Problem(f"Job/{name}-migrate", "the Service does not select migration pods")
                )

    declared = {t["spec"].get("topicName", n): t for n, t in topics.items()}
    if set(declared) != set(ALL_TOPICS):
        found.append(
            Problem(
                "KafkaTopic", "one KafkaTopic per topic and dead-letter topic", sorted(declared)
            )
        )
    for topic, resource in declared.items():
        if resource["spec"].get("partitions") != partitions:
            found.append(
                Problem(
                    f"KafkaTopic/{topic}",
                    "partitions equal KAFKA_TOPIC_PARTITIONS",
                    (resource["spec"].get("partitions"), partitions),
                )
            )
    kafkas = set(_by_kind(objects, "Kafka"))
    for kind in ("KafkaTopic", "KafkaNodePool"):
        for name, resource in _by_kind(objects, kind).items():
            cluster = resource["metadata"].get("labels", {}).get("strimzi.io/cluster")
            if cluster not in kafkas:
                found.append(Problem(f"{kind}/{name}", "strimzi.io/cluster names a Kafka", cluster))

    # Strimzi's user operator makes a Secret per KafkaUser, of its name, with the password.
    user_secrets = {name: {"password"} for name in _by_kind(objects, "KafkaUser")}
    for obj in objects:
        if obj.get("kind") not in POD_TEMPLATES:
            continue
        for container in _pod_spec(obj).get("containers") or []:
            for env in container.get("env") or []:
                ref = (env.get("valueFrom") or {}).get("secretKeyRef")
                if ref and ref.get("key") not in (
                    (secrets.get(ref.get("name")) or {}).get("stringData")
                    or user_secrets.get(ref.get("name"))
                    or {}
                ):
                    found.append(
                        Problem(
                            f"{_name(obj)}.{env['name']}", "a referenced Secret key exists", ref
                        )
                    )
            for source in container.get("envFrom") or []:
                ref = source.get("configMapRef")
                if ref and ref.get("name") not in config_maps:
                    found.append(Problem(_name(obj), "a referenced ConfigMap exists", ref))
    return found


# Who may connect to each of the platform's pods (by app.kubernetes.io/name): the services
# only from the gateway (tax-refund also from declaration); PostgreSQL only from the processes
# and their migration Jobs.
SERVICE_CALLERS: dict[str, set[str]] = {
    "declaration": {"gateway"},
    "logistics": {"gateway"},
    "payments": {"gateway"},
    "tax-refund": {"gateway", "declaration"},
}
_PROCESS_PEER = {"app.kubernetes.io/part-of": "cbec", "app.kubernetes.io/component": "service"}
_MIGRATION_PEER = {"app.kubernetes.io/part-of": "cbec", "app.kubernetes.io/component": "migration"}


def _peers(rule: Mapping[str, Any]) -> list[Mapping[str, Any]] | None:
    """The peers of an ingress rule; None when it admits anybody (no ``from``)."""
    peers = rule.get("from")
    return list(peers) if peers else None


def _pod_labels(peer: Mapping[str, Any]) -> dict[str, str] | None:
    """The labels a peer selects in the namespace; None for anything wider (other namespaces,
    address blocks, match expressions, an empty selector)."""
    if set(peer) != {"podSelector"}:
        return None
    selector = peer["podSelector"] or {}
    if set(selector) != {"matchLabels"} or not selector["matchLabels"]:
        return None
    return dict(selector["matchLabels"])


def network_problems(objects: list[dict[str, Any]]) -> list[Problem]:
    """Every NetworkPolicy that selects a service or PostgreSQL admits only their callers,
    each service and PostgreSQL has one, and the brokers' listeners take the platform's
    processes only."""
    found: list[Problem] = []
    policies = [o for o in objects if o["kind"] == "NetworkPolicy"]
    guarded = {**{name: SERVICE_CALLERS[name] for name in SERVICE_CALLERS}, "postgres": set()}
    covered: set[str] = set()
    for policy in policies:
        where = _name(policy)
        spec = policy.get("spec") or {}
        selected = ((spec.get("podSelector") or {}).get("matchLabels") or {}).get(
            "app.kubernetes.io/name"
        )
        if not (spec.get("podSelector") or {}).get("matchLabels"):
            found.append(Problem(where, "a policy selects the pods of one process by name"))
            continue
        if selected not in guarded:
            continue
        if "Ingress" not in (spec.get("policyTypes") or []):
            found.append(Problem(where, "the policy restricts ingress"))
            continue
        covered.add(selected)
        for index, rule in enumerate(spec.get("ingress") or []):
            peers = _peers(rule)
            if peers is None:
                found.append(Problem(f"{where}.ingress[{index}]", "names who may connect"))
                continue
            if not rule.get("ports"):
                found.append(Problem(f"{where}.ingress[{index}]", "names the port"))
            for peer in peers:
                labels = _pod_labels(peer)
                if labels is None:
                    found.append(
                        Problem(
                            f"{where}.ingress[{index}]", "a peer is pods of the namespace", peer
                        )
                    )
                elif selected == "postgres":
                    if labels not in (_PROCESS_PEER, _MIGRATION_PEER):
                        found.append(
                            Problem(
                                f"{where}.ingress[{index}]",
                                "PostgreSQL takes the platform's processes and migrations only",
                                labels,
                            )
                        )
                elif (
                    set(labels) != {"app.kubernetes.io/name"}
                    or labels["app.kubernetes.io/name"] not in guarded[selected]
                ):
                    found.append(
                        Problem(
                            f"{where}.ingress[{index}]",
                            f"{selected} takes requests from {sorted(guarded[selected])} only",
                            labels,
                        )
                    )
    for name in sorted(set(guarded) - covered):
        found.append(Problem(f"NetworkPolicy/{name}", "every service and PostgreSQL has a policy"))

    for kafka in (o for o in objects if o["kind"] == "Kafka"):
        for listener in ((kafka.get("spec") or {}).get("kafka") or {}).get("listeners") or []:
            where = f"{_name(kafka)}.listeners.{listener.get('name')}"
            peers = listener.get("networkPolicyPeers") or []
            if not peers:
                found.append(Problem(where, "the listener names its networkPolicyPeers"))
            for peer in peers:
                if _pod_labels(peer) != _PROCESS_PEER:
                    found.append(
                        Problem(where, "the brokers take the platform's processes only", peer)
                    )
    return found


KAFKA_CA_SECRET = "cbec-cluster-ca-cert"


def _grants(user: Mapping[str, Any]) -> set[tuple[str, str, str, str]]:
    """(resource type, name, pattern type, operation) of every ACL of a KafkaUser."""
    found = set()
    for acl in ((user.get("spec") or {}).get("authorization") or {}).get("acls") or []:
        resource = acl.get("resource") or {}
        if acl.get("type", "allow") != "allow":
            continue
        for operation in acl.get("operations") or []:
            found.add(
                (
                    str(resource.get("type")),
                    str(resource.get("name")),
                    str(resource.get("patternType", "literal")),
                    str(operation),
                )
            )
    return found


def expected_grants(
    name: str, owners: Mapping[str, str], reads: Iterable[str]
) -> set[tuple[str, str, str, str]]:
    """What the process ``name`` needs on the broker, and nothing more: write (and describe) the
    topics it owns; read the topics it consumes and write their dead-letter topics; read its
    consumer groups (``cbec.<name>.`` prefix)."""
    grants = {("group", f"cbec.{name}.", "prefix", "Read")}
    for topic, owner in owners.items():
        if owner == name:
            grants |= {("topic", topic, "literal", op) for op in ("Write", "Describe")}
    for topic in reads:
        grants |= {("topic", topic, "literal", op) for op in ("Read", "Describe")}
        grants |= {("topic", f"{topic}.dlq", "literal", op) for op in ("Write", "Describe")}
    return grants


def kafka_user_problems(
    objects: list[dict[str, Any]], owners: Mapping[str, str], reads: Mapping[str, Iterable[str]]
) -> list[Problem]:
    """The broker lets each process do exactly what it must: a SCRAM listener over TLS with
    simple authorization; per process a KafkaUser cbec-<name>-kafka whose ACLs are exactly
    :func:`expected_grants`, and a Deployment that connects as that user with its password from
    the user's Secret and the cluster CA mounted at KAFKA_SSL_CAFILE."""
    found: list[Problem] = []
    for name, kafka in _by_kind(objects, "Kafka").items():
        spec = kafka["spec"]["kafka"]
        listeners = spec.get("listeners") or []
        for listener in listeners:
            auth = (listener.get("authentication") or {}).get("type")
            if not listener.get("tls") or auth != "scram-sha-512":
                found.append(
                    Problem(
                        f"Kafka/{name}",
                        "every listener is TLS with SCRAM-SHA-512",
                        listener.get("name"),
                    )
                )
        if (spec.get("authorization") or {}).get("type") != "simple":
            found.append(Problem(f"Kafka/{name}", "simple authorization (ACLs) is on"))
    settings = (_by_kind(objects, "ConfigMap").get("cbec-config") or {}).get("data") or {}
    for key, value in {
        "KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
        "KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
    }.items():
        if settings.get(key) != value:
            found.append(Problem(f"ConfigMap/cbec-config.{key}", f"is {value}", settings.get(key)))
    cafile = str(settings.get("KAFKA_SSL_CAFILE", ""))
    users = _by_kind(objects, "KafkaUser")
    deployments = _by_kind(objects, "Deployment")
    for name in PROCESSES:
        user_name = f"cbec-{name}-kafka"
        user = users.get(user_name)
        if user is None:
            found.append(Problem(f"KafkaUser/{user_name}", "every process has a KafkaUser"))
        else:
            auth = ((user.get("spec") or {}).get("authentication") or {}).get("type")
            if auth != "scram-sha-512":
                found.append(Problem(f"KafkaUser/{user_name}", "authenticates with SCRAM", auth))
            got, wanted = _grants(user), expected_grants(name, owners, reads.get(name, ()))
            if got != wanted:
                found.append(
                    Problem(
                        f"KafkaUser/{user_name}",
                        "grants exactly its own topics, what it consumes and its groups",
                        {"extra": sorted(got - wanted), "missing": sorted(wanted - got)},
                    )
                )
        deployment = deployments.get(name)
        if deployment is None:
            continue
        pod = _pod_spec(deployment)
        container = (pod.get("containers") or [{}])[0]
        env = {e["name"]: e for e in container.get("env") or []}
        if (env.get("KAFKA_SASL_USERNAME") or {}).get("value") != user_name:
            found.append(Problem(f"Deployment/{name}", f"KAFKA_SASL_USERNAME is {user_name}"))
        ref = ((env.get("KAFKA_SASL_PASSWORD") or {}).get("valueFrom") or {}).get("secretKeyRef")
        if ref != {"name": user_name, "key": "password"}:
            found.append(
                Problem(f"Deployment/{name}", f"KAFKA_SASL_PASSWORD is the password of {user_name}")
            )
        volumes = {
            v.get("name"): (v.get("secret") or {}).get("secretName")
            for v in pod.get("volumes") or []
        }
        mounted = {
            f"{m.get('mountPath')}/ca.crt"
            for m in container.get("volumeMounts") or []
            if volumes.get(m.get("name")) == KAFKA_CA_SECRET
        }
        if cafile not in mounted:
            found.append(
                Problem(
                    f"Deployment/{name}",
                    f"the cluster CA ({KAFKA_CA_SECRET}) is mounted at KAFKA_SSL_CAFILE",
                    sorted(mounted),
                )
            )
    return found


EVENT_PUBLIC_KEYS_SECRET = "cbec-event-public-keys"
EVENT_PRIVATE_KEY = "event-private-key"
_EVENT_KEY_ENTRY = re.compile(r"^(?P<service>[\w-]+)=\$\((?P<variable>[A-Za-z_][A-Za-z0-9_]*)\)$")


def _secret_ref(env: Mapping[str, Any] | None) -> dict[str, Any] | None:
    return ((env or {}).get("valueFrom") or {}).get("secretKeyRef")


def event_key_problems(
    objects: list[dict[str, Any]], owners: Mapping[str, str], reads: Mapping[str, Iterable[str]]
) -> list[Problem]:
    """Each process signs the events of the topics it owns with its own key and verifies those
    it reads with their owners' public keys: a process that owns a topic has EVENT_SIGNING_KEY
    from its own Secret (cbec-<name>, key event-private-key), one that owns none has none;
    EVENT_PUBLIC_KEYS is ``<owner>=$(VAR)`` for exactly the owners of the topics it reads, each
    VAR defined before it (Kubernetes expands only those) from cbec-event-public-keys under the
    owner's name; no pod but the process's own Deployment refers to its private key."""
    found: list[Problem] = []
    deployments = _by_kind(objects, "Deployment")
    for name in PROCESSES:
        deployment = deployments.get(name)
        if deployment is None:
            continue  # wiring_problems reports it
        where = f"Deployment/{name}"
        container = (_pod_spec(deployment).get("containers") or [{}])[0]
        entries = container.get("env") or []
        env = {e["name"]: e for e in entries}
        publishes = name in owners.values()
        signing = _secret_ref(env.get("EVENT_SIGNING_KEY"))
        if publishes and signing != {"name": f"cbec-{name}", "key": EVENT_PRIVATE_KEY}:
            found.append(
                Problem(
                    where,
                    f"EVENT_SIGNING_KEY comes from its own Secret (cbec-{name}, "
                    f"{EVENT_PRIVATE_KEY})",
                    signing or (env.get("EVENT_SIGNING_KEY") or {}).get("value"),
                )
            )
        if not publishes and "EVENT_SIGNING_KEY" in env:
            found.append(Problem(where, "a process that owns no topic has no EVENT_SIGNING_KEY"))

        expected = {owners[topic] for topic in reads.get(name, ())}
        text = str((env.get("EVENT_PUBLIC_KEYS") or {}).get("value") or "")
        position = {e["name"]: i for i, e in enumerate(entries)}
        named: set[str] = set()
        for entry in filter(None, (piece.strip() for piece in text.split(","))):
            match = _EVENT_KEY_ENTRY.match(entry)
            if match is None:
                found.append(
                    Problem(where, "an EVENT_PUBLIC_KEYS entry is <service>=$(VARIABLE)", entry)
                )
                continue
            service, variable = match.group("service"), match.group("variable")
            named.add(service)
            if position.get(variable, len(entries)) > position["EVENT_PUBLIC_KEYS"]:
                found.append(
                    Problem(where, "EVENT_PUBLIC_KEYS uses variables defined before it", variable)
                )
            ref = _secret_ref(env.get(variable))
            if ref != {"name": EVENT_PUBLIC_KEYS_SECRET, "key": service}:
                found.append(
                    Problem(
                        where,
                        f"the public key of each service comes from {EVENT_PUBLIC_KEYS_SECRET} "
                        "under its name",
                        (service, variable, ref),
                    )
                )
        if named != expected:
            found.append(
                Problem(
                    where,
                    "EVENT_PUBLIC_KEYS names the owners of the topics it reads, and only them",
                    sorted(named),
                )
            )

    for obj in objects:
        if obj.get("kind") not in POD_TEMPLATES:
            continue
        for container in _pod_spec(obj).get("containers") or []:
            for env in container.get("env") or []:
                ref = _secret_ref(env)
                if not ref or ref.get("key") != EVENT_PRIVATE_KEY:
                    continue
                if (obj.get("kind"), f"cbec-{obj['metadata']['name']}") != (
                    "Deployment",
                    ref.get("name"),
                ):
                    found.append(
                        Problem(
                            f"{_name(obj)}.{env['name']}",
                            "only a service's own Deployment holds its event private key",
                            ref,
                        )
                    )
    return found
