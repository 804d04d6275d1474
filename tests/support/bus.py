"""A small service assembled from the shared parts, for testing the mechanism itself.

Its effect table records every event its handler applied, in the order applied. The rig is the
service ``tests``: it owns the test topics it consumes and signs what it publishes with its
development key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from cbec.shared.bus import ConsumerRunner, Handler, HandlerContext, Publisher
from cbec.shared.db import create_engine, session_factory
from cbec.shared.envelope import Consumed, Envelope
from cbec.shared.inbox import InboxRecord
from cbec.shared.outbox import Outbox, OutboxRecord, OutboxRelay
from cbec.shared.settings import ServiceSettings
from cbec.shared.signing import source_of
from tests.support.signing import TEST_SERVICE


class Effect(SQLModel, table=True):
    __tablename__ = "test_effect"

    id: int | None = Field(default=None, primary_key=True)
    consumer: str = Field(max_length=200)
    event_id: str = Field(max_length=64)
    key: str = Field(max_length=100)
    seq: int


class Thing(Consumed):
    key: str
    seq: int


TABLES = [Effect.__table__, OutboxRecord.__table__, InboxRecord.__table__]  # type: ignore[attr-defined]


def event_type(topic: str, name: str = "thing.happened") -> str:
    """A type that belongs to ``topic``: ``cbec.bus1.v1`` → ``cbec.bus1.thing.happened.v1``."""
    return topic.rsplit(".", 1)[0] + f".{name}.v1"


def envelope(
    topic: str, key: str, seq: int, *, name: str = "thing.happened", **extra: Any
) -> Envelope:
    from uuid import uuid4

    return Envelope(
        id=str(uuid4()),
        source=source_of(TEST_SERVICE),
        type=event_type(topic, name),
        subject=key,
        data={"key": key, "seq": seq, **extra},
    )


async def record_effect(ctx: HandlerContext) -> None:
    thing = ctx.parse(Thing)
    ctx.session.add(Effect(consumer="c", event_id=ctx.envelope.id, key=thing.key, seq=thing.seq))


@dataclass
class BusRig:
    settings: ServiceSettings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    publisher: Publisher
    outbox: Outbox
    relay: OutboxRelay
    consumers: list[ConsumerRunner] = field(default_factory=list)

    @classmethod
    async def create(cls, bootstrap: str, database_url: str, **overrides: Any) -> BusRig:
        settings = ServiceSettings(
            service_name=TEST_SERVICE,
            kafka_bootstrap_servers=bootstrap,
            database_url=database_url,
            consumer_max_retries=overrides.pop("consumer_max_retries", 2),
            consumer_retry_backoff_ms=overrides.pop("consumer_retry_backoff_ms", 10),
            outbox_poll_interval_ms=50,
            **overrides,
        )
        engine = create_engine(database_url)
        async with engine.begin() as conn:
            await conn.run_sync(SQLModel.metadata.create_all, tables=TABLES)
        sessions = session_factory(engine)
        publisher = Publisher(settings)
        await publisher.start()
        relay = OutboxRelay(
            engine, sessions, publisher, service=TEST_SERVICE, batch_size=500, poll_interval=0.05
        )
        outbox = Outbox(source_of(TEST_SERVICE))
        return cls(settings, engine, sessions, publisher, outbox, relay)

    async def consume(
        self, group: str, topics: list[str], handlers: Mapping[str, Handler]
    ) -> ConsumerRunner:
        runner = ConsumerRunner(
            group=group,
            topics=topics,
            handlers=handlers,
            sessions=self.sessions,
            outbox=self.outbox,
            publisher=self.publisher,
            settings=self.settings,
            after_commit=self.relay.wake,
            owners=dict.fromkeys(topics, TEST_SERVICE),
        )
        await runner.start()
        self.consumers.append(runner)
        return runner

    async def write(self, topic: str, envelopes: list[Envelope]) -> None:
        async with self.sessions() as session, session.begin():
            for env in envelopes:
                self.outbox.add_envelope(session, env, topic=topic, key=env.subject or "")
        self.relay.wake()

    async def effects(self) -> list[Effect]:
        async with self.sessions() as session:
            return list((await session.exec(select(Effect).order_by(col(Effect.id)))).all())

    async def effect_count(self) -> int:
        async with self.sessions() as session:
            return int((await session.exec(select(func.count()).select_from(Effect))).one())

    async def unsent(self) -> int:
        async with self.sessions() as session:
            result = await session.exec(
                select(func.count())
                .select_from(OutboxRecord)
                .where(col(OutboxRecord.sent_at).is_(None))
            )
            return int(result.one())

    async def close(self) -> None:
        for runner in self.consumers:
            await runner.stop()
        await self.relay.stop()
        await self.publisher.stop()
        await self.engine.dispose()
