"""Use cases of the tax service: each runs in the caller's transaction (a route's
``runtime.transaction()`` or a consumer's batch), changes state and adds its events to the
outbox. The rules are the domain's (``cbec.tax_refund.domain``, DOMAIN.md §6).

The buyer's annual quota is checked and reserved in one step: every change to a buyer's year
first takes that year's row (``tax_quota_year``) with ``SELECT ... FOR UPDATE`` on PostgreSQL,
so concurrent reservations of one buyer run one after the other and never pass on the same
room; on SQLite the process's single write connection serialises them already.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from cbec.shared.errors import CbecError, Conflict, InvalidInput, NotFound, Violation
from cbec.shared.outbox import Outbox
from cbec.tax_refund import events
from cbec.tax_refund.data import EXAMPLES, load_tables
from cbec.tax_refund.domain import (
    DataFileError,
    ExemptionDecision,
    ExemptionPolicy,
    ExportList,
    ImportList,
    ImportTaxPolicy,
    ImportTaxRefused,
    IncomeTaxPolicy,
    QuotaEntry,
    QuotaLedger,
    QuotaState,
    RefundNotClaimable,
    TaxBillStatus,
    TaxMode,
    TaxTables,
    assess_import_tax,
    buyer_key,
    check_limits,
    compute_export_refund,
    decide_exemption,
    deemed_income_tax,
    deemed_income_taxes,
    issue_tax_bill,
)
from cbec.tax_refund.domain.access import Who, may_read, reads_everything
from cbec.tax_refund.domain.money import ZERO
from cbec.tax_refund.domain.quota import COUNTED as COUNTED_STATES
from cbec.tax_refund.models import (
    ExemptionRecord,
    ExportListRecord,
    IncomeTaxStatementRecord,
    PurchaseInvoiceRecord,
    QuotaEntryRecord,
    QuotaYear,
    RefundRecord,
    TaxBillLineRecord,
    TaxBillRecord,
    ZoneEnterpriseRecord,
    dec,
    utcnow,
)
from cbec.tax_refund.settings import Settings

log = logging.getLogger(__name__)


def now_text() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# --- the data tables ----------------------------------------------------------------------------


class TaxTablesHolder:
    """The loaded data tables; a reload swaps them only when every file loads."""

    def __init__(self, folder: Path, tables: TaxTables) -> None:
        self.folder = folder
        self.tables = tables
        self.loaded_at = now_text()

    @classmethod
    def load(cls, settings: Settings) -> TaxTablesHolder:
        folder = Path(settings.tax_tables_dir) if settings.tax_tables_dir else EXAMPLES
        return cls(folder, load_tables(folder))

    def load_again(self) -> TaxTables:
        """Every file of the folder, loaded again; a malformed one raises DataFileError and
        the tables in use stay as they are."""
        return load_tables(self.folder)

    def use(self, tables: TaxTables) -> None:
        self.tables = tables
        self.loaded_at = now_text()

    def describe(self) -> dict[str, Any]:
        t = self.tables
        return {
            "folder": str(self.folder),
            "loadedAt": self.loaded_at,
            "tables": {
                "hs_rates": {"source": t.rates.source, "entries": len(t.rates)},
                "exchange_rates": {
                    "source": t.exchange_rates.source,
                    "entries": len(t.exchange_rates),
                },
                "excluded_hs": {"source": t.excluded_hs.source, "entries": len(t.excluded_hs)},
                "positive_list": {
                    "source": t.positive_list.source,
                    "entries": len(t.positive_list),
                },
                "income_tax_relief": {
                    "source": t.income_tax_relief.source,
                    "entries": len(t.income_tax_relief.brackets),
                },
                "zone_customs": {"entries": len(t.zone_customs)},
                "zone_enterprises": {
                    "source": t.zone_enterprises.source,
                    "entries": len(t.zone_enterprises),
                },
            },
        }


def reload_failure(error: DataFileError) -> InvalidInput:
    """A data file that does not load, as a 422 naming the file and the line."""
    return InvalidInput(
        [Violation(field=f"{error.source}:{error.line}", rule=error.reason)],
        message=f"{error.source}, line {error.line}: {error.reason}; the last good tables stay",
    )


async def sync_zone_enterprises(session: AsyncSession, tables: TaxTables) -> int:
    """The zone's register in the database is the register's data file, as last loaded."""
    register = tables.zone_enterprises
    await session.exec(delete(ZoneEnterpriseRecord))  # type: ignore[call-overload]
    for entry in register.entries.values():
        session.add(
            ZoneEnterpriseRecord(
                ebc_code=entry.ebc_code,
                name=entry.name,
                small_low_profit=entry.small_low_profit,
                source=register.source,
            )
        )
    return len(register)


def import_policy(settings: Settings) -> ImportTaxPolicy:
    return ImportTaxPolicy(
        single_limit=settings.import_single_limit,
        annual_limit=settings.import_annual_limit,
        retail_share=settings.import_retail_share,
        return_apply_days=settings.import_return_apply_days,
        return_goods_days=settings.import_return_goods_days,
    )


# --- the buyer's annual quota -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReservationRequest:
    invt_no: str
    order_no: str
    buyer_id_number: str
    amount: Decimal
    single_item: bool
    on: date


def reservation_view(record: QuotaEntryRecord) -> dict[str, Any]:
    return {
        "invtNo": record.invt_no,
        "orderNo": record.order_no,
        "buyerIdNumber": record.buyer,
        "year": record.year,
        "reserved": record.amount,
        "mode": record.mode,
        "state": record.state,
        "yearTotalAfter": record.year_total_after,
    }


def _entry(record: QuotaEntryRecord) -> QuotaEntry:
    return QuotaEntry(
        list_key=record.invt_no,
        buyer=record.buyer,
        year=record.year,
        amount=dec(record.amount),
        state=QuotaState(record.state),
        reserved_on=record.reserved_on,
        released_on=record.released_on,
        returned_on=record.returned_on,
    )


async def _fresh_entry(session: AsyncSession, invt_no: str) -> QuotaEntryRecord | None:
    result = await session.exec(
        select(QuotaEntryRecord)
        .where(QuotaEntryRecord.invt_no == invt_no)
        .execution_options(populate_existing=True)
    )
    return result.first()


async def _lock_year(session: AsyncSession, buyer: str, year: int) -> QuotaYear:
    """The buyer's year row, created when missing, locked until the transaction ends."""
    values = {"buyer": buyer, "year": year, "counted": "0.00", "updated_at": utcnow()}
    table = QuotaYear.__table__  # type: ignore[attr-defined]
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        statement: Any = pg_insert(table).values(**values).on_conflict_do_nothing()
    else:
        statement = sqlite_insert(table).values(**values).on_conflict_do_nothing()
    await session.exec(statement)
    result = await session.exec(
        select(QuotaYear)
        .where(QuotaYear.buyer == buyer, QuotaYear.year == year)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return result.one()


class _BuyerYear:
    """A buyer's locked year: its row, its entries as a domain ledger, and the save back."""

    def __init__(
        self, session: AsyncSession, row: QuotaYear, records: Sequence[QuotaEntryRecord]
    ) -> None:
        self.session = session
        self.row = row
        self.records = {r.invt_no: r for r in records}

    @classmethod
    async def open(
        cls, session: AsyncSession, buyer: str, year: int, *, also: str | None = None
    ) -> _BuyerYear:
        """Lock the year and load its entries; ``also``: a list whose (cancelled) entry may
        belong to another buyer or year and is about to be reserved again here."""
        row = await _lock_year(session, buyer, year)
        result = await session.exec(
            select(QuotaEntryRecord)
            .where(QuotaEntryRecord.buyer == buyer, QuotaEntryRecord.year == year)
            .execution_options(populate_existing=True)
        )
        records = list(result.all())
        if also is not None and all(r.invt_no != also for r in records):
            extra = await _fresh_entry(session, also)
            if extra is not None:
                records.append(extra)
        return cls(session, row, records)

    def ledger(self, policy: ImportTaxPolicy) -> QuotaLedger:
        mine = (
            r for r in self.records.values() if (r.buyer, r.year) == (self.row.buyer, self.row.year)
        )
        return QuotaLedger((_entry(r) for r in mine), policy)

    def save(
        self,
        ledger: QuotaLedger,
        entry: QuotaEntry,
        *,
        order_no: str,
        mode: str | None = None,
        single_item: bool | None = None,
    ) -> QuotaEntryRecord:
        total = ledger.counted(self.row.buyer, self.row.year)
        self.row.counted = str(total)
        self.row.updated_at = utcnow()
        self.session.add(self.row)
        record = self.records.get(entry.list_key)
        if record is None:
            record = QuotaEntryRecord(
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
            self.records[entry.list_key] = record
        record.order_no = order_no
        record.buyer = entry.buyer
        record.year = entry.year
        record.amount = str(entry.amount)
        record.state = entry.state.value
        record.reserved_on = entry.reserved_on
        record.released_on = entry.released_on
        record.returned_on = entry.returned_on
        if mode is not None:
            record.mode = mode
        if single_item is not None:
            record.single_item = single_item
        if entry.state in COUNTED_STATES:
            record.year_total_after = str(total)
        record.updated_at = utcnow()
        self.session.add(record)
        return record

    @property
    def counted(self) -> Decimal:
        return dec(self.row.counted)


async def reserve_quota(
    session: AsyncSession, request: ReservationRequest, policy: ImportTaxPolicy
) -> dict[str, Any]:
    """Check the limits and count the list's dutiable value in the buyer's year, atomically.

    Idempotent per invtNo; the same invtNo with another buyer, amount or year is a conflict.
    Over a limit: :class:`ImportTaxRefused` (-621005 / -621018) with the amounts.
    """
    buyer = buyer_key(request.buyer_id_number)
    year = request.on.year
    existing = await _fresh_entry(session, request.invt_no)
    if existing is not None and existing.state != QuotaState.CANCELLED:
        return _same_reservation(existing, buyer, request)
    book = await _BuyerYear.open(session, buyer, year, also=request.invt_no)
    # Another request for the same list may have committed while this one waited for the lock.
    existing = await _fresh_entry(session, request.invt_no)
    if existing is not None and existing.state != QuotaState.CANCELLED:
        return _same_reservation(existing, buyer, request)
    ledger = book.ledger(policy)
    limits = check_limits(
        request.amount,
        annual_used=ledger.counted(buyer, year),
        single_item=request.single_item,
        policy=policy,
    )
    if not limits.passed:
        raise ImportTaxRefused(list(limits.violations), return_status=limits.return_status)
    entry = ledger.reserve(request.invt_no, buyer, request.amount, on=request.on)
    record = book.save(
        ledger,
        entry,
        order_no=request.order_no,
        mode=limits.mode.value,
        single_item=request.single_item,
    )
    return reservation_view(record)


def _same_reservation(
    existing: QuotaEntryRecord, buyer: str, request: ReservationRequest
) -> dict[str, Any]:
    asked = (buyer, request.amount, request.on.year)
    held = (existing.buyer, dec(existing.amount), existing.year)
    if asked != held:
        raise Conflict(
            f"list {request.invt_no} already holds a reservation of {held[1]} for buyer "
            f"{held[0]} in {held[2]}",
            [
                Violation(
                    field="invtNo",
                    rule="the list already holds a different reservation; cancel it first",
                    value=f"{buyer} {request.amount} {request.on.year}",
                    expected=f"{held[0]} {held[1]} {held[2]}",
                )
            ],
        )
    return reservation_view(existing)


async def cancel_reservation(session: AsyncSession, invt_no: str, policy: ImportTaxPolicy) -> bool:
    """Drop a reservation of a list not released; idempotent. False when none was held."""
    existing = await _fresh_entry(session, invt_no)
    if existing is None or existing.state == QuotaState.CANCELLED:
        return False
    book = await _BuyerYear.open(session, existing.buyer, existing.year)
    ledger = book.ledger(policy)
    current = ledger.entry(invt_no)
    if current.state is QuotaState.CANCELLED:
        return False
    if current.state is not QuotaState.RESERVED:
        raise Conflict(
            f"list {invt_no} is {current.state.value}: a released list is withdrawn by revocation",
            [
                Violation(
                    field="invtNo",
                    rule="only a reservation of a list not yet released can be cancelled",
                    value=current.state.value,
                    expected=QuotaState.RESERVED.value,
                )
            ],
        )
    book.save(ledger, ledger.cancel(invt_no), order_no=existing.order_no)
    return True


async def quota_view(
    session: AsyncSession, buyer_id_number: str, year: int, policy: ImportTaxPolicy
) -> dict[str, Any]:
    buyer = buyer_key(buyer_id_number)
    result = await session.exec(
        select(QuotaEntryRecord)
        .where(QuotaEntryRecord.buyer == buyer, QuotaEntryRecord.year == year)
        .order_by(col(QuotaEntryRecord.reserved_on), col(QuotaEntryRecord.invt_no))
    )
    records = result.all()
    ledger = QuotaLedger((_entry(r) for r in records), policy)
    counted = ledger.counted(buyer, year)
    return {
        "buyerIdNumber": buyer,
        "year": year,
        "limit": str(policy.annual_limit),
        "counted": str(counted),
        "room": str(ledger.room(buyer, year)),
        "entries": [
            {
                "invtNo": r.invt_no,
                "orderNo": r.order_no,
                "amount": r.amount,
                "state": r.state,
                "mode": r.mode,
                "reservedOn": r.reserved_on.isoformat(),
                "releasedOn": r.released_on.isoformat() if r.released_on else None,
                "returnedOn": r.returned_on.isoformat() if r.returned_on else None,
            }
            for r in records
        ],
    }


# --- import tax ---------------------------------------------------------------------------------


def tax_no_for(invt_no: str) -> str:
    """The tax bill's number: the list's number with T for I (customs code + year + serial)."""
    if len(invt_no) == 18 and invt_no[8] == "I":
        return f"{invt_no[:8]}T{invt_no[9:]}"
    return f"T{invt_no}"


def _event_mode(mode: TaxMode) -> str:
    return "general" if mode is TaxMode.GENERAL_TRADE else "retail"


async def assess_released_list(
    session: AsyncSession,
    outbox: Outbox,
    import_list: ImportList,
    *,
    order_no: str,
    released_on: date,
    tables: TaxTables,
    policy: ImportTaxPolicy,
) -> None:
    """A released import list: its reservation becomes a use and its tax bill is issued
    (ImportTaxAssessed); without a reservation one is made now, or the list is refused
    (ImportTaxRefused) with every failed rule."""
    invt_no = import_list.invt_no or ""
    if await session.get(TaxBillRecord, invt_no) is not None:
        return
    buyer = import_list.buyer
    existing = await _fresh_entry(session, invt_no)
    held = existing is not None and existing.state in COUNTED_STATES
    year = existing.year if existing is not None and held else released_on.year
    if existing is not None and held and existing.buyer != buyer:
        raise Conflict(
            f"list {invt_no} was reserved for another buyer",
            [Violation(field="buyerIdNumber", rule="differs from the reservation", value=buyer)],
        )
    book = await _BuyerYear.open(session, buyer, year, also=invt_no)
    ledger = book.ledger(policy)
    others = ledger.counted(buyer, year) - (ledger.entry(invt_no).counted if held else ZERO)
    try:
        assessment = assess_import_tax(
            import_list,
            annual_used=others,
            rates=tables.rates,
            positive_list=tables.positive_list,
            policy=policy,
        )
    except ImportTaxRefused as refusal:
        if held:
            book.save(ledger, ledger.withdraw(invt_no), order_no=order_no)
        outbox.add(
            session,
            events.ImportTaxRefused(
                orderNo=order_no,
                invtNo=invt_no,
                buyerIdNumber=buyer,
                returnStatus=str(refusal.return_status),
                returnInfo=refusal.return_info[:1000],
                refusedAt=now_text(),
            ),
        )
        return
    amount = assessment.dutiable_value
    reserved_on = released_on
    if held:
        current = ledger.entry(invt_no)
        reserved_on = current.reserved_on
        if current.amount != amount or current.state is not QuotaState.RESERVED:
            # The list's dutiable value differs from what was reserved: count the assessed one.
            ledger.withdraw(invt_no)
    ledger.reserve(invt_no, buyer, amount, on=reserved_on)
    entry = ledger.use(invt_no, released_on=max(released_on, reserved_on))
    record = book.save(
        ledger,
        entry,
        order_no=order_no,
        mode=assessment.mode.value,
        single_item=import_list.is_single_item,
    )
    bill = issue_tax_bill(assessment, import_list, tax_no=tax_no_for(invt_no))
    assessed_at = now_text()
    retail = assessment.mode is TaxMode.RETAIL
    session.add(
        TaxBillRecord(
            invt_no=invt_no,
            tax_no=bill.tax_no,
            order_no=order_no,
            buyer=buyer,
            mode=assessment.mode.value,
            status=bill.status.value,
            customs_tax=str(bill.customs_tax),
            value_added_tax=str(bill.value_added_tax),
            consumption_tax=str(bill.consumption_tax),
            total_tax=str(bill.total_tax),
            dutiable_value=str(amount),
            assure_code=bill.assure_code,
            ebc_code=bill.ebc_code,
            customs_code=bill.customs_code,
            year=entry.year,
            year_total_after=record.year_total_after,
            assessed_at=assessed_at,
        )
    )
    await session.flush()  # the bill's row before its lines' (foreign key)
    lines: list[events.TaxLine] = []
    for line in bill.lines:
        rates = tables.rates.find(line.gcode)
        assert rates is not None  # the assessment refused a line without rates
        tariff_rate = Decimal(0) if retail else rates.tariff_rate
        session.add(
            TaxBillLineRecord(
                invt_no=invt_no,
                gnum=line.gnum,
                gcode=line.gcode,
                tax_price=str(line.tax_price),
                tariff_rate=str(tariff_rate),
                vat_rate=str(rates.vat_rate),
                consumption_rate=str(rates.consumption_tax_rate),
                customs_tax=str(line.customs_tax),
                value_added_tax=str(line.value_added_tax),
                consumption_tax=str(line.consumption_tax),
            )
        )
        lines.append(
            events.TaxLine(
                gnum=line.gnum,
                gcode=line.gcode,
                dutiableValue=line.tax_price,
                tariffRate=tariff_rate,
                vatRate=rates.vat_rate,
                consumptionRate=rates.consumption_tax_rate,
                tariff=line.customs_tax,
                vat=line.value_added_tax,
                consumptionTax=line.consumption_tax,
            )
        )
    outbox.add(
        session,
        events.ImportTaxAssessed(
            orderNo=order_no,
            invtNo=invt_no,
            taxNo=bill.tax_no,
            buyerIdNumber=buyer,
            mode=_event_mode(assessment.mode),  # type: ignore[arg-type]
            assureCode=bill.assure_code,
            lines=tuple(lines),
            total=bill.total_tax,
            yearTotalAfter=dec(record.year_total_after),
            assessedAt=assessed_at,
        ),
    )


async def _void_bill(session: AsyncSession, invt_no: str, reason: str) -> TaxBillRecord | None:
    bill = await session.get(TaxBillRecord, invt_no)
    if bill is None or bill.status == TaxBillStatus.VOID.value:
        return None
    bill.status = TaxBillStatus.VOID.value
    bill.voided_at = utcnow()
    bill.void_reason = reason[:200]
    session.add(bill)
    return bill


async def list_rejected(
    session: AsyncSession, invt_no: str | None, order_no: str, policy: ImportTaxPolicy
) -> None:
    """An import list rejected (100): its reservation no longer counts."""
    keys: list[str] = []
    if invt_no:
        keys.append(invt_no)
    else:
        result = await session.exec(
            select(QuotaEntryRecord.invt_no).where(
                QuotaEntryRecord.order_no == order_no,
                QuotaEntryRecord.state == QuotaState.RESERVED.value,
            )
        )
        keys.extend(result.all())
    for key in keys:
        existing = await _fresh_entry(session, key)
        if existing is not None and existing.state == QuotaState.RESERVED.value:
            await cancel_reservation(session, key, policy)


async def list_revoked(session: AsyncSession, invt_no: str, policy: ImportTaxPolicy) -> None:
    """An import list revoked (CEB623): the goods are not imported; its amount stops counting
    and its tax bill is void."""
    existing = await _fresh_entry(session, invt_no)
    if existing is not None and existing.state in COUNTED_STATES:
        book = await _BuyerYear.open(session, existing.buyer, existing.year)
        ledger = book.ledger(policy)
        book.save(ledger, ledger.withdraw(invt_no), order_no=existing.order_no)
    await _void_bill(session, invt_no, "list revoked")


async def import_returned(
    session: AsyncSession,
    outbox: Outbox,
    *,
    invt_no: str,
    order_no: str,
    applied_on: date,
    goods_back_on: date,
    policy: ImportTaxPolicy,
) -> bool:
    """An import return came back: within the window (30 days to apply, 45 to be back, from
    release; 财关税〔2018〕49号) the buyer's amount is restored and the tax bill void
    (QuotaRestored). Returns whether it was restored."""
    existing = await _fresh_entry(session, invt_no)
    if existing is None:
        raise NotFound(
            f"no quota entry for list {invt_no}",
            [Violation(field="invtNo", rule="the tax service never saw this list", value=invt_no)],
        )
    if existing.state == QuotaState.RESTORED.value:
        return True
    book = await _BuyerYear.open(session, existing.buyer, existing.year)
    ledger = book.ledger(policy)
    outcome = ledger.restore_on_return(invt_no, applied_on=applied_on, goods_back_on=goods_back_on)
    if not outcome.restored:
        log.info(
            "return of %s outside the window: %s",
            invt_no,
            "; ".join(str(v) for v in outcome.reasons),
        )
        return False
    book.save(ledger, outcome.entry, order_no=existing.order_no)
    bill = await _void_bill(session, invt_no, "returned within the window")
    outbox.add(
        session,
        events.QuotaRestored(
            orderNo=existing.order_no or order_no,
            invtNo=invt_no,
            buyerIdNumber=existing.buyer,
            year=existing.year,
            restored=outcome.entry.amount,
            yearTotalAfter=book.counted,
            taxVoided=dec(bill.total_tax) if bill is not None else ZERO,
            restoredAt=now_text(),
        ),
    )
    return True


async def tax_bill_view(session: AsyncSession, who: Who, invt_no: str) -> dict[str, Any]:
    """The tax bill of an import list, for the enterprises it names and the officers."""
    bill = await session.get(TaxBillRecord, invt_no)
    if bill is None or not may_read(who, [bill.ebc_code, bill.assure_code]):
        raise NotFound(
            f"no tax bill for list {invt_no}",
            [Violation(field="invtNo", rule="no tax bill was issued for this list", value=invt_no)],
        )
    result = await session.exec(
        select(TaxBillLineRecord)
        .where(TaxBillLineRecord.invt_no == invt_no)
        .order_by(col(TaxBillLineRecord.gnum))
    )
    return {
        "invtNo": bill.invt_no,
        "taxNo": bill.tax_no,
        "orderNo": bill.order_no,
        "buyerIdNumber": bill.buyer,
        "mode": bill.mode,
        "status": bill.status,
        "customsTax": bill.customs_tax,
        "valueAddedTax": bill.value_added_tax,
        "consumptionTax": bill.consumption_tax,
        "totalTax": bill.total_tax,
        "dutiableValue": bill.dutiable_value,
        "assureCode": bill.assure_code,
        "year": bill.year,
        "yearTotalAfter": bill.year_total_after,
        "assessedAt": bill.assessed_at,
        "voidedAt": bill.voided_at.isoformat() if bill.voided_at else None,
        "voidReason": bill.void_reason,
        "lines": [
            {
                "gnum": line.gnum,
                "gcode": line.gcode,
                "taxPrice": line.tax_price,
                "tariffRate": line.tariff_rate,
                "vatRate": line.vat_rate,
                "consumptionRate": line.consumption_rate,
                "customsTax": line.customs_tax,
                "valueAddedTax": line.value_added_tax,
                "consumptionTax": line.consumption_tax,
            }
            for line in result.all()
        ],
    }


# --- exports: exemption, refund, deemed income tax ----------------------------------------------


async def _exemption_policy(session: AsyncSession, tables: TaxTables) -> ExemptionPolicy:
    result = await session.exec(select(ZoneEnterpriseRecord.ebc_code))
    return ExemptionPolicy(
        registered_enterprises=frozenset(result.all()),
        zone_customs=tables.zone_customs,
        excluded_hs=tables.excluded_hs,
    )


class NotTheConsignor(CbecError):
    """Purchase invoices of a list registered by an enterprise that is not its consignor."""

    status_code = 403
    code = "forbidden"


async def _invoiced_lines(session: AsyncSession, invt_no: str, consignor: str) -> set[int]:
    """The lines of a list with purchase invoices of its consignor (the list's ``ebcCode``):
    another enterprise's invoices do not make a line refundable."""
    result = await session.exec(
        select(PurchaseInvoiceRecord.gnum).where(
            PurchaseInvoiceRecord.invt_no == invt_no,
            PurchaseInvoiceRecord.registered_by == consignor,
        )
    )
    return set(result.all())


async def export_list_closed(
    session: AsyncSession,
    outbox: Outbox,
    export_list: ExportList,
    *,
    order_no: str,
    closed_at: str,
    tables: TaxTables,
) -> None:
    """A closed export list: every line without purchase invoices is judged for the exemption
    (ExemptionDecided); the invoiced lines take the refund (RefundComputed) when claimable."""
    if await session.get(ExportListRecord, export_list.invt_no) is not None:
        return
    session.add(
        ExportListRecord(
            invt_no=export_list.invt_no,
            order_no=order_no,
            ebc_code=export_list.ebc_code,
            document=export_list.model_dump_json(by_alias=True),
            closed_at=closed_at,
        )
    )
    invoiced = await _invoiced_lines(session, export_list.invt_no, export_list.ebc_code)
    policy = await _exemption_policy(session, tables)
    decided_at = now_text()
    for decision in decide_exemption(export_list, policy):
        if decision.gnum in invoiced:
            continue
        _record_exemption(session, outbox, decision, export_list, order_no, decided_at)
    if invoiced:
        _refund(session, outbox, export_list, invoiced, order_no=order_no, tables=tables)


def _record_exemption(
    session: AsyncSession,
    outbox: Outbox,
    decision: ExemptionDecision,
    export_list: ExportList,
    order_no: str,
    decided_at: str,
) -> None:
    reasons = [str(v) for v in decision.reasons]
    session.add(
        ExemptionRecord(
            invt_no=decision.invt_no,
            gnum=decision.gnum,
            order_no=order_no,
            ebc_code=decision.ebc_code,
            gcode=decision.gcode,
            customs_code=export_list.customs_code,
            ie_date=decision.ie_date,
            currency=decision.currency,
            amount=str(decision.total_price),
            exempt=decision.exempt,
            reasons=json.dumps(reasons, ensure_ascii=False),
            decided_at=decided_at,
        )
    )
    outbox.add(
        session,
        events.ExemptionDecided(
            orderNo=order_no,
            invtNo=decision.invt_no,
            gnum=decision.gnum,
            ebcCode=decision.ebc_code,
            gcode=decision.gcode,
            customsCode=export_list.customs_code,
            exempt=decision.exempt,
            reasons=tuple(reasons),
            amount=decision.total_price,
            currency=decision.currency,
            decidedAt=decided_at,
        ),
    )


def _refund(
    session: AsyncSession,
    outbox: Outbox,
    export_list: ExportList,
    gnums: Iterable[int],
    *,
    order_no: str,
    tables: TaxTables,
) -> None:
    wanted = set(gnums)
    lines = tuple(line for line in export_list.lines if line.gnum in wanted)
    if not lines:
        return
    claimed = export_list.model_copy(update={"lines": lines})
    computed_at = now_text()
    try:
        claim = compute_export_refund(
            claimed, rates=tables.rates, exchange_rates=tables.exchange_rates
        )
    except RefundNotClaimable as refusal:
        reasons = json.dumps([str(v) for v in refusal.violations], ensure_ascii=False)
        for line in lines:
            session.add(
                RefundRecord(
                    invt_no=export_list.invt_no,
                    gnum=line.gnum,
                    order_no=order_no,
                    ebc_code=export_list.ebc_code,
                    gcode=line.gcode,
                    claimable=False,
                    fob_value=str(line.total_price),
                    currency=line.currency,
                    reasons=reasons,
                    computed_at=computed_at,
                )
            )
        return
    for refund_line in claim.lines:
        session.add(
            RefundRecord(
                invt_no=export_list.invt_no,
                gnum=refund_line.gnum,
                order_no=order_no,
                ebc_code=export_list.ebc_code,
                gcode=refund_line.gcode,
                claimable=True,
                fob_value=str(refund_line.fob_value),
                currency=refund_line.currency,
                exchange_rate=str(refund_line.exchange_rate),
                fob_cny=str(refund_line.fob_value_cny),
                refund_rate=str(refund_line.refund_rate),
                refund=str(refund_line.refund),
                reasons="[]",
                computed_at=computed_at,
            )
        )
    outbox.add(
        session,
        events.RefundComputed(
            orderNo=order_no,
            invtNo=export_list.invt_no,
            ebcCode=export_list.ebc_code,
            fobCny=claim.fob_value_cny,
            rate=claim.lines[0].exchange_rate,
            refund=claim.refund,
            lines=tuple(
                {
                    "gnum": line.gnum,
                    "gcode": line.gcode,
                    "fobCny": str(line.fob_value_cny),
                    "refundRate": str(line.refund_rate),
                    "refund": str(line.refund),
                }
                for line in claim.lines
            ),
            computedAt=computed_at,
        ),
    )


@dataclass(frozen=True, slots=True)
class InvoiceLine:
    gnum: int
    invoice_no: str
    amount: Decimal | None


async def register_invoices(
    session: AsyncSession,
    outbox: Outbox,
    *,
    invt_no: str,
    lines: Sequence[InvoiceLine],
    party: str,
    tables: TaxTables,
) -> dict[str, Any]:
    """Purchase invoices of an export list's lines, by its consignor. Before the list closes
    they route those lines to the refund (the consignor's only: the list names it when it
    closes); after, the lines' exemption is superseded and the refund computed now; another
    enterprise is refused. Idempotent per (invtNo, gnum, invoiceNo)."""
    known = await session.get(ExportListRecord, invt_no)
    export_list = ExportList.model_validate_json(known.document) if known is not None else None
    if export_list is not None and party != export_list.ebc_code:
        raise NotTheConsignor(
            f"list {invt_no} is not an export of {party}",
            [
                Violation(
                    field="invtNo",
                    rule="purchase invoices are registered by the list's consignor (ebcCode)",
                    value=party,
                    expected=export_list.ebc_code,
                )
            ],
        )
    if export_list is not None:
        gnums = {line.gnum for line in export_list.lines}
        unknown = [line.gnum for line in lines if line.gnum not in gnums]
        if unknown:
            raise InvalidInput(
                [
                    Violation(field="lines.gnum", rule="the list has no such line", value=gnum)
                    for gnum in unknown
                ]
            )
    on_file = {
        (row.gnum, row.invoice_no): row.registered_by
        for row in (
            await session.exec(
                select(PurchaseInvoiceRecord).where(
                    PurchaseInvoiceRecord.invt_no == invt_no,
                    col(PurchaseInvoiceRecord.gnum).in_({line.gnum for line in lines}),
                )
            )
        ).all()
    }
    taken = [
        Violation(
            field=f"lines[{position}].invoiceNo",
            rule="an invoice of a list line is registered once, and only by the enterprise that "
            "registered it sends it again",
            value=line.invoice_no,
        )
        for position, line in enumerate(lines)
        if on_file.get((line.gnum, line.invoice_no), party) != party
    ]
    if taken:
        raise Conflict(f"purchase invoices of list {invt_no} refused", taken)
    before = await _invoiced_lines(session, invt_no, party)
    for line in lines:
        if (line.gnum, line.invoice_no) not in on_file:
            on_file[(line.gnum, line.invoice_no)] = party
            session.add(
                PurchaseInvoiceRecord(
                    invt_no=invt_no,
                    gnum=line.gnum,
                    invoice_no=line.invoice_no,
                    amount=str(line.amount) if line.amount is not None else None,
                    registered_by=party,
                )
            )
    newly = {line.gnum for line in lines} - before
    if export_list is not None and known is not None and newly:
        for gnum in newly:
            decision = await session.get(ExemptionRecord, (invt_no, gnum))
            if decision is not None:
                decision.superseded = True
                session.add(decision)
        _refund(session, outbox, export_list, newly, order_no=known.order_no, tables=tables)
    return await invoices_view(session, invt_no, party)


async def invoices_view(session: AsyncSession, invt_no: str, party: str | None) -> dict[str, Any]:
    """The invoices of a list and its refunds: those ``party`` registered and the refunds of
    its own lists (``None``: everything, for the officers)."""
    invoice_query = select(PurchaseInvoiceRecord).where(PurchaseInvoiceRecord.invt_no == invt_no)
    refund_query = select(RefundRecord).where(RefundRecord.invt_no == invt_no)
    if party is not None:
        invoice_query = invoice_query.where(PurchaseInvoiceRecord.registered_by == party)
        refund_query = refund_query.where(RefundRecord.ebc_code == party)
    invoices = await session.exec(
        invoice_query.order_by(
            col(PurchaseInvoiceRecord.gnum), col(PurchaseInvoiceRecord.invoice_no)
        )
    )
    refunds = await session.exec(refund_query.order_by(col(RefundRecord.gnum)))
    return {
        "invtNo": invt_no,
        "invoices": [
            {"gnum": i.gnum, "invoiceNo": i.invoice_no, "amount": i.amount} for i in invoices.all()
        ],
        "refunds": [_refund_view(r) for r in refunds.all()],
    }


def _refund_view(record: RefundRecord) -> dict[str, Any]:
    return {
        "gnum": record.gnum,
        "gcode": record.gcode,
        "claimable": record.claimable,
        "fobValue": record.fob_value,
        "currency": record.currency,
        "exchangeRate": record.exchange_rate,
        "fobCny": record.fob_cny,
        "refundRate": record.refund_rate,
        "refund": record.refund,
        "reasons": json.loads(record.reasons),
    }


async def export_view(session: AsyncSession, who: Who, invt_no: str) -> dict[str, Any]:
    """The tax outcome of an export list: each line's exemption and refund; for its consignor
    (and the invoices an enterprise registered, for that one), officers and operators."""
    party = None if reads_everything(who) else (who.party or "")
    known = await session.get(ExportListRecord, invt_no)
    if known is not None and party is not None and known.ebc_code != party:
        known = None
    exemption_query = select(ExemptionRecord).where(ExemptionRecord.invt_no == invt_no)
    if party is not None:
        exemption_query = exemption_query.where(ExemptionRecord.ebc_code == party)
    exemptions = await session.exec(exemption_query.order_by(col(ExemptionRecord.gnum)))
    found = exemptions.all()
    view = await invoices_view(session, invt_no, party)
    if known is None and not found and not view["invoices"]:
        raise NotFound(
            f"the tax service holds nothing of list {invt_no}",
            [Violation(field="invtNo", rule="unknown export list", value=invt_no)],
        )
    return {
        **view,
        "closed": known is not None,
        "exemptions": [
            {
                "gnum": e.gnum,
                "gcode": e.gcode,
                "exempt": e.exempt,
                "superseded": e.superseded,
                "amount": e.amount,
                "currency": e.currency,
                "reasons": json.loads(e.reasons),
            }
            for e in found
        ],
    }


async def income_tax_statement(
    session: AsyncSession, who: Who, ebc_code: str, year: int, tables: TaxTables
) -> dict[str, Any]:
    """The deemed income tax of an enterprise's year from its exempt export lines (revenue ×
    4% × the rate; 国家税务总局公告2019年第36号), recorded as its statement; for the enterprise
    itself, officers and operators (not on file for anyone else)."""
    if not may_read(who, [ebc_code]):
        raise NotFound(
            f"no income tax statement of {ebc_code} for {year}",
            [Violation(field="ebcCode", rule="must be the calling enterprise", value=ebc_code)],
        )
    result = await session.exec(
        select(ExemptionRecord).where(
            ExemptionRecord.ebc_code == ebc_code,
            col(ExemptionRecord.exempt).is_(True),
            col(ExemptionRecord.superseded).is_(False),
        )
    )
    decisions = [
        ExemptionDecision(
            invt_no=r.invt_no,
            gnum=r.gnum,
            gcode=r.gcode,
            ebc_code=r.ebc_code,
            ie_date=r.ie_date,
            currency=r.currency,
            total_price=dec(r.amount),
            exempt=True,
        )
        for r in result.all()
        if r.ie_date.year == year
    ]
    enterprise = await session.get(ZoneEnterpriseRecord, ebc_code)
    relieved = enterprise is not None and enterprise.small_low_profit
    small = frozenset({ebc_code}) if relieved else None
    policy = IncomeTaxPolicy(relief=tables.income_tax_relief)
    found = deemed_income_taxes(
        decisions, tables.exchange_rates, policy=policy, small_low_profit=small or frozenset()
    )
    if found:
        (statement,) = found
    else:
        statement = deemed_income_tax(
            ebc_code, year, ZERO, policy=policy, small_low_profit=small is not None
        )
    record = await session.get(IncomeTaxStatementRecord, (ebc_code, year))
    if record is None:
        record = IncomeTaxStatementRecord(
            ebc_code=ebc_code,
            year=year,
            revenue="0",
            taxable_income="0",
            tax="0",
            relief_applied=False,
            lines=0,
        )
    record.revenue = str(statement.revenue)
    record.taxable_income = str(statement.taxable_income)
    record.tax = str(statement.tax)
    record.relief_applied = statement.relief_applied
    record.lines = len(decisions)
    record.computed_at = utcnow()
    session.add(record)
    return {
        "ebcCode": ebc_code,
        "year": year,
        "exemptLines": len(decisions),
        "revenue": str(statement.revenue),
        "deemedProfitRate": str(policy.deemed_profit_rate),
        "taxableIncome": str(statement.taxable_income),
        "tax": str(statement.tax),
        "reliefApplied": statement.relief_applied,
        "standardRate": str(policy.standard_rate),
        "computedAt": record.computed_at.isoformat(),
    }
