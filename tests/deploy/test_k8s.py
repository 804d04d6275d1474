"""deploy/k8s renders to valid Kubernetes objects and Strimzi resources, every pod is locked
down, and each process is fully wired; every check is also shown rejecting a broken object."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from cbec.shared.contracts import contract_pairs
from cbec.shared.topics import TOPIC_OWNERS

from .k8s_checks import (
    event_key_problems,
    expected_grants,
    kafka_user_problems,
    network_problems,
    schema_problems,
    security_problems,
    wiring_problems,
)
from .kustomize import KustomizeError, render
from .problems import PROCESSES, REPO_ROOT, rules

K8S_DIR = REPO_ROOT / "deploy" / "k8s"
# The oldest Kubernetes the manifests target (sleep preStop hooks are GA from 1.30 on, and
# v1.33 is a supported release) and the newest schema kubernetes-validate ships.
K8S_VERSIONS = ("1.33.0", kubernetes_validate.latest_version())


@pytest.fixture(scope="module")
def objects() -> list[dict[str, Any]]:
    return render(K8S_DIR)


def _find(objects: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    matches = [o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name]
    assert len(matches) == 1, (kind, name)
    return copy.deepcopy(matches[0])


def test_the_kustomization_renders_every_manifest_into_the_namespace(
    objects: list[dict[str, Any]],
) -> None:
    kinds = {o["kind"] for o in objects}
    assert kinds >= {
        "Namespace", "ConfigMap", "Secret", "Deployment", "Service", "PodDisruptionBudget",
        "HorizontalPodAutoscaler", "Job", "StatefulSet", "Ingress", "Kafka", "KafkaNodePool",
        "KafkaTopic",
    }  # fmt: skip
    assert {o["metadata"].get("namespace") for o in objects if o["kind"] != "Namespace"} == {"cbec"}
    listed = yaml.safe_load((K8S_DIR / "kustomization.yaml").read_text())["resources"]
    on_disk = sorted(p.name for p in K8S_DIR.glob("*.yaml") if p.name != "kustomization.yaml")
    assert sorted(listed) == on_disk


@pytest.mark.parametrize("version", K8S_VERSIONS)
def test_every_manifest_is_valid_for_kubernetes_and_strimzi(
    objects: list[dict[str, Any]], version: str
) -> None:
    problems = [str(p) for obj in objects for p in schema_problems(obj, version)]
    assert problems == []


def test_every_pod_is_locked_down(objects: list[dict[str, Any]]) -> None:
    assert [str(p) for obj in objects for p in security_problems(obj)] == []


def test_every_process_is_wired_completely(objects: list[dict[str, Any]]) -> None:
    assert [str(p) for p in wiring_problems(objects)] == []


def test_the_postgres_init_script_is_the_compose_one(objects: list[dict[str, Any]]) -> None:
    config_map = _find(objects, "ConfigMap", "postgres-init")
    script = (REPO_ROOT / "deploy/compose/postgres-init.sh").read_text(encoding="utf-8")
    assert config_map["data"]["10-cbec-databases.sh"] == script


def test_secrets_hold_only_clearly_marked_placeholders(objects: list[dict[str, Any]]) -> None:
    values = [
        value
        for o in objects
        if o["kind"] == "Secret"
        for value in (o.get("stringData") or {}).values()
    ]
    assert values
    assert [v for v in values if not v.startswith("REPLACE-ME")] == []
    assert all("data" not in o for o in objects if o["kind"] == "Secret")


def test_the_ingress_exposes_only_the_gateway(objects: list[dict[str, Any]]) -> None:
    backends = [
        path["backend"]["service"]
        for o in objects
        if o["kind"] == "Ingress"
        for rule in o["spec"]["rules"]
        for path in rule["http"]["paths"]
    ]
    assert backends == [{"name": "gateway", "port": {"name": "http"}}]


# --- every check rejects a broken object ---------------------------------------------------


def test_kubernetes_validation_rejects_a_deployment_without_selector(
    objects: list[dict[str, Any]],
) -> None:
    deployment = _find(objects, "Deployment", "declaration")
    del deployment["spec"]["selector"]
    problems = schema_problems(deployment, K8S_VERSIONS[0])
    assert problems
    assert "selector" in problems[0].rule


@pytest.mark.parametrize(
    ("kind", "name", "path", "value"),
    [
        ("Deployment", "gateway", ("spec", "replica"), 2),
        ("Service", "payments", ("spec", "ports", 0, "port"), "eighty"),
        ("HorizontalPodAutoscaler", "logistics", ("spec", "maxReplicas"), None),
        ("PodDisruptionBudget", "tax-refund", ("spec", "minAvailable"), [1]),
    ],
)
def test_kubernetes_validation_rejects_wrong_shapes_and_unknown_fields(
    objects: list[dict[str, Any]], kind: str, name: str, path: tuple[str | int, ...], value: object
) -> None:
    obj = _find(objects, kind, name)
    node: Any = obj
    for key in path[:-1]:
        node = node[key]
    if value is None:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    assert schema_problems(obj, K8S_VERSIONS[0]) != []


def test_an_unknown_kind_is_rejected() -> None:
    obj = {"apiVersion": "cbec.example/v1", "kind": "Widget", "metadata": {"name": "w"}}
    assert rules(schema_problems(obj, K8S_VERSIONS[0])) == {"a kind known to Kubernetes"}


@pytest.mark.parametrize(
    ("kind", "name", "path", "value", "fragment"),
    [
        ("KafkaTopic", "cbec-declaration-v1", ("spec", "partitions"), 0, "minimum"),
        ("KafkaTopic", "cbec-declaration-v1", ("spec", "partitions"), "twelve", "integer"),
        ("KafkaTopic", "cbec-payments-v1-dlq", ("spec", "partition"), 12, "Additional"),
        ("KafkaTopic", "cbec-tax-v1", ("metadata", "labels"), {}, "strimzi.io/cluster"),
        ("KafkaNodePool", "dual-role", ("spec", "roles"), ["zookeeper"], "zookeeper"),
        ("KafkaNodePool", "dual-role", ("spec", "storage"), {"size": "1Gi"}, "type"),
        (
            "Kafka",
            "cbec",
            ("spec", "kafka", "listeners", 0, "name"),
            "Plain_Text",
            "does not match",
        ),
        ("Kafka", "cbec", ("spec", "kafka", "listeners", 0, "tls"), "no", "boolean"),
    ],
)
def test_strimzi_validation_rejects_a_broken_resource(
    objects: list[dict[str, Any]],
    kind: str,
    name: str,
    path: tuple[str | int, ...],
    value: object,
    fragment: str,
) -> None:
    obj = _find(objects, kind, name)
    node: Any = obj
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    problems = schema_problems(obj, K8S_VERSIONS[0])
    assert any(fragment in p.rule for p in problems), [str(p) for p in problems]


def _set(obj: dict[str, Any], path: tuple[str | int, ...], value: object) -> None:
    node: Any = obj
    for key in path[:-1]:
        node = node[key]
    if value is None:
        del node[path[-1]]
    else:
        node[path[-1]] = value


POD = ("spec", "template", "spec")
CONTAINER = (*POD, "containers", 0)


@pytest.mark.parametrize(
    ("path", "value", "rule"),
    [
        ((*POD, "securityContext", "runAsNonRoot"), False, "runAsNonRoot is true"),
        ((*POD, "securityContext", "runAsUser"), 0, "runAsUser is not 0"),
        ((*POD, "securityContext", "seccompProfile"), None, "seccompProfile is RuntimeDefault"),
        ((*POD, "automountServiceAccountToken"), None, "automountServiceAccountToken is false"),
        (
            (*CONTAINER, "securityContext", "readOnlyRootFilesystem"),
            False,
            "readOnlyRootFilesystem is true",
        ),
        (
            (*CONTAINER, "volumeMounts"),
            [],
            "a read-only root filesystem has /tmp on an emptyDir",
        ),
        (
            (*CONTAINER, "securityContext", "allowPrivilegeEscalation"),
            None,
            "allowPrivilegeEscalation is false",
        ),
        ((*CONTAINER, "securityContext", "privileged"), True, "a container is not privileged"),
        (
            (*CONTAINER, "securityContext", "capabilities", "drop"),
            ["NET_RAW"],
            "capabilities drop ALL",
        ),
        (
            (*CONTAINER, "securityContext", "capabilities", "add"),
            ["NET_ADMIN"],
            "no capability is added",
        ),
        ((*CONTAINER, "resources", "limits"), None, "resources limits cpu is set"),
        ((*CONTAINER, "resources", "requests", "memory"), None, "resources requests memory is set"),
        (
            (*CONTAINER, "image"),
            "cbec/declaration:latest",
            "image is pinned to a tag, never latest",
        ),
        ((*CONTAINER, "image"), "cbec/declaration", "image is pinned to a tag, never latest"),
        ((*CONTAINER, "readinessProbe"), None, "readinessProbe is set"),
        ((*CONTAINER, "livenessProbe"), None, "livenessProbe is set"),
    ],
)
def test_the_security_check_rejects_a_deployment_that_breaks_a_rule(
    objects: list[dict[str, Any]], path: tuple[str | int, ...], value: object, rule: str
) -> None:
    deployment = _find(objects, "Deployment", "declaration")
    _set(deployment, path, value)
    assert rule in rules(security_problems(deployment))


def _replace(objects: list[dict[str, Any]], changed: dict[str, Any]) -> list[dict[str, Any]]:
    key = (changed["kind"], changed["metadata"]["name"])
    return [changed if (o["kind"], o["metadata"]["name"]) == key else o for o in objects]


@pytest.mark.parametrize(
    ("kind", "name", "path", "value", "rule"),
    [
        ("Deployment", "declaration", (*POD, "terminationGracePeriodSeconds"), 30,
         "terminationGracePeriodSeconds is 45 (consumers drain ~30 s)"),
        ("Deployment", "payments", (*CONTAINER, "readinessProbe", "httpGet", "path"), "/healthz",
         "readinessProbe probes /readyz"),
        ("Deployment", "logistics", (*CONTAINER, "args"), ["serve", "logistics"],
         "runs cbec serve logistics --host 0.0.0.0 --port 8002"),
        ("Deployment", "gateway", (*CONTAINER, "envFrom"), [],
         "the shared settings come from cbec-config"),
        ("HorizontalPodAutoscaler", "tax-refund", ("spec", "maxReplicas"), 24,
         "maxReplicas is at most the partitions (idle consumers otherwise)"),
        ("Service", "declaration", ("spec", "selector"), {"app": "other"},
         "the Service selects the Deployment's pods"),
        ("Job", "payments-migrate", (*CONTAINER, "args"), ["migrate"],
         "runs cbec migrate payments"),
        ("KafkaTopic", "cbec-logistics-v1", ("spec", "partitions"), 6,
         "partitions equal KAFKA_TOPIC_PARTITIONS"),
        ("KafkaTopic", "cbec-tax-v1-dlq", ("metadata", "labels", "strimzi.io/cluster"), "other",
         "strimzi.io/cluster names a Kafka"),
        ("ConfigMap", "cbec-config", ("data", "DB_MIGRATE_ON_START"), "true", "is false"),
    ],
)  # fmt: skip
def test_the_wiring_check_rejects_a_broken_process(
    objects: list[dict[str, Any]],
    kind: str,
    name: str,
    path: tuple[str | int, ...],
    value: object,
    rule: str,
) -> None:
    changed = _find(objects, kind, name)
    _set(changed, path, value)
    assert rule in rules(wiring_problems(_replace(objects, changed)))


def test_the_wiring_check_reports_a_missing_process_and_secret_key(
    objects: list[dict[str, Any]],
) -> None:
    without = [
        o
        for o in objects
        if not (o["kind"] == "Job" and o["metadata"]["name"] == "gateway-migrate")
    ]
    secret = _find(objects, "Secret", "cbec-postgres")
    del secret["stringData"]["payments-password"]
    problems = rules(wiring_problems(_replace(without, secret)))
    assert "every process has a migration Job" in problems
    assert "a referenced Secret key exists" in problems


def test_every_process_has_its_own_manifest_file() -> None:
    for name in PROCESSES:
        kinds = {d["kind"] for d in yaml.safe_load_all((K8S_DIR / f"{name}.yaml").read_text())}
        assert kinds == {
            "ServiceAccount", "Deployment", "Service", "PodDisruptionBudget",
            "HorizontalPodAutoscaler", "Job",
        }  # fmt: skip


# --- the renderer refuses what it cannot render -------------------------------------------


def _kustomization(tmp_path: Path, body: str, **files: str) -> Path:
    (tmp_path / "kustomization.yaml").write_text(body, encoding="utf-8")
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_the_renderer_refuses_kustomize_features_it_does_not_implement(tmp_path: Path) -> None:
    directory = _kustomization(tmp_path, "resources: []\npatches:\n  - path: p.yaml\n")
    with pytest.raises(KustomizeError, match="patches"):
        render(directory)


def test_the_renderer_refuses_a_missing_resource(tmp_path: Path) -> None:
    with pytest.raises(KustomizeError, match=r"absent\.yaml"):
        render(_kustomization(tmp_path, "resources:\n  - absent.yaml\n"))


def test_the_renderer_refuses_two_objects_with_the_same_id(tmp_path: Path) -> None:
    config = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: same\n"
    directory = _kustomization(
        tmp_path, "resources:\n  - a.yaml\n  - b.yaml\n", **{"a.yaml": config, "b.yaml": config}
    )
    with pytest.raises(KustomizeError, match=r"same id"):
        render(directory)


def test_the_renderer_sets_the_namespace_on_namespaced_objects_only(tmp_path: Path) -> None:
    docs = (
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns\n---\n"
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: other\n"
    )
    directory = _kustomization(
        tmp_path, "namespace: ns\nresources:\n  - all.yaml\n", **{"all.yaml": docs}
    )
    rendered = render(directory)
    assert [o["metadata"].get("namespace") for o in rendered] == [None, "ns"]


# --- who may connect to whom ---------------------------------------------------------------


def test_only_the_gateway_reaches_the_services_and_only_the_platform_the_data(
    objects: list[dict[str, Any]],
) -> None:
    assert [str(p) for p in network_problems(objects)] == []
    policies = {o["metadata"]["name"] for o in objects if o["kind"] == "NetworkPolicy"}
    assert policies >= {"declaration", "logistics", "payments", "tax-refund", "postgres"}


def test_every_process_verifies_or_signs_caller_tokens_with_keys_from_secrets(
    objects: list[dict[str, Any]],
) -> None:
    def env(name: str) -> dict[str, Any]:
        deployment = _find(objects, "Deployment", name)
        container = deployment["spec"]["template"]["spec"]["containers"][0]
        return {e["name"]: e for e in container["env"]}

    assert env("gateway")["SERVICE_TOKEN_PRIVATE_KEY"]["valueFrom"]["secretKeyRef"] == {
        "name": "cbec-gateway",
        "key": "token-private-key",
    }
    for name in ("declaration", "logistics", "payments", "tax-refund"):
        assert env(name)["SERVICE_TOKEN_PUBLIC_KEY"]["valueFrom"]["secretKeyRef"] == {
            "name": "cbec-token-public-keys",
            "key": "gateway",
        }
        assert "cbec-gateway" not in str(env(name)), "no service holds the gateway's secrets"
    assert env("declaration")["SERVICE_TOKEN_PRIVATE_KEY"]["valueFrom"]["secretKeyRef"] == {
        "name": "cbec-declaration",
        "key": "token-private-key",
    }
    assert env("tax-refund")["DECLARATION_TOKEN_PUBLIC_KEY"]["valueFrom"]["secretKeyRef"] == {
        "name": "cbec-token-public-keys",
        "key": "declaration",
    }
    config = _find(objects, "ConfigMap", "cbec-config")
    assert config["data"]["CBEC_ENV"] == "production"


def test_the_wiring_check_rejects_a_token_key_not_from_a_secret(
    objects: list[dict[str, Any]],
) -> None:
    deployment = _find(objects, "Deployment", "logistics")
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    for entry in container["env"]:
        if entry["name"] == "SERVICE_TOKEN_PUBLIC_KEY":
            entry.pop("valueFrom")
            entry["value"] = "literal"
    problems = rules(wiring_problems(_replace(objects, deployment)))
    assert problems == {"SERVICE_TOKEN_PUBLIC_KEY comes from a Secret"}


def _env_of(obj: dict[str, Any]) -> list[dict[str, Any]]:
    env: list[dict[str, Any]] = obj["spec"]["template"]["spec"]["containers"][0]["env"]
    return env


def test_every_process_signs_and_verifies_events_with_keys_from_secrets(
    objects: list[dict[str, Any]],
) -> None:
    assert [str(p) for p in event_key_problems(objects, TOPIC_OWNERS, _reads())] == []

    def env(name: str) -> dict[str, Any]:
        return {e["name"]: e for e in _env_of(_find(objects, "Deployment", name))}

    assert "EVENT_SIGNING_KEY" not in env("gateway")
    for name in ("declaration", "logistics", "payments", "tax-refund"):
        assert env(name)["EVENT_SIGNING_KEY"]["valueFrom"]["secretKeyRef"] == {
            "name": f"cbec-{name}",
            "key": "event-private-key",
        }
        others = set(PROCESSES) - {name}
        assert not [o for o in others if f"'cbec-{o}'" in str(env(name))], name
        # Its migration Job builds neither a signer nor a verifier: it holds no event key.
        assert "EVENT_" not in str(_env_of(_find(objects, "Job", f"{name}-migrate")))
    assert env("payments")["EVENT_PUBLIC_KEYS"]["value"] == (
        "declaration=$(DECLARATION_EVENT_PUBLIC_KEY)"
    )
    assert env("payments")["DECLARATION_EVENT_PUBLIC_KEY"]["valueFrom"]["secretKeyRef"] == {
        "name": "cbec-event-public-keys",
        "key": "declaration",
    }
    public = _find(objects, "Secret", "cbec-event-public-keys")
    assert set(public["stringData"]) == set(TOPIC_OWNERS.values())


def _event_keys_broken(objects: list[dict[str, Any]], change: str) -> dict[str, Any]:
    if change == "a migration Job holds the private key":
        changed = _find(objects, "Job", "payments-migrate")
        _env_of(changed).append(
            {
                "name": "EVENT_SIGNING_KEY",
                "valueFrom": {
                    "secretKeyRef": {"name": "cbec-payments", "key": "event-private-key"}
                },
            }
        )
        return changed
    name = {
        "another's private key": "payments",
        "a literal private key": "logistics",
        "the gateway signs": "gateway",
        "a reader misses an owner": "tax-refund",
        "a key of a topic it does not read": "payments",
        "a variable defined after it": "logistics",
        "another service's public key": "logistics",
        "a literal public key": "declaration",
    }[change]
    changed = _find(objects, "Deployment", name)
    env = _env_of(changed)
    by_name = {e["name"]: e for e in env}
    if change == "another's private key":
        by_name["EVENT_SIGNING_KEY"]["valueFrom"]["secretKeyRef"]["name"] = "cbec-declaration"
    elif change == "a literal private key":
        by_name["EVENT_SIGNING_KEY"].pop("valueFrom")
        by_name["EVENT_SIGNING_KEY"]["value"] = "gJxqcItRsjB6uZI4SPeFPwklnz_fFBp7IGkvUJiqOUA="
    elif change == "the gateway signs":
        env.append({"name": "EVENT_SIGNING_KEY", "value": "x"})
    elif change == "a reader misses an owner":
        by_name["EVENT_PUBLIC_KEYS"]["value"] = "declaration=$(DECLARATION_EVENT_PUBLIC_KEY)"
    elif change == "a key of a topic it does not read":
        # Named after another variable, too: the value is not tax-refund's key.
        by_name["EVENT_PUBLIC_KEYS"]["value"] += ",tax-refund=$(DECLARATION_EVENT_PUBLIC_KEY)"
    elif change == "a variable defined after it":
        entry = by_name["DECLARATION_EVENT_PUBLIC_KEY"]
        env.remove(entry)
        env.append(entry)
    elif change == "another service's public key":
        by_name["DECLARATION_EVENT_PUBLIC_KEY"]["valueFrom"]["secretKeyRef"]["key"] = "payments"
    else:
        by_name["EVENT_PUBLIC_KEYS"]["value"] = (
            "logistics=Ppq2MXWVny8VxXnVw77ZkD9ad2khIqqE636wbwSNmTo=,"
            "payments=$(PAYMENTS_EVENT_PUBLIC_KEY)"
        )
    return changed


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        ("another's private key",
         "EVENT_SIGNING_KEY comes from its own Secret (cbec-payments, event-private-key)"),
        ("another's private key", "only a service's own Deployment holds its event private key"),
        ("a literal private key",
         "EVENT_SIGNING_KEY comes from its own Secret (cbec-logistics, event-private-key)"),
        ("a migration Job holds the private key",
         "only a service's own Deployment holds its event private key"),
        ("the gateway signs", "a process that owns no topic has no EVENT_SIGNING_KEY"),
        ("a reader misses an owner",
         "EVENT_PUBLIC_KEYS names the owners of the topics it reads, and only them"),
        ("a key of a topic it does not read",
         "EVENT_PUBLIC_KEYS names the owners of the topics it reads, and only them"),
        ("a key of a topic it does not read",
         "the public key of each service comes from cbec-event-public-keys under its name"),
        ("a variable defined after it", "EVENT_PUBLIC_KEYS uses variables defined before it"),
        ("another service's public key",
         "the public key of each service comes from cbec-event-public-keys under its name"),
        ("a literal public key", "an EVENT_PUBLIC_KEYS entry is <service>=$(VARIABLE)"),
    ],
)  # fmt: skip
def test_the_event_key_check_rejects_a_misplaced_or_missing_key(
    objects: list[dict[str, Any]], change: str, rule: str
) -> None:
    changed = _event_keys_broken(objects, change)
    problems = event_key_problems(_replace(objects, changed), TOPIC_OWNERS, _reads())
    assert rule in rules(problems), [str(p) for p in problems]


def _ingress_from(objects: list[dict[str, Any]], name: str) -> dict[str, Any]:
    return _find(objects, "NetworkPolicy", name)


@pytest.mark.parametrize(
    ("name", "peers", "rule"),
    [
        ("logistics", None, "names who may connect"),
        (
            "payments",
            [{"podSelector": {"matchLabels": {"app.kubernetes.io/name": "declaration"}}}],
            "payments takes requests from ['gateway'] only",
        ),
        (
            "declaration",
            [{"namespaceSelector": {}}],
            "a peer is pods of the namespace",
        ),
        (
            "tax-refund",
            [{"podSelector": {}}],
            "a peer is pods of the namespace",
        ),
        (
            "postgres",
            [{"podSelector": {"matchLabels": {"app.kubernetes.io/name": "jaeger"}}}],
            "PostgreSQL takes the platform's processes and migrations only",
        ),
    ],
)
def test_the_network_check_rejects_a_policy_that_lets_others_in(
    objects: list[dict[str, Any]], name: str, peers: list[dict[str, Any]] | None, rule: str
) -> None:
    policy = _ingress_from(objects, name)
    if peers is None:
        del policy["spec"]["ingress"][0]["from"]
    else:
        policy["spec"]["ingress"][0]["from"] = peers
    assert rule in rules(network_problems(_replace(objects, policy)))


def test_the_network_check_rejects_a_missing_policy_and_an_open_listener(
    objects: list[dict[str, Any]],
) -> None:
    without = [
        o
        for o in objects
        if not (o["kind"] == "NetworkPolicy" and o["metadata"]["name"] == "tax-refund")
    ]
    kafka = next(copy.deepcopy(o) for o in objects if o["kind"] == "Kafka")
    listeners = kafka["spec"]["kafka"]["listeners"]
    listeners.append({**copy.deepcopy(listeners[0]), "name": "other", "port": 9094})
    del listeners[0]["networkPolicyPeers"]
    listeners[1]["networkPolicyPeers"] = [{"namespaceSelector": {}}]
    problems = rules(network_problems(_replace(without, kafka)))
    assert problems == {
        "every service and PostgreSQL has a policy",
        "the listener names its networkPolicyPeers",
        "the brokers take the platform's processes only",
    }


def _reads() -> dict[str, set[str]]:
    """The topics each process consumes: those of the events its handlers read (the contract)."""
    reads: dict[str, set[str]] = {name: set() for name in PROCESSES}
    for consumer, _type, _model, producer in contract_pairs():
        reads[consumer].add(producer.topic)
    return reads


def test_each_process_is_a_kafka_user_granted_exactly_its_topics(
    objects: list[dict[str, Any]],
) -> None:
    reads = _reads()

    assert kafka_user_problems(objects, TOPIC_OWNERS, reads) == []
    assert reads["gateway"] == set(TOPIC_OWNERS)  # the one-stop view reads every topic
    declaration = _grants_of(objects, "cbec-declaration-kafka")
    assert ("topic", "cbec.declaration.v1", "literal", "Write") in declaration
    assert not {g for g in declaration if g[3] == "Write" and g[1].endswith(".v1")} - {
        ("topic", "cbec.declaration.v1", "literal", "Write")
    }


def _grants_of(objects: list[dict[str, Any]], user: str) -> set[tuple[str, str, str, str]]:
    from .k8s_checks import _grants

    return _grants(_find(objects, "KafkaUser", user))


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        ("write another's topic", "grants exactly its own topics, what it consumes and its groups"),
        ("read a topic it does not consume",
         "grants exactly its own topics, what it consumes and its groups"),
        ("plain listener", "every listener is TLS with SCRAM-SHA-512"),
        ("no authorization", "simple authorization (ACLs) is on"),
        ("another user's password", "KAFKA_SASL_PASSWORD is the password of cbec-payments-kafka"),
        ("no CA", "the cluster CA (cbec-cluster-ca-cert) is mounted at KAFKA_SSL_CAFILE"),
    ],
)  # fmt: skip
def test_the_kafka_user_check_rejects_a_broader_grant_or_an_open_broker(
    objects: list[dict[str, Any]], change: str, rule: str
) -> None:
    if change in ("write another's topic", "read a topic it does not consume"):
        changed = _find(objects, "KafkaUser", "cbec-payments-kafka")
        topic, operation = (
            ("cbec.declaration.v1", "Write")
            if change == "write another's topic"
            else ("cbec.tax.v1", "Read")
        )
        changed["spec"]["authorization"]["acls"].append(
            {"resource": {"type": "topic", "name": topic}, "operations": [operation]}
        )
    elif change == "plain listener":
        changed = _find(objects, "Kafka", "cbec")
        changed["spec"]["kafka"]["listeners"].append(
            {"name": "plain", "port": 9092, "type": "internal", "tls": False}
        )
    elif change == "no authorization":
        changed = _find(objects, "Kafka", "cbec")
        del changed["spec"]["kafka"]["authorization"]
    elif change == "another user's password":
        changed = _find(objects, "Deployment", "payments")
        env = changed["spec"]["template"]["spec"]["containers"][0]["env"]
        (password,) = [e for e in env if e["name"] == "KAFKA_SASL_PASSWORD"]
        password["valueFrom"]["secretKeyRef"]["name"] = "cbec-gateway-kafka"
    else:
        changed = _find(objects, "Deployment", "payments")
        changed["spec"]["template"]["spec"]["volumes"] = [
            v for v in changed["spec"]["template"]["spec"]["volumes"] if v["name"] != "kafka-ca"
        ]
    problems = kafka_user_problems(_replace(objects, changed), TOPIC_OWNERS, _reads())
    assert rule in rules(problems)


def test_the_expected_grants_of_a_service() -> None:
    grants = expected_grants("payments", TOPIC_OWNERS, ["cbec.declaration.v1"])

    assert grants == {
        ("group", "cbec.payments.", "prefix", "Read"),
        ("topic", "cbec.payments.v1", "literal", "Write"),
        ("topic", "cbec.payments.v1", "literal", "Describe"),
        ("topic", "cbec.declaration.v1", "literal", "Read"),
        ("topic", "cbec.declaration.v1", "literal", "Describe"),
        ("topic", "cbec.declaration.v1.dlq", "literal", "Write"),
        ("topic", "cbec.declaration.v1.dlq", "literal", "Describe"),
    }
