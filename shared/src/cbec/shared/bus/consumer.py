"""The consumer side of the bus: a consumer-group runner with retries and a DLQ.

    publisher = Publisher(settings); await publisher.start()
    runner = ConsumerRunner(
        group="cbec.tax.lists", topics=["cbec.declaration.v1"],
        handlers={"cbec.declaration.list.released.v1": on_list_released},
        sessions=sessions, outbox=outbox, publisher=publisher, settings=settings,
    )
    runner.start(); ...; await runner.stop()

A message whose CloudEvents type header names a type of the topic that this consumer has no
handler for is skipped unread (most of a topic's events are for other consumers). Every other
message is verified first (:mod:`cbec.shared.signing`): one that the owner of its topic did not
sign (no signature, a wrong one, another service's key, another source) goes to
``<topic>.dlq`` at once with the reason, as a malformed one does, and is never applied.

For each partition batch from ``getmany`` the runner applies every event in one transaction,
skipping ids the inbox already holds and recording the new ones in the same transaction; the
offsets are committed only after that transaction. If the batch fails, it is replayed event by
event, each retried with exponential backoff; an event that still fails, or cannot be parsed, or
has a type that does not belong to the topic, goes to ``<topic>.dlq`` with the reason and its
original coordinates in headers, and the partition moves on. Deterministic failures (a malformed
payload, a domain rule) are not retried. A failure because the database cannot be reached (its
connection lost, or the database not answering; it restarts or fails over) is not the event's:
the event waits until the database answers and is applied then, without using up its retries.
On stop, the message in hand is finished, its offset committed, and the consumer leaves the group.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.errors import CommitFailedError, KafkaError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from cbec.shared import inbox, metrics
from cbec.shared.bus.context import Handler, HandlerContext, flush_batch
from cbec.shared.bus.dead_letters import PERMANENT_ERRORS, failure_reason, send_dead_letter
from cbec.shared.bus.publisher import Publisher
from cbec.shared.bus.topic_admin import topic_namespace
from cbec.shared.db import connection_lost, ping, unavailable
from cbec.shared.envelope import EVENT_TYPE_PATTERN, Envelope, MalformedEvent
from cbec.shared.settings import ServiceSettings
from cbec.shared.signing import EventVerifier, UnverifiedEvent, verifier_from_settings
from cbec.shared.telemetry import process_span
from cbec.shared.topics import owners_of

if TYPE_CHECKING:
    from cbec.shared.outbox import Outbox

log = logging.getLogger(__name__)


class _Interrupted(Exception):
    """Shutdown arrived while an event was being retried: leave it uncommitted."""


@dataclass(slots=True)
class _Item:
    record: ConsumerRecord[bytes, bytes]
    envelope: Envelope | None = None
    handler: Handler | None = None
    error: str | None = None
    error_type: str = "MalformedEvent"


def _declared_type(headers: Sequence[tuple[str, bytes]] | None) -> str | None:
    """The type a message's ``ce_type`` header declares, unverified (None if absent)."""
    for name, value in headers or ():
        if name == "ce_type":
            try:
                return value.decode() if value is not None else None
            except UnicodeDecodeError:
                return None
    return None


