"""docker-compose.yml is a valid Compose file that starts the stack in a safe order, with
pinned images and required secrets; each check is also shown rejecting a broken file."""

from __future__ import annotations

import base64
import binascii
import copy
import re
from typing import Any

import pytest

from . import compose_checks
from .compose import load_compose, read_env_file, service_environment
from .compose_checks import event_key_problems, is_secret_name, rule_problems, schema_problems
from .problems import ALL_TOPICS, PROCESSES, REPO_ROOT, rules


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    return load_compose()


@pytest.fixture(scope="module")
def env_example() -> dict[str, str]:
    return read_env_file()


def test_the_compose_file_follows_the_compose_specification_schema(doc: dict[str, Any]) -> None:
    assert [str(p) for p in schema_problems(doc)] == []


def test_the_compose_file_follows_the_platform_rules(
    doc: dict[str, Any], env_example: dict[str, str]
) -> None:
    assert [str(p) for p in rule_problems(doc, env_example)] == []


def test_the_schema_rejects_a_service_with_a_misspelt_key(doc: dict[str, Any]) -> None:
    broken = copy.deepcopy(doc)
    broken["services"]["declaration"]["healthchek"] = broken["services"]["declaration"].pop(
        "healthcheck"
    )
    problems = schema_problems(broken)
    assert any("healthchek" in p.rule for p in problems)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("services", "kafka", "ports"), "9094:9094"),
        (("services", "postgres", "depends_on"), {"kafka": {"condition": "when_ready"}}),
        (("services", "jaeger", "healthcheck", "interval"), ["10s"]),
        (("volumes", "kafka-data"), "not-a-mapping"),
    ],
)
def test_the_schema_rejects_wrong_shapes(
    doc: dict[str, Any], path: tuple[str, ...], value: object
) -> None:
    broken = copy.deepcopy(doc)
    node = broken
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    assert schema_problems(broken) != []


def _broken(doc: dict[str, Any], service: str, **changes: object) -> dict[str, Any]:
    broken = copy.deepcopy(doc)
    for key, value in changes.items():
        if value is None:
            broken["services"][service].pop(key, None)
        else:
            broken["services"][service][key] = value
    return broken


@pytest.mark.parametrize(
    ("service", "changes", "rule"),
    [
        ("jaeger", {"healthcheck": None}, "every service has a healthcheck"),
        (
            "payments",
            {"healthcheck": {"disable": True}},
            'only a one-shot job (restart: "no") may disable its healthcheck',
        ),
        (
            "gateway",
            {"depends_on": ["declaration"]},
            "depends_on names a condition for each service",
        ),
        (
            "gateway",
            {"depends_on": {"declaration": {"condition": "service_started"}}},
            "depends_on waits for service_healthy or service_completed_successfully",
        ),
        (
            "gateway",
            {"depends_on": {"kafka-topics": {"condition": "service_healthy"}}},
            "service_healthy waits only for a service with a healthcheck",
        ),
        (
            "gateway",
            {"depends_on": {"kafka": {"condition": "service_completed_successfully"}}},
            "service_completed_successfully waits only for one-shot jobs",
        ),
        (
            "gateway",
            {"depends_on": {"broker": {"condition": "service_healthy"}}},
            "depends_on names a service of this file",
        ),
        (
            "postgres",
            {"image": "postgres:latest"},
            "image is pinned to a version tag, never latest",
        ),
        ("postgres", {"image": "postgres"}, "image is pinned to a version tag, never latest"),
        (
            "jaeger",
            {"image": "jaegertracing/all-in-one:stable"},
            "a third-party image is pinned to a version number",
        ),
        ("declaration", {"image": None}, "every service names its image"),
        (
            "postgres",
            {"environment": {"POSTGRES_PASSWORD": "hunter2"}},
            "a secret comes from the environment as ${VAR:?message}",
        ),
        (
            "postgres",
            {"environment": {"POSTGRES_PASSWORD": "${POSTGRES_PASSWORD:-postgres}"}},
            "a secret is required: ${VAR:?message}",
        ),
        (
            "declaration",
            {
                "environment": {
                    "DATABASE_URL": "postgresql+asyncpg://declaration:pw@postgres:5432/declaration"
                }
            },
            "a password in a URL comes from ${VAR:?message}",
        ),
        (
            "declaration",
            {"environment": {"LOG_LEVEL": "${UNDOCUMENTED_LEVEL:-INFO}"}},
            "every variable used is listed in .env.example",
        ),
    ],
)
def test_each_platform_rule_rejects_a_file_that_breaks_it(
    doc: dict[str, Any],
    env_example: dict[str, str],
    service: str,
    changes: dict[str, object],
    rule: str,
) -> None:
    problems = rule_problems(_broken(doc, service, **changes), env_example)
    assert rule in rules(problems), [str(p) for p in problems]


