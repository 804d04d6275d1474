"""Customs officers: the lists waiting for them, one list with customs' own reasons, and an
officer's decision on a list in manual review (300) or inspection (500)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cbec.declaration import events as ev
from cbec.declaration.domain import (
    DeclarationError,
    ListStatus,
    OfficerAction,
    OfficerDecision,
    apply_officer_decision,
)
from cbec.declaration.domain.directions import direction
from cbec.declaration.models import CustomsReasonRow, ListReceiptRow, ListRow
from cbec.declaration.unit_of_work import DeclarationWork
from cbec.declaration.use_cases import quota
from cbec.declaration.use_cases.recording import keep_counsel, record
from cbec.shared.clock import china, china_iso
from cbec.shared.errors import Conflict, InvalidInput, NotFound
from cbec.shared.errors import Violation as Problem
from cbec.shared.telemetry import tag_span

S = ListStatus
OFFICER_STATES = (S.MANUAL_REVIEW.value, S.INSPECTION.value)


def customs_reason_view(record: CustomsReasonRow) -> dict[str, Any]:
    """One of customs' reasons as the officers' views show it."""
    view: dict[str, Any] = {
        "returnStatus": record.return_status,
        "kind": record.kind,
        "detail": record.detail,
        "at": china_iso(record.created_at),
    }
    for name in ("rule", "outcome", "officer", "action"):
        value = getattr(record, name)
        if value is not None:
            view[name] = value
    return view


async def officer_cases(work: DeclarationWork) -> list[ListRow]:
    return await work.lists.in_status(*OFFICER_STATES)


async def _case(work: DeclarationWork, invt_no: str) -> ListRow:
    row = await work.lists.by_invt_no(invt_no)
    if row is None:
        raise NotFound(f"no list {invt_no}", [Problem("invtNo", "no such list", invt_no)])
    return row


async def officer_case(
    work: DeclarationWork, invt_no: str
) -> tuple[ListRow, list[ListReceiptRow], list[CustomsReasonRow]]:
    """A list as an officer sees it: its receipts and customs' own reasons."""
    row = await _case(work, invt_no)
    assert row.id is not None
    reasons = await work.lists.customs_reasons([row.id])
    return row, await work.lists.receipts(row), reasons[row.id]


async def officer_decision(
    work: DeclarationWork,
    invt_no: str,
    decision: OfficerDecision,
    now: datetime,
) -> ListRow:
    """An officer concludes a manual review (300) or an inspection (500). The officer's code
    and ``reason`` (the note) are kept for customs; the declarant's receipts say the status,
    and a rejection ``return_info`` when the officer gives the declarant a reason. An import
    list's release awaits the buyer's quota reservation (:mod:`.quota`)."""
    await work.lists_one_at_a_time()
    tag_span(invtNo=invt_no)
    row = await _case(work, invt_no)
    current = ListStatus(row.status)
    try:
        steps = apply_officer_decision(current, decision, at=china(now))
    except DeclarationError as error:
        problems = [Problem(v.field, v.rule, v.value, v.expected) for v in error.violations]
        if error.status_code == 409:
            raise Conflict(error.message, problems) from error
        raise InvalidInput(problems, error.message) from error
    if direction(row.ie_flag).needs_quota and decision.action is OfficerAction.RELEASE:
        pending = quota.PendingRelease.by_officer(decision.officer, decision.reason)
        quota.await_reservation(work, row, pending, now)
        return row
    note = ev.CustomsReason(
        kind="officer-decision",
        officer=decision.officer,
        action=decision.action.value,
        detail=decision.reason.strip(),
    )
    await record(work, row, steps, now)
    keep_counsel(work, row, steps[-1].receipt, (note,), now)
    return row
