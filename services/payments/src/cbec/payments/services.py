"""Use cases of the payments service: each runs in the one transaction it is given.

The API and the scheduled jobs open the transaction (``runtime.transaction()``); event handlers
pass the consumer's session. Business rules come from :mod:`cbec.payments.domain`; this module
reads and writes rows and adds the events to the outbox in the same transaction.

Customs times (``payTime``, ``accountingDate``, ``appTime``) carry no zone: they are China
Standard Time (UTC+8), and so is the day a receipt is settled for.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import delete, func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from cbec.payments.data import load_fee_table, load_rate_table
from cbec.payments.domain import (
    CNY,
    Flag,
    FlagCode,
    Flow,
    FundsRecord,
    InvalidFundsDocument,
    MalformedDataFile,
    OrderFacts,
    OrderKey,
    OrderLedger,
    PaymentVoucher,
    PersonIdentity,
    RateTable,
    ReceiptOfFunds,
    ReconciliationPolicy,
    Settlement,
    Share,
    SubmissionDecision,
    SubmissionKind,
    classify_submission,
    parse_payment_voucher,
    parse_rate_table,
    parse_receipt_of_funds,
    reconcile,
    settle,
)
from cbec.payments.domain.access import (
    Who,
    filer_of,
    filing_violations,
    may_change,
    reads_everything,
)
from cbec.payments.domain.tables import FeeSchedule, FeeTable
from cbec.payments.events import (
    FundsFlagged,
    PaymentAccepted,
    ReceiptAccepted,
    SettledDocument,
    SettlementCompleted,
)
from cbec.payments.models import (
    FeeScheduleRow,
    FundsFlagRow,
    OrderLedgerRow,
    PaymentVoucherRow,
    RateTableVersionRow,
    ReceiptOfFundsRow,
    SettlementDocumentRow,
    SettlementRow,
)
from cbec.payments.settings import Settings
from cbec.shared import codes
from cbec.shared.ceb import format_return_time
from cbec.shared.errors import InvalidInput, Violation
from cbec.shared.outbox import Outbox
from cbec.shared.telemetry import tag_span

# Customs message times are China Standard Time without a zone (DOMAIN.md §1: appTime).
CST = timezone(timedelta(hours=8), "CST")

ACCEPTED_STATUS = "2"  # accepted, being declared (DOMAIN.md §3)
REJECTED_STATUS = "100"  # rejected; the reason in returnInfo (DOMAIN.md §3)
MAX_RETURN_INFO = 1000  # returnInfo is at most 1000 characters (DOMAIN.md §3)


@cache
def currency_codes() -> frozenset[str]:
    """The customs currency table's codes (codes/currency.csv)."""
    return frozenset(row.code for row in codes.currency)


def utcnow() -> datetime:
    return datetime.now(UTC)


def local_naive(moment: datetime) -> datetime:
    """An aware moment as the naive China Standard Time the customs messages use."""
    return moment.astimezone(CST).replace(tzinfo=None)


def from_local(moment: datetime) -> datetime:
    """A naive customs time (UTC+8) as an aware moment."""
    return moment.replace(tzinfo=CST)


def iso_local(moment: datetime) -> str:
    return moment.astimezone(CST).isoformat(timespec="seconds")


def local_today(now: datetime) -> date:
    return now.astimezone(CST).date()


# --------------------------------------------------------------------------------------------
# Submitting funds documents


@dataclass(frozen=True, slots=True)
class SplitPart:
    """This document is one order's part of a payment that covers several orders."""

    payment_id: str
    total: Decimal


@dataclass(frozen=True, slots=True)
class Submitted:
    """One document of a request: the entity's fields (camelCase) and the extensions."""

    fields: dict[str, Any]
    split: SplitPart | None = None


@dataclass(slots=True)
class DocumentReceipt:
    """The answer to one document: its keys and returnStatus / returnTime / returnInfo."""

    keys: dict[str, Any]
    return_status: str
    return_info: str
    return_time: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "returnStatus": self.return_status,
            "returnTime": self.return_time,
            "returnInfo": self.return_info[:MAX_RETURN_INFO],
            **{k: v for k, v in self.keys.items() if v is not None},
        }


def _violations_text(violations: Iterable[Violation]) -> str:
    return "; ".join(str(v) for v in violations)


def _decision_status(decision: SubmissionDecision) -> str:
    if decision.accepted or decision.kind is SubmissionKind.IDENTICAL_DUPLICATE:
        # The same document sent again answers as the first time (nothing changes and nothing
        # is published): a resend after a lost answer is safe, as the gateway promises.
        return ACCEPTED_STATUS
    if decision.kind is SubmissionKind.CONFLICTING_DUPLICATE:
        # "-401007 duplicate payment" (DOMAIN.md §3): the key or the order is already paid.
        return decision.return_status or "-401007"
    return REJECTED_STATUS


def _decision_info(decision: SubmissionDecision) -> str:
    if decision.differences:
        return f"{decision.reason}: {_violations_text(decision.differences)}"
    return decision.reason


def _content(document: PaymentVoucher | ReceiptOfFunds) -> str:
    return json.dumps(document.model_dump(mode="json", by_alias=True), ensure_ascii=False)


def voucher_of(row: PaymentVoucherRow) -> PaymentVoucher:
    return PaymentVoucher.model_validate(json.loads(row.content))


def receipt_of(row: ReceiptOfFundsRow) -> ReceiptOfFunds:
    return ReceiptOfFunds.model_validate(json.loads(row.content))


