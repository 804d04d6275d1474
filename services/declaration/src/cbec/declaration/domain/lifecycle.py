"""The lifecycle of an inventory list: allowed transitions, receipts, amendments, revocations.

A list normally goes 2 → 120 → (300 / 500) → 399 → 800 → 899 (DOMAIN.md §3); 100 is a
rejection, after which the enterprise corrects a document and declares again. Every move is
checked against :data:`ALLOWED_TRANSITIONS` and yields a :class:`Receipt`::

    step = transition(ListStatus.RELEASED, ListStatus.CLOSED, at=leave_time, info="departed")
    step.receipt.return_status  # "899"
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from cbec.declaration.domain.codes import AppType, ListStatus
from cbec.declaration.domain.documents import (
    ExportInventory,
    ExportRevocation,
    ImportInventory,
    ImportRevocation,
)
from cbec.declaration.domain.errors import (
    DocumentNotAmendable,
    DocumentNotFound,
    DuplicateDocument,
    IllegalTransition,
    InvalidDecision,
    RevocationRefused,
    Violation,
)

S = ListStatus

ALLOWED_TRANSITIONS: Mapping[ListStatus, frozenset[ListStatus]] = {
    S.STAGED: frozenset({S.DECLARING, S.DELETED}),
    S.DECLARING: frozenset({S.STORED, S.REJECTED}),
    S.STORED: frozenset({S.REVIEW_CONCLUDED, S.MANUAL_REVIEW, S.INSPECTION, S.REJECTED}),
    S.MANUAL_REVIEW: frozenset({S.REVIEW_CONCLUDED, S.INSPECTION, S.REJECTED}),
    S.INSPECTION: frozenset({S.REVIEW_CONCLUDED, S.REJECTED}),
    S.REVIEW_CONCLUDED: frozenset({S.RELEASED}),
    # DOMAIN.md §3: a released list is withdrawn with a revocation (CEB605 / CEB623); once
    # the goods have departed (899) it can only come back as a return.
    S.RELEASED: frozenset({S.CLOSED, S.REVOKED}),
    # DOMAIN.md §4: after a rejection the enterprise corrects a document (appType 2) and the
    # list is declared again, or it deletes the list.
    S.REJECTED: frozenset({S.DECLARING, S.DELETED}),
    S.CLOSED: frozenset(),
    S.DELETED: frozenset(),
    S.REVOKED: frozenset(),
}

AMENDABLE: frozenset[ListStatus] = frozenset({S.STAGED, S.REJECTED})
"""DOMAIN.md §3: a change (appType 2) or delete (3) only before the list is declared; a
rejected list is no longer declared, and is corrected with a change."""

MAX_RETURN_INFO = 1000
"""`returnInfo` is at most 1000 characters (CEB receipts)."""

TOLD_DECLARANT: Mapping[ListStatus, str] = {
    S.STORED: "stored by customs, logic check passed",
    S.MANUAL_REVIEW: "held for manual review",
    S.INSPECTION: "selected for inspection",
    S.REVIEW_CONCLUDED: "review concluded",
    S.RELEASED: "released",
}
"""What the declarant's receipt says of a status that customs' own judgement put the list in
(risk screening, an officer): the status, and nothing of why. Customs keeps its own counsel:
the rules that fired, their thresholds and usual prices, and the officers' notes stay with
customs (DESIGN.md, Security)."""

REJECTED_AFTER_REVIEW = "rejected after customs review"
"""The declarant's receipt of an officer's rejection that gives the declarant no reason."""


def format_return_time(at: datetime) -> str:
    """A receipt time as the standard writes it: yyyyMMddHHmmssSSS."""
    return at.strftime("%Y%m%d%H%M%S") + f"{at.microsecond // 1000:03d}"


def clip_return_info(text: str) -> str:
    """Fit `text` into `returnInfo`, marking the cut when it is too long."""
    if len(text) <= MAX_RETURN_INFO:
        return text
    marker = " …(truncated)"
    return text[: MAX_RETURN_INFO - len(marker)] + marker


@dataclass(frozen=True, slots=True)
class Receipt:
    """The answer to a document: `returnStatus`, `returnTime`, `returnInfo`."""

    return_status: str
    return_time: str
    return_info: str

    @classmethod
    def of(cls, status: ListStatus, at: datetime, info: str = "") -> Receipt:
        return cls(
            return_status=status.value,
            return_time=format_return_time(at),
            return_info=clip_return_info(info),
        )

    def as_fields(self) -> dict[str, str]:
        return {
            "returnStatus": self.return_status,
            "returnTime": self.return_time,
            "returnInfo": self.return_info,
        }


@dataclass(frozen=True, slots=True)
class Transition:
    from_status: ListStatus
    to_status: ListStatus
    receipt: Receipt


def can_transition(current: ListStatus, target: ListStatus) -> bool:
    return target in ALLOWED_TRANSITIONS[current]


def transition(
    current: ListStatus, target: ListStatus, *, at: datetime, info: str = ""
) -> Transition:
    """Move a list from `current` to `target`, or raise :class:`IllegalTransition`."""
    if not can_transition(current, target):
        allowed = sorted(s.value for s in ALLOWED_TRANSITIONS[current])
        reason = f"allowed from {current.value}: {', '.join(allowed)}" if allowed else "final state"
        raise IllegalTransition(current.value, target.value, reason)
    return Transition(current, target, Receipt.of(target, at, info))


def walk(
    current: ListStatus, targets: tuple[ListStatus, ...], *, at: datetime, info: str = ""
) -> tuple[Transition, ...]:
    """Several transitions in a row (e.g. 120 → 399 → 800), each checked."""
    steps: list[Transition] = []
    for target in targets:
        steps.append(transition(current, target, at=at, info=info))
        current = target
    return tuple(steps)


def walk_told(
    current: ListStatus, targets: tuple[ListStatus, ...], *, at: datetime
) -> tuple[Transition, ...]:
    """Several transitions in a row, each receipt saying only what :data:`TOLD_DECLARANT`
    says of its status."""
    steps: list[Transition] = []
    for target in targets:
        steps.append(transition(current, target, at=at, info=TOLD_DECLARANT[target]))
        current = target
    return tuple(steps)


def check_app_type(app_type: AppType, *, on_file: bool, list_status: ListStatus | None) -> None:
    """Whether a document may be created, changed or deleted (DOMAIN.md §3).

    `on_file`: a document with the same key is on file; `list_status`: the status of the
    list that uses the document (the list itself, for a list), None when there is none.
    """
    if app_type is AppType.NEW:
        if on_file:
            raise DuplicateDocument(
                "a document with this key is already on file; send appType 2 to change it",
                [Violation("appType", "a new document's key must not be on file", app_type.value)],
            )
        return
    action = "changed" if app_type is AppType.CHANGE else "deleted"
    if not on_file:
        raise DocumentNotFound(
            f"no document with this key is on file to be {action}",
            [Violation("appType", f"only a document on file can be {action}", app_type.value)],
        )
    if list_status is not None and list_status not in AMENDABLE:
        raise DocumentNotAmendable(
            f"the list is in status {list_status.value}: a document can be {action} only before "
            "the list is declared; a released list is withdrawn with a revocation",
            [
                Violation(
                    "appType",
                    f"appType {app_type.value} only before the list is declared",
                    list_status.value,
                    " or ".join(sorted(s.value for s in AMENDABLE)),
                )
            ],
        )


def _revocation_checks(
    status: ListStatus, reason: str, pairs: tuple[tuple[str, str | None, str | None], ...]
) -> list[Violation]:
    found: list[Violation] = []
    if status is not S.RELEASED:
        found.append(
            Violation(
                "invtNo",
                "only a released list (800) is revoked; before declaration it is deleted, "
                "after departure it is returned",
                status.value,
                S.RELEASED.value,
            )
        )
    if not reason.strip():
        found.append(Violation("reason", "a revocation gives its reason", reason))
    for field_name, on_revocation, on_list in pairs:
        if on_revocation != on_list:
            found.append(
                Violation(
                    field_name,
                    f"the revocation's {field_name} equals the list's",
                    on_revocation,
                    on_list,
                )
            )
    return found


def _revoke(status: ListStatus, found: list[Violation], reason: str, at: datetime) -> Transition:
    if found:
        raise RevocationRefused("; ".join(str(v) for v in found), found)
    return transition(status, S.REVOKED, at=at, info=f"revoked: {reason}")


def revoke_export(
    invt: ExportInventory, status: ListStatus, revocation: ExportRevocation, *, at: datetime
) -> Transition:
    """Accept a CEB605 revocation of an export list, or raise :class:`RevocationRefused`."""
    found = _revocation_checks(
        status,
        revocation.reason,
        (
            ("invtNo", revocation.invt_no, invt.invt_no),
            ("ebcCode", revocation.ebc_code, invt.ebc_code),
            ("agentCode", revocation.agent_code, invt.agent_code),
        ),
    )
    return _revoke(status, found, revocation.reason, at)


def revoke_import(
    invt: ImportInventory, status: ListStatus, revocation: ImportRevocation, *, at: datetime
) -> Transition:
    """Accept a CEB623 revocation of an import list, or raise :class:`RevocationRefused`."""
    found = _revocation_checks(
        status,
        revocation.reason,
        (
            ("invtNo", revocation.invt_no, invt.invt_no),
            ("orderNo", revocation.order_no, invt.order_no),
            ("ebpCode", revocation.ebp_code, invt.ebp_code),
            ("buyerIdNumber", revocation.buyer_id_number, invt.buyer_id_number),
        ),
    )
    return _revoke(status, found, revocation.reason, at)


class OfficerAction(StrEnum):
    RELEASE = "release"
    REJECT = "reject"
    INSPECT = "inspect"
    """Manual review (300) sends the goods to inspection (500)."""


@dataclass(frozen=True, slots=True)
class OfficerDecision:
    """An officer's decision on a list. ``reason`` is the officer's note, kept by customs;
    ``return_info`` is what a rejection tells the declarant (a reason about its own documents
    or goods that it can act on), None to tell it only that customs rejected the list."""

    action: OfficerAction
    reason: str
    officer: str
    return_info: str | None = None


def _officer_violations(decision: OfficerDecision) -> list[Violation]:
    found: list[Violation] = []
    if not decision.reason.strip():
        found.append(Violation("reason", "an officer's decision gives its reason", decision.reason))
    if decision.return_info is not None:
        if decision.action is not OfficerAction.REJECT:
            found.append(
                Violation(
                    "returnInfo",
                    "only a rejection tells the declarant a reason",
                    decision.action.value,
                    OfficerAction.REJECT.value,
                )
            )
        elif not decision.return_info.strip():
            found.append(
                Violation(
                    "returnInfo",
                    "a rejection's reason for the declarant is not blank (leave it out instead)",
                    decision.return_info,
                )
            )
    return found


def apply_officer_decision(
    current: ListStatus, decision: OfficerDecision, *, at: datetime
) -> tuple[Transition, ...]:
    """An officer concludes a manual review (300) or an inspection (500), with a reason.

    The receipts say what :data:`TOLD_DECLARANT` says of each status; a rejection says
    ``rejected: <return_info>`` or :data:`REJECTED_AFTER_REVIEW`. The officer's code and note
    are never in them: the caller keeps them for customs."""
    targets = {
        OfficerAction.RELEASE: (S.REVIEW_CONCLUDED, S.RELEASED),
        OfficerAction.REJECT: (S.REJECTED,),
        OfficerAction.INSPECT: (S.INSPECTION,),
    }[decision.action]
    if current not in (S.MANUAL_REVIEW, S.INSPECTION):
        raise IllegalTransition(
            current.value,
            targets[0].value,
            "officers decide on lists in manual review or inspection",
        )
    found = _officer_violations(decision)
    if found:
        raise InvalidDecision("; ".join(str(v) for v in found), found)
    if decision.action is OfficerAction.REJECT:
        told = decision.return_info
        info = f"rejected: {told.strip()}" if told is not None else REJECTED_AFTER_REVIEW
        return (transition(current, S.REJECTED, at=at, info=info),)
    return walk_told(current, targets, at=at)
