"""CloudEvents 1.0 envelope carried over Kafka in binary content mode.

The attributes travel as ``ce_*`` headers and the payload is the JSON body, so that any Kafka
client (kcat, a Java consumer) can read an event without this library. Decimals are written as
strings, never floats. Services declare their published payloads as :class:`Event` subclasses::

    class ListReleased(Event):
        event_type: ClassVar[str] = "cbec.declaration.list.released.v1"
        topic: ClassVar[str] = "cbec.declaration.v1"
        key_field: ClassVar[str] = "orderNo"
        orderNo: str
        invtNo: str

    envelope = Envelope.of(ListReleased(orderNo="O1", invtNo="I1"), source="/cbec/declaration")
    headers, body = envelope.to_kafka_headers(), envelope.body()
    again = Envelope.from_kafka(headers, body)
    payload = again.parse(ListReleased)
"""

from __future__ import annotations

import builtins
import json
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar, TypeVar, cast

from pydantic import BaseModel, ConfigDict, JsonValue, ValidationError

from cbec.shared.upcasting import upcast

SPECVERSION = "1.0"
JSON_CONTENT_TYPE = "application/json"
# CloudEvents type names of this platform: cbec.<service>.<noun...>.<past-tense verb>.v<major>
EVENT_TYPE_PATTERN = re.compile(r"^cbec(\.[a-z][a-z0-9_]*){2,}\.v[0-9]+$")
_REQUIRED = ("id", "source", "type", "specversion", "time")
"""CloudEvents makes ``time`` optional; this platform's contract (contracts/asyncapi.json) does
not: receipts and feeds show when the producer says the event happened, never when a consumer
happened to read it."""
_HEADER_PREFIX = "ce_"


class MalformedEvent(ValueError):
    """A message that is not a valid event of this platform; it goes to the dead-letter topic."""


class Event(BaseModel):
    """Base of every published event payload (the ``data`` of the envelope)."""

    model_config = ConfigDict(frozen=True, populate_by_name=True, extra="forbid")

    event_type: ClassVar[str]
    topic: ClassVar[str]
    key_field: ClassVar[str] = "orderNo"

    def key(self) -> str:
        """The Kafka message key: the business key that must stay in order."""
        return str(getattr(self, self.key_field))

    def to_data(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


def with_examples(*examples: Mapping[str, object]) -> ConfigDict:
    """An event's ``model_config`` carrying its published examples (the contract test holds
    every consumer's model against them; the JSON Schema and AsyncAPI documents show them)."""
    found: list[JsonValue] = [cast(JsonValue, dict(example)) for example in examples]
    return ConfigDict(frozen=True, extra="forbid", json_schema_extra={"examples": found})


class Consumed(BaseModel):
    """Base of a consumer's tolerant model of another service's event: unknown fields ignored."""

    model_config = ConfigDict(frozen=True, populate_by_name=True, extra="ignore")


E = TypeVar("E", bound=BaseModel)


def _now() -> datetime:
    return datetime.now(UTC)


def format_time(value: datetime) -> str:
    """RFC 3339 in UTC with microseconds, as CloudEvents wants."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise MalformedEvent(f"ce_time is not an RFC 3339 timestamp: {value!r}") from exc
    if parsed.tzinfo is None:
        raise MalformedEvent(f"ce_time has no time zone: {value!r}")
    return parsed


@dataclass(frozen=True, slots=True)
class Envelope:
    """One CloudEvent: the attributes plus the JSON ``data``."""

    id: str
    source: str
    type: str
    data: dict[str, Any]
    subject: str | None = None
    time: datetime = field(default_factory=_now)
    specversion: str = SPECVERSION
    datacontenttype: str = JSON_CONTENT_TYPE
    extensions: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        event: Event,
        *,
        source: str,
        id: str | None = None,
        time: datetime | None = None,
        extensions: Mapping[str, str] | None = None,
    ) -> Envelope:
        return cls(
            id=id or str(uuid.uuid4()),
            source=source,
            type=event.event_type,
            subject=event.key(),
            data=event.to_data(),
            time=time or _now(),
            extensions=dict(extensions or {}),
        )

    def body(self) -> bytes:
        return json.dumps(self.data, separators=(",", ":"), ensure_ascii=False).encode()

    def to_kafka_headers(self) -> list[tuple[str, bytes]]:
        """Binary-mode headers, as a list (instrumentation injects ``traceparent`` into it)."""
        headers: list[tuple[str, bytes]] = [
            ("ce_specversion", self.specversion.encode()),
            ("ce_id", self.id.encode()),
            ("ce_source", self.source.encode()),
            ("ce_type", self.type.encode()),
            ("ce_time", format_time(self.time).encode()),
            ("content-type", self.datacontenttype.encode()),
        ]
        if self.subject is not None:
            headers.append(("ce_subject", self.subject.encode()))
        headers.extend((f"{_HEADER_PREFIX}{k}", v.encode()) for k, v in self.extensions.items())
        return headers

    @classmethod
    def from_kafka(
        cls, headers: Iterable[tuple[str, bytes]] | None, value: bytes | None
    ) -> Envelope:
        """Decode a binary-mode message; raise :class:`MalformedEvent` saying what is wrong."""
        attrs: dict[str, str] = {}
        content_type = JSON_CONTENT_TYPE
        for name, raw in headers or ():
            try:
                text = raw.decode() if raw is not None else ""
            except UnicodeDecodeError as exc:
                raise MalformedEvent(f"header {name} is not UTF-8") from exc
            if name.startswith(_HEADER_PREFIX):
                attrs[name[len(_HEADER_PREFIX) :]] = text
            elif name.lower() == "content-type":
                content_type = text
        missing = [a for a in _REQUIRED if not attrs.get(a)]
        if missing:
            raise MalformedEvent(f"missing CloudEvents attribute(s): {', '.join(missing)}")
        if attrs["specversion"] != SPECVERSION:
            raise MalformedEvent(f"unsupported specversion {attrs['specversion']!r}")
        if not content_type.startswith(JSON_CONTENT_TYPE):
            raise MalformedEvent(f"unsupported content type {content_type!r}")
        if value is None:
            raise MalformedEvent("the message has no body")
        try:
            data = json.loads(value)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise MalformedEvent(f"the body is not JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise MalformedEvent("the body is not a JSON object")
        known = {"id", "source", "type", "specversion", "time", "subject"}
        try:
            event_type, data = upcast(attrs["type"], data)
        except (KeyError, TypeError, ValueError) as exc:
            raise MalformedEvent(f"{attrs['type']} cannot be upcast: {exc}") from exc
        return cls(
            id=attrs["id"],
            source=attrs["source"],
            type=event_type,
            subject=attrs.get("subject"),
            time=parse_time(attrs["time"]),
            data=data,
            datacontenttype=content_type,
            extensions={k: v for k, v in attrs.items() if k not in known},
        )

    def parse(self, model: builtins.type[E]) -> E:
        """Validate ``data`` against a payload model; a mismatch is a :class:`MalformedEvent`."""
        try:
            return model.model_validate(self.data)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in err['loc']) or '<root>'}: {err['msg']}"
                for err in exc.errors()
            )
            raise MalformedEvent(f"{self.type} payload invalid: {problems}") from exc


def header_value(headers: Sequence[tuple[str, bytes]] | None, name: str) -> str | None:
    """The first header of that name, decoded, or None."""
    for key, raw in headers or ():
        if key == name and raw is not None:
            return raw.decode(errors="replace")
    return None