def _voucher_keys(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: fields.get(k) for k in ("guid", "payCode", "payTransactionId", "orderNo", "ebpCode")}


def _receipt_keys(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: fields.get(k) for k in ("guid", "ebcCode", "orderNo", "payNo")}


def _split_violations(split: SplitPart | None, amount: Decimal) -> list[Violation]:
    if split is not None and split.total < amount:
        return [
            Violation(
                "splitPayment.total",
                "a split payment's total must be at least this order's share",
                split.total,
                amount,
            )
        ]
    return []


async def submit_payments(
    session: AsyncSession,
    outbox: Outbox,
    documents: Sequence[Submitted],
    *,
    who: Who,
    now: datetime,
) -> list[DocumentReceipt]:
    """Apply a batch of CEB411 payment vouchers filed by ``who``; one receipt per document, in
    order."""
    return [await _submit_payment(session, outbox, doc, who=who, now=now) for doc in documents]


async def _submit_payment(
    session: AsyncSession,
    outbox: Outbox,
    submitted: Submitted,
    *,
    who: Who,
    now: datetime,
) -> DocumentReceipt:
    keys = _voucher_keys(submitted.fields)
    when = format_return_time(local_naive(now))
    tag_span(orderNo=keys["orderNo"], payCode=keys["payCode"])
    try:
        voucher = parse_payment_voucher(submitted.fields, currencies=currency_codes())
    except InvalidFundsDocument as error:
        return DocumentReceipt(keys, REJECTED_STATUS, _violations_text(error.violations), when)
    split_problems = _split_violations(submitted.split, voucher.amount_paid)
    if split_problems:
        return DocumentReceipt(keys, REJECTED_STATUS, _violations_text(split_problems), when)
    not_filer = filing_violations(who, voucher)
    if not_filer:
        return DocumentReceipt(keys, REJECTED_STATUS, _violations_text(not_filer), when)
    existing = (
        await session.exec(
            select(PaymentVoucherRow).where(
                PaymentVoucherRow.pay_code == voucher.pay_code,
                PaymentVoucherRow.pay_transaction_id == voucher.pay_transaction_id,
            )
        )
    ).first()
    same_order = (
        await session.exec(
            select(PaymentVoucherRow).where(
                PaymentVoucherRow.order_no == voucher.order_no,
                PaymentVoucherRow.ebp_code == voucher.ebp_code,
            )
        )
    ).all()
    decision = classify_submission(
        voucher_of(existing) if existing else None,
        voucher,
        same_order=[voucher_of(row) for row in same_order],
        on_file_by_another=existing is not None and not may_change(who, existing.filed_by),
    )
    if decision.kind is SubmissionKind.NEW:
        session.add(
            PaymentVoucherRow(
                document_id=voucher.document_id,
                pay_code=voucher.pay_code,
                pay_transaction_id=voucher.pay_transaction_id,
                order_no=voucher.order_no,
                ebp_code=voucher.ebp_code,
                amount_paid=voucher.amount_paid,
                currency=voucher.currency,
                pay_time=from_local(voucher.pay_time),
                payer_is_buyer=voucher.payer_is_buyer,
                split_id=_split_id(voucher.pay_code, submitted.split),
                split_total=submitted.split.total if submitted.split else None,
                content=_content(voucher),
                filed_by=filer_of(who),
                accepted_at=now,
                updated_at=now,
            )
        )
    elif decision.kind is SubmissionKind.CHANGE and existing is not None:
        existing.amount_paid = voucher.amount_paid
        existing.pay_time = from_local(voucher.pay_time)
        existing.payer_is_buyer = voucher.payer_is_buyer
        existing.split_id = _split_id(voucher.pay_code, submitted.split)
        existing.split_total = submitted.split.total if submitted.split else None
        existing.content = _content(voucher)
        existing.updated_at = now
        session.add(existing)
    elif decision.kind is SubmissionKind.DELETE and existing is not None:
        await session.delete(existing)
    if decision.kind in (SubmissionKind.NEW, SubmissionKind.CHANGE):
        outbox.add(session, _payment_accepted(voucher, now))
    await session.flush()
    return DocumentReceipt(keys, _decision_status(decision), _decision_info(decision), when)


def _split_id(pay_code: str | None, split: SplitPart | None) -> str | None:
    if split is None:
        return None
    return f"{pay_code or '-'}:{split.payment_id}"


def _payment_accepted(voucher: PaymentVoucher, now: datetime) -> PaymentAccepted:
    return PaymentAccepted(
        orderNo=voucher.order_no,
        ebpCode=voucher.ebp_code,
        payCode=voucher.pay_code,
        payTransactionId=voucher.pay_transaction_id,
        payerIdType=voucher.payer_id_type,
        payerIdNumber=voucher.payer_id_number,
        payerName=voucher.payer_name,
        payerIsBuyer=voucher.payer_is_buyer,
        amountPaid=voucher.amount_paid,
        currency=voucher.currency,
        payTime=voucher.pay_time.strftime("%Y%m%d%H%M%S"),
        acceptedAt=iso_local(now),
    )


async def submit_receipts(
    session: AsyncSession,
    outbox: Outbox,
    documents: Sequence[Submitted],
    *,
    who: Who,
    now: datetime,
) -> list[DocumentReceipt]:
    """Apply a batch of CEB403 receipts of funds filed by ``who``; one receipt per document, in
    order."""
    return [await _submit_receipt(session, outbox, doc, who=who, now=now) for doc in documents]