class ConsumerRunner:
    """A consumer-group member that applies events exactly once per consumer (see module doc)."""

    def __init__(
        self,
        *,
        group: str,
        topics: Sequence[str],
        handlers: Mapping[str, Handler],
        sessions: async_sessionmaker[AsyncSession],
        outbox: Outbox,
        publisher: Publisher,
        settings: ServiceSettings,
        after_commit: Callable[[], None] | None = None,
        accepts: Callable[[str, str], bool] | None = None,
        runtime: Any = None,
        owners: Mapping[str, str] | None = None,
        verifier: EventVerifier | None = None,
    ) -> None:
        self.group = group
        self.runtime = runtime
        self.topics = list(topics)
        self.handlers = dict(handlers)
        self.sessions = sessions
        self.outbox = outbox
        self.publisher = publisher
        self.settings = settings
        self.after_commit = after_commit
        self.accepts = accepts or self.type_belongs_to_topic
        self.service = settings.service_name
        # Who may write each topic and their keys: fixed now, so a bad setting stops the start.
        self.verifier = verifier or verifier_from_settings(settings, owners_of(self.topics, owners))
        self._consumer: AIOKafkaConsumer | None = None
        self._counters: dict[tuple[str, str], Any] = {}
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def _count(self, topic: str, outcome: str, amount: int = 1) -> None:
        counter = self._counters.get((topic, outcome))
        if counter is None:
            counter = metrics.CONSUMED.labels(self.service, self.group, topic, outcome)
            self._counters[(topic, outcome)] = counter
        counter.inc(amount)

    @staticmethod
    def type_belongs_to_topic(event_type: str, topic: str) -> bool:
        """Default rule: a well-formed type of the topic's owner; others are unknown (DLQ)."""
        return bool(EVENT_TYPE_PATTERN.match(event_type)) and event_type.startswith(
            topic_namespace(topic)
        )

    async def start(self) -> None:
        consumer = AIOKafkaConsumer(
            *self.topics,
            **self.settings.kafka_client_options(),
            group_id=self.group,
            client_id=f"{self.group}-{id(self):x}",
            enable_auto_commit=False,
            auto_offset_reset=self.settings.consumer_offset_reset,
            max_poll_records=self.settings.consumer_batch_max_records,
            session_timeout_ms=self.settings.consumer_session_timeout_ms,
            heartbeat_interval_ms=self.settings.consumer_heartbeat_interval_ms,
            request_timeout_ms=self.settings.kafka_request_timeout_ms,
        )
        await consumer.start()
        self._consumer = consumer
        self._task = asyncio.create_task(self._run(), name=f"consumer-{self.group}")

    async def stop(self) -> None:
        """Finish the batch in hand, commit it, and leave the group."""
        self._stopping.set()
        if self._task is not None:
            try:
                await asyncio.wait_for(asyncio.shield(self._task), 30)
            except TimeoutError:
                self._task.cancel()
            self._task = None
        if self._consumer is not None:
            await self._consumer.stop()
            self._consumer = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def wait_until_assigned(self, timeout: float = 30.0) -> None:
        """Return once the group has given this member partitions (after a join/rebalance) and
        the position in each is known, so that what is published from now on is consumed
        (a new group at ``latest`` would otherwise fix its position at its first fetch)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while not (self._consumer is not None and self._consumer.assignment()):
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"{self.group}: no partitions assigned in {timeout:.0f}s")
            await asyncio.sleep(0.05)
        for tp in self._consumer.assignment():
            await asyncio.wait_for(self._consumer.position(tp), timeout)

    async def _run(self) -> None:
        assert self._consumer is not None
        consumer = self._consumer
        while not self._stopping.is_set():
            try:
                batches = await consumer.getmany(
                    timeout_ms=200, max_records=self.settings.consumer_batch_max_records
                )
            except KafkaError:
                log.exception("fetch failed; retrying", extra={"cbec": {"group": self.group}})
                await asyncio.sleep(1)
                continue
            batches = {tp: records for tp, records in batches.items() if records}
            if not batches:
                continue
            try:
                await self._process(batches)
            except _Interrupted:
                return
            try:
                await consumer.commit({tp: recs[-1].offset + 1 for tp, recs in batches.items()})
            except (CommitFailedError, KafkaError) as exc:
                # The partitions moved to another member during a rebalance; it redelivers from
                # the last commit and its inbox drops what was already applied here.
                log.warning("offset commit failed: %s", exc, extra={"cbec": {"group": self.group}})
            for tp, records in batches.items():
                self._update_lag(consumer, tp, records[-1].offset + 1)
            if self.after_commit is not None:
                self.after_commit()

    def _update_lag(self, consumer: AIOKafkaConsumer, tp: TopicPartition, position: int) -> None:
        highwater = consumer.highwater(tp)
        if highwater is not None:
            metrics.LAG.labels(self.service, self.group, tp.topic, str(tp.partition)).set(
                max(highwater - position, 0)
            )

    def _classify(self, record: ConsumerRecord[bytes, bytes]) -> _Item:
        item = _Item(record)
        declared = _declared_type(record.headers)
        if (
            declared is not None
            and declared not in self.handlers
            and self.accepts(declared, record.topic)
        ):
            return item  # another consumer's event: nothing here reads it
        try:
            # Before anything else: a message the topic's owner did not sign is never applied.
            self.verifier.verify(record.topic, record.key, record.headers, record.value)
        except UnverifiedEvent as exc:
            item.error, item.error_type = f"unverified event: {exc}", "UnverifiedEvent"
            return item
        try:
            item.envelope = Envelope.from_kafka(record.headers, record.value)
        except MalformedEvent as exc:
            item.error = f"malformed event: {exc}"
            return item
        event_type = item.envelope.type
        item.handler = self.handlers.get(event_type)
        if item.handler is None and not self.accepts(event_type, record.topic):
            item.error = f"unknown event type {event_type!r} on topic {record.topic}"
        return item

    async def _process(
        self, batches: Mapping[TopicPartition, list[ConsumerRecord[bytes, bytes]]]
    ) -> None:
        """Apply a fetch (every partition) in one transaction; replay one by one if it fails."""
        todo: list[_Item] = []
        for tp, records in batches.items():
            for item in (self._classify(r) for r in records):
                if item.error is not None:
                    await self._dead_letter(item.record, item.error, 0, item.error_type)
                elif item.handler is None:
                    self._count(tp.topic, "ignored")
                else:
                    todo.append(item)
        if not todo:
            return
        try:
            await self._apply(todo)
            return
        except Exception:
            log.debug("batch failed, replaying one by one", exc_info=True)
        for item in todo:  # per partition, in offset order
            await self._apply_with_retries(item)

    async def _apply(self, items: list[_Item]) -> None:
        """Apply events in one transaction; the inbox drops ids already applied."""
        applied: list[_Item] = []
        batch: dict[type[Any], Any] = {}
        async with self.sessions() as session, session.begin():
            seen = await inbox.already_processed(
                session, self.group, [i.envelope.id for i in items if i.envelope]
            )
            for item in items:
                envelope = item.envelope
                assert envelope is not None
                assert item.handler is not None
                if envelope.id in seen:
                    self._count(item.record.topic, "duplicate")
                    continue
                seen.add(envelope.id)
                record = item.record
                with process_span(
                    record.topic,
                    consumer_group=self.group,
                    partition=record.partition,
                    offset=record.offset,
                    key=record.key,
                    headers=record.headers,
                    event_id=envelope.id,
                    event_type=envelope.type,
                    data=envelope.data,
                ):
                    await item.handler(
                        HandlerContext(
                            envelope=envelope,
                            session=session,
                            outbox=self.outbox,
                            topic=record.topic,
                            partition=record.partition,
                            offset=record.offset,
                            runtime=self.runtime,
                            batch=batch,
                        )
                    )
                applied.append(item)
            await flush_batch(batch, session)
            await inbox.record(session, self.group, [i.envelope for i in applied if i.envelope])
        per_topic: dict[str, int] = {}
        for item in applied:
            per_topic[item.record.topic] = per_topic.get(item.record.topic, 0) + 1
        for topic, count in per_topic.items():
            self._count(topic, "applied", count)

    async def _apply_with_retries(self, item: _Item) -> None:
        attempts = 0
        while True:
            attempts += 1
            try:
                await self._apply([item])
                return
            except PERMANENT_ERRORS as exc:
                await self._dead_letter(
                    item.record, failure_reason(exc), attempts, type(exc).__name__
                )
                return
            except Exception as exc:
                if self._stopping.is_set() and attempts <= self.settings.consumer_max_retries:
                    # Shutting down mid-retry: leave it uncommitted for the next owner.
                    raise _Interrupted from exc
                if await self._database_down(exc):
                    # Not the event's fault: the database restarts or fails over. Apply it again
                    # once the database answers; the attempt does not count towards the DLQ.
                    attempts -= 1
                    await self._wait_for_database(item, exc)
                    continue
                if attempts > self.settings.consumer_max_retries:
                    await self._dead_letter(
                        item.record, failure_reason(exc), attempts, type(exc).__name__
                    )
                    return
                metrics.HANDLER_RETRIES.labels(self.service, self.group, item.record.topic).inc()
                delay_ms = min(
                    self.settings.consumer_retry_backoff_ms * 2 ** (attempts - 1),
                    self.settings.consumer_retry_backoff_max_ms,
                )
                log.warning(
                    "handler failed (attempt %d), retrying in %d ms: %s",
                    attempts,
                    delay_ms,
                    exc,
                    extra={"cbec": {"group": self.group, "offset": item.record.offset}},
                )
                await asyncio.sleep(delay_ms / 1000)

    async def _database_answers(self) -> bool:
        engine = self.sessions.kw.get("bind")
        if not isinstance(engine, AsyncEngine):
            return True
        try:
            await ping(engine, timeout=2.0)
        except Exception:
            return False
        return True

    async def _database_down(self, error: Exception) -> bool:
        """Whether the handler failed because the database cannot be reached: its connection was
        lost under it, or it failed otherwise while the database does not answer."""
        if connection_lost(error):
            return True
        return unavailable(error) and not await self._database_answers()

    async def _wait_for_database(self, item: _Item, error: Exception) -> None:
        """Until the database answers again (or the runner stops: the event stays uncommitted)."""
        log.warning(
            "database unavailable, the event waits for it: %s",
            error,
            extra={"cbec": {"group": self.group, "offset": item.record.offset}},
        )
        delay = max(self.settings.consumer_retry_backoff_ms, 50) / 1000
        while not await self._database_answers():
            if self._stopping.is_set():
                raise _Interrupted from error
            await asyncio.sleep(delay)
            delay = min(delay * 2, max(self.settings.consumer_retry_backoff_max_ms / 1000, 0.1))

    async def _dead_letter(
        self, record: ConsumerRecord[bytes, bytes], reason: str, attempts: int, error_type: str
    ) -> None:
        await send_dead_letter(
            self.publisher,
            record,
            group=self.group,
            reason=reason,
            attempts=attempts,
            error_type=error_type,
        )
        metrics.DLQ.labels(self.service, self.group, record.topic).inc()
        self._count(record.topic, "dead_lettered")
        log.error(
            "event dead-lettered: %s",
            reason,
            extra={
                "cbec": {
                    "group": self.group,
                    "topic": record.topic,
                    "partition": record.partition,
                    "offset": record.offset,
                }
            },
        )
