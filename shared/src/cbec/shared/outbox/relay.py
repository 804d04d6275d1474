"""The outbox relay: publishes unsent outbox rows in id order and marks them sent after the
broker's acknowledgement (see :mod:`cbec.shared.outbox`).

    relay = OutboxRelay(engine, sessions, publisher, service="declaration")
    relay.start(); relay.wake()   # after a commit that wrote events
    await relay.stop()
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import zlib
from datetime import UTC, datetime, timedelta
from typing import Any

from opentelemetry.instrumentation.utils import suppress_instrumentation
from sqlalchemy import delete, text, update
from sqlalchemy import select as sa_select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, async_sessionmaker
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from cbec.shared import metrics
from cbec.shared.bus.publisher import Publisher
from cbec.shared.clock import utcnow
from cbec.shared.outbox.records import OUTBOX_TABLE, OutboxRecord, backlog
from cbec.shared.telemetry import restored_context

log = logging.getLogger(__name__)


class OutboxRelay:
    """Publishes outbox rows to Kafka in order and marks them sent after the acknowledgement."""

    def __init__(
        self,
        engine: AsyncEngine,
        sessions: async_sessionmaker[AsyncSession],
        publisher: Publisher,
        *,
        service: str,
        batch_size: int = 500,
        poll_interval: float = 0.2,
        retention: timedelta = timedelta(hours=72),
        read_sessions: async_sessionmaker[AsyncSession] | None = None,
        max_batches_in_flight: int = 8,
        sweep_interval: float = 1.0,
    ) -> None:
        self.engine = engine
        self.sessions = sessions
        self.publisher = publisher
        self.service = service
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self.retention = retention
        self.read_sessions = read_sessions or sessions
        self.max_batches_in_flight = max_batches_in_flight
        self.sweep_interval = sweep_interval
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._last_prune = datetime.min.replace(tzinfo=UTC)
        self.healthy = False

    def wake(self) -> None:
        """Publish now rather than at the next poll (called after a commit that wrote events)."""
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self.run(), name=f"outbox-relay-{self.service}")

    async def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        if self._task is not None:
            await self._task
            self._task = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def run(self) -> None:
        failures = 0
        while not self._stopping.is_set():
            try:
                async with self._leadership() as leader:
                    if not leader:
                        await self._sleep(max(self.poll_interval, 1.0))
                        continue
                    await self._pump()
            except asyncio.CancelledError:
                raise
            except Exception:
                failures += 1
                self.healthy = False
                metrics.OUTBOX_FAILURES.labels(self.service).inc()
                log.exception(
                    "outbox relay failed; retrying", extra={"cbec": {"attempt": failures}}
                )
                await self._sleep(min(0.2 * 2**failures, 10.0))
            else:
                failures = 0

    async def _pump(self) -> None:
        """Send batch after batch without waiting; a marker task records the acknowledgements.

        Rows are read past a cursor (the last id sent). Whenever the relay is idle, and at
        least every ``sweep_interval``, it waits for the acknowledgements in flight and reads
        again from the first unsent row, so a row committed late with a lower id (concurrent
        transactions on PostgreSQL) is still published.
        """
        queue: asyncio.Queue[tuple[list[Any], list[asyncio.Future[Any]]]] = asyncio.Queue(
            maxsize=self.max_batches_in_flight
        )
        failure: list[BaseException] = []
        marker = asyncio.create_task(self._mark_acknowledged(queue, failure))
        cursor = 0
        last_sweep = time.monotonic()
        try:
            while not self._stopping.is_set():
                if failure:
                    raise failure[0]
                if time.monotonic() - last_sweep > self.sweep_interval:
                    await queue.join()
                    cursor, last_sweep = 0, time.monotonic()
                rows = await self._read(after=cursor)
                if rows:
                    await queue.put((rows, await self._send(rows)))
                    cursor = rows[-1].id
                    continue
                await queue.join()
                if failure:
                    raise failure[0]
                if cursor:
                    cursor, last_sweep = 0, time.monotonic()
                    continue
                self.healthy = True
                await self._maybe_prune()
                await self._sleep(self.poll_interval)
            await queue.join()
        finally:
            marker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await marker

    async def _mark_acknowledged(
        self,
        queue: asyncio.Queue[tuple[list[Any], list[asyncio.Future[Any]]]],
        failure: list[BaseException],
    ) -> None:
        while True:
            rows, futures = await queue.get()
            try:
                results = await asyncio.gather(*futures, return_exceptions=True)
                acked = [
                    r
                    for r, res in zip(rows, results, strict=True)
                    if not isinstance(res, BaseException)
                ]
                if acked:
                    await self._mark_sent([r.id for r in acked])
                    for row in acked:
                        metrics.OUTBOX_PUBLISHED.labels(self.service, row.topic).inc()
                errors = [res for res in results if isinstance(res, BaseException)]
                if errors:
                    failure.append(_not_acknowledged(len(errors), len(rows), errors[0]))
            except Exception as exc:
                failure.append(exc)
            finally:
                queue.task_done()

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), seconds)
        self._wake.clear()

    def _leadership(self) -> _Leadership:
        return _Leadership(self.engine, self.service)

    async def _read(self, after: int = 0) -> list[Any]:
        table = OUTBOX_TABLE
        with suppress_instrumentation():
            async with self.read_sessions() as session:
                connection = await session.connection()
                result = await connection.execute(
                    sa_select(
                        table.c.id,
                        table.c.topic,
                        table.c.key,
                        table.c.headers,
                        table.c.payload,
                        table.c.trace_context,
                    )
                    .where(table.c.sent_at.is_(None), table.c.id > after)
                    .order_by(table.c.id)
                    .limit(self.batch_size)
                )
                rows = list(result.all())
                if len(rows) < self.batch_size and not after:
                    metrics.OUTBOX_BACKLOG.labels(self.service).set(len(rows))
                elif not after:
                    metrics.OUTBOX_BACKLOG.labels(self.service).set(await backlog(session))
        return rows

    async def _send(self, rows: list[Any]) -> list[asyncio.Future[Any]]:
        """Hand the rows to the producer, in order, each under its writer's trace context."""
        futures = []
        for row in rows:
            headers = [(name, value.encode()) for name, value in json.loads(row.headers)]
            carrier = json.loads(row.trace_context) if row.trace_context else None
            with restored_context(carrier):
                futures.append(
                    await self.publisher.send_event(
                        row.topic, row.payload, key=row.key.encode(), headers=headers
                    )
                )
        return futures

    async def publish_batch(self) -> int:
        """Publish up to ``batch_size`` unsent rows and wait; returns how many were acknowledged."""
        rows = await self._read()
        if not rows:
            return 0
        results = await asyncio.gather(*await self._send(rows), return_exceptions=True)
        acked = [
            r for r, res in zip(rows, results, strict=True) if not isinstance(res, BaseException)
        ]
        if acked:
            await self._mark_sent([r.id for r in acked])
            for row in acked:
                metrics.OUTBOX_PUBLISHED.labels(self.service, row.topic).inc()
        errors = [res for res in results if isinstance(res, BaseException)]
        if errors:
            raise _not_acknowledged(len(errors), len(rows), errors[0])
        return len(acked)

    async def _mark_sent(self, ids: list[int]) -> None:
        with suppress_instrumentation():
            async with self.sessions() as session, session.begin():
                await session.exec(
                    update(OutboxRecord)
                    .where(col(OutboxRecord.id).in_(ids))
                    .values(sent_at=utcnow())
                )

    async def _maybe_prune(self) -> None:
        now = utcnow()
        if now - self._last_prune < timedelta(minutes=10):
            return
        self._last_prune = now
        with suppress_instrumentation():
            async with self.sessions() as session, session.begin():
                await session.exec(
                    delete(OutboxRecord).where(
                        col(OutboxRecord.sent_at).is_not(None),
                        col(OutboxRecord.sent_at) < now - self.retention,
                    )
                )