async def _submit_receipt(
    session: AsyncSession,
    outbox: Outbox,
    submitted: Submitted,
    *,
    who: Who,
    now: datetime,
) -> DocumentReceipt:
    keys = _receipt_keys(submitted.fields)
    when = format_return_time(local_naive(now))
    tag_span(orderNo=keys["orderNo"], ebcCode=keys["ebcCode"])
    try:
        receipt = parse_receipt_of_funds(submitted.fields, currencies=currency_codes())
    except InvalidFundsDocument as error:
        return DocumentReceipt(keys, REJECTED_STATUS, _violations_text(error.violations), when)
    split_problems = _split_violations(submitted.split, receipt.charge)
    if split_problems:
        return DocumentReceipt(keys, REJECTED_STATUS, _violations_text(split_problems), when)
    not_filer = filing_violations(who, receipt)
    if not_filer:
        return DocumentReceipt(keys, REJECTED_STATUS, _violations_text(not_filer), when)
    existing = (
        await session.exec(
            select(ReceiptOfFundsRow).where(
                ReceiptOfFundsRow.order_no == receipt.order_no,
                ReceiptOfFundsRow.ebc_code == receipt.ebc_code,
            )
        )
    ).first()
    decision = classify_submission(
        receipt_of(existing) if existing else None,
        receipt,
        on_file_by_another=existing is not None and not may_change(who, existing.filed_by),
    )
    if (
        existing is not None
        and existing.settlement_id is not None
        and decision.kind in (SubmissionKind.CHANGE, SubmissionKind.DELETE)
    ):
        info = f"{receipt.document_id} was settled in {existing.settlement_id}: it cannot change"
        return DocumentReceipt(keys, REJECTED_STATUS, info, when)
    split_id = _split_id(receipt.pay_code, submitted.split)
    if decision.kind is SubmissionKind.NEW:
        session.add(
            ReceiptOfFundsRow(
                document_id=receipt.document_id,
                order_no=receipt.order_no,
                ebc_code=receipt.ebc_code,
                ebp_code=receipt.ebp_code,
                pay_code=receipt.pay_code,
                pay_no=receipt.pay_no,
                charge=receipt.charge,
                currency=receipt.currency,
                accounting_date=from_local(receipt.accounting_date),
                accounting_day=receipt.accounting_day,
                split_id=split_id,
                split_total=submitted.split.total if submitted.split else None,
                content=_content(receipt),
                filed_by=filer_of(who),
                accepted_at=now,
                updated_at=now,
            )
        )
    elif decision.kind is SubmissionKind.CHANGE and existing is not None:
        existing.ebp_code = receipt.ebp_code
        existing.pay_code = receipt.pay_code
        existing.pay_no = receipt.pay_no
        existing.charge = receipt.charge
        existing.currency = receipt.currency
        existing.accounting_date = from_local(receipt.accounting_date)
        existing.accounting_day = receipt.accounting_day
        existing.split_id = split_id
        existing.split_total = submitted.split.total if submitted.split else None
        existing.content = _content(receipt)
        existing.updated_at = now
        session.add(existing)
    elif decision.kind is SubmissionKind.DELETE and existing is not None:
        await session.delete(existing)
    if decision.kind in (SubmissionKind.NEW, SubmissionKind.CHANGE):
        outbox.add(session, _receipt_accepted(receipt, now))
    await session.flush()
    return DocumentReceipt(keys, _decision_status(decision), _decision_info(decision), when)


def _receipt_accepted(receipt: ReceiptOfFunds, now: datetime) -> ReceiptAccepted:
    return ReceiptAccepted(
        orderNo=receipt.order_no,
        ebcCode=receipt.ebc_code,
        ebpCode=receipt.ebp_code,
        payCode=receipt.pay_code,
        payNo=receipt.pay_no,
        charge=receipt.charge,
        currency=receipt.currency,
        accountingDate=receipt.accounting_date.strftime("%Y%m%d%H%M%S"),
        acceptedAt=iso_local(now),
    )


# --------------------------------------------------------------------------------------------
# The order ledger, from the declaration service's events


@dataclass(frozen=True, slots=True)
class OrderSeen:
    """What the ledger keeps of an accepted order (CEB303 / CEB311)."""

    order_no: str
    ie_flag: str
    order_type: str
    ebp_code: str
    ebc_code: str
    currency: str
    goods_value: Decimal
    freight: Decimal
    discount: Decimal | None
    tax_total: Decimal | None
    actural_paid: Decimal | None
    buyer_id_type: str | None
    buyer_id_number: str | None
    buyer_name: str | None
    accepted_at: datetime

    @property
    def party_code(self) -> str:
        """Funds join an import order by ``ebpCode``, an export order by ``ebcCode`` (§2)."""
        return self.ebp_code if self.ie_flag == Flow.IMPORT.value else self.ebc_code

    @property
    def amount_due(self) -> Decimal:
        """Import: ``acturalPaid`` = goodsValue + freight + taxTotal − discount (DOMAIN.md §4);
        export: the received amount must equal goodsValue + freight (DOMAIN.md §4)."""
        if self.ie_flag == Flow.IMPORT.value:
            if self.actural_paid is not None:
                return self.actural_paid
            return (
                self.goods_value
                + self.freight
                + (self.tax_total or Decimal(0))
                - (self.discount or Decimal(0))
            )
        return self.goods_value + self.freight


