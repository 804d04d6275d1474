"""The outbox, the relay, the inbox and the consumer runner against a real broker and database."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import AsyncIterator

import pytest
from aiokafka import AIOKafkaProducer
from sqlalchemy.exc import DBAPIError

from cbec.shared.bus import HandlerContext, dlq_topic
from cbec.shared.envelope import Envelope
from cbec.shared.signing import source_of
from tests.support.bus import BusRig, Effect, envelope, event_type, record_effect
from tests.support.kafka import headers_of, read_topic
from tests.support.signing import TEST_SERVICE, signed_headers
from tests.support.waiting import eventually

pytestmark = [pytest.mark.integration, pytest.mark.postgres]


@pytest.fixture
async def rig(kafka_bootstrap: str, database_url: str) -> AsyncIterator[BusRig]:
    rig = await BusRig.create(kafka_bootstrap, database_url)
    rig.relay.start()
    yield rig
    await rig.close()


async def test_an_event_written_in_a_rolled_back_transaction_is_never_published(
    rig: BusRig, topic: str, kafka_bootstrap: str
) -> None:
    doomed = envelope(topic, "k1", 1)

    async def change_that_fails() -> None:
        async with rig.sessions() as session, session.begin():
            rig.outbox.add_envelope(session, doomed, topic=topic, key="k1")
            raise RuntimeError("business rule failed")

    with pytest.raises(RuntimeError, match="business rule failed"):
        await change_that_fails()
    marker = envelope(topic, "k1", 2)
    await rig.write(topic, [marker])

    records = await read_topic(kafka_bootstrap, topic, expected=1)

    ids = [headers_of(r)["ce_id"] for r in records]
    assert ids == [marker.id]
    assert await rig.unsent() == 0


async def test_a_redelivered_event_changes_nothing_the_second_time(
    rig: BusRig, topic: str, unique: str
) -> None:
    once = envelope(topic, "k1", 1)
    after = envelope(topic, "k1", 2)
    for env in (once, once, after):  # the broker delivers the first event twice
        await rig.publisher.publish(env, topic=topic, key="k1")
    await rig.consume(f"g-{unique}", [topic], {event_type(topic): record_effect})

    effects = await eventually(rig.effects, until=lambda e: len(e) >= 2, what="2 effects")

    assert [(e.event_id, e.seq) for e in effects] == [(once.id, 1), (after.id, 2)]


async def test_an_event_whose_handler_always_fails_goes_to_the_dlq_and_the_partition_moves_on(
    rig: BusRig, topic: str, unique: str, kafka_bootstrap: str
) -> None:
    calls: defaultdict[str, int] = defaultdict(int)

    async def handler(ctx: HandlerContext) -> None:
        calls[ctx.envelope.id] += 1
        if ctx.envelope.data.get("poison"):
            raise ConnectionError("the downstream service refused the connection")
        await record_effect(ctx)

    poison = envelope(topic, "same-key", 1, poison=True)
    later = [envelope(topic, "same-key", seq) for seq in (2, 3)]
    await rig.write(topic, [poison, *later])
    await rig.consume(f"g-{unique}", [topic], {event_type(topic): handler})

    effects = await eventually(rig.effects, until=lambda e: len(e) == 2, what="later events")
    dead = await read_topic(kafka_bootstrap, dlq_topic(topic), expected=1)

    assert [e.seq for e in effects] == [2, 3]
    assert len(dead) == 1
    headers = headers_of(dead[0])
    assert headers["ce_id"] == poison.id
    assert "ConnectionError" in headers["dlq_reason"]
    assert "refused the connection" in headers["dlq_reason"]
    assert headers["dlq_original_topic"] == topic
    assert headers["dlq_attempts"] == "3"  # the first try and two retries (consumer_max_retries=2)
    assert headers["dlq_consumer_group"] == f"g-{unique}"
    assert calls[poison.id] >= 3
    assert dead[0].value == poison.body()


async def test_an_event_whose_database_connection_is_lost_waits_for_it_and_is_not_dead_lettered(
    rig: BusRig, topic: str, unique: str, kafka_bootstrap: str
) -> None:
    """While PostgreSQL restarts, the handler's connection is lost or refused: more failures than
    the retries allow (2 here). The event was dead-lettered in 70 ms and its effect lost (found
    by restarting PostgreSQL under load, tests/faults); now it waits for the database."""
    failures = {"left": 6}

    async def handler(ctx: HandlerContext) -> None:
        if failures["left"]:
            failures["left"] -= 1
            refused = ConnectionRefusedError(111, "Connection refused")
            raise DBAPIError("INSERT ...", {}, refused, connection_invalidated=True)
        await record_effect(ctx)

    event = envelope(topic, "k", 1)
    await rig.write(topic, [event])
    await rig.consume(f"g-{unique}", [topic], {event_type(topic): handler})

    effects = await eventually(rig.effects, until=lambda e: len(e) == 1, what="the effect")

    assert [e.event_id for e in effects] == [event.id]
    assert failures["left"] == 0
    assert await read_topic(kafka_bootstrap, dlq_topic(topic), expected=0) == []


async def test_malformed_messages_go_to_the_dlq_with_the_reason_and_the_consumer_carries_on(
    rig: BusRig, topic: str, unique: str, kafka_bootstrap: str
) -> None:
    """Signed by the topic's owner, as a buggy producer would publish them: the signature holds,
    the envelope does not."""
    good = envelope(topic, "k", 1)
    without_type = [(k, v) for k, v in good.to_kafka_headers() if k != "ce_type"]
    foreign_type = [
        (k, b"com.example.other.thing.v1" if k == "ce_type" else v)
        for k, v in good.to_kafka_headers()
    ]
    bad_payload = Envelope(
        id="bad-payload",
        source=source_of(TEST_SERVICE),
        type=event_type(topic),
        subject="k",
        data={"key": "k"},
    )
    messages = [
        (b"{not json", good.to_kafka_headers()),
        (good.body(), without_type),
        (good.body(), foreign_type),
        (b"[1, 2]", [("ce_id", b"x")]),
        (bad_payload.body(), bad_payload.to_kafka_headers()),
        (good.body(), good.to_kafka_headers()),
    ]
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
    await producer.start()
    try:
        for value, headers in messages:
            signed = signed_headers(None, topic=topic, key="k", value=value, headers=headers)
            await producer.send_and_wait(topic, value, key=b"k", headers=signed)
    finally:
        await producer.stop()
    await rig.consume(f"g-{unique}", [topic], {event_type(topic): record_effect})

    effects = await eventually(rig.effects, until=lambda e: len(e) == 1, what="the good event")
    dead = await read_topic(kafka_bootstrap, dlq_topic(topic), expected=5)

    assert effects[0].event_id == good.id
    reasons = [headers_of(r)["dlq_reason"] for r in dead]
    assert len(reasons) == 5
    assert any("not JSON" in r for r in reasons)
    assert any("missing CloudEvents attribute(s): type" in r for r in reasons)
    assert any("unknown event type 'com.example.other.thing.v1'" in r for r in reasons)
    missing_all = "missing CloudEvents attribute(s): source, type, specversion, time"
    assert any(missing_all in r for r in reasons)
    assert any("seq: Field required" in r for r in reasons)


async def test_events_their_topics_owner_did_not_sign_are_dead_lettered_and_never_applied(
    rig: BusRig, topic: str, unique: str, kafka_bootstrap: str
) -> None:
    """Anyone who reaches the broker can produce; only the owner's signature gets applied."""
    unsigned = envelope(topic, "k", 1)
    by_another = envelope(topic, "k", 2)
    tampered = envelope(topic, "k", 3)
    forged = signed_headers(tampered, topic=topic, key="k")  # then the body is changed
    genuine = envelope(topic, "k", 4)
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait(
            topic, unsigned.body(), key=b"k", headers=unsigned.to_kafka_headers()
        )
        other = signed_headers(by_another, topic=topic, key="k", service="logistics")
        await producer.send_and_wait(topic, by_another.body(), key=b"k", headers=other)
        await producer.send_and_wait(
            topic,
            tampered.body().replace(b'"seq":3', b'"seq":9'),
            key=b"k",
            headers=forged,
        )
        await producer.send_and_wait(
            topic, genuine.body(), key=b"k", headers=signed_headers(genuine, topic=topic, key="k")
        )
    finally:
        await producer.stop()
    await rig.consume(f"g-{unique}", [topic], {event_type(topic): record_effect})

    effects = await eventually(rig.effects, until=lambda e: len(e) >= 1, what="the genuine event")
    dead = await read_topic(kafka_bootstrap, dlq_topic(topic), expected=3)

    assert [e.event_id for e in effects] == [genuine.id]
    by_id = {headers_of(r)["ce_id"]: headers_of(r) for r in dead}
    assert sorted(by_id) == sorted([unsigned.id, by_another.id, tampered.id])
    unsigned_reason = "unverified event: not signed: no ce_signature header"
    assert by_id[unsigned.id]["dlq_reason"] == unsigned_reason
    assert "signed with the key of logistics" in by_id[by_another.id]["dlq_reason"]
    assert "does not match the message" in by_id[tampered.id]["dlq_reason"]
    assert {h["dlq_error_type"] for h in by_id.values()} == {"UnverifiedEvent"}
    assert {h["dlq_attempts"] for h in by_id.values()} == {"0"}


