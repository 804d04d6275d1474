"""Risk screening of a list (the zone's risk-control system, DOMAIN.md §9).

Typical rules of the pilot zone plans: enterprises on the negative list, a price far from
the usual price of the HS code, orders split to stay under the import limits (same buyer,
same day), repeated mismatches, and random selection for inspection at a rate the
enterprise's credit grade may change. The outcome is release, manual review (300) or
inspection (500), always with the rules that fired::

    assessment = assess_risk(export_subject(invt, credit_grade="A"), rules.risk)
    assessment.outcome, [hit.rule for hit in assessment.hits]
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from cbec.declaration.domain.config import RiskRules, UsualPrice
from cbec.declaration.domain.documents import ExportInventory, ImportInventory, InventoryLine

NEGATIVE_LIST = "negative-list"
PRICE_FAR_FROM_USUAL = "price-far-from-usual"
SPLIT_ORDERS = "split-orders"
REPEATED_MISMATCHES = "repeated-mismatches"
RANDOM_INSPECTION = "random-inspection"


class RiskOutcome(StrEnum):
    """What the screening asks for; the values are the list statuses they lead to."""

    RELEASE = "800"
    MANUAL_REVIEW = "300"
    INSPECTION = "500"


_SEVERITY = {RiskOutcome.RELEASE: 0, RiskOutcome.MANUAL_REVIEW: 1, RiskOutcome.INSPECTION: 2}


@dataclass(frozen=True, slots=True)
class RiskHit:
    rule: str
    outcome: RiskOutcome
    detail: str

    def __str__(self) -> str:
        return f"{self.rule}: {self.detail}"


@dataclass(frozen=True, slots=True)
class RiskAssessment:
    outcome: RiskOutcome
    hits: tuple[RiskHit, ...]

    @property
    def rules(self) -> tuple[str, ...]:
        return tuple(hit.rule for hit in self.hits)


@dataclass(frozen=True, slots=True)
class BuyerOrder:
    """An import order as the split rule sees it: the buyer, the day, the transaction value."""

    order_no: str
    buyer_id_number: str
    day: date
    value: Decimal


@dataclass(frozen=True, slots=True)
class RiskSubject:
    """What the screening looks at for one list.

    `key` is the list's stable business key (selection is a hash of it, so the same list
    always gets the same answer); `parties` maps each party field to its code.
    """

    key: str
    parties: Mapping[str, str]
    lines: Sequence[InventoryLine]
    credit_grade: str | None = None
    recent_mismatches: int = 0
    order: BuyerOrder | None = None
    same_day_orders: Sequence[BuyerOrder] = ()


def list_key(agent_code: str, cop_no: str) -> str:
    """A list's key from the moment it is filed: the agent's code and its own copNo."""
    return f"{agent_code}:{cop_no}"


def export_subject(
    invt: ExportInventory, *, credit_grade: str | None = None, recent_mismatches: int = 0
) -> RiskSubject:
    return RiskSubject(
        key=list_key(invt.agent_code, invt.cop_no),
        parties={
            "ebpCode": invt.ebp_code,
            "ebcCode": invt.ebc_code,
            "agentCode": invt.agent_code,
            "ownerCode": invt.owner_code,
            "logisticsCode": invt.logistics_code,
        },
        lines=invt.lines,
        credit_grade=credit_grade,
        recent_mismatches=recent_mismatches,
    )


def import_subject(
    invt: ImportInventory,
    *,
    order: BuyerOrder,
    same_day_orders: Sequence[BuyerOrder] = (),
    credit_grade: str | None = None,
    recent_mismatches: int = 0,
) -> RiskSubject:
    return RiskSubject(
        key=list_key(invt.agent_code, invt.cop_no),
        parties={
            "ebpCode": invt.ebp_code,
            "ebcCode": invt.ebc_code,
            "agentCode": invt.agent_code,
            "logisticsCode": invt.logistics_code,
            "assureCode": invt.assure_code,
        },
        lines=invt.lines,
        credit_grade=credit_grade,
        recent_mismatches=recent_mismatches,
        order=order,
        same_day_orders=same_day_orders,
    )


def negative_list_hits(parties: Mapping[str, str], negative_list: frozenset[str]) -> list[RiskHit]:
    return [
        RiskHit(NEGATIVE_LIST, RiskOutcome.INSPECTION, f"{field} {code} is on the negative list")
        for field, code in sorted(parties.items())
        if code in negative_list
    ]


def price_hits(
    lines: Sequence[InventoryLine], usual_prices: Sequence[UsualPrice], factor: Decimal
) -> list[RiskHit]:
    """A line whose unit price is above usual × factor or below usual / factor. Lines are
    compared only with a usual price of the same HS code, currency and unit."""
    table = {(p.gcode, p.currency, p.unit): p.price for p in usual_prices}
    hits: list[RiskHit] = []
    for line in lines:
        usual = table.get((line.gcode, line.currency, line.unit))
        if usual is None:
            continue
        if line.price > usual * factor or line.price * factor < usual:
            hits.append(
                RiskHit(
                    PRICE_FAR_FROM_USUAL,
                    RiskOutcome.MANUAL_REVIEW,
                    f"inventoryList[{line.gnum}].price {line.price} vs usual {usual} for "
                    f"{line.gcode} (factor {factor})",
                )
            )
    return hits


def split_order_hits(
    order: BuyerOrder | None, others: Sequence[BuyerOrder], limit: Decimal
) -> list[RiskHit]:
    """Orders of one buyer on one day that together exceed the transaction limit while each
    stays within it (财关税〔2018〕49号 limit, split to avoid it)."""
    if order is None:
        return []
    same = [
        o
        for o in others
        if o.buyer_id_number == order.buyer_id_number
        and o.day == order.day
        and o.order_no != order.order_no
    ]
    group = [order, *same]
    total = sum((o.value for o in group), Decimal(0))
    if len(group) > 1 and total > limit and all(o.value <= limit for o in group):
        numbers = ", ".join(sorted(o.order_no for o in group))
        return [
            RiskHit(
                SPLIT_ORDERS,
                RiskOutcome.MANUAL_REVIEW,
                f"buyer's orders of {order.day.isoformat()} ({numbers}) sum {total} > {limit}",
            )
        ]
    return []


def inspection_rate(rules: RiskRules, credit_grade: str | None) -> Decimal:
    if credit_grade is not None and credit_grade in rules.inspection_rate_by_grade:
        return rules.inspection_rate_by_grade[credit_grade]
    return rules.inspection_rate


def selection_draw(key: str, seed: str) -> Decimal:
    """A number in [0, 1) fixed by the list's key and the seed (SHA-256 of both)."""
    digest = hashlib.sha256(f"{seed}\x1f{key}".encode()).digest()
    return Decimal(int.from_bytes(digest[:8], "big")) / Decimal(2**64)