async def record_order(session: AsyncSession, order: OrderSeen, *, now: datetime) -> None:
    """Put an accepted (new or changed) order on the ledger."""
    tag_span(orderNo=order.order_no, ebcCode=order.ebc_code)
    row = (
        await session.exec(
            select(OrderLedgerRow).where(
                OrderLedgerRow.flow == order.ie_flag,
                OrderLedgerRow.order_no == order.order_no,
                OrderLedgerRow.party_code == order.party_code,
            )
        )
    ).first()
    if row is None:
        row = OrderLedgerRow(
            flow=order.ie_flag,
            order_no=order.order_no,
            party_code=order.party_code,
            ebp_code=order.ebp_code,
            ebc_code=order.ebc_code,
            order_type=order.order_type,
            currency=order.currency,
            goods_value=order.goods_value,
            freight=order.freight,
            amount_due=order.amount_due,
            placed_at=order.accepted_at,
            updated_at=now,
        )
    row.ebp_code = order.ebp_code
    row.ebc_code = order.ebc_code
    row.order_type = order.order_type
    row.currency = order.currency
    row.goods_value = order.goods_value
    row.freight = order.freight
    row.discount = order.discount
    row.tax_total = order.tax_total
    row.actural_paid = order.actural_paid
    row.amount_due = order.amount_due
    row.buyer_id_type = order.buyer_id_type
    row.buyer_id_number = order.buyer_id_number
    row.buyer_name = order.buyer_name
    row.updated_at = now
    session.add(row)


@dataclass(frozen=True, slots=True)
class ListSeen:
    """What the ledger adds from a released list: its number, time, and the buyer (import)."""

    order_no: str
    ie_flag: str
    ebp_code: str
    ebc_code: str
    invt_no: str
    released_at: datetime
    buyer_id_type: str | None = None
    buyer_id_number: str | None = None
    buyer_name: str | None = None

    @property
    def party_code(self) -> str:
        return self.ebp_code if self.ie_flag == Flow.IMPORT.value else self.ebc_code


async def record_release(session: AsyncSession, released: ListSeen, *, now: datetime) -> bool:
    """Note the released list on the order's ledger; False when the order is not on it."""
    tag_span(orderNo=released.order_no, invtNo=released.invt_no)
    row = (
        await session.exec(
            select(OrderLedgerRow).where(
                OrderLedgerRow.flow == released.ie_flag,
                OrderLedgerRow.order_no == released.order_no,
                OrderLedgerRow.party_code == released.party_code,
            )
        )
    ).first()
    if row is None:
        return False
    row.invt_no = released.invt_no
    row.released_at = released.released_at
    if row.buyer_id_number is None and released.buyer_id_number is not None:
        row.buyer_id_type = released.buyer_id_type
        row.buyer_id_number = released.buyer_id_number
        row.buyer_name = released.buyer_name
    row.updated_at = now
    session.add(row)
    return True


# --------------------------------------------------------------------------------------------
# Rate and fee tables


async def install_tables(session: AsyncSession, settings: Settings, *, now: datetime) -> None:
    """On start: the configured rate table when none is on file; the fee file, always."""
    version = (await session.exec(select(RateTableVersionRow.id).limit(1))).first()
    if version is None:
        table = load_rate_table(settings.rate_table_file)
        source = str(settings.rate_table_file or "example: fx_rates.example.csv")
        text = (
            settings.rate_table_file.read_text(encoding="utf-8")
            if settings.rate_table_file
            else _example_rates_text()
        )
        session.add(
            RateTableVersionRow(
                source=source[:300],
                content=text,
                rates=len(table.rates),
                loaded_at=now,
            )
        )
    fees = load_fee_table(settings.fee_table_file)
    source = str(settings.fee_table_file or "example: institution_fees.example.csv")[:300]
    await session.exec(delete(FeeScheduleRow))
    for schedule in fees.schedules.values():
        session.add(
            FeeScheduleRow(
                pay_code=schedule.pay_code,
                basis_points=schedule.basis_points,
                minimum_fee=schedule.minimum_fee,
                source=source,
                loaded_at=now,
            )
        )


def _example_rates_text() -> str:
    from importlib.resources import files

    from cbec.payments import data

    return files(data.__name__).joinpath(data.EXAMPLE_RATES).read_text(encoding="utf-8")


@dataclass(frozen=True, slots=True)
class RateTableInfo:
    version: int
    source: str
    rates: int
    loaded_by: str | None
    loaded_at: datetime

    def as_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "source": self.source,
            "rates": self.rates,
            "loadedBy": self.loaded_by,
            "loadedAt": iso_local(self.loaded_at),
        }


def _info(row: RateTableVersionRow) -> RateTableInfo:
    assert row.id is not None
    return RateTableInfo(row.id, row.source, row.rates, row.loaded_by, row.loaded_at)


async def replace_rates(
    session: AsyncSession, text: str, *, loaded_by: str | None, now: datetime
) -> RateTableInfo:
    """A new rate table in force; a malformed one is refused whole, naming each bad line, and
    the table in force stays."""
    try:
        table = parse_rate_table(text, source="request body")
    except MalformedDataFile as error:
        raise InvalidInput(error.violations, f"rate table refused: {error.message}") from None
    row = RateTableVersionRow(
        source="PUT /v1/rates",
        content=text,
        rates=len(table.rates),
        loaded_by=loaded_by,
        loaded_at=now,
    )
    session.add(row)
    await session.flush()
    return _info(row)


