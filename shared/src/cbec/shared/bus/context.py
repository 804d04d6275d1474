"""What an event handler is given: the event's envelope, the open transaction and the outbox.

async def on_list_released(ctx: HandlerContext) -> None:
    released = ctx.parse(ListReleased)
    ctx.outbox.add(ctx.session, TaxBillIssued(...))

A consumer applies a fetch of events in one transaction. A handler whose writes are cheaper for
the whole fetch at once hands its event to a :class:`BatchWork` of the transaction instead,
which the consumer flushes once, after the last handler and before the inbox and the commit:

async def on_anything(ctx: HandlerContext) -> None:
    ctx.batched(Projection).add(ctx.envelope, ctx.topic)
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from pydantic import BaseModel
from sqlmodel.ext.asyncio.session import AsyncSession

from cbec.shared.envelope import Envelope

if TYPE_CHECKING:
    from cbec.shared.outbox import Outbox

M = TypeVar("M", bound=BaseModel)


class BatchWork(Protocol):
    """Work that handlers add to during a transaction, written once at its end."""

    async def flush(self, session: AsyncSession) -> None: ...


W = TypeVar("W", bound=BatchWork)


@dataclass(slots=True)
class HandlerContext:
    """What a handler gets: the event, the open transaction, and the outbox to publish with."""

    envelope: Envelope
    session: AsyncSession
    outbox: Outbox
    topic: str
    partition: int
    offset: int
    runtime: Any = None
    """The service's :class:`~cbec.shared.service.Runtime` (settings, http client, ...)."""
    batch: dict[type[Any], Any] = field(default_factory=dict)
    """The transaction's :class:`BatchWork` by kind (shared by the handlers of one fetch)."""

    def parse(self, model: type[M]) -> M:
        return self.envelope.parse(model)

    def batched(self, kind: type[W]) -> W:
        """The transaction's work of ``kind``, made on first use; the consumer flushes it."""
        work = self.batch.get(kind)
        if work is None:
            work = self.batch[kind] = kind()
        assert isinstance(work, kind)
        return work


async def flush_batch(batch: dict[type[Any], Any], session: AsyncSession) -> None:
    """Write what the handlers of a transaction left in its batch work, in the order made."""
    for work in batch.values():
        await work.flush(session)


Handler = Callable[[HandlerContext], Awaitable[None]]
