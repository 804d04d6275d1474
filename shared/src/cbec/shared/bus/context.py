"""What an event handler is given: the event's envelope, the open transaction and the outbox.

async def on_list_released(ctx: HandlerContext) -> None:
    released = ctx.parse(ListReleased)
    ctx.outbox.add(ctx.session, TaxBillIssued(...))
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel
from sqlmodel.ext.asyncio.session import AsyncSession

from cbec.shared.envelope import Envelope

if TYPE_CHECKING:
    from cbec.shared.outbox import Outbox

M = TypeVar("M", bound=BaseModel)


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

    def parse(self, model: type[M]) -> M:
        return self.envelope.parse(model)


Handler = Callable[[HandlerContext], Awaitable[None]]