async def _current_rate_row(session: AsyncSession) -> RateTableVersionRow | None:
    return (
        await session.exec(
            select(RateTableVersionRow).order_by(col(RateTableVersionRow.id).desc()).limit(1)
        )
    ).first()


async def current_rates(session: AsyncSession) -> tuple[RateTable, RateTableInfo | None]:
    row = await _current_rate_row(session)
    if row is None:
        return RateTable({}), None
    return parse_rate_table(row.content, source=f"rate table version {row.id}"), _info(row)


async def fee_table(session: AsyncSession) -> FeeTable:
    rows = (await session.exec(select(FeeScheduleRow))).all()
    return FeeTable(
        {r.pay_code: FeeSchedule(r.pay_code, r.basis_points, r.minimum_fee) for r in rows}
    )


# --------------------------------------------------------------------------------------------
# Settlement


@dataclass(slots=True)
class SettlementReport:
    through: date
    settlements: list[dict[str, Any]] = field(default_factory=list)
    held: list[dict[str, str]] = field(default_factory=list)
    not_applicable: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "through": self.through.isoformat(),
            "settlements": self.settlements,
            "held": self.held,
            "notApplicable": self.not_applicable,
        }


def _currency_and_rate(settlement: Settlement) -> tuple[str, Decimal]:
    """The receipts' currency and rate when they share one (same day, same rate); a settlement
    of receipts in several currencies is stated in CNY (142) at 1, its lines giving each rate."""
    pairs = {(line.currency, line.rate) for line in settlement.lines}
    if len(pairs) == 1:
        return next(iter(pairs))
    return CNY, Decimal(1)


async def run_settlement(
    session: AsyncSession,
    outbox: Outbox,
    *,
    through: date,
    now: datetime,
    run_by: str | None = None,
) -> SettlementReport:
    """Settle every unsettled receipt credited on or before ``through`` (domain.settle);
    ``run_by``: the operator who asked for the run (None: the service's schedule)."""
    rows = (
        await session.exec(
            select(ReceiptOfFundsRow).where(
                col(ReceiptOfFundsRow.settlement_id).is_(None),
                ReceiptOfFundsRow.accounting_day <= through,
            )
        )
    ).all()
    by_document = {row.document_id: row for row in rows}
    rates, _ = await current_rates(session)
    run = settle(
        [receipt_of(row) for row in rows],
        through=through,
        rates=rates,
        fees=await fee_table(session),
    )
    report = SettlementReport(
        through=through,
        held=[{"documentId": s.document_id, "reason": s.reason} for s in run.held],
        not_applicable=len(run.not_applicable),
    )
    for settlement in run.settlements:
        currency, rate = _currency_and_rate(settlement)
        session.add(
            SettlementRow(
                settlement_id=settlement.settlement_id,
                pay_code=settlement.pay_code,
                ebc_code=settlement.payee,
                day=settlement.day,
                currency=currency,
                rate=rate,
                gross_exact=settlement.gross_exact,
                fee_exact=settlement.fee_exact,
                gross=settlement.gross,
                fee=settlement.fee,
                net=settlement.net,
                run_through=through,
                settled_at=now,
                filed_by=run_by,
            )
        )
        await session.flush()
        for line in settlement.lines:
            session.add(
                SettlementDocumentRow(
                    settlement_id=settlement.settlement_id,
                    document_id=line.document_id,
                    order_no=line.order_no,
                    currency=line.currency,
                    amount=line.amount,
                    rate=line.rate,
                    cny_exact=line.cny_exact,
                )
            )
            receipt_row = by_document[line.document_id]
            receipt_row.settlement_id = settlement.settlement_id
            session.add(receipt_row)
        event = SettlementCompleted(
            settlementId=settlement.settlement_id,
            payCode=settlement.pay_code,
            ebcCode=settlement.payee,
            day=settlement.day.isoformat(),
            currency=currency,
            rate=rate,
            gross=settlement.gross,
            fee=settlement.fee,
            net=settlement.net,
            documents=settlement.document_ids,
            lines=tuple(
                SettledDocument(
                    documentId=line.document_id,
                    orderNo=line.order_no,
                    currency=line.currency,
                    amount=line.amount,
                    rate=line.rate,
                )
                for line in settlement.lines
            ),
            settledAt=iso_local(now),
        )
        outbox.add(session, event)
        report.settlements.append(event.to_data())
    await session.flush()
    return report


async def list_settlements(
    session: AsyncSession, *, who: Who, ebc_code: str | None, day: date | None
) -> list[dict[str, Any]]:
    """Settlements of a payee and/or a day; an enterprise sees those naming it (as payee or as
    the paying institution), the officers and operators all."""
    query = select(SettlementRow)
    if not reads_everything(who):
        query = query.where(
            or_(col(SettlementRow.ebc_code) == who.party, col(SettlementRow.pay_code) == who.party)
        )
    if ebc_code is not None:
        query = query.where(SettlementRow.ebc_code == ebc_code)
    if day is not None:
        query = query.where(SettlementRow.day == day)
    rows = (
        await session.exec(query.order_by(col(SettlementRow.day), col(SettlementRow.settled_at)))
    ).all()
    ids = [row.settlement_id for row in rows]
    documents: dict[str, list[SettlementDocumentRow]] = defaultdict(list)
    if ids:
        for doc in (
            await session.exec(
                select(SettlementDocumentRow).where(
                    col(SettlementDocumentRow.settlement_id).in_(ids)
                )
            )
        ).all():
            documents[doc.settlement_id].append(doc)
    return [
        {
            "settlementId": row.settlement_id,
            "payCode": row.pay_code,
            "ebcCode": row.ebc_code,
            "day": row.day.isoformat(),
            "currency": row.currency,
            "rate": str(row.rate),
            "grossExact": str(row.gross_exact),
            "feeExact": str(row.fee_exact),
            "gross": str(row.gross),
            "fee": str(row.fee),
            "net": str(row.net),
            "settledAt": iso_local(row.settled_at),
            "documents": [
                {
                    "documentId": d.document_id,
                    "orderNo": d.order_no,
                    "currency": d.currency,
                    "amount": str(d.amount),
                    "rate": str(d.rate),
                    "cnyExact": str(d.cny_exact),
                }
                for d in sorted(documents[row.settlement_id], key=lambda d: d.document_id)
            ],
        }
        for row in rows
    ]


