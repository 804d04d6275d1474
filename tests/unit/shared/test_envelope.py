"""The CloudEvents envelope in Kafka binary mode: what any Kafka client sees, what is refused."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import ClassVar

import pytest

from cbec.shared.bus import ConsumerRunner, topic_namespace
from cbec.shared.envelope import Consumed, Envelope, Event, MalformedEvent


class PriceSet(Event):
    event_type: ClassVar[str] = "cbec.sample.price.set.v1"
    topic: ClassVar[str] = "cbec.sample.v1"
    orderNo: str
    price: Decimal


class PriceView(Consumed):
    price: Decimal


def test_an_event_travels_as_ce_headers_and_a_json_body_with_decimals_as_strings() -> None:
    at = datetime(2026, 11, 22, 8, 0, 0, 123456, tzinfo=UTC)
    envelope = Envelope.of(
        PriceSet(orderNo="O1", price=Decimal("0.10000")), source="/cbec/sample", id="e1", time=at
    )

    headers = dict(envelope.to_kafka_headers())

    assert headers == {
        "ce_specversion": b"1.0",
        "ce_id": b"e1",
        "ce_source": b"/cbec/sample",
        "ce_type": b"cbec.sample.price.set.v1",
        "ce_time": b"2026-11-22T08:00:00.123456Z",
        "content-type": b"application/json",
        "ce_subject": b"O1",
    }
    assert envelope.body() == b'{"orderNo":"O1","price":"0.10000"}'


def test_decoding_gives_back_the_same_event_and_a_tolerant_view_ignores_unknown_fields() -> None:
    original = Envelope.of(PriceSet(orderNo="O1", price=Decimal("12.34")), source="/s")
    decoded = Envelope.from_kafka(original.to_kafka_headers(), original.body())

    assert decoded == original
    assert decoded.parse(PriceSet) == PriceSet(orderNo="O1", price=Decimal("12.34"))
    assert decoded.parse(PriceView).price == Decimal("12.34")


BASE = [
    ("ce_id", b"1"),
    ("ce_source", b"/s"),
    ("ce_type", b"t"),
    ("ce_time", b"2026-11-22T08:00:00Z"),
]


@pytest.mark.parametrize(
    ("headers", "body", "reason"),
    [
        ([], b"{}", "missing CloudEvents attribute(s): id, source, type, specversion, time"),
        (
            [*BASE, ("ce_specversion", b"0.3")],
            b"{}",
            "unsupported specversion '0.3'",
        ),
        (
            [*BASE, ("ce_specversion", b"1.0")],
            b"not json",
            "the body is not JSON",
        ),
        (
            [*BASE, ("ce_specversion", b"1.0")],
            b"[1]",
            "the body is not a JSON object",
        ),
        (
            [
                ("ce_id", b"1"),
                ("ce_source", b"/s"),
                ("ce_type", b"t"),
                ("ce_specversion", b"1.0"),
                ("ce_time", b"yesterday"),
            ],
            b"{}",
            "ce_time is not an RFC 3339 timestamp",
        ),
        (
            [
                ("ce_id", b"1"),
                ("ce_source", b"/s"),
                ("ce_type", b"t"),
                ("ce_specversion", b"1.0"),
                ("ce_time", b"2026-11-22T08:00:00Z"),
                ("content-type", b"application/avro"),
            ],
            b"{}",
            "unsupported content type",
        ),
        (
            [
                ("ce_id", b"\xff"),
                ("ce_source", b"/s"),
                ("ce_type", b"t"),
                ("ce_specversion", b"1.0"),
            ],
            b"{}",
            "header ce_id is not UTF-8",
        ),
        (
            [*BASE, ("ce_specversion", b"1.0")],
            None,
            "the message has no body",
        ),
        (
            [("ce_id", b"1"), ("ce_source", b"/s"), ("ce_type", b"t"), ("ce_specversion", b"1.0")],
            b"{}",
            "missing CloudEvents attribute(s): time",
        ),
    ],
)
def test_a_message_that_is_not_a_valid_event_is_refused_with_the_reason(
    headers: list[tuple[str, bytes]], body: bytes | None, reason: str
) -> None:
    with pytest.raises(MalformedEvent, match=reason.replace("(", r"\(").replace(")", r"\)")):
        Envelope.from_kafka(headers, body)


def test_a_payload_that_misses_a_field_names_the_field() -> None:
    envelope = Envelope(
        id="1", source="/s", type="cbec.sample.price.set.v1", data={"orderNo": "O1"}
    )

    with pytest.raises(MalformedEvent, match="price: Field required"):
        envelope.parse(PriceSet)


@pytest.mark.parametrize(
    ("event_type", "topic", "belongs"),
    [
        ("cbec.declaration.list.released.v1", "cbec.declaration.v1", True),
        ("cbec.declaration.list.released.v2", "cbec.declaration.v1", True),
        ("cbec.logistics.parcel.moved.v1", "cbec.declaration.v1", False),
        ("cbec.declaration.list.released", "cbec.declaration.v1", False),
        ("com.example.thing.v1", "cbec.declaration.v1", False),
        ("cbec.declaration.v1", "cbec.declaration.v1", False),
    ],
)
def test_a_type_belongs_to_a_topic_when_it_is_the_owners_and_well_formed(
    event_type: str, topic: str, belongs: bool
) -> None:
    assert ConsumerRunner.type_belongs_to_topic(event_type, topic) is belongs


def test_the_namespace_of_a_versioned_topic_drops_the_version() -> None:
    assert topic_namespace("cbec.tax.v1") == "cbec.tax."
    assert topic_namespace("legacy-topic") == "legacy-topic."