async def test_events_of_types_another_consumer_handles_are_skipped_unread(
    rig: BusRig, topic: str, unique: str, kafka_bootstrap: str
) -> None:
    """A type of the topic that this consumer has no handler for is neither verified nor
    decoded: even unsigned and unreadable, it is skipped, not dead-lettered. A handled type
    is still verified."""
    others = envelope(topic, "k", 1, name="other.thing")
    unsigned_handled = envelope(topic, "k", 2)
    genuine = envelope(topic, "k", 3)
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait(
            topic, b"{not json", key=b"k", headers=others.to_kafka_headers()
        )
        await producer.send_and_wait(
            topic,
            unsigned_handled.body(),
            key=b"k",
            headers=unsigned_handled.to_kafka_headers(),
        )
        await producer.send_and_wait(
            topic, genuine.body(), key=b"k", headers=signed_headers(genuine, topic=topic, key="k")
        )
    finally:
        await producer.stop()
    await rig.consume(f"g-{unique}", [topic], {event_type(topic): record_effect})

    effects = await eventually(rig.effects, until=lambda e: len(e) >= 1, what="the genuine event")
    dead = await read_topic(kafka_bootstrap, dlq_topic(topic), expected=1)

    assert [e.event_id for e in effects] == [genuine.id]
    assert [headers_of(r)["ce_id"] for r in dead] == [unsigned_handled.id]


