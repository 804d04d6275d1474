"""A running service's live parts (:class:`Runtime`, on ``app.state.runtime``) and their life:
made from the settings when the app starts, connected to the broker in the background, and
stopped in order when it stops.

    runtime = await open_runtime(settings, descriptor, signer)
    connecting = asyncio.create_task(connect(runtime, consumers, verifiers))
    ...
    await close_runtime(runtime)

Nothing here runs at import time: the app's lifespan calls these.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TypeVar

import httpx
from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from cbec.shared import metrics
from cbec.shared.bus import ConsumerRunner, Publisher
from cbec.shared.db import create_engine, create_read_engine, ping, session_factory
from cbec.shared.migrations import upgrade
from cbec.shared.outbox import Outbox, OutboxRelay
from cbec.shared.service.descriptor import ConsumerSpec, ServiceDescriptor
from cbec.shared.settings import ServiceSettings
from cbec.shared.signing import EventSigner, EventVerifier

log = logging.getLogger(__name__)


Hook = Callable[["Runtime"], Awaitable[None]]
PartT = TypeVar("PartT")


@dataclass
class Runtime:
    """The live parts of a running service, on ``app.state.runtime``."""

    settings: ServiceSettings
    descriptor: ServiceDescriptor
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    outbox: Outbox
    publisher: Publisher
    relay: OutboxRelay
    http: httpx.AsyncClient
    consumers: list[ConsumerRunner] = field(default_factory=list)
    read_sessions: async_sessionmaker[AsyncSession] | None = None
    """Sessions for reads beside the writer (SQLite: read-only connections); else ``sessions``."""
    connected: bool = False
    stopping: bool = False
    parts: dict[type, object] = field(default_factory=dict)
    """A service's own live objects (its domain facade, loaded tables), one per type."""
    read_engine: AsyncEngine | None = None
    """The engine of ``read_sessions`` when it is not ``engine`` (SQLite's read-only one)."""

    def attach(self, part: object) -> None:
        """Keep a service's own live object; :meth:`part` finds it by its type."""
        self.parts[type(part)] = part

    def part(self, kind: type[PartT]) -> PartT:
        """The object of ``kind`` attached by the service's start hook."""
        found = self.parts.get(kind)
        if not isinstance(found, kind):
            raise RuntimeError(f"no {kind.__name__} on the runtime: the start hook has not run")
        return found

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """One unit of work: commit on success, roll back on error, then wake the relay."""
        async with self.sessions() as session, session.begin():
            yield session
        self.relay.wake()

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncSession]:
        """A read-only unit of work, one snapshot; on SQLite it does not wait for the writer."""
        async with (self.read_sessions or self.sessions)() as session, session.begin():
            yield session

    async def readiness(self) -> dict[str, str]:
        checks: dict[str, str] = {}
        try:
            await ping(self.engine)
            checks["database"] = "ok"
        except Exception as exc:
            checks["database"] = f"unreachable: {type(exc).__name__}"
        if not self.publisher.started:
            checks["broker"] = "connecting"
        else:
            try:
                # Generous: a service busy with a backlog answers slowly but is not unready.
                await self.publisher.ping(timeout=5.0)
                checks["broker"] = "ok"
            except Exception as exc:
                checks["broker"] = f"unreachable: {type(exc).__name__}"
        checks["outbox_relay"] = "ok" if self.relay.running else "stopped"
        for consumer in self.consumers:
            checks[f"consumer:{consumer.group}"] = "ok" if consumer.running else "stopped"
        if self.settings.consumer_enabled and self.connected is False:
            checks["consumers"] = "starting"
        if self.stopping:
            checks["lifecycle"] = "stopping"
        return checks


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


