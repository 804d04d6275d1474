"""One transaction of the payments service: its repositories and the outbox.

async with PaymentsWork.of(runtime) as work:          # HTTP and the schedule
    await use_cases.documents.submit(work, VOUCHERS, batch, who=who, now=utcnow())

work = PaymentsWork(ctx.session, ctx.outbox)     # event handlers
"""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from cbec.payments.repository import Flags, OrderLedgers, Receipts, Settlements, Tables, Vouchers
from cbec.shared.outbox import Outbox
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
