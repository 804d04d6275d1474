"""Import lists as the declaration and logistics services report them: released (the quota is
used and the tax bill issued, or the list refused), rejected, revoked, and returned within the
window (财关税〔2018〕49号, DOMAIN.md §6.4).
"""

from __future__ import annotations

import logging
from datetime import date
from decimal import Decimal

from cbec.shared.errors import Conflict, NotFound, Violation
from cbec.tax_refund import events
from cbec.tax_refund.domain import (
    ImportList,
    ImportTaxAssessment,
    ImportTaxPolicy,
    ImportTaxRefused,
    QuotaEntry,
    QuotaLedger,
    QuotaState,
    TaxBill,
    TaxMode,
    TaxTables,
    assess_import_tax,
    event_mode,
    issue_tax_bill,
    tax_no_for,
)
from cbec.tax_refund.domain.money import ZERO
from cbec.tax_refund.domain.quota import COUNTED
from cbec.tax_refund.models import QuotaEntryRow, TaxBillLineRow, TaxBillRow, dec
from cbec.tax_refund.repository import BuyerYear
from cbec.tax_refund.unit_of_work import TaxWork
from cbec.tax_refund.use_cases import now_text, quota

log = logging.getLogger(__name__)


async def list_released(
    work: TaxWork,
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
    if await work.bills.get(invt_no) is not None:
        return
    buyer = import_list.buyer
    existing = await work.quota.entry(invt_no)
    held = existing is not None and existing.state in COUNTED
    year = existing.year if existing is not None and held else released_on.year
    if existing is not None and held and existing.buyer != buyer:
        raise Conflict(
            f"list {invt_no} was reserved for another buyer",
            [Violation(field="buyerIdNumber", rule="differs from the reservation", value=buyer)],
        )
    book = await work.quota.open_year(buyer, year, also=invt_no)
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
        _refuse(work, book, ledger, refusal, import_list, order_no=order_no, held=held)
        return
    entry, row = _use(book, ledger, assessment, import_list, order_no, released_on, held=held)
    await _issue_bill(work, assessment, import_list, entry, row, order_no=order_no, tables=tables)


def _refuse(
    work: TaxWork,
    book: BuyerYear,
    ledger: QuotaLedger,
    refusal: ImportTaxRefused,
    import_list: ImportList,
    *,
    order_no: str,
    held: bool,
) -> None:
    invt_no = import_list.invt_no or ""
    if held:
        book.save(ledger, ledger.withdraw(invt_no), order_no=order_no)
    work.publish(
        events.ImportTaxRefused(
            orderNo=order_no,
            invtNo=invt_no,
            buyerIdNumber=import_list.buyer,
            returnStatus=str(refusal.return_status),
            returnInfo=refusal.return_info[:1000],
            refusedAt=now_text(),
        )
    )


def _use(
    book: BuyerYear,
    ledger: QuotaLedger,
    assessment: ImportTaxAssessment,
    import_list: ImportList,
    order_no: str,
    released_on: date,
    *,
    held: bool,
) -> tuple[QuotaEntry, QuotaEntryRow]:
    """The assessed dutiable value counted as used in the buyer's year."""
    invt_no = import_list.invt_no or ""
    amount = assessment.dutiable_value
    reserved_on = released_on
    if held:
        current = ledger.entry(invt_no)
        reserved_on = current.reserved_on
        if current.amount != amount or current.state is not QuotaState.RESERVED:
            # The list's dutiable value differs from what was reserved: count the assessed one.
            ledger.withdraw(invt_no)
    ledger.reserve(invt_no, import_list.buyer, amount, on=reserved_on)
    entry = ledger.use(invt_no, released_on=max(released_on, reserved_on))
    row = book.save(
        ledger,
        entry,
        order_no=order_no,
        mode=assessment.mode.value,
        single_item=import_list.is_single_item,
    )
    return entry, row


async def _issue_bill(
    work: TaxWork,
    assessment: ImportTaxAssessment,
    import_list: ImportList,
    entry: QuotaEntry,
    quota_row: QuotaEntryRow,
    *,
    order_no: str,
    tables: TaxTables,
) -> None:
    invt_no = import_list.invt_no or ""
    bill = issue_tax_bill(assessment, import_list, tax_no=tax_no_for(invt_no))
    assessed_at = now_text()
    lines = _bill_lines(bill, assessment.mode, tables)
    await work.bills.add(
        TaxBillRow(
            invt_no=invt_no,
            tax_no=bill.tax_no,
            order_no=order_no,
            buyer=import_list.buyer,
            mode=assessment.mode.value,
            status=bill.status.value,
            customs_tax=str(bill.customs_tax),
            value_added_tax=str(bill.value_added_tax),
            consumption_tax=str(bill.consumption_tax),
            total_tax=str(bill.total_tax),
            dutiable_value=str(assessment.dutiable_value),
            assure_code=bill.assure_code,
            ebc_code=bill.ebc_code,
            customs_code=bill.customs_code,
            year=entry.year,
            year_total_after=quota_row.year_total_after,
            assessed_at=assessed_at,
        ),
        (row for row, _ in lines),
    )
    work.publish(
        events.ImportTaxAssessed(
            orderNo=order_no,
            invtNo=invt_no,
            taxNo=bill.tax_no,
            buyerIdNumber=import_list.buyer,
            mode=event_mode(assessment.mode),
            assureCode=bill.assure_code,
            lines=tuple(line for _, line in lines),
            total=bill.total_tax,
            yearTotalAfter=dec(quota_row.year_total_after),
            assessedAt=assessed_at,
        )
    )


def _bill_lines(
    bill: TaxBill, mode: TaxMode, tables: TaxTables
) -> list[tuple[TaxBillLineRow, events.TaxLine]]:
    """Each line of the bill with the rates it was taxed at (tariff 0 at the retail rates):
    its row and its line in the event."""
    lines: list[tuple[TaxBillLineRow, events.TaxLine]] = []
    for line in bill.lines:
        rates = tables.rates.find(line.gcode)
        assert rates is not None  # the assessment refused a line without rates
        tariff_rate = Decimal(0) if mode is TaxMode.RETAIL else rates.tariff_rate
        row = TaxBillLineRow(
            invt_no=bill.invt_no,
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
        seen = events.TaxLine(
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
        lines.append((row, seen))
    return lines


async def list_rejected(
    work: TaxWork, invt_no: str | None, order_no: str, policy: ImportTaxPolicy
) -> None:
    """An import list rejected (100): its reservation no longer counts. Without its number,
    every reservation still held under the order is cancelled."""
    keys = [invt_no] if invt_no else await work.quota.reserved_of_order(order_no)
    for key in keys:
        existing = await work.quota.entry(key)
        if existing is not None and existing.state == QuotaState.RESERVED.value:
            await quota.cancel(work, key, policy)


async def list_revoked(work: TaxWork, invt_no: str, policy: ImportTaxPolicy) -> None:
    """An import list revoked (CEB623): the goods are not imported; its amount stops counting
    and its tax bill is void."""
    existing = await work.quota.entry(invt_no)
    if existing is not None and existing.state in COUNTED:
        book = await work.quota.open_year(existing.buyer, existing.year)
        ledger = book.ledger(policy)
        book.save(ledger, ledger.withdraw(invt_no), order_no=existing.order_no)
    await work.bills.void(invt_no, "list revoked")


async def import_returned(
    work: TaxWork,
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
    existing = await work.quota.entry(invt_no)
    if existing is None:
        raise NotFound(
            f"no quota entry for list {invt_no}",
            [Violation(field="invtNo", rule="the tax service never saw this list", value=invt_no)],
        )
    if existing.state == QuotaState.RESTORED.value:
        return True
    book = await work.quota.open_year(existing.buyer, existing.year)
    ledger = book.ledger(policy)
    outcome = ledger.restore_on_return(invt_no, applied_on=applied_on, goods_back_on=goods_back_on)
    if not outcome.restored:
        reasons = "; ".join(str(v) for v in outcome.reasons)
        log.info("return of %s outside the window: %s", invt_no, reasons)
        return False
    book.save(ledger, outcome.entry, order_no=existing.order_no)
    bill = await work.bills.void(invt_no, "returned within the window")
    work.publish(
        events.QuotaRestored(
            orderNo=existing.order_no or order_no,
            invtNo=invt_no,
            buyerIdNumber=existing.buyer,
            year=existing.year,
            restored=outcome.entry.amount,
            yearTotalAfter=book.counted,
            taxVoided=dec(bill.total_tax) if bill is not None else ZERO,
            restoredAt=now_text(),
        )
    )
    return True
