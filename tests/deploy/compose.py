"""Read docker-compose.yml the way Compose does: YAML anchors and merge keys, `.env` values,
and `${VAR}` interpolation.

The main use is to start a service outside Docker with exactly the environment the compose
file gives it::

    env = service_environment("declaration")   # values interpolated from .env.example
    env = service_environment("gateway", overrides={"GATEWAY_SECRET_KEY": key})
    env = service_environment("payments", overrides=generated_keys())   # ready for production

Interpolation follows the Compose Specification: ``$$`` is a literal ``$``; ``$VAR`` and
``${VAR}``; ``${VAR:-default}`` / ``${VAR-default}`` (default when unset or empty / unset);
``${VAR:?message}`` / ``${VAR?message}`` (error when unset or empty / unset);
``${VAR:+alt}`` / ``${VAR+alt}``. Defaults may themselves hold references.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO_ROOT / "docker-compose.yml"
ENV_EXAMPLE = REPO_ROOT / ".env.example"

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_OPERATORS = (":-", ":?", ":+", "-", "?", "+")


class ComposeError(Exception):
    """The compose file or its environment cannot be read as Compose would."""


class MissingVariable(ComposeError):
    """A `${VAR:?message}` or `${VAR?message}` reference whose variable is not set."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"required variable {name} is missing a value: {message}")
        self.name = name
        self.message = message


@dataclass(frozen=True)
class Reference:
    """One `${...}` or `$NAME` in a string: the variable, its operator and the text after it."""

    name: str
    operator: str = ""
    argument: str = ""


def scan(text: str) -> Iterator[str | Reference]:
    """Split `text` into literal pieces and references, in order."""
    i = 0
    literal: list[str] = []
    while i < len(text):
        char = text[i]
        if char != "$":
            literal.append(char)
            i += 1
            continue
        following = text[i + 1 : i + 2]
        if following == "$":
            literal.append("$")
            i += 2
            continue
        if following == "{":
            end = _closing_brace(text, i + 2)
            if literal:
                yield "".join(literal)
                literal = []
            yield _parse_braced(text[i + 2 : end], text)
            i = end + 1
            continue
        name = _NAME.match(text, i + 1)
        if name:
            if literal:
                yield "".join(literal)
                literal = []
            yield Reference(name.group())
            i = name.end()
            continue
        literal.append("$")
        i += 1
    if literal:
        yield "".join(literal)


def _closing_brace(text: str, start: int) -> int:
    depth = 1
    i = start
    while i < len(text):
        if text.startswith("$$", i):
            i += 2
            continue
        if text.startswith("${", i):
            depth += 1
            i += 2
            continue
        if text[i] == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise ComposeError(f"unclosed '${{' in {text!r}")


def _parse_braced(inner: str, whole: str) -> Reference:
    name = _NAME.match(inner)
    if not name:
        raise ComposeError(f"invalid variable reference '${{{inner}}}' in {whole!r}")
    rest = inner[name.end() :]
    if not rest:
        return Reference(name.group())
    for operator in _OPERATORS:
        if rest.startswith(operator):
            return Reference(name.group(), operator, rest[len(operator) :])
    raise ComposeError(f"invalid variable reference '${{{inner}}}' in {whole!r}")


def references(text: str) -> list[Reference]:
    """Every reference in `text`, including those nested in defaults and messages."""
    found: list[Reference] = []
    for piece in scan(text):
        if isinstance(piece, Reference):
            found.append(piece)
            found.extend(references(piece.argument))
    return found


