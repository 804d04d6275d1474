"""The machine-readable event contract, generated from each service's ``events.py``.

    cbec contracts generate      # writes contracts/<service>/<type>.schema.json, asyncapi.json
    cbec contracts check         # lists what is stale (CI runs this through a test)

One JSON Schema per event (its payload, with its examples) and one AsyncAPI 3.0 document of all
topics: a channel per topic and its dead-letter topic, the CloudEvents binary-mode headers, and a
``send`` operation per publishing service. Consumers check their tolerant models against the
producers' examples with :func:`examples`.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from cbec.shared.bus import dlq_topic
from cbec.shared.envelope import Event
from cbec.shared.registry import services
from cbec.shared.service import ServiceDescriptor
from cbec.shared.signing import (
    KEY_ID_HEADER,
    SCHEME,
    SIGNATURE_HEADER,
    SIGNED_ATTRIBUTES,
    source_of,
)

ASYNCAPI_VERSION = "3.0.0"
CE_HEADERS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": (
        "CloudEvents 1.0 attributes in Kafka binary content mode. Every event is signed by the "
        "service that owns its topic (extension attributes signaturekeyid and signature); a "
        "consumer applies it only when the signature verifies with that service's Ed25519 public "
        "key over the signed string (x-cbec-signed-string), and dead-letters it otherwise"
    ),
    "required": [
        "ce_specversion",
        "ce_id",
        "ce_source",
        "ce_type",
        "ce_time",
        "content-type",
        SIGNATURE_HEADER,
        KEY_ID_HEADER,
    ],
    "x-cbec-signed-string": {
        "scheme": SCHEME,
        "encoding": "UTF-8, the lines joined by one LF, no final LF; absent values are empty",
        "lines": [
            SCHEME,
            KEY_ID_HEADER,
            *SIGNED_ATTRIBUTES,
            "the Kafka topic",
            "the Kafka message key",
            "content-type",
            "SHA-256 of the message body, lower-case hex",
        ],
    },
    "properties": {
        "ce_specversion": {"type": "string", "const": "1.0"},
        "ce_id": {"type": "string", "description": "unique id; consumers deduplicate on it"},
        "ce_source": {"type": "string", "examples": ["/cbec/declaration"]},
        "ce_type": {"type": "string", "description": "versioned, past-tense event type"},
        "ce_time": {"type": "string", "format": "date-time"},
        "ce_subject": {"type": "string", "description": "the business key (message key)"},
        "content-type": {"type": "string", "const": "application/json"},
        "traceparent": {"type": "string", "description": "W3C trace context (not signed)"},
        KEY_ID_HEADER: {
            "type": "string",
            "pattern": "^[0-9a-f]{16}$",
            "description": "the signing key: first 16 hex digits of the SHA-256 of its raw "
            "32-byte Ed25519 public key",
        },
        SIGNATURE_HEADER: {
            "type": "string",
            "pattern": "^[A-Za-z0-9_-]{86}$",
            "description": "Ed25519 signature of the signed string, url-safe base64 without "
            "padding",
        },
    },
}
DLQ_HEADERS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "the original headers plus why and where the event failed",
    "properties": {
        name: {"type": "string"}
        for name in (
            "dlq_reason",
            "dlq_error_type",
            "dlq_original_topic",
            "dlq_original_partition",
            "dlq_original_offset",
            "dlq_consumer_group",
            "dlq_attempts",
            "dlq_failed_at",
        )
    },
}


def events_of(descriptor: ServiceDescriptor) -> tuple[type[Event], ...]:
    if not descriptor.events:
        return ()
    module = importlib.import_module(descriptor.events)
    events: tuple[type[Event], ...] = tuple(getattr(module, "EVENTS", ()))
    return events


def consumer_models(descriptor: ServiceDescriptor) -> dict[str, type[BaseModel]]:
    """event type → the model the service reads that event with (its tolerant view)."""
    if not descriptor.consumes:
        return {}
    module = importlib.import_module(descriptor.consumes)
    return dict(getattr(module, "CONSUMES", {}))


def contract_pairs(
    descriptors: Sequence[ServiceDescriptor] | None = None,
) -> list[tuple[str, str, type[BaseModel], type[Event]]]:
    """(consumer, event type, consumer model, producer event) for every consumed event type.

    A consumed type that no producer publishes is an error: a consumer waiting for it would
    wait forever.
    """
    chosen = list(descriptors) if descriptors is not None else services()
    produced = {e.event_type: e for d in chosen for e in events_of(d)}
    pairs = []
    for descriptor in chosen:
        for event_type, model in consumer_models(descriptor).items():
            if event_type not in produced:
                raise LookupError(
                    f"{descriptor.name} consumes {event_type}, which nobody publishes"
                )
            pairs.append((descriptor.name, event_type, model, produced[event_type]))
    return pairs


def examples(event: type[Event]) -> list[Event]:
    """The event's published examples, validated against its own model."""
    extra = event.model_config.get("json_schema_extra") or {}
    raw = extra.get("examples", []) if isinstance(extra, dict) else []
    return [event.model_validate(example) for example in raw]  # type: ignore[union-attr]


