"""Every process starts with CBEC_ENV=production and the environment docker-compose.yml gives it,
once `.env` holds generated keys: the app's event signer and verifiers are built from them (no
broker, no database: both are reached only when the app runs). With the placeholders of
`.env.example` it refuses to start, naming the setting. A migration job needs no key."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi import FastAPI

from cbec.shared import keys
from cbec.shared.cli import main as cbec
from cbec.shared.contracts import contract_pairs
from cbec.shared.registry import service
from cbec.shared.signing import EventSigner, EventVerifier, UnverifiedEvent, key_id, source_of
from cbec.shared.topics import TOPIC_OWNERS

from .compose import generated_keys, service_environment
from .compose_checks import event_key_variable
from .problems import PROCESSES

# Key settings a developer's shell may hold; each test sets exactly what the stack sets.
_KEY_SETTINGS = (
    "EVENT_SIGNING_KEY",
    "EVENT_PUBLIC_KEYS",
    "SERVICE_TOKEN_PRIVATE_KEY",
    "SERVICE_TOKEN_PUBLIC_KEY",
    "DECLARATION_TOKEN_PUBLIC_KEY",
    "GATEWAY_SECRET_KEY",
)


def _factory(name: str) -> Callable[[], FastAPI]:
    module, _, attribute = service(name).app.partition(":")
    factory: Callable[[], FastAPI] = getattr(importlib.import_module(module), attribute)
    return factory


def _start(name: str, env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> FastAPI:
    """The app as `cbec serve <name>` builds it in the container: settings from the
    environment only."""
    for setting in _KEY_SETTINGS:
        monkeypatch.delenv(setting, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return _factory(name)()


def _reads(name: str) -> set[str]:
    return {producer.topic for consumer, _t, _m, producer in contract_pairs() if consumer == name}


def _signed(signer: EventSigner, topic: str) -> list[tuple[str, bytes]]:
    headers = [("ce_source", source_of(signer.service).encode())]
    return signer.sign(topic, b"order-1", headers, b"{}")


@pytest.mark.parametrize("name", list(PROCESSES))
def test_each_process_starts_in_production_with_the_event_keys_of_its_env(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    generated = generated_keys()
    env = service_environment(name, overrides=generated)
    assert env["CBEC_ENV"] == "production"

    app = _start(name, env, monkeypatch)

    signer: EventSigner | None = app.state.event_signer
    if name in TOPIC_OWNERS.values():
        assert signer is not None
        private = keys.load_private_key(generated[event_key_variable(name, "private")])
        assert (signer.service, signer.key_id) == (name, key_id(private.public_key()))
    else:
        assert signer is None  # the gateway publishes no event

    verifiers: list[EventVerifier] = app.state.event_verifiers
    verified = {topic: v for v in verifiers for topic in v.owners}
    assert set(verified) == _reads(name)
    for topic, verifier in verified.items():
        owner = TOPIC_OWNERS[topic]
        private = keys.load_private_key(generated[event_key_variable(owner, "private")])
        genuine = _signed(EventSigner(owner, private), topic)
        assert verifier.verify(topic, b"order-1", genuine, b"{}") == owner
        # The owner's public development key, which anybody can derive, is not its key here.
        forged = _signed(
            EventSigner(owner, keys.development_private_key(keys.event_key_name(owner))), topic
        )
        with pytest.raises(UnverifiedEvent, match="unknown key"):
            verifier.verify(topic, b"order-1", forged, b"{}")


@pytest.mark.parametrize("name", list(PROCESSES))
def test_a_process_refuses_to_start_with_the_placeholder_event_keys(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    generated = {
        key: value
        for key, value in generated_keys().items()
        if "_EVENT_" not in key  # only the event keys keep their placeholders
    }
    env = service_environment(name, overrides=generated)
    assert "change-me" in env["EVENT_PUBLIC_KEYS"]

    with pytest.raises(ValueError, match=r"^EVENT_(SIGNING_KEY|PUBLIC_KEYS entry of [\w-]+): an"):
        _start(name, env, monkeypatch)


def test_a_process_that_reads_a_topic_refuses_to_start_without_its_owners_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    env = service_environment("tax-refund", overrides=generated_keys())
    env["EVENT_PUBLIC_KEYS"] = ",".join(
        entry for entry in env["EVENT_PUBLIC_KEYS"].split(",") if "logistics=" not in entry
    )
    with pytest.raises(ValueError, match="EVENT_PUBLIC_KEYS has no key of logistics"):
        _start("tax-refund", env, monkeypatch)


@pytest.mark.parametrize("name", list(PROCESSES))
def test_a_migration_job_needs_no_key_in_production(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """deploy/k8s's <service>-migrate Jobs carry no signing or public key: `cbec migrate`
    builds neither a signer nor a verifier."""
    for setting in _KEY_SETTINGS:
        monkeypatch.delenv(setting, raising=False)
    monkeypatch.setenv("CBEC_ENV", "production")
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'migrate.db'}")

    assert cbec(["migrate", name]) == 0
    assert f"{name}: migrated to head" in capsys.readouterr().out
