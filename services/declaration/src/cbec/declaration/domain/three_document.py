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
from cbec.declaration.domain.three_document_rules import (
    export_amount,
    export_currencies,
    export_keys,
    export_lines,
    export_senders,
    import_amounts,
    import_buyer,
    import_consignee,
    import_currencies,
    import_keys,
    import_parcels,
    import_senders,
)

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
    found = [
        *export_keys(invt, order, funds, waybill),
        *export_senders(order, funds, waybill),
        *export_lines(invt, order),
        *export_currencies(invt, order, funds),
        *export_amount(order, funds, rules.amount_tolerance),
    ]
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
    found = [
        *import_keys(invt, order, payment, waybill),
        *import_senders(order, payment, waybill),
        *import_amounts(order, payment, rules.amount_tolerance),
        *import_consignee(order, waybill),
        *import_buyer(invt, order, payment, buyer_verified=on_file.buyer_verified),
        *import_currencies(invt, order, payment),
        *import_parcels(invt, waybill),
        *check_import_limits(order, on_file.buyer_year_total, limits),
    ]
    return ThreeDocumentResult(violations=tuple(found))
