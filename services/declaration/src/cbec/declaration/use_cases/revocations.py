"""Revocations (CEB605 export, CEB623 import): a released list withdrawn by its filer or the
agent it names; an import list's quota reservation is cancelled after the commit."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cbec.declaration import events as ev
from cbec.declaration.domain import (
    DeclarationError,
    ExportRevocation,
    ImportRevocation,
    KeyTaken,
    ListStatus,
    Transition,
    check_revoker,
    filer_of,
    revoke_export,
    revoke_import,
)
from cbec.declaration.domain.directions import Direction
from cbec.declaration.models import ListRow
from cbec.declaration.repository import export_inventory_of, import_inventory_of
from cbec.declaration.unit_of_work import Declaration, DeclarationWork, transaction
from cbec.declaration.use_cases import quota
from cbec.declaration.use_cases.receipts import REJECTED, key_taken, list_keys, receipt
from cbec.declaration.use_cases.recording import record
from cbec.shared.ceb import export_models as ex
from cbec.shared.ceb import import_models as im
from cbec.shared.clock import china, china_iso
from cbec.shared.telemetry import tag_span

S = ListStatus


def _revocation_step(
    row: ListRow, entity: ex.InvtCancel | im.InvtCancel, at: datetime
) -> Transition:
    status = ListStatus(row.status)
    if isinstance(entity, ex.InvtCancel):
        revocation = ExportRevocation.model_validate(entity.model_dump())
        return revoke_export(export_inventory_of(row), status, revocation, at=at)
    imported = ImportRevocation.model_validate(entity.model_dump())
    return revoke_import(import_inventory_of(row), status, imported, at=at)


async def revoke(
    work: DeclarationWork,
    way: Direction,
    entity: ex.InvtCancel | im.InvtCancel,
    party: str | None,
    now: datetime,
) -> dict[str, Any]:
    """Withdraw a released list; its receipt (a refusal names every failed rule). Only the
    enterprise that filed the list or the agent the list names revokes it."""
    await work.lists_one_at_a_time()
    keys: dict[str, Any] = {
        "copNo": entity.copNo,
        "invtNo": entity.invtNo,
        "agentCode": entity.agentCode,
        "ebcCode": entity.ebcCode,
    }
    tag_span(invtNo=entity.invtNo)
    row = await work.lists.by_invt_no(entity.invtNo, way.flag)
    if row is None:
        return receipt(REJECTED, f"invtNo: no list {entity.invtNo} is on file", now, keys)
    try:
        check_revoker(
            filed_by=row.filed_by,
            agent_code=row.agent_code,
            caller=filer_of(party, entity.agentCode),
            what=f"the list {entity.invtNo}",
            field="invtNo",
        )
    except KeyTaken as error:
        return key_taken(work, way.revocation_message, error, now, keys)
    keys = list_keys(row)
    if row.status == S.REVOKED.value:
        last = await work.lists.last_receipt(row)
        if last.return_info == f"revoked: {entity.reason}":
            answer = receipt(last.return_status, last.return_info, now, keys)
            answer["returnTime"] = last.return_time
            return answer
    try:
        step = _revocation_step(row, entity, china(now))
    except DeclarationError as error:
        return receipt(REJECTED, error.message, now, keys)
    await record(work, row, (step,), now)
    work.publish(
        ev.ListRevoked(
            orderNo=row.order_no,
            ieFlag=way.flag,
            copNo=row.cop_no,
            invtNo=entity.invtNo,
            ebcCode=row.ebc_code,
            reason=entity.reason,
            revokedAt=china_iso(now),
        )
    )
    return receipt(step.receipt.return_status, step.receipt.return_info, now, keys)


async def cancel_reservations(decl: Declaration, invt_nos: list[str]) -> None:
    """After the revocations committed: cancel the quota reservations of revoked lists (outside
    any transaction), then note in a short one that they hold none."""
    for invt_no in invt_nos:
        async with transaction(decl) as work:
            row = await work.lists.by_invt_no(invt_no)
            if row is None or not row.quota_reserved or row.status != S.REVOKED.value:
                continue
        if not await quota.cancel(decl, invt_no):
            continue
        async with transaction(decl) as work:
            row = await work.lists.by_invt_no(invt_no)
            if row is not None:
                row.quota_reserved = False
