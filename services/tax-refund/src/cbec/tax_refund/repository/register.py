"""The zone's register of e-commerce enterprises and the deemed income tax statements."""

from __future__ import annotations

from sqlalchemy import delete
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from cbec.tax_refund.domain import (
    ZoneEnterprises,
)
from cbec.tax_refund.models import (
    IncomeTaxStatementRow,
    ZoneEnterpriseRow,
)


class ZoneRegisterRepository:
    """The zone's register of e-commerce enterprises, as its data file last loaded it."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def codes(self) -> frozenset[str]:
        return frozenset((await self.session.exec(select(ZoneEnterpriseRow.ebc_code))).all())

    async def small_low_profit(self, ebc_code: str) -> bool:
        enterprise = await self.session.get(ZoneEnterpriseRow, ebc_code)
        return enterprise is not None and enterprise.small_low_profit

    async def replace(self, register: ZoneEnterprises) -> int:
        await self.session.exec(delete(ZoneEnterpriseRow))
        for entry in register.entries.values():
            self.session.add(
                ZoneEnterpriseRow(
                    ebc_code=entry.ebc_code,
                    name=entry.name,
                    small_low_profit=entry.small_low_profit,
                    source=register.source,
                )
            )
        return len(register)


class IncomeStatementRepository:
    """The deemed income tax statements, one per enterprise and year."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get_or_new(self, ebc_code: str, year: int) -> IncomeTaxStatementRow:
        row = await self.session.get(IncomeTaxStatementRow, (ebc_code, year))
        if row is None:
            row = IncomeTaxStatementRow(
                ebc_code=ebc_code,
                year=year,
                revenue="0",
                taxable_income="0",
                tax="0",
                relief_applied=False,
                lines=0,
            )
        return row

    def save(self, row: IncomeTaxStatementRow) -> None:
        self.session.add(row)
