"""The tax service's unit of work: one transaction, its repositories and the outbox.

    async with runtime.transaction() as session:              # an HTTP route
        await use_cases.quota.reserve(TaxWork(session, runtime.outbox), request, policy)

    work = TaxWork(ctx.session, ctx.outbox)                    # an event handler

Routes open their transaction with ``runtime.transaction()`` rather than
``UnitOfWork.begin``: it also wakes the outbox relay when the transaction commits.
"""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from cbec.shared.outbox import Outbox
from cbec.shared.unit_of_work import UnitOfWork
from cbec.tax_refund.repository import (
    ExportRepository,
    IncomeStatementRepository,
    QuotaRepository,
    TaxBillRepository,
    ZoneRegisterRepository,
)


class TaxWork(UnitOfWork):
    """The quota, tax bills, exports, the zone's register and income tax statements."""

    def __init__(self, session: AsyncSession, outbox: Outbox) -> None:
        super().__init__(session, outbox)
        self.quota = QuotaRepository(session)
        self.bills = TaxBillRepository(session)
        self.exports = ExportRepository(session)
        self.register = ZoneRegisterRepository(session)
        self.statements = IncomeStatementRepository(session)
