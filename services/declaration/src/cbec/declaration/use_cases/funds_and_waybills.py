"""Funds documents and waybills from the other services, and the departure or delivery of the
goods: the lists they concern are decided again or closed."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from cbec.declaration.domain import ListStatus, transition
from cbec.declaration.domain.directions import Direction
from cbec.declaration.models import FundsRow, WaybillRow
from cbec.declaration.unit_of_work import DeclarationWork
from cbec.declaration.use_cases.decisions import reconsider
from cbec.declaration.use_cases.recording import record
from cbec.shared.clock import china
from cbec.shared.telemetry import stored_trace_context, tag_span

S = ListStatus


async def funds_arrived(
    work: DeclarationWork,
    way: Direction,
    order_no: str,
    party: str,
    data: dict[str, Any],
    now: datetime,
) -> None:
    """A receipt of funds (export, by orderNo + ebcCode) or a payment (import, by orderNo +
    ebpCode) arrived; the lists of its order are checked again."""
    await work.lists_one_at_a_time()
    tag_span(orderNo=order_no)
    row = await work.documents.funds(way.flag, order_no, party)
    text = json.dumps(data, sort_keys=True, ensure_ascii=False)
    changed = row is not None and row.document != text
    if row is not None and not changed:
        return
    row = row or FundsRow(ie_flag=way.flag, order_no=order_no, party_code=party, document=text)
    row.document, row.received_at = text, now
    row.trace_context = stored_trace_context()
    work.session.add(row)
    work.documents.note_funds(row)
    await work.flush()
    for lst in await work.lists.of_order(way, order_no, party):
        await reconsider(work, lst, now, changed=changed)


async def waybill_arrived(work: DeclarationWork, data: dict[str, Any], now: datetime) -> None:
    """A waybill arrived or changed; the lists that name it are checked again."""
    await work.lists_one_at_a_time()
    code, number = data["logisticsCode"], data["logisticsNo"]
    tag_span(logisticsNo=number, orderNo=data.get("orderNo"))
    row = await work.documents.waybill(code, number)
    text = json.dumps(data, sort_keys=True, ensure_ascii=False)
    changed = row is not None and row.document != text
    if row is not None and not changed:
        return
    row = row or WaybillRow(
        logistics_code=code, logistics_no=number, ie_flag=data["ieFlag"], document=text
    )
    row.document, row.received_at, row.order_no = text, now, data.get("orderNo")
    row.trace_context = stored_trace_context()
    work.session.add(row)
    work.documents.note_waybill(row)
    await work.flush()
    for lst in await work.lists.of_waybill(code, number):
        await reconsider(work, lst, now, changed=changed)


async def waybill_deleted(work: DeclarationWork, code: str, number: str) -> None:
    """A waybill deleted before any list used it: it is no longer on file."""
    await work.lists_one_at_a_time()
    row = await work.documents.waybill(code, number)
    if row is not None:
        await work.session.delete(row)
        work.documents.forget_waybill(row)


async def parcel_moved(
    work: DeclarationWork,
    way: Direction,
    *,
    logistics_code: str,
    logistics_no: str,
    invt_no: str | None,
    leave_time: str | None,
    now: datetime,
) -> None:
    """DOMAIN.md §8: the goods departed (export) or were delivered (import): the released list
    closes (899)."""
    await work.lists_one_at_a_time()
    for row in await work.lists.of_waybill(logistics_code, logistics_no):
        if row.ie_flag != way.flag or row.status != S.RELEASED.value:
            continue
        if invt_no is not None and row.invt_no != invt_no:
            continue
        info = way.closing_info
        if leave_time:
            info += f" at {leave_time}"
        step = transition(S.RELEASED, S.CLOSED, at=china(now), info=info)
        await record(work, row, (step,), now, leave_time=leave_time)