@pytest.mark.parametrize(
    "events",
    [
        pytest.param(2_000, id="small"),
        pytest.param(10_000, id="full", marks=[pytest.mark.slow, pytest.mark.bench]),
    ],
)
async def test_thousands_of_events_over_fifty_keys_arrive_in_order_per_key(
    rig: BusRig, topic: str, unique: str, events: int
) -> None:
    keys = [f"order-{i:02d}" for i in range(50)]
    next_seq = dict.fromkeys(keys, 0)
    rng = random.Random(7)
    batch: list[Envelope] = []
    for _ in range(events):
        key = rng.choice(keys)
        next_seq[key] += 1
        batch.append(envelope(topic, key, next_seq[key]))
        if len(batch) == 100:
            await rig.write(topic, batch)
            batch = []
    await rig.write(topic, batch)
    await rig.consume(f"g-{unique}", [topic], {event_type(topic): record_effect})

    effects: list[Effect] = await eventually(
        rig.effects, until=lambda e: len(e) >= events, timeout=120, what=f"{events} effects"
    )

    assert len(effects) == events
    seen: defaultdict[str, list[int]] = defaultdict(list)
    for effect in effects:  # in the order the consumer applied them
        seen[effect.key].append(effect.seq)
    assert {k: v for k, v in seen.items() if v != list(range(1, next_seq[k] + 1))} == {}
