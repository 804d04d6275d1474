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

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol, Self

from sqlalchemy.ext.asyncio import async_sessionmaker
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