# --------------------------------------------------------------------------------------------
# Reconciliation


def _order_facts(row: OrderLedgerRow) -> OrderFacts:
    placed = local_naive(row.placed_at)
    if row.flow == Flow.IMPORT.value:
        buyer = (
            PersonIdentity(row.buyer_id_type, row.buyer_id_number, row.buyer_name)
            if row.buyer_id_type and row.buyer_id_number and row.buyer_name
            else None
        )
        return OrderFacts.import_order(
            order_no=row.order_no,
            ebp_code=row.party_code,
            actural_paid=row.amount_due,
            placed_at=placed,
            buyer=buyer,
        )
    return OrderFacts(
        OrderKey(Flow.EXPORT, row.order_no, row.party_code), row.amount_due, row.currency, placed
    )


def _payer_is_buyer(values: Iterable[bool | None]) -> bool | None:
    seen = list(values)
    if any(v is False for v in seen):
        return False
    if seen and all(v is True for v in seen):
        return True
    return None


def _funds_records(
    vouchers: Iterable[PaymentVoucherRow], receipts: Iterable[ReceiptOfFundsRow]
) -> list[FundsRecord]:
    """One record per document; the parts of a split payment make one record together."""
    records: list[FundsRecord] = []
    parts: dict[str, list[tuple[PaymentVoucher | ReceiptOfFunds, Decimal | None]]] = defaultdict(
        list
    )
    documents: list[tuple[PaymentVoucher | ReceiptOfFunds, str | None, Decimal | None]] = [
        *((voucher_of(v), v.split_id, v.split_total) for v in vouchers),
        *((receipt_of(r), r.split_id, r.split_total) for r in receipts),
    ]
    for document, split_id, split_total in documents:
        if split_id is None:
            records.append(FundsRecord.from_document(document))
        else:
            parts[f"{document.flow.value}:{split_id}"].append((document, split_total))
    for split_key, members in sorted(parts.items()):
        members.sort(key=lambda m: m[0].document_id)
        first = members[0][0]
        total = next((t for _, t in members if t is not None), None)
        vouchers_of = [d for d, _ in members if isinstance(d, PaymentVoucher)]
        records.append(
            FundsRecord(
                document_id=f"SPLIT:{split_key}",
                currency=first.currency,
                total=total
                if total is not None
                else sum((d.amount for d, _ in members), Decimal(0)),
                received_at=max(d.funds_time for d, _ in members),
                shares=tuple(
                    Share(d.order_key, d.amount, document_id=d.document_id) for d, _ in members
                ),
                payer=vouchers_of[0].payer if vouchers_of else None,
                payer_is_buyer=_payer_is_buyer(v.payer_is_buyer for v in vouchers_of),
            )
        )
    return records


def _flag_detail(flag: Flag) -> str:
    return str(flag.as_violation())


def _text(value: Any) -> str | None:
    return None if value is None else str(value)[:200]


@dataclass(slots=True)
class ReconciliationReport:
    orders: int = 0
    documents: int = 0
    raised: list[dict[str, Any]] = field(default_factory=list)
    resolved: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "orders": self.orders,
            "documents": self.documents,
            "raised": self.raised,
            "resolved": self.resolved,
        }


async def run_reconciliation(
    session: AsyncSession, outbox: Outbox, *, policy: ReconciliationPolicy, now: datetime
) -> ReconciliationReport:
    """Reconcile every order and funds document; publish each new flag once per order + flag."""
    orders = (await session.exec(select(OrderLedgerRow))).all()
    vouchers = (await session.exec(select(PaymentVoucherRow))).all()
    receipts = (await session.exec(select(ReceiptOfFundsRow))).all()
    ledgers = reconcile(
        [_order_facts(row) for row in orders],
        _funds_records(vouchers, receipts),
        now=local_naive(now),
        policy=policy,
    )
    order_rows = {(r.flow, r.order_no, r.party_code): r for r in orders}
    existing = {
        (f.flow, f.order_no, f.party_code, f.flag): f
        for f in (await session.exec(select(FundsFlagRow))).all()
    }
    report = ReconciliationReport(orders=len(orders), documents=len(vouchers) + len(receipts))
    raised: set[tuple[str, str, str, str]] = set()
    for ledger in ledgers:
        key = ledger.key
        order_row = order_rows.get((key.flow.value, key.order_no, key.party_code))
        for flag in ledger.flags:
            flag_key = (key.flow.value, key.order_no, key.party_code, flag.code.value)
            if flag_key in raised:
                continue
            raised.add(flag_key)
            row = existing.get(flag_key)
            if row is not None:
                if row.resolved_at is not None:
                    row.resolved_at = None
                    session.add(row)
                continue
            ebc_code = (
                order_row.ebc_code
                if order_row
                else (key.party_code if key.flow is Flow.EXPORT else None)
            )
            ebp_code = (
                order_row.ebp_code
                if order_row
                else (key.party_code if key.flow is Flow.IMPORT else None)
            )
            event = FundsFlagged(
                orderNo=key.order_no,
                ebcCode=ebc_code,
                ebpCode=ebp_code,
                flag=flag.code.value,
                detail=_flag_detail(flag)[:1000],
                expected=_text(flag.expected),
                actual=_text(flag.value),
                flaggedAt=iso_local(now),
            )
            session.add(
                FundsFlagRow(
                    flow=key.flow.value,
                    order_no=key.order_no,
                    party_code=key.party_code,
                    ebc_code=ebc_code,
                    ebp_code=ebp_code,
                    flag=flag.code.value,
                    field_name=flag.field[:60],
                    detail=event.detail,
                    expected=event.expected,
                    actual=event.actual,
                    document_id=flag.document_id,
                    flagged_at=now,
                )
            )
            outbox.add(session, event)
            report.raised.append(event.to_data())
    for flag_key, row in existing.items():
        if flag_key not in raised and row.resolved_at is None:
            row.resolved_at = now
            session.add(row)
            report.resolved += 1
    await session.flush()
    return report


