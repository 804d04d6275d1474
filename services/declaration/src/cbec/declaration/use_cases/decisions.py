"""The decision on a declared list: customs (the built-in rules or the file exchange) decides
on the list and its three documents; its receipts and events are recorded. A release that
needs the buyer's quota is recorded as awaiting its reservation (:mod:`.quota`)."""

from __future__ import annotations

import logging
from datetime import datetime

from cbec.declaration.adapters import DeclaredList
from cbec.declaration.domain import (
    BuyerOrder,
    Decision,
    DecisionOutcome,
    DeclarationError,
    ExportDocumentsOnFile,
    ImportDocumentsOnFile,
    ListStatus,
    Receipt,
    Transition,
    apply_decision,
    decide_export,
    decide_import,
    transition,
)
from cbec.declaration.domain.directions import direction
from cbec.declaration.domain.stored import stored_list
from cbec.declaration.models import ListRow
from cbec.declaration.repository import (
    export_inventory_of,
    export_order_of,
    export_waybill_of,
    funds_of,
    import_inventory_of,
    import_order_of,
    import_waybill_of,
    payer_is_buyer,
    payment_of,
)
from cbec.declaration.unit_of_work import DeclarationWork
from cbec.declaration.use_cases import quota
from cbec.declaration.use_cases.recording import keep_counsel, record, risk_reason
from cbec.shared.clock import china
from cbec.shared.fingerprints import loads
from cbec.shared.telemetry import tag_span

log = logging.getLogger(__name__)
S = ListStatus

DocumentsOnFile = ExportDocumentsOnFile | ImportDocumentsOnFile


async def documents_on_file(work: DeclarationWork, row: ListRow) -> DocumentsOnFile:
    """The list's order, funds document and waybill on file, as the rules' models."""
    party = direction(row.ie_flag).party(ebc_code=row.ebc_code, ebp_code=row.ebp_code)
    order = await work.orders.get(row.ie_flag, row.order_no, party)
    funds = await work.documents.funds(row.ie_flag, row.order_no, party)
    waybill = await work.documents.waybill(row.logistics_code, row.logistics_no)
    if not direction(row.ie_flag).needs_quota:
        return ExportDocumentsOnFile(
            order=export_order_of(order) if order else None,
            funds=funds_of(funds) if funds else None,
            waybill=export_waybill_of(waybill) if waybill else None,
        )
    return ImportDocumentsOnFile(
        order=import_order_of(order) if order else None,
        payment=payment_of(funds) if funds else None,
        waybill=import_waybill_of(waybill) if waybill else None,
        buyer_verified=bool(funds and payer_is_buyer(funds)),
    )


async def _same_day_orders(
    work: DeclarationWork, row: ListRow
) -> tuple[datetime, list[BuyerOrder]]:
    """The day of an import list's order and the buyer's other orders of that day (§9)."""
    order_row = await work.orders.get("I", row.order_no, row.ebp_code)
    day = china(row.declared_at)
    same_day: list[BuyerOrder] = []
    if order_row is None or not order_row.order_day:
        return day, same_day
    day = datetime.strptime(order_row.order_day, "%Y%m%d")
    for other in await work.orders.same_buyer_same_day(order_row):
        order = import_order_of(other)
        same_day.append(
            BuyerOrder(order.order_no, order.buyer_id_number, day.date(), order.transaction_value)
        )
    return day, same_day


async def rules_decision(work: DeclarationWork, row: ListRow) -> Decision:
    """The built-in rules' decision: validation, the three documents, risk screening."""
    on_file = await documents_on_file(work, row)
    mismatches = await work.lists.rejected_of_seller(row)
    if isinstance(on_file, ExportDocumentsOnFile):
        invt = export_inventory_of(row)
        return decide_export(invt, on_file, work.rules, recent_mismatches=mismatches)
    day, same_day = await _same_day_orders(work, row)
    return decide_import(
        import_inventory_of(row),
        on_file,
        work.rules,
        order_day=day.date(),
        same_day_orders=same_day,
        recent_mismatches=mismatches,
    )


def _declared(work: DeclarationWork, row: ListRow) -> DeclaredList:
    async def decide() -> Decision:
        return await rules_decision(work, row)

    return DeclaredList(
        ie_flag=row.ie_flag,
        cop_no=row.cop_no,
        agent_code=row.agent_code,
        pre_no=row.pre_no,
        fingerprint=row.fingerprint,
        entity=loads(row.document),
        sender_code=row.agent_code,
        sender_name=stored_list(row.document).head.agent_name or row.agent_code,
        decide=decide,
    )


async def evaluate(work: DeclarationWork, row: ListRow, now: datetime) -> None:
    """Hand a declared list (status 2) to customs; apply the decision when there is one."""
    if row.status != S.DECLARING.value:
        return
    decision = await work.decl.port.submit(_declared(work, row))
    if decision is None or decision.outcome is DecisionOutcome.AWAITING_DOCUMENTS:
        return
    tag_span(orderNo=row.order_no, copNo=row.cop_no)
    await apply(work, row, decision, now)


async def apply(work: DeclarationWork, row: ListRow, decision: Decision, now: datetime) -> None:
    """Record the decision; an import release first awaits the buyer's quota reservation."""
    row.awaiting_quota = None
    if direction(row.ie_flag).needs_quota and decision.outcome is DecisionOutcome.RELEASE:
        quota.await_reservation(work, row, quota.PendingRelease.by_rules(decision), now)
        return
    steps = apply_decision(ListStatus(row.status), decision, at=china(now))
    await record(work, row, steps, now, rules=tuple(str(v) for v in decision.violations))
    if decision.risk_hits and steps:
        reasons = tuple(risk_reason(hit) for hit in decision.risk_hits)
        keep_counsel(work, row, steps[-1].receipt, reasons, now)


async def reconsider(work: DeclarationWork, row: ListRow, now: datetime, *, changed: bool) -> None:
    """A document of the list arrived or changed: a declared list is decided again; a rejected
    one is declared again when the document changed (DOMAIN.md §4: correct and resend)."""
    if changed and row.status == S.REJECTED.value:
        step = transition(
            S.REJECTED, S.DECLARING, at=china(now), info="declared again: a document changed"
        )
        row.declared_at, row.incomplete_reported_at = now, None
        await record(work, row, (step,), now)
    await evaluate(work, row, now)


async def apply_customs_receipt(
    work: DeclarationWork, document: dict[str, object], now: datetime
) -> str:
    """Apply one receipt document of customs (an InventoryReturn of CEB604 / CEB622): move the
    list to its returnStatus. Returns what was done."""
    await work.lists_one_at_a_time()
    cop_no, status = document.get("copNo"), str(document["returnStatus"])
    row = await work.lists.by_customs_receipt(
        str(cop_no), _text(document.get("agentCode")), _text(document.get("preNo"))
    )
    if row is None:
        return f"no list {cop_no}"
    if document.get("invtNo") and row.invt_no is None:
        row.invt_no = str(document["invtNo"])
    current = ListStatus(row.status)
    info = str(document.get("returnInfo") or "")
    if status.startswith("-"):
        target = S.REJECTED
    else:
        try:
            target = ListStatus(status)
        except ValueError:
            return f"unknown returnStatus {status}"
    receipt = Receipt(status, str(document["returnTime"]), info)
    if target is current:
        return "already applied"
    try:
        transition(current, target, at=china(now))
    except DeclarationError as error:
        return error.message
    await record(work, row, (Transition(current, target, receipt),), now, rules=(info,))
    return f"{row.cop_no}: {status}"


def _text(value: object) -> str | None:
    return str(value) if value else None
