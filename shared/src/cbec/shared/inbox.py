"""The inbox: the ids of the events each consumer has applied, written with the effect.

    seen = await already_processed(session, "cbec.tax.on-release", ["id1", "id2"])
    ... apply the effect ...
    await record(session, "cbec.tax.on-release", [envelope])   # same transaction as the effect

A redelivered event (same id) is found here and changes nothing the second time.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Table, insert
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from cbec.shared.clock import utcnow
from cbec.shared.envelope import Envelope


class InboxRecord(SQLModel, table=True):
    __tablename__ = "inbox"

    consumer: str = Field(primary_key=True, max_length=200)
    event_id: str = Field(primary_key=True, max_length=200)
    event_type: str = Field(max_length=200)
    processed_at: datetime = Field(default_factory=utcnow)


INBOX_TABLE: Table = InboxRecord.__table__  # type: ignore[attr-defined]


async def already_processed(
    session: AsyncSession, consumer: str, event_ids: Iterable[str]
) -> set[str]:
    ids = list(dict.fromkeys(event_ids))
    if not ids:
        return set()
    found: set[str] = set()
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        result = await session.exec(
            select(InboxRecord.event_id).where(
                InboxRecord.consumer == consumer, col(InboxRecord.event_id).in_(chunk)
            )
        )
        found.update(result.all())
    return found


async def record(session: AsyncSession, consumer: str, envelopes: Iterable[Envelope]) -> None:
    """Record applied events in one statement (in the transaction of their effects)."""
    now = utcnow()
    rows = [
        {"consumer": consumer, "event_id": e.id, "event_type": e.type, "processed_at": now}
        for e in envelopes
    ]
    if rows:
        connection = await session.connection()
        await connection.execute(insert(INBOX_TABLE), rows)
