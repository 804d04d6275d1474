"""The rate tables loaded (the newest in force) and the institutions' fee schedules."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from cbec.payments.domain.tables import FeeSchedule, FeeTable
from cbec.payments.models import FeeScheduleRow, RateTableVersionRow


class Tables:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def has_rates(self) -> bool:
        found = await self.session.exec(select(RateTableVersionRow.id).limit(1))
        return found.first() is not None

    async def current_rates(self) -> RateTableVersionRow | None:
        query = select(RateTableVersionRow).order_by(col(RateTableVersionRow.id).desc())
        return (await self.session.exec(query.limit(1))).first()

    async def add_rates(self, version: RateTableVersionRow) -> RateTableVersionRow:
        """File a rate table; it is in force from now on (its version id is assigned)."""
        self.session.add(version)
        await self.session.flush()
        return version

    async def fees(self) -> FeeTable:
        rows = (await self.session.exec(select(FeeScheduleRow))).all()
        return FeeTable(
            {r.pay_code: FeeSchedule(r.pay_code, r.basis_points, r.minimum_fee) for r in rows}
        )

    async def replace_fees(
        self, schedules: Iterable[FeeSchedule], *, source: str, now: datetime
    ) -> None:
        await self.session.exec(delete(FeeScheduleRow))
        self.session.add_all(
            FeeScheduleRow(
                pay_code=schedule.pay_code,
                basis_points=schedule.basis_points,
                minimum_fee=schedule.minimum_fee,
                source=source,
                loaded_at=now,
            )
            for schedule in schedules
        )
