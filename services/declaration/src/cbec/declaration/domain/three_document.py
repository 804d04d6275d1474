"""The three-document check (三单比对, DOMAIN.md §4).

Before a list can be released, its order, its funds document and its waybill must be on
file, each sent by its own responsible party, and agree with the list. Documents arrive in
any order: the service calls the check on every arrival, and it compares only once nothing
is missing. Each failed rule is a violation that names the rule and the two values::

    result = check_export(invt, ExportDocumentsOnFile(order=o, funds=f, waybill=w), rules)
    if not result.complete: ...        # wait; result.missing names what is lacking
    elif result.violations: ...        # reject (100) with every failed rule
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from cbec.declaration.domain.codes import CNY
from cbec.declaration.domain.config import ImportLimits, ThreeDocumentRules
from cbec.declaration.domain.documents import (
    ExportInventory,
    ExportOrder,
    ExportWaybill,
    ImportInventory,
    ImportOrder,
    ImportPayment,
    ImportWaybill,
    ReceiptOfFunds,
)
from cbec.declaration.domain.errors import Violation

EXPORT_ORDER = "order (CEB303)"
EXPORT_FUNDS = "receipt of funds (CEB403)"
EXPORT_WAYBILL = "waybill (CEB505)"
IMPORT_ORDER = "order (CEB311)"
IMPORT_PAYMENT = "payment (CEB411)"
IMPORT_WAYBILL = "waybill (CEB511)"

# DOMAIN.md §3: processing-error codes of the import limits (财关税〔2018〕49号).
OVER_TRANSACTION_LIMIT = "-621005"
OVER_ANNUAL_LIMIT = "-621018"


@dataclass(frozen=True, slots=True)
class ExportDocumentsOnFile:
    """What is on file for an export list, found by its keys (None: not arrived)."""

    order: ExportOrder | None = None
    funds: ReceiptOfFunds | None = None
    waybill: ExportWaybill | None = None


@dataclass(frozen=True, slots=True)
class ImportDocumentsOnFile:
    """What is on file for an import list, and what the rules need to know of the buyer.

    `buyer_verified` is the outcome of the buyer's identity verification; `buyer_year_total`
    the amount the buyer has already cleared in the calendar year (the tax service's quota).
    """

    order: ImportOrder | None = None
    payment: ImportPayment | None = None
    waybill: ImportWaybill | None = None
    buyer_verified: bool = False
    buyer_year_total: Decimal = Decimal(0)


@dataclass(frozen=True, slots=True)
class ThreeDocumentResult:
    missing: tuple[str, ...] = ()
    violations: tuple[Violation, ...] = field(default=())

    @property
    def complete(self) -> bool:
        """Every document is on file, so the comparison ran."""
        return not self.missing

    @property
    def passed(self) -> bool:
        return self.complete and not self.violations


@dataclass(frozen=True, slots=True)
class MissingDocumentsReport:
    """A list still waiting for documents: what it lacks, and whether its wait is over."""

    missing: tuple[str, ...]
    deadline: datetime
    overdue: bool


def missing_documents_report(
    missing: Iterable[str], *, received_at: datetime, now: datetime, wait: timedelta
) -> MissingDocumentsReport | None:
    """How long customs waits for a missing document is not published (DOMAIN.md §4), so
    `wait` is a setting; a list still incomplete at `received_at + wait` is overdue. None
    when nothing is missing."""
    lacking = tuple(missing)
    if not lacking:
        return None
    deadline = received_at + wait
    return MissingDocumentsReport(missing=lacking, deadline=deadline, overdue=now >= deadline)


def _differs(field_name: str, rule: str, value: object, expected: object) -> list[Violation]:
    if value != expected:
        return [Violation(field=field_name, rule=rule, value=value, expected=expected)]
    return []


def _amount_differs(
    field_name: str, rule: str, value: Decimal, expected: Decimal, tolerance: Decimal
) -> list[Violation]:
    if abs(value - expected) > tolerance:
        return [Violation(field=field_name, rule=rule, value=value, expected=expected)]
    return []


def _sender(
    field_name: str, document: str, sender: str, allowed: Iterable[str | None]
) -> list[Violation]:
    parties = sorted({code for code in allowed if code})
    if sender not in parties:
        return [
            Violation(
                field=field_name,
                rule=f"the {document} must be sent by its responsible party",
                value=sender,
                expected=" or ".join(parties),
            )
        ]
    return []


def missing_export_documents(on_file: ExportDocumentsOnFile) -> tuple[str, ...]:
    return tuple(
        name
        for name, doc in (
            (EXPORT_ORDER, on_file.order),
            (EXPORT_FUNDS, on_file.funds),
            (EXPORT_WAYBILL, on_file.waybill),
        )
        if doc is None
    )


def missing_import_documents(on_file: ImportDocumentsOnFile) -> tuple[str, ...]:
    return tuple(
        name
        for name, doc in (
            (IMPORT_ORDER, on_file.order),
            (IMPORT_PAYMENT, on_file.payment),
            (IMPORT_WAYBILL, on_file.waybill),
        )
        if doc is None
    )


def check_export(
    invt: ExportInventory, on_file: ExportDocumentsOnFile, rules: ThreeDocumentRules
) -> ThreeDocumentResult:
    """Export: CEB603 against CEB303, CEB403 and CEB505 (DOMAIN.md §4)."""
    order, funds, waybill = on_file.order, on_file.funds, on_file.waybill
    if order is None or funds is None or waybill is None:
        return ThreeDocumentResult(missing=missing_export_documents(on_file))
    found: list[Violation] = []
    # The keys: order and funds by (orderNo, ebcCode), waybill by (logisticsCode, logisticsNo).
    found += _differs(
        "order.orderNo", "the order's orderNo equals the list's", order.order_no, invt.order_no
    )
    found += _differs(
        "order.ebcCode", "the list's ebcCode equals the order's", invt.ebc_code, order.ebc_code
    )
    found += _differs(
        "order.ebpCode", "the list's ebpCode equals the order's", invt.ebp_code, order.ebp_code
    )
    found += _differs(
        "receipts.orderNo", "the funds' orderNo equals the list's", funds.order_no, invt.order_no
    )
    found += _differs(
        "receipts.ebcCode", "the funds' ebcCode equals the list's", funds.ebc_code, invt.ebc_code
    )
    found += _differs(
        "logistics.logisticsCode",
        "the waybill's logisticsCode equals the list's",
        waybill.logistics_code,
        invt.logistics_code,
    )
    found += _differs(
        "logistics.logisticsNo",
        "the waybill's logisticsNo equals the list's",
        waybill.logistics_no,
        invt.logistics_no,
    )
    # Each document sent by its own responsible party.
    found += _sender("order.copCode", "order", order.cop_code, (order.ebp_code, order.ebc_code))
    found += _sender(
        "receipts.copCode", "receipt of funds", funds.cop_code, (funds.ebc_code, funds.pay_code)
    )
    found += _sender("logistics.copCode", "waybill", waybill.cop_code, (waybill.logistics_code,))
    # Lines one to one by gnum, with the same goods name.
    order_lines = {line.gnum: line for line in order.lines}
    list_gnums = {line.gnum for line in invt.lines}
    for line in invt.lines:
        at = f"inventoryList[{line.gnum}]"
        order_line = order_lines.get(line.gnum)
        if order_line is None:
            found.append(Violation(f"{at}.gnum", "every list line has an order line", line.gnum))
            continue
        found += _differs(
            f"{at}.itemName",
            "the list line's goods name equals the order line's",
            line.goods_name,
            order_line.item_name,
        )
    for gnum in sorted(set(order_lines) - list_gnums):
        found.append(Violation(f"orderList[{gnum}].gnum", "every order line has a list line", gnum))
    # The currencies agree.
    found += _differs(
        "receipts.currency",
        "the funds' currency equals the order's",
        funds.currency,
        order.currency,
    )
    for order_line in order.lines:
        found += _differs(
            f"orderList[{order_line.gnum}].currency",
            "the order line's currency equals the order's",
            order_line.currency,
            order.currency,
        )
    for line in invt.lines:
        found += _differs(
            f"inventoryList[{line.gnum}].currency",
            "the list line's currency equals the order's",
            line.currency,
            order.currency,
        )
    # The received amount equals the order's goodsValue + freight.
    found += _amount_differs(
        "receipts.charge",
        "the amount received equals the order's goodsValue + freight",
        funds.charge,
        order.goods_value + order.freight,
        rules.amount_tolerance,
    )
    return ThreeDocumentResult(violations=tuple(found))


def check_import_limits(
    order: ImportOrder, buyer_year_total: Decimal, limits: ImportLimits
) -> list[Violation]:
    """财关税〔2018〕49号 (DOMAIN.md §6.4): 5,000 CNY per transaction, 26,000 per buyer and
    calendar year. A single indivisible item (one line, quantity 1) above the transaction
    limit passes when it fits in the year's room: it is taxed as general trade."""
    found: list[Violation] = []
    value = order.transaction_value
    year_after = buyer_year_total + value
    single_item = len(order.lines) == 1 and order.lines[0].qty == 1
    if value > limits.per_transaction and not (single_item and year_after <= limits.annual):
        found.append(
            Violation(
                "goodsValue",
                f"{OVER_TRANSACTION_LIMIT} the transaction is over the single-transaction limit",
                value,
                limits.per_transaction,
            )
        )
    if year_after > limits.annual:
        found.append(
            Violation(
                "buyerIdNumber",
                f"{OVER_ANNUAL_LIMIT} the buyer's year would exceed the annual limit",
                year_after,
                limits.annual,
            )
        )
    return found


def check_import(
    invt: ImportInventory,
    on_file: ImportDocumentsOnFile,
    rules: ThreeDocumentRules,
    limits: ImportLimits,
) -> ThreeDocumentResult:
    """Import: CEB621 against CEB311, CEB411 and CEB511 (DOMAIN.md §4)."""
    order, payment, waybill = on_file.order, on_file.payment, on_file.waybill
    if order is None or payment is None or waybill is None:
        return ThreeDocumentResult(missing=missing_import_documents(on_file))
    tolerance = rules.amount_tolerance
    found: list[Violation] = []
    # The keys: order and payment by (orderNo, ebpCode); the waybill by (logisticsCode,
    # logisticsNo), naming the same order.
    found += _differs(
        "order.orderNo", "the order's orderNo equals the list's", order.order_no, invt.order_no
    )
    found += _differs(
        "order.ebpCode", "the list's ebpCode equals the order's", invt.ebp_code, order.ebp_code
    )
    found += _differs(
        "order.ebcCode", "the list's ebcCode equals the order's", invt.ebc_code, order.ebc_code
    )
    found += _differs(
        "payment.orderNo",
        "the payment's orderNo equals the list's",
        payment.order_no,
        invt.order_no,
    )
    found += _differs(
        "payment.ebpCode",
        "the payment's ebpCode equals the list's",
        payment.ebp_code,
        invt.ebp_code,
    )
    found += _differs(
        "logistics.logisticsCode",
        "the waybill's logisticsCode equals the list's",
        waybill.logistics_code,
        invt.logistics_code,
    )
    found += _differs(
        "logistics.logisticsNo",
        "the waybill's logisticsNo equals the list's",
        waybill.logistics_no,
        invt.logistics_no,
    )
    found += _differs(
        "logistics.orderNo",
        "the waybill's orderNo is the list's order",
        waybill.order_no,
        invt.order_no,
    )
    # Each document sent by its own responsible party.
    found += _sender("order.copCode", "order", order.cop_code, (order.ebp_code, order.ebc_code))
    found += _sender("payment.copCode", "payment", payment.cop_code, (payment.pay_code,))
    found += _sender("logistics.copCode", "waybill", waybill.cop_code, (waybill.logistics_code,))
    # The amounts.
    found += _amount_differs(
        "order.acturalPaid",
        "acturalPaid equals goodsValue + freight + taxTotal − discount",
        order.actural_paid,
        order.goods_value + order.freight + order.tax_total - order.discount,
        tolerance,
    )
    found += _amount_differs(
        "payment.amountPaid",
        "the payment's amountPaid equals the order's acturalPaid",
        payment.amount_paid,
        order.actural_paid,
        tolerance,
    )
    # The consignee of the order is the consignee of the waybill.
    for field_name, on_order, on_waybill in (
        ("consignee", order.consignee, waybill.consignee),
        ("consigneeTelephone", order.consignee_telephone, waybill.consignee_telephone),
        ("consigneeAddress", order.consignee_address, waybill.consignee_address),
    ):
        found += _differs(
            f"logistics.{field_name}",
            f"the waybill's {field_name} equals the order's",
            on_waybill,
            on_order,
        )
    # The buyer on the list is the buyer of the order.
    found += _differs(
        "buyerIdNumber",
        "the list's buyer equals the order's",
        invt.buyer_id_number,
        order.buyer_id_number,
    )
    found += _differs(
        "buyerName", "the list's buyer equals the order's", invt.buyer_name, order.buyer_name
    )
    # The buyer's identity is verified, or the buyer is the payer.
    payer_is_buyer = (
        payment.payer_id_number == order.buyer_id_number and payment.payer_name == order.buyer_name
    )
    if not (on_file.buyer_verified or payer_is_buyer):
        found.append(
            Violation(
                "payment.payerIdNumber",
                "the buyer's identity is verified, or the buyer is the payer",
                f"{payment.payer_name} {payment.payer_id_number}",
                f"{order.buyer_name} {order.buyer_id_number}",
            )
        )
    # Currency 142 throughout.
    for field_name, currency in (
        ("order.currency", order.currency),
        ("payment.currency", payment.currency),
        ("currency", invt.currency),
        *((f"orderList[{line.gnum}].currency", line.currency) for line in order.lines),
        *((f"inventoryList[{line.gnum}].currency", line.currency) for line in invt.lines),
    ):
        found += _differs(field_name, "an import is in CNY (142)", currency, CNY)
    # One parcel per list.
    found += _differs("packNo", "an import list is one parcel (packNo 1)", invt.pack_no, 1)
    found += _differs(
        "logistics.packNo", "an import waybill is one parcel (packNo 1)", waybill.pack_no, 1
    )
    found += check_import_limits(order, on_file.buyer_year_total, limits)
    return ThreeDocumentResult(violations=tuple(found))
