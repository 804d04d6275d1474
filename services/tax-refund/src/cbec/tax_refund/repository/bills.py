"""The electronic tax bills of import lists, with their lines."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from cbec.shared.clock import utcnow
from cbec.tax_refund.domain import (
    TaxBillStatus,
)
from cbec.tax_refund.models import (
    TaxBillLineRow,
    TaxBillRow,
)


class TaxBillRepository:
    """The electronic tax bills of import lists, with their lines."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, invt_no: str) -> TaxBillRow | None:
        return await self.session.get(TaxBillRow, invt_no)

    async def lines(self, invt_no: str) -> Sequence[TaxBillLineRow]:
        result = await self.session.exec(
            select(TaxBillLineRow)
            .where(TaxBillLineRow.invt_no == invt_no)
            .order_by(col(TaxBillLineRow.gnum))
        )
        return result.all()

    async def add(self, bill: TaxBillRow, lines: Iterable[TaxBillLineRow]) -> None:
        self.session.add(bill)
        await self.session.flush()  # the bill's row before its lines' (foreign key)
        self.session.add_all(list(lines))

    async def void(self, invt_no: str, reason: str) -> TaxBillRow | None:
        """The list's bill made void; None when there is none or it is void already."""
        bill = await self.session.get(TaxBillRow, invt_no)
        if bill is None or bill.status == TaxBillStatus.VOID.value:
            return None
        bill.status = TaxBillStatus.VOID.value
        bill.voided_at = utcnow()
        bill.void_reason = reason[:200]
        self.session.add(bill)
        return bill
