"""The rate tables loaded (the newest in force) and the institutions' fee schedules."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from cbec.payments.domain.tables import FeeSchedule, FeeTable, RateTableVersion
from cbec.payments.models import FeeScheduleRow, RateTableVersionRow


def _version(row: RateTableVersionRow) -> RateTableVersion:
    assert row.id is not None
    return RateTableVersion(row.id, row.source, row.rates, row.loaded_by, row.loaded_at)


class Tables:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def has_rates(self) -> bool:
        found = await self.session.exec(select(RateTableVersionRow.id).limit(1))
        return found.first() is not None

    async def current_rates(self) -> tuple[str, RateTableVersion] | None:
        """The rate table in force (its CSV text) and its version, if any is loaded."""
        query = select(RateTableVersionRow).order_by(col(RateTableVersionRow.id).desc())
        row = (await self.session.exec(query.limit(1))).first()
        return None if row is None else (row.content, _version(row))

    async def add_rates(
        self, text: str, *, source: str, rates: int, loaded_by: str | None, now: datetime
    ) -> RateTableVersion:
        """File a rate table (its CSV text); it is in force from now on."""
        row = RateTableVersionRow(
            source=source, content=text, rates=rates, loaded_by=loaded_by, loaded_at=now
        )
        self.session.add(row)
        await self.session.flush()
        return _version(row)

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