async def open_runtime(
    settings: ServiceSettings, descriptor: ServiceDescriptor, signer: EventSigner | None
) -> Runtime:
    """Make the engines (migrating first when ``DB_MIGRATE_ON_START``), the publisher and the
    outbox relay; nothing is connected to the broker yet."""
    engine = create_engine(settings.database_url, pool_size=settings.db_pool_size)
    if settings.db_migrate_on_start and descriptor.migrations:
        await upgrade(engine, descriptor.migrations)
    sessions = session_factory(engine)
    read_engine = create_read_engine(settings.database_url, engine)
    for counted in {engine, read_engine}:
        metrics.count_statements(counted, settings.service_name)
    publisher = Publisher(settings, signer=signer)
    relay = OutboxRelay(
        engine,
        sessions,
        publisher,
        service=settings.service_name,
        batch_size=settings.outbox_batch_size,
        poll_interval=settings.outbox_poll_interval_ms / 1000,
        retention=timedelta(hours=settings.outbox_retention_hours),
    )
    return Runtime(
        settings=settings,
        descriptor=descriptor,
        engine=engine,
        sessions=sessions,
        outbox=Outbox(source=f"/cbec/{settings.service_name}"),
        publisher=publisher,
        relay=relay,
        http=httpx.AsyncClient(timeout=httpx.Timeout(10.0, connect=3.0)),
        read_sessions=session_factory(read_engine),
        read_engine=read_engine if read_engine is not engine else None,
    )


async def connect(
    runtime: Runtime, consumers: Sequence[ConsumerSpec], verifiers: Sequence[EventVerifier]
) -> None:
    """Connect to the broker, retrying with backoff, then start the relay and the consumers."""
    settings = runtime.settings
    delay = 0.5
    while True:
        try:
            await runtime.publisher.start()
            break
        except Exception as exc:
            log.warning("broker not reachable (%s); retrying in %.1fs", exc, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10.0)
    runtime.relay.start()
    if settings.consumer_enabled:
        # Each member's first join waits on the group coordinator: join them all at once.
        runtime.consumers.extend(
            await asyncio.gather(
                *(
                    _start_consumer(runtime, spec, verifier)
                    for spec, verifier in zip(consumers, verifiers, strict=True)
                )
            )
        )
    runtime.connected = True


async def _start_consumer(
    runtime: Runtime, spec: ConsumerSpec, verifier: EventVerifier
) -> ConsumerRunner:
    """Start one consumer group member, retrying until the broker takes it."""
    settings = runtime.settings
    runner = ConsumerRunner(
        group=f"{settings.consumer_group_prefix}.{settings.service_name}.{spec.name}",
        topics=spec.topics,
        handlers=spec.handlers,
        sessions=runtime.sessions,
        outbox=runtime.outbox,
        publisher=runtime.publisher,
        settings=settings,
        after_commit=runtime.relay.wake,
        accepts=spec.accepts,
        runtime=runtime,
        verifier=verifier,
    )
    while True:
        try:
            await runner.start()
            return runner
        except Exception as exc:
            log.warning("consumer %s cannot start (%s); retrying", runner.group, exc)
            await asyncio.sleep(1.0)


async def close_runtime(runtime: Runtime) -> None:
    """Stop the consumers, publish what was committed, stop the producer, close the engines."""
    await _shutdown(runtime)
    if runtime.read_engine is not None:
        await runtime.read_engine.dispose()
    await runtime.engine.dispose()


async def _shutdown(runtime: Runtime) -> None:
    for consumer in runtime.consumers:
        try:
            await consumer.stop()
        except Exception:
            log.exception("consumer %s did not stop cleanly", consumer.group)
    if runtime.publisher.started:
        # Publish what was committed before leaving, within a bound.
        with contextlib.suppress(Exception):
            await asyncio.wait_for(_drain(runtime.relay), 5.0)
    await runtime.relay.stop()
    await runtime.publisher.stop()
    await runtime.http.aclose()


async def _drain(relay: OutboxRelay) -> None:
    while await relay.publish_batch() >= relay.batch_size:
        pass
