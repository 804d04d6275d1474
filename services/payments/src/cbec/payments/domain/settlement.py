"""Settlement of foreign-currency receipts in CNY, per institution, payee and day.

Payment institutions may settle CBEC foreign-currency receipts for enterprises (汇发〔2019〕13号);
the platform groups them per payee per day (DOMAIN.md §7). A settlement here is one payment
institution's (``payCode``) payout to one e-commerce enterprise (``ebcCode``, the payee) for the
receipts credited on one day (``accountingDate``).

The amounts, precisely:
1. each receipt converts exactly: ``charge × cnyPerUnit`` of its currency on its accounting day
   (no rounding; arithmetic that would round raises instead);
2. the converted amounts of a settlement are summed exactly: the exact gross;
3. the fee is computed on that exact gross: ``max(gross × basisPoints / 10000, minimumFee)``
   of the institution, and never more than the gross (a payout is never negative);
4. gross and fee are each rounded to 0.01 CNY half-up (x.xx5 goes up);
5. net = rounded gross − rounded fee.

Settling is a pure function of the receipts, the tables and the ids already settled: run it
twice and the second run settles nothing. A receipt that arrives after its day was settled is
settled by the next run, in a settlement of its own for that day (its day's rate, its own fee);
a receipt that cannot be settled yet (no rate for its day, no fee schedule for its institution)
is held, not marked settled, and comes back in every run until it can be::

    run = settle(receipts, through=date(2024, 5, 7), rates=rates, fees=fees,
                 already_settled=ids_settled_before)
    run.settlements[0].net, run.settlements[0].document_ids
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from cbec.payments.domain.documents import ReceiptOfFunds
from cbec.payments.domain.errors import InconsistentInput
from cbec.payments.domain.money import CNY, ZERO, exact_arithmetic, round_cny
from cbec.payments.domain.tables import FeeSchedule, FeeTable, RateTable


@dataclass(frozen=True, slots=True)
class SettlementLine:
    """One receipt in a settlement, converted exactly."""

    document_id: str
    order_no: str
    currency: str
    amount: Decimal
    rate: Decimal
    cny_exact: Decimal


@dataclass(frozen=True, slots=True)
class Settlement:
    """One institution's CNY payout to one payee for the receipts of one day."""

    settlement_id: str
    pay_code: str
    payee: str
    day: date
    lines: tuple[SettlementLine, ...]
    gross_exact: Decimal
    fee_exact: Decimal
    gross: Decimal
    fee: Decimal
    net: Decimal

    @property
    def document_ids(self) -> tuple[str, ...]:
        """The funds documents this settlement covers."""
        return tuple(line.document_id for line in self.lines)


@dataclass(frozen=True, slots=True)
class SettlementOnFile:
    """A settlement as filed: stated in one currency at one rate (CNY at 1 for several)."""

    settlement: Settlement
    currency: str
    rate: Decimal
    settled_at: datetime


@dataclass(frozen=True, slots=True)
class SkippedDocument:
    """A receipt this run did not settle, and why."""

    document_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class SettlementRun:
    settlements: tuple[Settlement, ...]
    # Foreign-currency receipts that will be settled once the missing table data is there.
    held: tuple[SkippedDocument, ...]
    # Receipts no institution settles in CNY: CNY receipts, and cash or offshore payments.
    not_applicable: tuple[SkippedDocument, ...]

    @property
    def settled_document_ids(self) -> frozenset[str]:
        return frozenset(i for s in self.settlements for i in s.document_ids)


def settlement_id(pay_code: str, payee: str, day: date, document_ids: Iterable[str]) -> str:
    """Deterministic: the same receipts always make the same settlement id."""
    digest = hashlib.sha256("\n".join(sorted(document_ids)).encode()).hexdigest()[:16]
    return f"STL-{day:%Y%m%d}-{pay_code}-{payee}-{digest}"


def _settle_group(
    pay_code: str,
    payee: str,
    day: date,
    lines: list[SettlementLine],
    schedule: FeeSchedule,
) -> Settlement:
    with exact_arithmetic():
        gross_exact = sum((line.cny_exact for line in lines), ZERO)
    fee_exact = min(schedule.fee_on(gross_exact), gross_exact)
    gross = round_cny(gross_exact)
    fee = round_cny(fee_exact)
    ordered = tuple(sorted(lines, key=lambda line: line.document_id))
    return Settlement(
        settlement_id=settlement_id(pay_code, payee, day, (line.document_id for line in ordered)),
        pay_code=pay_code,
        payee=payee,
        day=day,
        lines=ordered,
        gross_exact=gross_exact,
        fee_exact=fee_exact,
        gross=gross,
        fee=fee,
        net=gross - fee,
    )


def settle(
    receipts: Iterable[ReceiptOfFunds],
    *,
    through: date,
    rates: RateTable,
    fees: FeeTable,
    already_settled: Collection[str] = frozenset(),
) -> SettlementRun:
    """Settle every receipt credited on or before ``through`` that is not already settled."""
    seen: set[str] = set()
    groups: dict[tuple[str, str, date], list[SettlementLine]] = defaultdict(list)
    held: list[SkippedDocument] = []
    not_applicable: list[SkippedDocument] = []
    schedules: dict[str, FeeSchedule] = {}
    for receipt in receipts:
        doc_id = receipt.document_id
        if doc_id in seen:
            raise InconsistentInput(f"receipt {doc_id} was given twice")
        seen.add(doc_id)
        if doc_id in already_settled or receipt.accounting_day > through:
            continue
        if receipt.currency == CNY:
            not_applicable.append(SkippedDocument(doc_id, "in CNY: no currency to settle"))
            continue
        if receipt.pay_code is None:
            not_applicable.append(
                SkippedDocument(doc_id, "no payCode: no domestic payment institution settles it")
            )
            continue
        rate = rates.rate(receipt.accounting_day, receipt.currency)
        if rate is None:
            held.append(
                SkippedDocument(
                    doc_id, f"no rate for {receipt.currency} on {receipt.accounting_day}"
                )
            )
            continue
        schedule = fees.schedule(receipt.pay_code)
        if schedule is None:
            held.append(SkippedDocument(doc_id, f"no fee schedule for payCode {receipt.pay_code}"))
            continue
        schedules[receipt.pay_code] = schedule
        with exact_arithmetic():
            cny_exact = receipt.charge * rate
        key = (receipt.pay_code, receipt.payee, receipt.accounting_day)
        groups[key].append(
            SettlementLine(
                doc_id, receipt.order_no, receipt.currency, receipt.charge, rate, cny_exact
            )
        )
    settlements = tuple(
        _settle_group(pay_code, payee, day, groups[(pay_code, payee, day)], schedules[pay_code])
        for pay_code, payee, day in sorted(groups, key=lambda k: (k[2], k[1], k[0]))
    )
    return SettlementRun(
        settlements=settlements,
        held=tuple(sorted(held, key=lambda s: s.document_id)),
        not_applicable=tuple(sorted(not_applicable, key=lambda s: s.document_id)),
    )
