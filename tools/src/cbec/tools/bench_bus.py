"""``cbec bench bus``: events per second through outbox → Kafka → inbox beside raw aiokafka.

Both paths carry the same CloudEvents (same headers and JSON bodies, same keys) through the same
broker in the same run:

* raw: an aiokafka producer sends every message and a consumer group reads them with
  ``getmany`` and commits; the clock runs from the first send to the last message consumed;
* platform: writers commit the events to the outbox in transactions of 100 (an ERP batch), the
  relay publishes them, and a :class:`~cbec.shared.bus.ConsumerRunner` applies each one (an
  insert) with its inbox row, one transaction per partition batch; the clock runs from the first
  write to the last effect committed.

The broker is KAFKA_BOOTSTRAP_SERVERS if set, else an embedded one; the database a temporary
SQLite file unless ``--database-url`` names one.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from sqlalchemy import Column, Integer, MetaData, String, Table, func, insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from cbec.shared.bus import ConsumerRunner, HandlerContext, Publisher, ensure_topics
from cbec.shared.db import create_engine, create_read_engine, session_factory
from cbec.shared.embedded import EmbeddedBroker
from cbec.shared.envelope import Envelope
from cbec.shared.inbox import INBOX_TABLE
from cbec.shared.outbox import OUTBOX_TABLE, Outbox, OutboxRelay
from cbec.shared.settings import ServiceSettings

_metadata = MetaData()
bench_effect = Table(
    "bench_effect",
    _metadata,
    Column("id", Integer, primary_key=True),
    Column("consumer", String(100), nullable=False),
    Column("event_id", String(64), nullable=False),
    Column("key", String(64), nullable=False),
)
WRITE_BATCH = 100


@dataclass
class BenchResult:
    events: int
    keys: int
    payload_bytes: int
    partitions: int
    database: str
    raw_events_per_second: float
    platform_events_per_second: float
    ratio: float
    platform_with_effect_events_per_second: float
    raw_seconds: float
    platform_seconds: float
    platform_with_effect_seconds: float
    python: str
    machine: str


def _envelopes(n: int, keys: int, payload_bytes: int, namespace: str) -> list[Envelope]:
    filler = "x" * max(payload_bytes - 120, 0)
    return [
        Envelope(
            id=str(uuid.uuid4()),
            source="/cbec/bench",
            type=f"{namespace}.order.submitted.v1",
            subject=f"ORDER{i % keys:05d}",
            data={
                "orderNo": f"ORDER{i % keys:05d}",
                "seq": i,
                "goodsValue": "123.45",
                "note": filler,
            },
        )
        for i in range(n)
    ]


async def _raw(bootstrap: str, topic: str, events: list[Envelope]) -> float:
    options = _settings(bootstrap).kafka_client_options()
    consumer = AIOKafkaConsumer(
        topic,
        **options,
        group_id=f"bench-raw-{uuid.uuid4().hex[:8]}",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        max_poll_records=500,
    )
    await consumer.start()
    producer = AIOKafkaProducer(**options, acks="all", linger_ms=2, max_batch_size=512 * 1024)
    await producer.start()
    received = 0
    try:
        await consumer.getmany(timeout_ms=500)  # join the group before the clock starts
        started = time.perf_counter()

        async def produce() -> None:
            futures = [
                await producer.send(
                    topic, e.body(), key=(e.subject or "").encode(), headers=e.to_kafka_headers()
                )
                for e in events
            ]
            await asyncio.gather(*futures)

        sending = asyncio.create_task(produce())
        while received < len(events):
            batches = await consumer.getmany(timeout_ms=200, max_records=500)
            for tp, records in batches.items():
                received += len(records)
                await consumer.commit({tp: records[-1].offset + 1})
        await sending
        return time.perf_counter() - started
    finally:
        await producer.stop()
        await consumer.stop()


def _settings(bootstrap: str, database_url: str | None = None) -> ServiceSettings:
    """The benchmark's settings: the broker's security settings come from the environment."""
    settings = ServiceSettings(service_name="bench", kafka_bootstrap_servers=bootstrap)
    if database_url is not None:
        settings = settings.model_copy(update={"database_url": database_url})
    return settings


async def _database(url: str) -> AsyncEngine:
    engine = create_engine(url)
    tables = [bench_effect, OUTBOX_TABLE, INBOX_TABLE]

    def create_tables(connection: Connection) -> None:
        for table in tables:
            table.create(connection, checkfirst=True)

    async with engine.begin() as conn:
        await conn.run_sync(create_tables)
    return engine


async def _platform(
    bootstrap: str,
    topic: str,
    namespace: str,
    events: list[Envelope],
    producer_url: str,
    consumer_url: str,
    effect: bool,
) -> float:
    """The producing service and the consuming service each have their own database."""
    settings = _settings(bootstrap, producer_url)
    engine = await _database(producer_url)
    consumer_engine = await _database(consumer_url) if consumer_url != producer_url else engine
    sessions = session_factory(engine)
    consumer_sessions = session_factory(consumer_engine)
    publisher = Publisher(settings)
    await publisher.start()
    outbox = Outbox("/cbec/bench")
    read_engine = create_read_engine(producer_url, engine)
    relay = OutboxRelay(
        engine,
        sessions,
        publisher,
        service="bench",
        poll_interval=0.05,
        read_sessions=session_factory(read_engine),
    )

    async def apply(ctx: HandlerContext) -> None:
        if effect:
            connection = await ctx.session.connection()
            await connection.execute(
                insert(bench_effect).values(
                    consumer=group, event_id=ctx.envelope.id, key=ctx.envelope.subject
                )
            )

    group = f"bench-platform-{uuid.uuid4().hex[:8]}"
    runner = ConsumerRunner(
        group=group,
        topics=[topic],
        handlers={f"{namespace}.order.submitted.v1": apply},
        sessions=consumer_sessions,
        outbox=outbox,
        publisher=publisher,
        settings=settings,
        owners={topic: "bench"},
    )
    await runner.start()
    try:
        await runner.wait_until_assigned()  # the group join is not part of the measurement
        started = time.perf_counter()
        relay.start()
        for start in range(0, len(events), WRITE_BATCH):
            async with sessions() as session, session.begin():
                for envelope in events[start : start + WRITE_BATCH]:
                    outbox.add_envelope(session, envelope, topic=topic, key=envelope.subject or "")
            relay.wake()
        while True:
            async with consumer_sessions() as session:
                connection = await session.connection()
                table = bench_effect if effect else INBOX_TABLE
                count = select(func.count()).select_from(table).where(table.c.consumer == group)
                done = (await connection.execute(count)).scalar_one()
            if done >= len(events):
                break
            await asyncio.sleep(0.02)
        return time.perf_counter() - started
    finally:
        await runner.stop()
        await relay.stop()
        await publisher.stop()
        await engine.dispose()
        await read_engine.dispose()
        await consumer_engine.dispose()


async def run(
    events: int, keys: int, payload_bytes: int, database_url: str, partitions: int = 6
) -> BenchResult:
    external = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    broker = None if external else EmbeddedBroker()
    if broker is not None:
        broker.start()
    bootstrap = external or (broker.bootstrap_servers if broker else "")
    tmp = tempfile.TemporaryDirectory()
    url = database_url or f"sqlite+aiosqlite:///{tmp.name}/producer.db"
    consumer_url = database_url or f"sqlite+aiosqlite:///{tmp.name}/consumer.db"
    try:
        run_id = uuid.uuid4().hex[:8]
        seconds = []
        for variant in ("raw", "platform", "platform-effect"):
            namespace = f"cbec.bench{variant.replace('-', '')}{run_id}"
            topic = f"{namespace}.v1"
            await ensure_topics(
                bootstrap,
                [topic],
                partitions=partitions,
                client_options=_settings(bootstrap).kafka_client_options(),
            )
            envelopes = _envelopes(events, keys, payload_bytes, namespace)
            if variant == "raw":
                seconds.append(await _raw(bootstrap, topic, envelopes))
            else:
                seconds.append(
                    await _platform(
                        bootstrap,
                        topic,
                        namespace,
                        envelopes,
                        url,
                        consumer_url,
                        effect=variant == "platform-effect",
                    )
                )
        raw_seconds, platform_seconds, effect_seconds = seconds
    finally:
        if broker is not None:
            broker.stop()
        tmp.cleanup()
    raw_rate, platform_rate = events / raw_seconds, events / platform_seconds
    return BenchResult(
        events=events,
        keys=keys,
        payload_bytes=payload_bytes,
        partitions=partitions,
        database=url.split(":", 1)[0],
        raw_events_per_second=round(raw_rate, 1),
        platform_events_per_second=round(platform_rate, 1),
        ratio=round(platform_rate / raw_rate, 3),
        platform_with_effect_events_per_second=round(events / effect_seconds, 1),
        raw_seconds=round(raw_seconds, 3),
        platform_seconds=round(platform_seconds, 3),
        platform_with_effect_seconds=round(effect_seconds, 3),
        python=platform.python_version(),
        machine=f"{platform.machine()}, {os.cpu_count()} cores",
    )


def report(result: BenchResult) -> str:
    return "\n".join(
        [
            f"{result.events} events, {result.keys} keys, ~{result.payload_bytes} B payloads, "
            f"{result.partitions} partitions, database {result.database}",
            f"  raw aiokafka produce -> consume : {result.raw_events_per_second:>10,.0f} events/s",
            "  outbox -> Kafka -> inbox        : "
            f"{result.platform_events_per_second:>10,.0f} events/s"
            f"  (ratio {result.ratio:.2f})",
            "  the same, one INSERT per event  : "
            f"{result.platform_with_effect_events_per_second:>10,.0f} events/s",
        ]
    )


def main(args: argparse.Namespace) -> int:
    result = asyncio.run(run(args.events, args.keys, args.payload_bytes, args.database_url))
    print(report(result))  # noqa: T201
    if args.json:
        Path(args.json).write_text(json.dumps(asdict(result), indent=2) + "\n")
    return 0


def as_dict(result: BenchResult) -> dict[str, Any]:
    return asdict(result)


def register(bench: Any) -> None:
    """Add ``cbec bench bus`` (a ``cbec.bench`` entry point: takes the bench sub-parsers)."""
    b = bench.add_parser("bus", help="outbox -> Kafka -> inbox against raw aiokafka")
    b.add_argument("--events", type=int, default=20_000)
    b.add_argument("--keys", type=int, default=50)
    b.add_argument("--payload-bytes", type=int, default=400)
    b.add_argument("--database-url", default="", help="default: a temporary SQLite file")
    b.add_argument("--json", default="", help="also write the results to this file")
    b.set_defaults(func=main)
