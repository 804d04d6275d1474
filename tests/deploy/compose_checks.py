"""Checks of docker-compose.yml: the Compose Specification schema, then the platform's rules
(healthchecks, start order, pinned images, required secrets, documented variables)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator

from .compose import Reference, interpolate, raw_environment, references, scan
from .problems import PROCESSES, Problem

SCHEMA_FILE = Path(__file__).parent / "schemas" / "compose-spec.json"

WAITING_CONDITIONS = {"service_healthy", "service_completed_successfully"}
_SECRET = re.compile(r"PASSWORD|SECRET|TOKEN|(^|_)KEY$")
_USERINFO = re.compile(r"^[a-z0-9+.-]+://[^:/@]+:(?P<password>.*)@[^@]*$")


def is_secret_name(name: str) -> bool:
    return bool(_SECRET.search(name))


@cache
def _schema() -> dict[str, Any]:
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


def schema_problems(doc: Mapping[str, Any]) -> list[Problem]:
    """Violations of the Compose Specification JSON schema (vendored, see schemas/README.md).

    The schema declares draft-07 by a URL jsonschema does not recognise, so the draft is named.
    """
    validator = Draft7Validator(_schema())
    return [
        Problem(
            "/".join(str(p) for p in error.absolute_path) or "(root)",
            f"compose-spec: {error.message}",
        )
        for error in sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    ]


def _walk(node: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(node, str):
        yield path, node
    elif isinstance(node, Mapping):
        for key, value in node.items():
            yield from _walk(value, f"{path}.{key}" if path else str(key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, f"{path}[{index}]")


def _is_required_reference(value: str) -> bool:
    pieces = list(scan(value))
    return (
        len(pieces) == 1
        and isinstance(pieces[0], Reference)
        and pieces[0].operator == ":?"
        and bool(pieces[0].argument.strip())
    )


def _image_tag(image: str) -> str | None:
    if "@sha256:" in image:
        return image.split("@", 1)[1]
    last = image.rsplit("/", 1)[-1]
    return last.split(":", 1)[1] if ":" in last else None


def one_shot_services(doc: Mapping[str, Any]) -> set[str]:
    """Jobs that run to completion once: `restart: "no"`."""
    return {name for name, svc in (doc.get("services") or {}).items() if svc.get("restart") == "no"}


def _has_healthcheck(service: Mapping[str, Any]) -> bool:
    check = service.get("healthcheck") or {}
    return bool(check.get("test")) and not check.get("disable")


def rule_problems(doc: Mapping[str, Any], env_example: Mapping[str, str]) -> list[Problem]:
    """The platform's own rules for the compose file; `env_example` is `.env.example`'s values."""
    problems: list[Problem] = []
    services: Mapping[str, Any] = doc.get("services") or {}
    one_shots = one_shot_services(doc)

    for name, svc in services.items():
        check = svc.get("healthcheck")
        if not check:
            problems.append(Problem(name, "every service has a healthcheck"))
        elif check.get("disable"):
            if name not in one_shots:
                problems.append(
                    Problem(name, 'only a one-shot job (restart: "no") may disable its healthcheck')
                )
        elif not check.get("test"):
            problems.append(Problem(name, "a healthcheck has a test command"))

        depends = svc.get("depends_on") or {}
        if isinstance(depends, list):
            problems.append(
                Problem(
                    f"{name}.depends_on", "depends_on names a condition for each service", depends
                )
            )
            depends = {}
        for target, spec in depends.items():
            where = f"{name}.depends_on.{target}"
            condition = (spec or {}).get("condition")
            if target not in services:
                problems.append(Problem(where, "depends_on names a service of this file", target))
            elif condition not in WAITING_CONDITIONS:
                problems.append(
                    Problem(
                        where,
                        "depends_on waits for service_healthy or service_completed_successfully",
                        condition,
                    )
                )
            elif condition == "service_completed_successfully" and target not in one_shots:
                problems.append(
                    Problem(where, "service_completed_successfully waits only for one-shot jobs")
                )
            elif condition == "service_healthy" and not _has_healthcheck(services[target]):
                problems.append(
                    Problem(where, "service_healthy waits only for a service with a healthcheck")
                )

        image = svc.get("image")
        if not image:
            problems.append(Problem(name, "every service names its image"))
        else:
            resolved = interpolate(str(image), env_example)
            tag = _image_tag(resolved)
            if tag is None or tag == "latest":
                problems.append(
                    Problem(name, "image is pinned to a version tag, never latest", resolved)
                )
            elif "build" not in svc and not re.search(r"\d", tag):
                problems.append(
                    Problem(name, "a third-party image is pinned to a version number", resolved)
                )

        for key, value in raw_environment(svc).items():
            where = f"{name}.environment.{key}"
            if value is None:
                continue
            if is_secret_name(key) and not _is_required_reference(value):
                problems.append(
                    Problem(where, "a secret comes from the environment as ${VAR:?message}", value)
                )
            match = _USERINFO.match(value)
            if match and not _is_required_reference(match.group("password")):
                problems.append(
                    Problem(where, "a password in a URL comes from ${VAR:?message}", value)
                )

    used: set[str] = set()
    for where, text in _walk(doc, ""):
        for ref in references(text):
            used.add(ref.name)
            if ref.name not in env_example:
                problems.append(
                    Problem(where, "every variable used is listed in .env.example", ref.name)
                )
            if is_secret_name(ref.name) and not (ref.operator == ":?" and ref.argument.strip()):
                problems.append(
                    Problem(where, "a secret is required: ${VAR:?message}", f"${{{ref.name}...}}")
                )
    for name in sorted(set(env_example) - used):
        problems.append(
            Problem(
                ".env.example", "every variable in .env.example is used by the compose file", name
            )
        )
    return problems


def event_key_variable(service: str, half: str) -> str:
    """The `.env` variable of a service's event key: DECLARATION_EVENT_PRIVATE_KEY, ..."""
    return f"{service.upper().replace('-', '_')}_EVENT_{half.upper()}_KEY"


