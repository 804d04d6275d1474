"""The buyers' annual quota: their years, locked, and the entries of their lists.
The buyer's annual quota is checked and reserved in one step: every change to a buyer's year
first takes that year's row (``tax_quota_year``) with ``SELECT ... FOR UPDATE`` on PostgreSQL,
so concurrent reservations of one buyer run one after the other and never pass on the same
room; on SQLite the process's single write connection serialises them already::

    year = await work.quota.open_year(buyer, 2026, also=invt_no)
    ledger = year.ledger(policy)
    year.save(ledger, ledger.reserve(invt_no, buyer, amount, on=day), order_no=order_no)
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from cbec.shared.clock import utcnow
from cbec.tax_refund.domain import (
    ImportTaxPolicy,
    QuotaEntry,
    QuotaLedger,
    QuotaState,
    TaxMode,
)
from cbec.tax_refund.domain.quota import COUNTED
from cbec.tax_refund.models import (
    QuotaEntryRow,
    QuotaYearRow,
    dec,
)


def quota_entry(row: QuotaEntryRow) -> QuotaEntry:
    return QuotaEntry(
        list_key=row.invt_no,
        buyer=row.buyer,
        year=row.year,
        amount=dec(row.amount),
        state=QuotaState(row.state),
        reserved_on=row.reserved_on,
        released_on=row.released_on,
        returned_on=row.returned_on,
    )


class BuyerYear:
    """A buyer's locked year: its row, its entries as a domain ledger, and the save back."""

    def __init__(
        self, session: AsyncSession, row: QuotaYearRow, entries: Sequence[QuotaEntryRow]
    ) -> None:
        self.session = session
        self.row = row
        self.rows = {r.invt_no: r for r in entries}

    def ledger(self, policy: ImportTaxPolicy) -> QuotaLedger:
        mine = (
            r for r in self.rows.values() if (r.buyer, r.year) == (self.row.buyer, self.row.year)
        )
        return QuotaLedger((quota_entry(r) for r in mine), policy)

    def save(
        self,
        ledger: QuotaLedger,
        entry: QuotaEntry,
        *,
        order_no: str,
        mode: str | None = None,
        single_item: bool | None = None,
    ) -> QuotaEntryRow:
        """The year's new total and ``entry`` as the ledger left them."""
        total = ledger.counted(self.row.buyer, self.row.year)
        self.row.counted = str(total)
        self.row.updated_at = utcnow()
        self.session.add(self.row)
        row = self.rows.get(entry.list_key)
        if row is None:
            row = QuotaEntryRow(
                invt_no=entry.list_key,
                order_no=order_no,
                buyer=entry.buyer,
                year=entry.year,
                amount=str(entry.amount),
                state=entry.state.value,
                mode=mode or TaxMode.RETAIL.value,
                single_item=bool(single_item),
                reserved_on=entry.reserved_on,
                year_total_after=str(total),
            )
            self.rows[entry.list_key] = row
        _copy_entry(row, entry, order_no)
        if mode is not None:
            row.mode = mode
        if single_item is not None:
            row.single_item = single_item
        if entry.state in COUNTED:
            row.year_total_after = str(total)
        row.updated_at = utcnow()
        self.session.add(row)
        return row

    @property
    def counted(self) -> Decimal:
        return dec(self.row.counted)


def _copy_entry(row: QuotaEntryRow, entry: QuotaEntry, order_no: str) -> None:
    row.order_no = order_no
    row.buyer = entry.buyer
    row.year = entry.year
    row.amount = str(entry.amount)
    row.state = entry.state.value
    row.reserved_on = entry.reserved_on
    row.released_on = entry.released_on
    row.returned_on = entry.returned_on


class QuotaRepository:
    """The buyers' years and the entries of their lists."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def entry(self, invt_no: str) -> QuotaEntryRow | None:
        """A list's entry as committed now (not as this session last saw it)."""
        result = await self.session.exec(
            select(QuotaEntryRow)
            .where(QuotaEntryRow.invt_no == invt_no)
            .execution_options(populate_existing=True)
        )
        return result.first()

    async def open_year(self, buyer: str, year: int, *, also: str | None = None) -> BuyerYear:
        """Lock the year and load its entries; ``also``: a list whose (cancelled) entry may
        belong to another buyer or year and is about to be reserved again here."""
        row = await self._lock_year(buyer, year)
        result = await self.session.exec(
            select(QuotaEntryRow)
            .where(QuotaEntryRow.buyer == buyer, QuotaEntryRow.year == year)
            .execution_options(populate_existing=True)
        )
        rows = list(result.all())
        if also is not None and all(r.invt_no != also for r in rows):
            extra = await self.entry(also)
            if extra is not None:
                rows.append(extra)
        return BuyerYear(self.session, row, rows)

    async def _lock_year(self, buyer: str, year: int) -> QuotaYearRow:
        """The buyer's year row, created when missing, locked until the transaction ends."""
        values = {"buyer": buyer, "year": year, "counted": "0.00", "updated_at": utcnow()}
        table = QuotaYearRow.__table__  # type: ignore[attr-defined]
        bind = self.session.bind
        if bind is not None and bind.dialect.name == "postgresql":
            statement: Any = pg_insert(table).values(**values).on_conflict_do_nothing()
        else:
            statement = sqlite_insert(table).values(**values).on_conflict_do_nothing()
        await self.session.exec(statement)
        result = await self.session.exec(
            select(QuotaYearRow)
            .where(QuotaYearRow.buyer == buyer, QuotaYearRow.year == year)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return result.one()

    async def reserved_of_order(self, order_no: str) -> list[str]:
        result = await self.session.exec(
            select(QuotaEntryRow.invt_no).where(
                QuotaEntryRow.order_no == order_no,
                QuotaEntryRow.state == QuotaState.RESERVED.value,
            )
        )
        return list(result.all())

    async def of_year(self, buyer: str, year: int) -> Sequence[QuotaEntryRow]:
        result = await self.session.exec(
            select(QuotaEntryRow)
            .where(QuotaEntryRow.buyer == buyer, QuotaEntryRow.year == year)
            .order_by(col(QuotaEntryRow.reserved_on), col(QuotaEntryRow.invt_no))
        )
        return result.all()