def selected_for_inspection(key: str, seed: str, rate: Decimal) -> bool:
    return selection_draw(key, seed) < rate


def assess_risk(subject: RiskSubject, rules: RiskRules) -> RiskAssessment:
    hits = negative_list_hits(subject.parties, rules.negative_list)
    hits += price_hits(subject.lines, rules.usual_prices, rules.price_tolerance_factor)
    hits += split_order_hits(subject.order, subject.same_day_orders, rules.split_order_limit)
    if subject.recent_mismatches >= rules.repeated_mismatch_threshold:
        hits.append(
            RiskHit(
                REPEATED_MISMATCHES,
                RiskOutcome.MANUAL_REVIEW,
                f"{subject.recent_mismatches} recent mismatches "
                f"(threshold {rules.repeated_mismatch_threshold})",
            )
        )
    rate = inspection_rate(rules, subject.credit_grade)
    if selected_for_inspection(subject.key, rules.selection_seed, rate):
        grade = subject.credit_grade or "none"
        hits.append(
            RiskHit(
                RANDOM_INSPECTION,
                RiskOutcome.INSPECTION,
                f"selected at rate {rate} (grade {grade})",
            )
        )
    outcome = max(
        (hit.outcome for hit in hits), key=_SEVERITY.__getitem__, default=RiskOutcome.RELEASE
    )
    return RiskAssessment(outcome=outcome, hits=tuple(hits))
