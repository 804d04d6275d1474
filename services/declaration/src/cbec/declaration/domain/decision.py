"""The decision on a list: its own rules, the three-document check, then risk screening.

Any broken rule is a rejection (100) whose `returnInfo` names every failed rule with its two
values (at most 1000 characters): the declarant's own data, which it corrects. A complete,
consistent list goes where risk screening sends it: release (800), manual review (300) or
inspection (500); its receipts say only that (:data:`TOLD_DECLARANT`), while the rules that
fired stay in ``risk_hits``, for customs alone. A list whose documents are not all on file
waits::

    decision = decide_export(invt, on_file, rules, credit_grade="A")
    steps = apply_decision(ListStatus.STORED, decision, at=now)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from cbec.declaration.domain.codes import ListStatus
from cbec.declaration.domain.config import DeclarationRules
from cbec.declaration.domain.documents import ExportInventory, ImportInventory
from cbec.declaration.domain.errors import Violation
from cbec.declaration.domain.lifecycle import (
    TOLD_DECLARANT,
    Transition,
    clip_return_info,
    walk,
    walk_told,
)
from cbec.declaration.domain.risk import (
    BuyerOrder,
    RiskAssessment,
    RiskHit,
    RiskOutcome,
    assess_risk,
    export_subject,
    import_subject,
)
from cbec.declaration.domain.three_document import (
    ExportDocumentsOnFile,
    ImportDocumentsOnFile,
    ThreeDocumentResult,
    check_export,
    check_import,
)
from cbec.declaration.domain.validation import (
    validate_export_inventory,
    validate_export_order,
    validate_import_inventory,
    validate_import_order,
)


class DecisionOutcome(StrEnum):
    AWAITING_DOCUMENTS = "awaiting-documents"
    REJECT = "100"
    MANUAL_REVIEW = "300"
    INSPECTION = "500"
    RELEASE = "800"


_FROM_RISK = {
    RiskOutcome.RELEASE: DecisionOutcome.RELEASE,
    RiskOutcome.MANUAL_REVIEW: DecisionOutcome.MANUAL_REVIEW,
    RiskOutcome.INSPECTION: DecisionOutcome.INSPECTION,
}


@dataclass(frozen=True, slots=True)
class Decision:
    """``return_info`` is what the declarant is told; ``risk_hits`` are customs' own reasons
    (the rules that fired, with their parameters), never told to the declarant."""

    outcome: DecisionOutcome
    return_info: str
    violations: tuple[Violation, ...] = ()
    risk_hits: tuple[RiskHit, ...] = ()
    missing: tuple[str, ...] = ()


def rejection_info(violations: Sequence[Violation]) -> str:
    """Every failed rule with its values, fitted into `returnInfo`."""
    return clip_return_info("; ".join(str(v) for v in violations))


def decide(
    own_rules: Sequence[Violation], check: ThreeDocumentResult, risk: RiskAssessment
) -> Decision:
    """Combine the three stages. A list that breaks its own rules is rejected at once; one
    that lacks documents waits; a mismatch is rejected; otherwise risk decides."""
    if own_rules:
        found = (*own_rules, *check.violations)
        return Decision(DecisionOutcome.REJECT, rejection_info(found), found, missing=check.missing)
    if not check.complete:
        info = "awaiting " + ", ".join(check.missing)
        return Decision(DecisionOutcome.AWAITING_DOCUMENTS, info, missing=check.missing)
    if check.violations:
        return Decision(DecisionOutcome.REJECT, rejection_info(check.violations), check.violations)
    outcome = _FROM_RISK[risk.outcome]
    info = TOLD_DECLARANT[_TARGETS[outcome][-1]]
    return Decision(outcome, info, risk_hits=risk.hits)


def decide_export(
    invt: ExportInventory,
    on_file: ExportDocumentsOnFile,
    rules: DeclarationRules,
    *,
    credit_grade: str | None = None,
    recent_mismatches: int = 0,
) -> Decision:
    tolerance = rules.three_document.amount_tolerance
    own = validate_export_inventory(invt, tolerance=tolerance)
    if on_file.order is not None:
        own += validate_export_order(on_file.order, tolerance=tolerance)
    check = check_export(invt, on_file, rules.three_document)
    subject = export_subject(invt, credit_grade=credit_grade, recent_mismatches=recent_mismatches)
    return decide(own, check, assess_risk(subject, rules.risk))


def decide_import(
    invt: ImportInventory,
    on_file: ImportDocumentsOnFile,
    rules: DeclarationRules,
    *,
    order_day: date,
    same_day_orders: Sequence[BuyerOrder] = (),
    credit_grade: str | None = None,
    recent_mismatches: int = 0,
) -> Decision:
    """`order_day` is the day of the list's order; `same_day_orders` the buyer's other
    orders of that day (for the split-order rule)."""
    tolerance = rules.three_document.amount_tolerance
    own = validate_import_inventory(invt, tolerance=tolerance)
    if on_file.order is not None:
        own += validate_import_order(on_file.order, tolerance=tolerance)
    check = check_import(invt, on_file, rules.three_document, rules.import_limits)
    order = on_file.order
    value = (
        order.transaction_value
        if order is not None
        else sum((line.total_price for line in invt.lines), Decimal(0)) + invt.freight
    )
    buyer_order = BuyerOrder(invt.order_no, invt.buyer_id_number, order_day, value)
    subject = import_subject(
        invt,
        order=buyer_order,
        same_day_orders=same_day_orders,
        credit_grade=credit_grade,
        recent_mismatches=recent_mismatches,
    )
    return decide(own, check, assess_risk(subject, rules.risk))


_TARGETS: dict[DecisionOutcome, tuple[ListStatus, ...]] = {
    DecisionOutcome.AWAITING_DOCUMENTS: (),
    DecisionOutcome.REJECT: (ListStatus.REJECTED,),
    DecisionOutcome.MANUAL_REVIEW: (ListStatus.MANUAL_REVIEW,),
    DecisionOutcome.INSPECTION: (ListStatus.INSPECTION,),
    DecisionOutcome.RELEASE: (ListStatus.REVIEW_CONCLUDED, ListStatus.RELEASED),
}


def apply_decision(
    current: ListStatus, decision: Decision, *, at: datetime
) -> tuple[Transition, ...]:
    """The transitions a decision causes. A list still being declared (2) is first stored
    (120) unless it is rejected outright. A rejection's receipt names the failed rules and a
    list waiting says what it awaits (the declarant's own documents); risk screening's
    outcomes say only the status reached."""
    targets = _TARGETS[decision.outcome]
    if current is ListStatus.DECLARING and decision.outcome is not DecisionOutcome.REJECT:
        targets = (ListStatus.STORED, *targets)
    if decision.outcome in (DecisionOutcome.REJECT, DecisionOutcome.AWAITING_DOCUMENTS):
        return walk(current, targets, at=at, info=decision.return_info)
    return walk_told(current, targets, at=at)