def test_a_variable_listed_but_never_used_is_reported(
    doc: dict[str, Any], env_example: dict[str, str]
) -> None:
    problems = rule_problems(doc, {**env_example, "STALE_SETTING": "1"})
    assert [p.value for p in problems] == ["STALE_SETTING"]


def test_every_env_example_variable_has_a_comment_above_it() -> None:
    lines = (REPO_ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
    uncommented = [
        line.split("=", 1)[0]
        for previous, line in zip(["", *lines[:-1]], lines, strict=True)
        if re.match(r"^[A-Z_][A-Z0-9_]*=", line)
        and not previous.startswith("#")
        and not re.match(r"^[A-Z_][A-Z0-9_]*=", previous)
    ]
    assert uncommented == []


def _placeholder(value: str) -> bool:
    try:
        decoded = base64.urlsafe_b64decode(value).decode("ascii", "replace")
    except (binascii.Error, ValueError):
        decoded = ""
    return value.startswith("change-me") or decoded.startswith("change-me")


def test_secrets_in_env_example_are_marked_as_placeholders(env_example: dict[str, str]) -> None:
    secrets = {k: v for k, v in env_example.items() if is_secret_name(k)}
    assert set(secrets) >= {"POSTGRES_PASSWORD", "GATEWAY_SECRET_KEY", "DECLARATION_DB_PASSWORD"}
    assert [k for k, v in secrets.items() if not _placeholder(v)] == []


def test_every_process_runs_in_the_stack_with_its_port_and_migration_job(
    doc: dict[str, Any],
) -> None:
    services = doc["services"]
    one_shots = compose_checks.one_shot_services(doc)
    for name, port in PROCESSES.items():
        assert services[name]["command"] == [
            "serve",
            name,
            "--host",
            "0.0.0.0",
            "--port",
            str(port),
        ]
        assert f":{port}/readyz" in " ".join(services[name]["healthcheck"]["test"])
        assert services[name]["environment"]["OTEL_SERVICE_NAME"] == f"cbec-{name}"
        assert services[name]["environment"]["DB_MIGRATE_ON_START"] == "false"
        assert services[f"{name}-migrate"]["command"] == ["migrate", name]
        assert f"{name}-migrate" in one_shots
        assert services[name]["depends_on"][f"{name}-migrate"] == {
            "condition": "service_completed_successfully"
        }
    assert {"kafka-topics"} <= one_shots
    assert set(services["gateway"]["depends_on"]) >= set(PROCESSES) - {"gateway"}


def test_containers_of_the_platform_are_locked_down(doc: dict[str, Any]) -> None:
    for name in PROCESSES:
        service = doc["services"][name]
        assert service["read_only"] is True
        assert service["cap_drop"] == ["ALL"]
        assert "no-new-privileges:true" in service["security_opt"]
        assert service["stop_grace_period"] == "45s"


def test_the_topic_job_creates_every_topic_and_dead_letter_topic() -> None:
    script = (REPO_ROOT / "deploy/compose/create-topics.sh").read_text(encoding="utf-8")
    loop = re.search(r"for topic in ([^;]+);", script)
    assert loop is not None
    topics = loop.group(1).split()
    assert tuple(t for topic in topics for t in (topic, f"{topic}.dlq")) == ALL_TOPICS
    assert '--topic "$topic.dlq"' in script


def test_the_database_init_script_creates_one_database_per_process() -> None:
    script = (REPO_ROOT / "deploy/compose/postgres-init.sh").read_text(encoding="utf-8")
    created = re.findall(r"^create_database (\w+) \"\$(\w+)\"$", script, flags=re.MULTILINE)
    assert created == [
        (name.replace("-", "_"), f"{name.replace('-', '_').upper()}_DB_PASSWORD")
        for name in PROCESSES
    ]


def test_every_process_runs_in_production_with_caller_token_keys_of_its_own(
    doc: dict[str, Any],
) -> None:
    services = doc["services"]
    for name in PROCESSES:
        assert services[name]["environment"]["CBEC_ENV"] == "production", name
    environment = {name: services[name]["environment"] for name in PROCESSES}
    assert environment["gateway"]["SERVICE_TOKEN_PRIVATE_KEY"].startswith(
        "${GATEWAY_TOKEN_PRIVATE_KEY:?"
    )
    for name in set(PROCESSES) - {"gateway"}:
        assert environment[name]["SERVICE_TOKEN_PUBLIC_KEY"].startswith(
            "${GATEWAY_TOKEN_PUBLIC_KEY:?"
        ), name
    assert environment["declaration"]["SERVICE_TOKEN_PRIVATE_KEY"].startswith(
        "${DECLARATION_TOKEN_PRIVATE_KEY:?"
    )
    assert environment["tax-refund"]["DECLARATION_TOKEN_PUBLIC_KEY"].startswith(
        "${DECLARATION_TOKEN_PUBLIC_KEY:?"
    )
    # No service but the gateway holds a private key of the gateway's tokens.
    for name in set(PROCESSES) - {"gateway"}:
        assert "GATEWAY_TOKEN_PRIVATE_KEY" not in str(environment[name]), name


def _reads() -> dict[str, set[str]]:
    """The topics each process consumes: those of the events its handlers read (the contract)."""
    from cbec.shared.contracts import contract_pairs

    reads: dict[str, set[str]] = {name: set() for name in PROCESSES}
    for consumer, _type, _model, producer in contract_pairs():
        reads[consumer].add(producer.topic)
    return reads


def test_every_process_signs_and_verifies_events_with_keys_of_its_own(
    doc: dict[str, Any],
) -> None:
    from cbec.shared.topics import TOPIC_OWNERS

    assert [str(p) for p in event_key_problems(doc, TOPIC_OWNERS, _reads())] == []
    environment = {name: doc["services"][name]["environment"] for name in PROCESSES}
    assert "EVENT_SIGNING_KEY" not in environment["gateway"]
    for name in set(PROCESSES) - {"gateway"}:
        variable = name.upper().replace("-", "_") + "_EVENT_PRIVATE_KEY"
        assert environment[name]["EVENT_SIGNING_KEY"].startswith(f"${{{variable}:?"), name
        # Its migration job runs with the same environment: its own key, nobody else's.
        assert doc["services"][f"{name}-migrate"]["environment"] == environment[name]
    # The gateway's one-stop view reads every topic: it holds every public key, and no
    # private one.
    assert service_environment("gateway")["EVENT_PUBLIC_KEYS"] == (
        "declaration=change-me-declaration-event-public-key, "
        "logistics=change-me-logistics-event-public-key, "
        "payments=change-me-payments-event-public-key, "
        "tax-refund=change-me-tax-refund-event-public-key"
    )
    assert service_environment("payments")["EVENT_PUBLIC_KEYS"] == (
        "declaration=change-me-declaration-event-public-key"
    )


# A public key written into the file instead of taken from .env.
_LITERAL_KEY = "Ppq2MXWVny8VxXnVw77ZkD9ad2khIqqE636wbwSNmTo="


def _required(variable: str) -> str:
    return f"${{{variable}:?set {variable} in .env}}"


@pytest.mark.parametrize(
    ("service", "key", "value", "rule"),
    [
        ("payments", "EVENT_SIGNING_KEY", _required("DECLARATION_EVENT_PRIVATE_KEY"),
         "no process holds another's event private key"),
        ("payments", "EVENT_SIGNING_KEY", _required("DECLARATION_EVENT_PRIVATE_KEY"),
         "is ${PAYMENTS_EVENT_PRIVATE_KEY:?message}"),
        ("logistics", "EVENT_SIGNING_KEY", None, "is ${LOGISTICS_EVENT_PRIVATE_KEY:?message}"),
        ("gateway", "EVENT_SIGNING_KEY", _required("GATEWAY_EVENT_PRIVATE_KEY"),
         "a process that owns no topic has none"),
        ("tax-refund", "EVENT_PUBLIC_KEYS",
         "declaration=" + _required("DECLARATION_EVENT_PUBLIC_KEY"),
         "names the owners of the topics the process reads, and only them"),
        ("payments", "EVENT_PUBLIC_KEYS",
         "declaration=" + _required("DECLARATION_EVENT_PUBLIC_KEY")
         + ",tax-refund=" + _required("TAX_REFUND_EVENT_PUBLIC_KEY"),
         "names the owners of the topics the process reads, and only them"),
        ("logistics", "EVENT_PUBLIC_KEYS", "declaration=" + _required("LOGISTICS_EVENT_PUBLIC_KEY"),
         "an entry is <service>=${<SERVICE>_EVENT_PUBLIC_KEY:?message}"),
        ("logistics", "EVENT_PUBLIC_KEYS", f"declaration={_LITERAL_KEY}",
         "an entry is <service>=${<SERVICE>_EVENT_PUBLIC_KEY:?message}"),
        ("kafka-users", "DECLARATION_KEY", _required("DECLARATION_EVENT_PRIVATE_KEY"),
         "no process holds another's event private key"),
    ],
)  # fmt: skip
def test_the_event_key_check_rejects_a_misplaced_or_missing_key(
    doc: dict[str, Any], service: str, key: str, value: str | None, rule: str
) -> None:
    from cbec.shared.topics import TOPIC_OWNERS

    broken = copy.deepcopy(doc)
    environment = broken["services"][service]["environment"]
    if value is None:
        del environment[key]
    else:
        environment[key] = value
    problems = event_key_problems(broken, TOPIC_OWNERS, _reads())
    assert rule in rules(problems), [str(p) for p in problems]


def test_the_key_placeholders_of_env_example_are_refused_as_keys(
    env_example: dict[str, str],
) -> None:
    """A `.env` copied without replacing a key cannot start a process (CBEC_ENV=production)."""
    from cbec.shared import keys

    placeholders = {
        k: v for k, v in env_example.items() if k.endswith(("_PRIVATE_KEY", "_PUBLIC_KEY"))
    }
    assert len(placeholders) == 12  # two token pairs, four event pairs
    for name, value in placeholders.items():
        load = keys.load_private_key if name.endswith("_PRIVATE_KEY") else keys.load_public_key
        with pytest.raises(ValueError, match="make one with: cbec keys generate"):
            load(value)


def test_only_the_gateway_publishes_a_port_of_the_platform(doc: dict[str, Any]) -> None:
    services = doc["services"]
    published = {name for name in PROCESSES if services[name].get("ports")}
    assert published == {"gateway"}
    assert all(str(p).startswith("127.0.0.1:") for p in services["gateway"]["ports"])
    assert not any(services[name].get("network_mode") == "host" for name in services)


def test_the_user_job_grants_each_process_exactly_its_topics() -> None:
    """Each service writes only its own topic and reads what it consumes (the same grants as
    deploy/k8s/kafka-users.yaml); the broker's services connect as their own user over TLS."""
    from cbec.shared.contracts import contract_pairs
    from cbec.shared.topics import TOPIC_OWNERS

    script = (REPO_ROOT / "deploy/compose/create-users.sh").read_text(encoding="utf-8")
    joined = script.replace("\\\n", " ")
    granted = {
        name: (set(owned.split()), set(consumed.split()))
        for name, owned, consumed in re.findall(
            r'^service ([\w-]+) "\$\{\w+:\?\}" +"([^"]*)" +"([^"]*)"$', joined, flags=re.MULTILINE
        )
    }
    reads: dict[str, set[str]] = {name: set() for name in PROCESSES}
    for consumer, _type, _model, producer in contract_pairs():
        reads[consumer].add(producer.topic)

    assert granted == {
        name: ({t for t, o in TOPIC_OWNERS.items() if o == name}, reads[name]) for name in PROCESSES
    }
    for name in PROCESSES:
        env = service_environment(name)
        assert env["KAFKA_SECURITY_PROTOCOL"] == "SASL_SSL"
        assert env["KAFKA_SASL_MECHANISM"] == "SCRAM-SHA-512"
        assert env["KAFKA_SASL_USERNAME"] == f"cbec-{name}"
        assert env["KAFKA_SSL_CAFILE"] == "/etc/cbec/kafka/ca.crt"
