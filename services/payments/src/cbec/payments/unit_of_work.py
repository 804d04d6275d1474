"""One transaction of the payments service: its repositories and the outbox.

async with transaction(runtime) as work:          # HTTP and the schedule
    await use_cases.documents.submit(work, VOUCHERS, batch, who=who, now=utcnow())

work = PaymentsWork(ctx.session, ctx.outbox)     # event handlers
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlmodel.ext.asyncio.session import AsyncSession

from cbec.payments.repository import Flags, OrderLedgers, Receipts, Settlements, Tables, Vouchers
from cbec.shared.outbox import Outbox
from cbec.shared.service import Runtime
from cbec.shared.unit_of_work import UnitOfWork


class PaymentsWork(UnitOfWork):
    def __init__(self, session: AsyncSession, outbox: Outbox) -> None:
        super().__init__(session, outbox)
        self.vouchers = Vouchers(session)
        self.receipts = Receipts(session)
        self.orders = OrderLedgers(session)
        self.settlements = Settlements(session)
        self.flags = Flags(session)
        self.tables = Tables(session)


@asynccontextmanager
async def transaction(runtime: Runtime) -> AsyncIterator[PaymentsWork]:
    """A unit of work in the runtime's transaction (committed, then the relay woken)."""
    async with runtime.transaction() as session:
        yield PaymentsWork(session, runtime.outbox)