def interpolate(text: str, env: Mapping[str, str]) -> str:
    """`text` with every reference replaced from `env`, as Compose does."""
    out: list[str] = []
    for piece in scan(text):
        if isinstance(piece, str):
            out.append(piece)
            continue
        value = env.get(piece.name)
        is_set = value is not None
        current = value or ""
        match piece.operator:
            case "":
                out.append(current)
            case ":-":
                out.append(current if current else interpolate(piece.argument, env))
            case "-":
                out.append(current if is_set else interpolate(piece.argument, env))
            case ":?":
                if not current:
                    raise MissingVariable(piece.name, interpolate(piece.argument, env))
                out.append(current)
            case "?":
                if not is_set:
                    raise MissingVariable(piece.name, interpolate(piece.argument, env))
                out.append(current)
            case ":+":
                out.append(interpolate(piece.argument, env) if current else "")
            case "+":
                out.append(interpolate(piece.argument, env) if is_set else "")
    return "".join(out)


def read_env_file(path: Path = ENV_EXAMPLE) -> dict[str, str]:
    """The `KEY=VALUE` lines of a Compose `.env` file (comments and blank lines skipped)."""
    values: dict[str, str] = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        line = line.removeprefix("export ").lstrip()
        key, sep, value = line.partition("=")
        key = key.strip()
        if not sep or not _NAME.fullmatch(key):
            raise ComposeError(f"{path.name}:{number}: expected KEY=VALUE, got {raw!r}")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        else:
            value = re.sub(r"\s+#.*$", "", value)
        values[key] = value
    return values


def generated_keys(path: Path = ENV_EXAMPLE) -> dict[str, str]:
    """What an operator writes into `.env` in place of the key placeholders (which a process
    refuses with CBEC_ENV=production): a new Ed25519 pair for every ``*_PRIVATE_KEY`` /
    ``*_PUBLIC_KEY`` of the file, as `cbec keys generate` prints it, and a new Fernet key for
    ``GATEWAY_SECRET_KEY``. Pass it as ``overrides`` to :func:`service_environment`."""
    import base64
    import os

    from cbec.shared import keys

    values: dict[str, str] = {}
    for name in read_env_file(path):
        if name.endswith("_PRIVATE_KEY"):
            private = keys.generate_private_key()
            values[name] = keys.private_text(private)
            values[name.removesuffix("_PRIVATE_KEY") + "_PUBLIC_KEY"] = keys.public_text(
                private.public_key()
            )
    values["GATEWAY_SECRET_KEY"] = base64.urlsafe_b64encode(os.urandom(32)).decode()
    return values


def load_compose(path: Path = COMPOSE_FILE) -> dict[str, Any]:
    """The compose file as data, anchors and `<<` merge keys resolved, not interpolated."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ComposeError(f"{path.name} is not a mapping")
    return data


def strings(node: Any) -> Iterator[str]:
    """Every string value in a loaded YAML document (keys excluded)."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, Mapping):
        for value in node.values():
            yield from strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from strings(value)


def raw_environment(service: Mapping[str, Any]) -> dict[str, str | None]:
    """A service's `environment`, list or mapping form, values as written (None: pass-through)."""
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        result: dict[str, str | None] = {}
        for item in environment:
            key, sep, value = str(item).partition("=")
            result[key] = value if sep else None
        return result
    return {
        str(key): None if value is None else _scalar(value) for key, value in environment.items()
    }


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def service_environment(
    service: str,
    *,
    compose_file: Path = COMPOSE_FILE,
    env_file: Path = ENV_EXAMPLE,
    overrides: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The environment Compose gives `service`: its `environment`, interpolated from `env_file`
    (`.env.example` by default) with `overrides` taking precedence, as the shell's variables
    do over `.env`. A pass-through entry (`KEY` with no value) is taken from the same source
    and left out when unset. Raises :class:`MissingVariable` for an unset required variable.
    """
    doc = load_compose(compose_file)
    services = doc.get("services") or {}
    if service not in services:
        raise ComposeError(
            f"no service {service!r} in {compose_file.name}; known: {sorted(services)}"
        )
    source = {**read_env_file(env_file), **(overrides or {})}
    result: dict[str, str] = {}
    for key, value in raw_environment(services[service]).items():
        if value is None:
            if key in source:
                result[key] = source[key]
            continue
        result[key] = interpolate(value, source)
    return result
