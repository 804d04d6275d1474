"""The outbox table and its writer: events become rows in the transaction of the state change.

    outbox = Outbox(source="/cbec/declaration")
    async with sessions() as session, session.begin():
        session.add(inventory_list)
        outbox.add(session, ListReleased(orderNo="O1", invtNo="I1"))

Rows are collected on the session and inserted together just before it commits; a rollback
drops them. :class:`~cbec.shared.outbox.relay.OutboxRelay` publishes them.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import Index, LargeBinary, Table, event, func, insert, text
from sqlalchemy.orm import Session
from sqlmodel import Column, Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from cbec.shared.clock import utcnow
from cbec.shared.envelope import Envelope, Event
from cbec.shared.telemetry import current_carrier


class OutboxRecord(SQLModel, table=True):
    __tablename__ = "outbox"
    __table_args__ = (
        Index(
            "ix_outbox_unsent",
            "id",
            postgresql_where=text("sent_at IS NULL"),
            sqlite_where=text("sent_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    event_id: str = Field(max_length=64, unique=True)
    topic: str = Field(max_length=200)
    key: str = Field(max_length=200)
    event_type: str = Field(max_length=200)
    headers: str = Field(description="JSON list of [name, value] pairs")
    payload: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    trace_context: str | None = Field(default=None)
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = Field(default=None, index=True)


OUTBOX_TABLE: Table = OutboxRecord.__table__  # type: ignore[attr-defined]
_PENDING = "cbec_outbox_pending"


@event.listens_for(Session, "before_commit")
def _insert_pending_rows(session: Session) -> None:
    """Insert the transaction's outbox rows in one statement, just before it commits."""
    rows = session.info.pop(_PENDING, None)
    if rows:
        session.connection().execute(insert(OUTBOX_TABLE), rows)


@event.listens_for(Session, "after_soft_rollback")
def _forget_pending_rows(session: Session, _previous: object) -> None:
    session.info.pop(_PENDING, None)


class Outbox:
    """Writes events as outbox rows inside the caller's transaction.

    Rows are collected on the session and inserted together just before the commit, in the
    order they were added; a rollback drops them.
    """

    def __init__(self, source: str) -> None:
        self.source = source

    def add(self, session: AsyncSession, event: Event, *, event_id: str | None = None) -> Envelope:
        envelope = Envelope.of(event, source=self.source, id=event_id)
        self.add_envelope(session, envelope, topic=event.topic, key=event.key())
        return envelope

    def add_envelope(
        self, session: AsyncSession, envelope: Envelope, *, topic: str, key: str
    ) -> None:
        headers = [[name, value.decode()] for name, value in envelope.to_kafka_headers()]
        carrier = current_carrier()
        session.info.setdefault(_PENDING, []).append(
            {
                "event_id": envelope.id,
                "topic": topic,
                "key": key,
                "event_type": envelope.type,
                "headers": json.dumps(headers),
                "payload": envelope.body(),
                "trace_context": json.dumps(carrier) if carrier else None,
                "created_at": utcnow(),
                "sent_at": None,
            }
        )


async def backlog(session: AsyncSession) -> int:
    result = await session.exec(
        select(func.count()).select_from(OutboxRecord).where(col(OutboxRecord.sent_at).is_(None))
    )
    return int(result.one())