def _required_variable(text: str) -> str | None:
    """The variable of `text` when it is exactly one `${VAR:?message}`, else None."""
    if not _is_required_reference(text):
        return None
    (reference,) = references(text)
    return reference.name


def event_key_problems(
    doc: Mapping[str, Any], owners: Mapping[str, str], reads: Mapping[str, Iterable[str]]
) -> list[Problem]:
    """Each process signs the events of the topics it owns with its own key and verifies those
    it reads with their owners' public keys: a process that owns a topic has EVENT_SIGNING_KEY
    `${<NAME>_EVENT_PRIVATE_KEY:?...}`, one that owns none has none; EVENT_PUBLIC_KEYS is
    `<owner>=${<OWNER>_EVENT_PUBLIC_KEY:?...}` for exactly the owners of the topics it reads.
    No service of the file refers to another process's private event key (a process's
    migration job shares its environment)."""
    found: list[Problem] = []
    services: Mapping[str, Any] = doc.get("services") or {}
    for name in PROCESSES:
        if name not in services:
            continue  # rule_problems and the process test report it
        env = raw_environment(services[name])
        where = f"{name}.environment"
        publishes = name in owners.values()
        signing = env.get("EVENT_SIGNING_KEY")
        own = event_key_variable(name, "private")
        if publishes and _required_variable(signing or "") != own:
            found.append(Problem(f"{where}.EVENT_SIGNING_KEY", f"is ${{{own}:?message}}", signing))
        if not publishes and "EVENT_SIGNING_KEY" in env:
            found.append(
                Problem(f"{where}.EVENT_SIGNING_KEY", "a process that owns no topic has none")
            )

        expected = {owners[topic] for topic in reads.get(name, ())}
        named: set[str] = set()
        for entry in filter(
            None, (p.strip() for p in (env.get("EVENT_PUBLIC_KEYS") or "").split(","))
        ):
            service, sep, value = entry.partition("=")
            variable = _required_variable(value)
            if not sep or variable != event_key_variable(service, "public"):
                found.append(
                    Problem(
                        f"{where}.EVENT_PUBLIC_KEYS",
                        "an entry is <service>=${<SERVICE>_EVENT_PUBLIC_KEY:?message}",
                        entry,
                    )
                )
                continue
            named.add(service)
        if named != expected:
            found.append(
                Problem(
                    f"{where}.EVENT_PUBLIC_KEYS",
                    "names the owners of the topics the process reads, and only them",
                    sorted(named),
                )
            )

    private = {event_key_variable(name, "private"): name for name in PROCESSES}
    for service_name, svc in services.items():
        process = service_name.removesuffix("-migrate")
        for where, text in _walk(svc, service_name):
            for ref in references(text):
                holder = private.get(ref.name)
                if holder is not None and holder != process:
                    found.append(
                        Problem(where, "no process holds another's event private key", ref.name)
                    )
    return found
