"""A unit of work: one transaction holding a service's repositories and its outbox.

Use cases take a unit of work and never open sessions themselves; what they change and the
events they publish commit together or not at all. A service subclasses it to add its
repositories::

    class DeclarationWork(UnitOfWork):
        def __init__(self, session: AsyncSession, outbox: Outbox) -> None:
            super().__init__(session, outbox)
            self.lists = ListRepository(session)

    async with LogisticsWork.of(runtime) as work:          # HTTP routes: committed, relay woken
        await use_cases.waybills.file(work, waybills, now)

    work = DeclarationWork(ctx.session, ctx.outbox)                      # event handlers
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, Protocol, Self

from sqlalchemy import Table, event, insert
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlalchemy.orm import Session
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from cbec.shared.envelope import Envelope, Event
from cbec.shared.outbox import Outbox


class Transactional(Protocol):
    """What a running service offers a unit of work (:class:`cbec.shared.service.Runtime`)."""

    outbox: Outbox

    def transaction(self) -> AbstractAsyncContextManager[AsyncSession]: ...


class UnitOfWork:
    """The open transaction (``session``) and the outbox that publishes inside it."""

    def __init__(self, session: AsyncSession, outbox: Outbox) -> None:
        self.session = session
        self.outbox = outbox

    def publish(self, event: Event, *, event_id: str | None = None) -> Envelope:
        """Publish ``event`` when (and only if) this unit of work commits."""
        return self.outbox.add(self.session, event, event_id=event_id)

    async def flush(self) -> None:
        await self.session.flush()

    @classmethod
    @asynccontextmanager
    async def begin(
        cls, sessions: async_sessionmaker[AsyncSession], outbox: Outbox
    ) -> AsyncIterator[Self]:
        """A new transaction: committed when the block ends, rolled back if it raises."""
        async with sessions() as session, session.begin():
            yield cls(session, outbox)

    @classmethod
    @asynccontextmanager
    async def of(cls, runtime: Transactional) -> AsyncIterator[Self]:
        """A new transaction of the running service: committed when the block ends, then its
        outbox relay is woken (the events go out at once); rolled back if it raises."""
        async with runtime.transaction() as session:
            yield cls(session, runtime.outbox)


_AT_COMMIT = "cbec.rows_at_commit"


def insert_at_commit(
    session: AsyncSession, model: type[SQLModel], rows: Sequence[Mapping[str, Any]]
) -> None:
    """Insert ``rows`` of ``model`` when the transaction commits, with one statement per table
    for all the rows added so far (an executemany), in the order added.

    For rows nobody needs the id of in the transaction (receipts, history): the ORM inserts
    each object with a statement of its own to learn its id (on SQLite at least), which costs
    more than the rest of the transaction. A read of the table in the same transaction calls
    :func:`insert_pending` first."""
    pending: dict[Table, list[Mapping[str, Any]]] = session.sync_session.info.setdefault(
        _AT_COMMIT, {}
    )
    table = getattr(model, "__table__", None)
    assert isinstance(table, Table), f"{model.__name__} is not a table model"
    pending.setdefault(table, []).extend(rows)


async def insert_pending(session: AsyncSession) -> None:
    """Insert now what :func:`insert_at_commit` holds for this transaction."""
    await session.run_sync(_insert_pending)


@event.listens_for(Session, "before_commit")
def _insert_pending(session: Session) -> None:
    pending: dict[Table, list[Mapping[str, Any]]] | None = session.info.pop(_AT_COMMIT, None)
    for table, rows in (pending or {}).items():
        if rows:
            session.execute(insert(table), list(rows))


@event.listens_for(Session, "after_soft_rollback")
def _drop_pending(session: Session, _previous: Any) -> None:
    session.info.pop(_AT_COMMIT, None)