def _flag_view(row: FundsFlagRow) -> dict[str, Any]:
    return {
        "orderNo": row.order_no,
        "ieFlag": row.flow,
        "party": row.party_code,
        "ebcCode": row.ebc_code,
        "ebpCode": row.ebp_code,
        "flag": row.flag,
        "field": row.field_name,
        "detail": row.detail,
        "expected": row.expected,
        "actual": row.actual,
        "documentId": row.document_id,
        "flaggedAt": iso_local(row.flagged_at),
        "resolvedAt": iso_local(row.resolved_at) if row.resolved_at else None,
    }


async def list_flags(
    session: AsyncSession,
    *,
    ebc_code: str | None,
    ebp_code: str | None,
    since: datetime | None,
    who: Who,
    flag: FlagCode | None = None,
) -> list[dict[str, Any]]:
    """Flags of an enterprise since a moment; an enterprise sees the flags of its own orders
    (as seller or platform), the officers and operators all."""
    query = select(FundsFlagRow)
    if not reads_everything(who):
        query = query.where(
            or_(col(FundsFlagRow.ebc_code) == who.party, col(FundsFlagRow.ebp_code) == who.party)
        )
    if ebc_code is not None:
        query = query.where(FundsFlagRow.ebc_code == ebc_code)
    if ebp_code is not None:
        query = query.where(FundsFlagRow.ebp_code == ebp_code)
    if since is not None:
        query = query.where(FundsFlagRow.flagged_at >= since)
    if flag is not None:
        query = query.where(FundsFlagRow.flag == flag.value)
    rows = (await session.exec(query.order_by(col(FundsFlagRow.id)))).all()
    return [_flag_view(row) for row in rows]


async def _ledger_keys_naming(
    session: AsyncSession, order_no: str, party: str
) -> set[tuple[str, str]]:
    """The (flow, party code) ledgers of an order whose order or funds name ``party``."""
    keys: set[tuple[str, str]] = set()
    keys.update(
        (
            await session.exec(
                select(OrderLedgerRow.flow, OrderLedgerRow.party_code).where(
                    OrderLedgerRow.order_no == order_no,
                    or_(
                        col(OrderLedgerRow.party_code) == party,
                        col(OrderLedgerRow.ebc_code) == party,
                        col(OrderLedgerRow.ebp_code) == party,
                    ),
                )
            )
        ).all()
    )
    keys.update(
        (Flow.IMPORT.value, code)
        for code in (
            await session.exec(
                select(PaymentVoucherRow.ebp_code).where(
                    PaymentVoucherRow.order_no == order_no,
                    or_(
                        col(PaymentVoucherRow.ebp_code) == party,
                        col(PaymentVoucherRow.pay_code) == party,
                    ),
                )
            )
        ).all()
    )
    keys.update(
        (Flow.EXPORT.value, code)
        for code in (
            await session.exec(
                select(ReceiptOfFundsRow.ebc_code).where(
                    ReceiptOfFundsRow.order_no == order_no,
                    or_(
                        col(ReceiptOfFundsRow.ebc_code) == party,
                        col(ReceiptOfFundsRow.ebp_code) == party,
                        col(ReceiptOfFundsRow.pay_code) == party,
                    ),
                )
            )
        ).all()
    )
    return keys


