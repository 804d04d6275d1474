"""Bad input on the topics, at scale: random, truncated and contract-breaking messages published
straight onto the platform's four topics while every service and the gateway run as real
processes. Each consumer group that reads a bad message puts it in the topic's dead-letter
topic, unchanged, with its reason and its original coordinates; no process crashes, and an
export order filed afterwards goes through to its closing as usual (so every consumer has moved
past the bad messages and kept working), with nothing more dead-lettered.

Which groups must dead-letter a message:

- a message whose ``ce_type`` header declares a type of the topic (whatever else is wrong with
  it: a truncated or non-JSON body, another CloudEvents attribute missing or wrong, a payload
  that breaks the contract, no signature or another service's): every group with a handler
  for that type; the others skip it unread, by the header, as they skip every event of a type
  they do not handle;
- any other message (random bytes, no ``ce_type``, one not UTF-8, a type foreign to the
  topic): every group that reads the topic.

Messages go out signed by the topic's owner, as a faulty producer of the platform would send
them (what cannot be signed, random bytes and headers that are not UTF-8, goes unsigned), so
that the envelope's own checks are what refuses them.

``CBEC_CONSUMER_FUZZ`` sets the number of messages per topic (default 150; 1,000 for a long run).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer

from cbec.declaration import handlers as declaration_handlers
from cbec.gateway import handlers as gateway_handlers
from cbec.logistics import handlers as logistics_handlers
from cbec.payments import handlers as payments_handlers
from cbec.shared.bus import ConsumerRunner, dlq_topic
from cbec.shared.contracts import events_of, examples
from cbec.shared.envelope import Envelope, Event
from cbec.shared.registry import services
from cbec.shared.signing import UnverifiedEvent
from cbec.shared.topics import TOPIC_OWNERS
from cbec.tax_refund import handlers as tax_handlers
from tests.e2e.export_flow import (
    CLOSED,
    DECIDED,
    RELEASED,
    ExportFlow,
    Parties,
    file_documents,
    platform_env,
    ship,
    wait_for_status,
)
from tests.support.kafka import read_topic
from tests.support.platform import Platform, started_platform
from tests.support.signing import genuine, owner_of, signed_headers

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="module")]

PER_TOPIC = int(os.environ.get("CBEC_CONSUMER_FUZZ", "150"))
TOPICS = ("cbec.declaration.v1", "cbec.logistics.v1", "cbec.payments.v1", "cbec.tax.v1")
PROCESSES = ("declaration", "logistics", "payments", "tax-refund", "gateway")
PARTIES = Parties(
    seller="3701960301", platform="3701960302", carrier="3701970303", payer="4403169D5W"
)


@dataclass(frozen=True)
class Group:
    """A consumer group of the platform, ``<prefix>.<service>.<name>``."""

    name: str  # "<service>.<name>"
    topics: tuple[str, ...]
    handled: frozenset[str]


GROUPS = (
    Group(
        "declaration.documents",
        ("cbec.payments.v1", "cbec.logistics.v1"),
        frozenset(declaration_handlers.HANDLERS),
    ),
    Group(
        "logistics.declaration", ("cbec.declaration.v1",), frozenset(logistics_handlers.HANDLERS)
    ),
    Group("payments.orders", ("cbec.declaration.v1",), frozenset(payments_handlers.HANDLERS)),
    Group(
        "tax-refund.declaration",
        ("cbec.declaration.v1",),
        frozenset(tax_handlers.DECLARATION_HANDLERS),
    ),
    Group(
        "tax-refund.logistics", ("cbec.logistics.v1",), frozenset(tax_handlers.LOGISTICS_HANDLERS)
    ),
    Group("gateway.projection", TOPICS, frozenset(gateway_handlers.HANDLERS)),
)


def readers(topic: str) -> set[str]:
    return {g.name for g in GROUPS if topic in g.topics}


def must_dead_letter(topic: str, headers: list[tuple[str, bytes]]) -> frozenset[str]:
    """The groups that must dead-letter a bad message with these headers (see the module)."""
    declared = next((value for name, value in headers if name == "ce_type"), None)
    try:
        event_type = declared.decode() if declared is not None else None
    except UnicodeDecodeError:
        event_type = None
    if event_type is not None and ConsumerRunner.type_belongs_to_topic(event_type, topic):
        return frozenset(handlers_of(event_type, topic))
    return frozenset(readers(topic))


def handlers_of(event_type: str, topic: str) -> set[str]:
    return {g.name for g in GROUPS if topic in g.topics and event_type in g.handled}


def published_events() -> dict[str, list[Event]]:
    """topic → examples of every event published on it (the producers' contract)."""
    found: dict[str, list[Event]] = defaultdict(list)
    for descriptor in services():
        for event in events_of(descriptor):
            topic = next(t for t in TOPICS if event.event_type.startswith(t[: -len("v1")]))
            found[topic].extend(examples(event))
    return found


@dataclass(frozen=True)
class Bad:
    """One bad message: what is sent and which groups must dead-letter it."""

    kind: str
    key: bytes | None
    value: bytes | None
    headers: list[tuple[str, bytes]]
    groups: frozenset[str]
    category: str = ""
    signer: str | None = "owner"
    """Who signs it: the topic's owner, another service, or nobody (None)."""


class Fuzzer:
    """Bad messages for one topic, from the topic's real events taken apart."""

    def __init__(self, topic: str, events: list[Event], rng: random.Random) -> None:
        self.topic = topic
        self.events = events
        self.rng = rng
        self.kinds: list[Callable[[], Bad]] = [
            self.random_bytes,
            self.truncated_body,
            self.garbage_body,
            self.missing_attribute,
            self.wrong_specversion,
            self.wrong_time,
            self.header_not_utf8,
            self.not_an_object,
            self.wrong_content_type,
            self.foreign_type,
            self.no_body,
            self.contract_broken,
            self.unsigned,
            self.signed_by_another_service,
        ]

    def _valid(self) -> tuple[Event, Envelope]:
        event = self.rng.choice(self.events)
        return event, genuine(event)

    def _message(self) -> tuple[bytes | None, bytes, list[tuple[str, bytes]], Envelope]:
        event, envelope = self._valid()
        headers, value = envelope.to_kafka_headers(), envelope.body()
        key = event.key().encode() if self.rng.random() < 0.8 else None
        return key, value, list(headers), envelope

    def _bad(self, kind: str, key: bytes | None, value: bytes | None, headers: Any) -> Bad:
        return Bad(kind, key, value, list(headers), must_dead_letter(self.topic, list(headers)))

    def random_bytes(self) -> Bad:
        size = self.rng.randrange(0, 2048)
        value = bytes(self.rng.getrandbits(8) for _ in range(size))
        return replace(self._bad("random bytes, no headers", None, value, []), signer=None)

    def truncated_body(self) -> Bad:
        key, value, headers, _ = self._message()
        return self._bad(
            "truncated body", key, value[: self.rng.randrange(0, len(value) - 1)], headers
        )

    def garbage_body(self) -> Bad:
        key, value, headers, _ = self._message()
        garbage = bytes(self.rng.getrandbits(8) for _ in range(len(value)))
        return self._bad("random body", key, b"\xff" + garbage, headers)

    def missing_attribute(self) -> Bad:
        key, value, headers, _ = self._message()
        required = ("ce_id", "ce_source", "ce_type", "ce_specversion", "ce_time")
        dropped = self.rng.choice(required)
        kept = [(n, v) for n, v in headers if n != dropped]
        return self._bad(f"no {dropped}", key, value, kept)

    def _replace(self, headers: list[tuple[str, bytes]], name: str, value: bytes) -> list[Any]:
        return [(n, value if n == name else v) for n, v in headers]

    def wrong_specversion(self) -> Bad:
        key, value, headers, _ = self._message()
        return self._bad(
            "specversion 0.3", key, value, self._replace(headers, "ce_specversion", b"0.3")
        )

    def wrong_time(self) -> Bad:
        key, value, headers, _ = self._message()
        time = self.rng.choice([b"yesterday", b"2026-13-45T99:00:00Z", b"2026-11-22T10:00:00"])
        return self._bad("bad ce_time", key, value, self._replace(headers, "ce_time", time))

    def header_not_utf8(self) -> Bad:
        key, value, headers, _ = self._message()
        name = self.rng.choice(["ce_id", "ce_type", "ce_source"])
        return self._bad(
            "header not UTF-8", key, value, self._replace(headers, name, b"\xc3\x28\xa0\xa1")
        )

    def not_an_object(self) -> Bad:
        key, _, headers, _ = self._message()
        body = self.rng.choice([b"[]", b"42", b'"text"', b"null", b'[{"orderNo": "X"}]'])
        return self._bad("body not an object", key, body, headers)

    def wrong_content_type(self) -> Bad:
        key, value, headers, _ = self._message()
        kept = [(n, v) for n, v in headers if n.lower() != "content-type"]
        return self._bad(
            "content type not JSON", key, value, [*kept, ("content-type", b"application/xml")]
        )

    def foreign_type(self) -> Bad:
        key, value, headers, _ = self._message()
        foreign = self.rng.choice(
            [
                b"cbec.other.order.accepted.v1",
                b"com.example.anything",
                b"",
                (self.topic[: -len("v1")] + "No Such Type").encode(),
            ]
        )
        return self._bad(
            "type foreign to the topic", key, value, self._replace(headers, "ce_type", foreign)
        )

    def no_body(self) -> Bad:
        event, _, headers, _ = self._message()
        key = event or b"tombstone"  # a message without a value must have a key
        return self._bad("no body (tombstone)", key, None, headers)

    def contract_broken(self) -> Bad:
        """A known type whose every field has the wrong type: its handlers refuse it."""
        event, envelope = self._valid()
        broken = {name: {"fuzz": [self.rng.random()]} for name in envelope.data}
        headers = envelope.to_kafka_headers()
        value = json.dumps(broken).encode()
        return Bad(
            f"contract broken: {event.event_type}",
            event.key().encode(),
            value,
            list(headers),
            frozenset(handlers_of(event.event_type, self.topic)),
        )

    def unsigned(self) -> Bad:
        key, value, headers, _ = self._message()
        return replace(self._bad("not signed", key, value, headers), signer=None)

    def signed_by_another_service(self) -> Bad:
        key, value, headers, _ = self._message()
        other = self.rng.choice(
            [s for s in set(TOPIC_OWNERS.values()) if s != owner_of(self.topic)]
        )
        return replace(self._bad(f"signed by {other}", key, value, headers), signer=other)

    def next(self) -> Bad:
        make = self.rng.choice(self.kinds)
        return replace(make(), category=make.__name__)


Coordinates = tuple[str, int, int]


def _signed(topic: str, message: Bad) -> list[tuple[str, bytes]]:
    """The message's headers signed by its signer (what cannot be signed goes as it is)."""
    if message.signer is None:
        return message.headers
    service = owner_of(topic) if message.signer == "owner" else message.signer
    try:
        return signed_headers(
            None,
            topic=topic,
            key=message.key,
            value=message.value,
            headers=message.headers,
            service=service,
        )
    except UnverifiedEvent:
        return message.headers


async def publish(bootstrap: str, bad: Mapping[str, list[Bad]]) -> dict[Coordinates, Bad]:
    """Send every bad message as it is; their coordinates (topic, partition, offset)."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=5)
    await producer.start()
    sent: dict[Coordinates, Bad] = {}
    try:
        for topic, messages in bad.items():
            for message in messages:
                meta = await producer.send_and_wait(
                    topic, message.value, key=message.key, headers=_signed(topic, message)
                )
                sent[(topic, meta.partition, meta.offset)] = message
    finally:
        await producer.stop()
    return sent


@dataclass(frozen=True)
class DeadLetter:
    group: str
    original: Coordinates
    reason: str
    error_type: str
    value: bytes | None


async def dead_letters(
    bootstrap: str, expected: Mapping[str, int], timeout: float = 180
) -> list[DeadLetter]:
    """Everything in the four dead-letter topics, once each holds ``expected[topic]`` records
    or at the deadline (what is missing then is for the caller to tell)."""
    deadline = time.monotonic() + timeout
    found = []
    for topic in TOPICS:
        while True:
            records = await read_topic(bootstrap, dlq_topic(topic), expected=0)
            if len(records) >= expected.get(topic, 0) or time.monotonic() > deadline:
                break
            await asyncio.sleep(1.0)
        for record in records:
            headers = {
                n: raw.decode(errors="replace") for n, raw in record.headers if raw is not None
            }
            group = ".".join(headers["dlq_consumer_group"].rsplit(".", 2)[-2:])
            found.append(
                DeadLetter(
                    group=group,
                    original=(
                        headers["dlq_original_topic"],
                        int(headers["dlq_original_partition"]),
                        int(headers["dlq_original_offset"]),
                    ),
                    reason=headers.get("dlq_reason", ""),
                    error_type=headers.get("dlq_error_type", ""),
                    value=record.value,
                )
            )
    return found


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    folder = tmp_path_factory.mktemp("platform")
    with started_platform(folder, env=platform_env(folder)) as started:
        yield started


async def test_bad_messages_on_every_topic_are_dead_lettered_by_each_reader_and_nothing_breaks(
    platform: Platform,
) -> None:
    rng = random.Random(20261202)
    events = published_events()
    assert set(events) == set(TOPICS)
    pids = {name: platform.pid(name) for name in PROCESSES}
    bad = {
        topic: [Fuzzer(topic, events[topic], rng).next() for _ in range(PER_TOPIC)]
        for topic in TOPICS
    }
    # Every kind of bad message is among them, on every topic.
    assert all(len({b.category for b in messages}) == 14 for messages in bad.values())

    sent = await publish(platform.bootstrap_servers, bad)
    expected = {
        (coordinates, group) for coordinates, message in sent.items() for group in message.groups
    }
    per_topic: dict[str, int] = defaultdict(int)
    for (topic, _, _), _group in expected:
        per_topic[topic] += 1
    letters = await dead_letters(platform.bootstrap_servers, per_topic)

    # Each bad message dead-lettered once by each group that must, by no other, unchanged and
    # with its reason.
    got = [(letter.original, letter.group) for letter in letters]
    assert len(got) == len(set(got)), "a bad message dead-lettered twice by one group"
    missing = expected - set(got)
    assert not missing, sorted({(sent[c].kind, g) for c, g in missing})
    extra = set(got) - expected
    assert not extra, [(sent[c].kind if c in sent else c, g) for c, g in sorted(extra)[:10]]
    for letter in letters:
        message = sent[letter.original]
        assert letter.value == (message.value or b""), message.kind
        assert letter.reason, (message.kind, letter)
        assert letter.error_type, (message.kind, letter)
        if message.signer != "owner":  # refused for its signature, before anything else
            assert letter.error_type == "UnverifiedEvent", (message.kind, letter.reason)

    # No process crashed or restarted.
    assert {name: platform.pid(name) for name in PROCESSES} == pids

    # The consumers went on: an export order filed now is released and closed as usual.
    seller = platform.enroll(PARTIES.seller, "Fuzz-run seller", ["ecommerce"])
    carrier = platform.enroll(PARTIES.carrier, "Fuzz-run carrier", ["logistics"])
    payer = platform.enroll(PARTIES.payer, "Fuzz-run payment institution", ["payment"])
    flow = ExportFlow.of(uuid.uuid4().hex, PARTIES)
    async with (
        platform.async_client(seller, timeout=30) as seller_client,
        platform.async_client(carrier, timeout=30) as carrier_client,
        platform.async_client(payer, timeout=30) as payer_client,
    ):
        await file_documents(flow, seller=seller_client, carrier=carrier_client, payer=payer_client)
        released = await wait_for_status(seller_client, flow.order_no, DECIDED)
        assert released["status"] == RELEASED, released.get("list")
        await ship(flow, carrier=carrier_client)
        await wait_for_status(seller_client, flow.order_no, CLOSED)

    # Nothing of that order was dead-lettered.
    after = await dead_letters(platform.bootstrap_servers, per_topic)
    assert sorted((d.original, d.group) for d in after) == sorted(got)
    assert {name: platform.pid(name) for name in PROCESSES} == pids
