"""Inventory lists (CEB603 export, CEB621 import): accepted, changed or deleted, declared and
decided, each with its receipt."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from cbec.declaration.domain import (
    AppType,
    DeclarationError,
    ExportInventory,
    ImportInventory,
    KeyTaken,
    ListStatus,
    Receipt,
    Transition,
    check_app_type,
    check_filer,
    filer_of,
    transition,
)
from cbec.declaration.domain.directions import Direction
from cbec.declaration.models import ListRow
from cbec.declaration.unit_of_work import DeclarationWork
from cbec.declaration.use_cases.decisions import evaluate
from cbec.declaration.use_cases.receipts import (
    REJECTED,
    dump,
    info,
    key_taken,
    last_list_receipt,
    list_keys,
    receipt,
    violations_of,
)
from cbec.declaration.use_cases.recording import record
from cbec.shared.ceb import export_models as ex
from cbec.shared.ceb import import_models as im
from cbec.shared.clock import china
from cbec.shared.fingerprints import fingerprint
from cbec.shared.telemetry import stored_trace_context, tag_span

S = ListStatus
INVENTORY_OF: dict[str, type[ExportInventory] | type[ImportInventory]] = {
    "E": ExportInventory,
    "I": ImportInventory,
}


def _pre_no(row: ListRow, now: datetime) -> str:
    """DOMAIN.md §1: `B` + yyyyMMdd + 9 digits, given by the platform on acceptance."""
    assert row.id is not None
    return f"B{china(now):%Y%m%d}{row.id % 10**9:09d}"


def _keys(head: ex.InventoryHead | im.InventoryHead) -> dict[str, Any]:
    return {
        "copNo": head.copNo,
        "agentCode": head.agentCode,
        "orderNo": head.orderNo,
        "ebpCode": head.ebpCode,
        "ebcCode": head.ebcCode,
    }


def prepare(
    way: Direction,
) -> Callable[[DeclarationWork, Sequence[ex.Inventory | im.Inventory]], Awaitable[None]]:
    """What a request's lists need on file, looked up at once: the lists by key, their
    orders, funds documents and waybills (a handful of statements for up to 100 lists)."""

    async def load(work: DeclarationWork, entities: Sequence[ex.Inventory | im.Inventory]) -> None:
        await work.lists_one_at_a_time()
        heads = [e.InventoryHead for e in entities]
        on_file = await work.lists.load((h.copNo, h.agentCode) for h in heads if h.copNo)
        parties = [(h.orderNo, way.party(ebc_code=h.ebcCode, ebp_code=h.ebpCode)) for h in heads]
        parties += [
            (r.order_no, way.party(ebc_code=r.ebc_code, ebp_code=r.ebp_code)) for r in on_file
        ]
        waybills = [(h.logisticsCode, h.logisticsNo) for h in heads]
        waybills += [(r.logistics_code, r.logistics_no) for r in on_file]
        await work.orders.load((way.flag, number, party) for number, party in parties)
        await work.documents.load(((way.flag, n, p) for n, p in parties), waybills)

    return load


async def submit_list(
    work: DeclarationWork,
    way: Direction,
    entity: ex.Inventory | im.Inventory,
    party: str | None,
    now: datetime,
) -> dict[str, Any]:
    """Accept, change or delete one inventory list and declare it; its receipt. An import list
    released at once awaits its quota reservation: its receipt is completed once reserved."""
    await work.lists_one_at_a_time()
    head = entity.InventoryHead
    keys = _keys(head)
    tag_span(orderNo=head.orderNo, copNo=head.copNo)
    if not head.copNo:
        rule = "the platform keys a list by copNo + agentCode: copNo is required"
        return receipt(REJECTED, f"copNo: {rule}", now, keys)
    document = dump(entity)
    existing = await work.lists.by_key(head.copNo, head.agentCode)
    filer = filer_of(party, head.agentCode)
    if existing is not None:
        try:
            check_filer(
                filed_by=existing.filed_by,
                caller=filer,
                what=f"the list {head.copNo} of the agent {head.agentCode}",
                field="InventoryHead.copNo",
            )
        except KeyTaken as error:
            return key_taken(work, way.list_message, error, now, keys)
    if existing is not None and existing.fingerprint == fingerprint(document):
        stored: dict[str, Any] = json.loads(existing.receipt)
        return stored
    try:
        INVENTORY_OF[way.flag].model_validate(
            {**document["InventoryHead"], "inventoryList": document["InventoryList"]}
        )
    except ValidationError as error:
        return receipt(REJECTED, info(violations_of(error, "InventoryHead.")), now, keys)
    if head.appType not in ("1", "2", "3"):
        return receipt(REJECTED, f"appType: must be 1, 2 or 3 ({head.appType})", now, keys)
    app_type = AppType(head.appType)
    status = ListStatus(existing.status) if existing is not None else None
    try:
        check_app_type(app_type, on_file=existing is not None, list_status=status)
    except DeclarationError as error:
        return receipt(REJECTED, error.message, now, list_keys(existing) if existing else keys)
    if app_type is AppType.DELETE:
        assert existing is not None
        assert status is not None
        step = transition(status, S.DELETED, at=china(now), info="deleted (appType 3)")
        await record(work, existing, (step,), now)
        return receipt(
            step.receipt.return_status, step.receipt.return_info, now, list_keys(existing)
        )
    row = existing or _new_list(way, head, head.copNo, party, filer)
    _keep_list(row, head, document, party, now)
    work.session.add(row)
    work.lists.note(row)
    await work.flush()
    return await _declare(work, row, staged=head.appStatus == "1", new=existing is None, now=now)


def _new_list(
    way: Direction,
    head: ex.InventoryHead | im.InventoryHead,
    cop_no: str,
    party: str | None,
    filer: str,
) -> ListRow:
    return ListRow(
        ie_flag=way.flag,
        cop_no=cop_no,
        agent_code=head.agentCode,
        order_no=head.orderNo,
        ebp_code=head.ebpCode,
        ebc_code=head.ebcCode,
        logistics_code=head.logisticsCode,
        logistics_no=head.logisticsNo,
        status=S.STAGED.value,
        app_type=head.appType,
        submitted_by=party or head.agentCode,
        filed_by=filer,
        fingerprint="",
        document="",
        receipt="",
    )


def _keep_list(
    row: ListRow,
    head: ex.InventoryHead | im.InventoryHead,
    document: dict[str, Any],
    party: str | None,
    now: datetime,
) -> None:
    row.order_no, row.ebp_code, row.ebc_code = head.orderNo, head.ebpCode, head.ebcCode
    row.logistics_code, row.logistics_no = head.logisticsCode, head.logisticsNo
    row.app_type, row.fingerprint = head.appType, fingerprint(document)
    row.submitted_by = party or head.agentCode
    row.document = json.dumps(document, ensure_ascii=False)
    row.trace_context = stored_trace_context()
    row.declared_at, row.incomplete_reported_at, row.updated_at = now, None, now
    # A changed list is decided again: a release it awaited is decided afresh.
    row.awaiting_quota = None


async def _declare(
    work: DeclarationWork, row: ListRow, *, staged: bool, new: bool, now: datetime
) -> dict[str, Any]:
    if row.pre_no is None:
        row.pre_no = _pre_no(row, now)
    at = china(now)
    if new:
        target = S.STAGED if staged else S.DECLARING
        first = Transition(S.STAGED, target, Receipt.of(target, at, "accepted"))
        await record(work, row, (first,), now)
    elif not staged:
        step = transition(ListStatus(row.status), S.DECLARING, at=at, info="changed and declared")
        await record(work, row, (step,), now)
    waiting = len(work.follow_ups)
    if row.status == S.DECLARING.value:
        await evaluate(work, row, now)
    answer = await last_list_receipt(work, row)
    row.receipt = json.dumps(answer, ensure_ascii=False)
    for reservation in work.follow_ups[waiting:]:
        if reservation.list_id == row.id:
            reservation.receipt = answer
    return answer