def event_schema(event: type[Event]) -> dict[str, Any]:
    schema = event.model_json_schema(by_alias=True, mode="serialization")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"{event.event_type}.schema.json"
    schema["x-cloudevents-type"] = event.event_type
    schema["x-kafka-topic"] = event.topic
    schema["x-kafka-key"] = event.key_field
    return schema


def _message_name(event_type: str) -> str:
    return event_type.replace(".", "_")


def _channel(
    descriptor: ServiceDescriptor, topic: str, events: Sequence[type[Event]]
) -> dict[str, Any]:
    """The channel of a service's topic: who writes it and the messages it carries."""
    return {
        "address": topic,
        "title": f"{descriptor.name} events",
        "description": (
            f"Events owned by the {descriptor.name} service, the only writer: each is "
            f"signed with its key and has ce_source {source_of(descriptor.name)}; "
            "key: business key"
        ),
        "messages": {
            _message_name(e.event_type): {
                "$ref": f"#/components/messages/{_message_name(e.event_type)}"
            }
            for e in events
        },
    }


def _dead_letter_channel(descriptor: ServiceDescriptor, topic: str) -> dict[str, Any]:
    return {
        "address": dlq_topic(topic),
        "title": f"{descriptor.name} dead letters",
        "description": "Events a consumer could not apply, with the reason in headers",
        "messages": {"deadLetter": {"$ref": "#/components/messages/deadLetter"}},
    }


def _message(descriptor: ServiceDescriptor, event: type[Event]) -> dict[str, Any]:
    """The message of one event type: its schema, headers and published examples."""
    return {
        "name": event.event_type,
        "title": event.__name__,
        "summary": (event.__doc__ or "").strip().split("\n")[0],
        "contentType": "application/json",
        "headers": {"$ref": "#/components/schemas/CloudEventsHeaders"},
        "payload": {"$ref": f"{descriptor.name}/{event.event_type}.schema.json"},
        "examples": [
            {"payload": example.to_data(), "headers": {"ce_type": event.event_type}}
            for example in examples(event)
        ],
    }


def asyncapi(descriptors: Sequence[ServiceDescriptor]) -> dict[str, Any]:
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for descriptor in descriptors:
        events = events_of(descriptor)
        for topic in descriptor.topics:
            topic_events = [e for e in events if e.topic == topic]
            channel_id = topic.replace(".", "_")
            channels[channel_id] = _channel(descriptor, topic, topic_events)
            channels[channel_id + "_dlq"] = _dead_letter_channel(descriptor, topic)
            operations[f"{descriptor.name}_publishes_{channel_id}"] = {
                "action": "send",
                "channel": {"$ref": f"#/channels/{channel_id}"},
                "messages": [
                    {"$ref": f"#/channels/{channel_id}/messages/{_message_name(e.event_type)}"}
                    for e in topic_events
                ],
            }
            for event in topic_events:
                messages[_message_name(event.event_type)] = _message(descriptor, event)
    messages["deadLetter"] = {
        "name": "deadLetter",
        "title": "Dead letter",
        "contentType": "application/octet-stream",
        "headers": {"$ref": "#/components/schemas/DeadLetterHeaders"},
        "payload": {"description": "the original message body, unchanged"},
    }
    return {
        "asyncapi": ASYNCAPI_VERSION,
        "info": {
            "title": "CBEC single window events",
            "version": "1.0.0",
            "description": "CloudEvents over Kafka (binary mode) published by the platform",
        },
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": operations,
        "components": {
            "messages": messages,
            "schemas": {
                "CloudEventsHeaders": CE_HEADERS_SCHEMA,
                "DeadLetterHeaders": DLQ_HEADERS_SCHEMA,
            },
        },
    }


def render(descriptors: Iterable[ServiceDescriptor] | None = None) -> dict[str, str]:
    """Every contract file: relative path → content."""
    chosen = list(descriptors) if descriptors is not None else services()
    files: dict[str, str] = {}
    for descriptor in chosen:
        for event in events_of(descriptor):
            files[f"{descriptor.name}/{event.event_type}.schema.json"] = _dump(event_schema(event))
    files["asyncapi.json"] = _dump(asyncapi(chosen))
    return files


def _dump(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def generate(root: Path, descriptors: Iterable[ServiceDescriptor] | None = None) -> list[Path]:
    files = render(descriptors)
    written = []
    for stale in _existing(root) - set(files):
        (root / stale).unlink()
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
        written.append(path)
    return written


def check(root: Path, descriptors: Iterable[ServiceDescriptor] | None = None) -> list[str]:
    """What differs between the committed contracts and what the code produces."""
    files = render(descriptors)
    problems = [f"missing: {p}" for p in sorted(set(files) - _existing(root))]
    problems += [f"no longer produced: {p}" for p in sorted(_existing(root) - set(files))]
    for relative, content in sorted(files.items()):
        path = root / relative
        if path.exists() and path.read_text(encoding="utf-8") != content:
            problems.append(f"stale: {relative} (run `make contracts`)")
    return problems


def _existing(root: Path) -> set[str]:
    if not root.exists():
        return set()
    return {str(p.relative_to(root)) for p in root.rglob("*.json")}