def _not_acknowledged(failed: int, total: int, first: BaseException) -> RuntimeError:
    return RuntimeError(f"{failed} of {total} outbox rows not acknowledged: {first!r}")


class _Leadership:
    """On PostgreSQL, a session advisory lock: one publishing relay per database."""

    def __init__(self, engine: AsyncEngine, service: str) -> None:
        self.engine = engine
        self.lock_id = zlib.crc32(f"cbec-outbox-relay:{service}".encode())
        self.connection: AsyncConnection | None = None
        self.held = False

    async def __aenter__(self) -> bool:
        if self.engine.dialect.name != "postgresql":
            return True
        with suppress_instrumentation():
            self.connection = await self.engine.connect()
            got = await self.connection.scalar(
                text("SELECT pg_try_advisory_lock(:id)"), {"id": self.lock_id}
            )
            await self.connection.commit()
        self.held = bool(got)
        return self.held

    async def __aexit__(self, *exc: object) -> None:
        if self.connection is None:
            return
        with suppress_instrumentation():
            try:
                if self.held:
                    await self.connection.execute(
                        text("SELECT pg_advisory_unlock(:id)"), {"id": self.lock_id}
                    )
                    await self.connection.commit()
                await self.connection.close()
            except Exception:
                # The session is gone or broken: dropping it releases the lock on the server.
                await self.connection.invalidate()
        self.connection = None
        self.held = False