async def order_ledgers(
    session: AsyncSession,
    order_no: str,
    *,
    who: Who,
    party: str | None,
    policy: ReconciliationPolicy,
    now: datetime,
) -> list[dict[str, Any]]:
    """The ledger of an order (per flow and party that has it): order, funds, settlements,
    the flags as of now, and the flags raised so far. An enterprise sees the ledgers whose
    order or funds name it; the officers and operators every one (``party`` narrows)."""
    order_query = select(OrderLedgerRow).where(OrderLedgerRow.order_no == order_no)
    voucher_query = select(PaymentVoucherRow).where(PaymentVoucherRow.order_no == order_no)
    receipt_query = select(ReceiptOfFundsRow).where(ReceiptOfFundsRow.order_no == order_no)
    if party is not None:
        order_query = order_query.where(col(OrderLedgerRow.party_code) == party)
        voucher_query = voucher_query.where(col(PaymentVoucherRow.ebp_code) == party)
        receipt_query = receipt_query.where(col(ReceiptOfFundsRow.ebc_code) == party)
    keys: set[tuple[str, str]] | None = None
    if not reads_everything(who):
        keys = await _ledger_keys_naming(session, order_no, who.party) if who.party else set()
        if not keys:
            return []
        order_query = order_query.where(
            or_(
                *(
                    (col(OrderLedgerRow.flow) == flow) & (col(OrderLedgerRow.party_code) == code)
                    for flow, code in keys
                )
            )
        )
        voucher_query = voucher_query.where(
            col(PaymentVoucherRow.ebp_code).in_(
                [code for flow, code in keys if flow == Flow.IMPORT.value]
            )
        )
        receipt_query = receipt_query.where(
            col(ReceiptOfFundsRow.ebc_code).in_(
                [code for flow, code in keys if flow == Flow.EXPORT.value]
            )
        )
    orders = (await session.exec(order_query)).all()
    vouchers = list((await session.exec(voucher_query)).all())
    receipts = list((await session.exec(receipt_query)).all())
    # The other parts of a split payment, so that its shares are checked against its total.
    voucher_splits = {v.split_id for v in vouchers if v.split_id}
    receipt_splits = {r.split_id for r in receipts if r.split_id}
    if voucher_splits:
        known = {v.id for v in vouchers}
        vouchers += [
            v
            for v in (
                await session.exec(
                    select(PaymentVoucherRow).where(
                        col(PaymentVoucherRow.split_id).in_(voucher_splits)
                    )
                )
            ).all()
            if v.id not in known
        ]
    if receipt_splits:
        known = {r.id for r in receipts}
        receipts += [
            r
            for r in (
                await session.exec(
                    select(ReceiptOfFundsRow).where(
                        col(ReceiptOfFundsRow.split_id).in_(receipt_splits)
                    )
                )
            ).all()
            if r.id not in known
        ]
    settled_by = {r.document_id: r.settlement_id for r in receipts if r.settlement_id}
    ledgers = [
        ledger
        for ledger in reconcile(
            [_order_facts(row) for row in orders],
            _funds_records(vouchers, receipts),
            now=local_naive(now),
            policy=policy,
        )
        if ledger.key.order_no == order_no
        and (keys is None or (ledger.key.flow.value, ledger.key.party_code) in keys)
    ]
    raised = (
        await session.exec(
            select(FundsFlagRow)
            .where(
                FundsFlagRow.order_no == order_no,
                col(FundsFlagRow.party_code).in_({ledger.key.party_code for ledger in ledgers}),
            )
            .order_by(col(FundsFlagRow.id))
        )
    ).all()
    order_rows = {(r.flow, r.party_code): r for r in orders}
    return [
        _ledger_view(
            ledger,
            order_rows.get((ledger.key.flow.value, ledger.key.party_code)),
            settled_by,
            [
                f
                for f in raised
                if f.flow == ledger.key.flow.value and f.party_code == ledger.key.party_code
            ],
        )
        for ledger in ledgers
    ]


def _ledger_view(
    ledger: OrderLedger,
    order: OrderLedgerRow | None,
    settled_by: dict[str, str],
    raised: Sequence[FundsFlagRow],
) -> dict[str, Any]:
    return {
        "orderNo": ledger.key.order_no,
        "ieFlag": ledger.key.flow.value,
        "party": ledger.key.party_code,
        "order": None
        if order is None
        else {
            "ebpCode": order.ebp_code,
            "ebcCode": order.ebc_code,
            "currency": order.currency,
            "amountDue": str(order.amount_due),
            "placedAt": iso_local(order.placed_at),
            "invtNo": order.invt_no,
            "releasedAt": iso_local(order.released_at) if order.released_at else None,
        },
        "funded": str(ledger.funded),
        "funds": [
            {
                "documentId": entry.document_id,
                "amount": str(entry.amount),
                "currency": entry.currency,
                "receivedAt": entry.received_at.strftime("%Y%m%d%H%M%S"),
                "split": entry.split,
                "settlementId": settled_by.get(entry.document_id),
            }
            for entry in ledger.entries
        ],
        "flags": [
            {
                "flag": f.code.value,
                "field": f.field,
                "rule": f.rule,
                "actual": _text(f.value),
                "expected": _text(f.expected),
                "documentId": f.document_id,
            }
            for f in ledger.flags
        ],
        "raised": [_flag_view(row) for row in raised],
    }


async def overview(session: AsyncSession) -> dict[str, Any]:
    """Counts of the ledger: orders, funds documents, settled receipts, flags by kind."""
    orders = (await session.exec(select(func.count()).select_from(OrderLedgerRow))).one()
    vouchers = (await session.exec(select(func.count()).select_from(PaymentVoucherRow))).one()
    receipts, settled = (
        await session.exec(
            select(func.count(), func.count(col(ReceiptOfFundsRow.settlement_id))).select_from(
                ReceiptOfFundsRow
            )
        )
    ).one()
    flags: dict[str, int] = defaultdict(int)
    for code, resolved in (
        await session.exec(select(FundsFlagRow.flag, FundsFlagRow.resolved_at))
    ).all():
        if resolved is None:
            flags[code] += 1
    return {
        "orders": orders,
        "paymentVouchers": vouchers,
        "receiptsOfFunds": receipts,
        "settledReceipts": settled,
        "openFlags": dict(sorted(flags.items())),
    }
