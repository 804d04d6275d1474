"""Moving a list: a receipt and a ListStatusChanged per step, the event of the state it ends
in (released, rejected, closed), and customs' own reasons kept apart from the receipts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from opentelemetry.trace import Link

from cbec.declaration import events as ev
from cbec.declaration.domain import ListStatus, Receipt, RiskHit, Transition
from cbec.declaration.domain.directions import direction
from cbec.declaration.domain.stored import stored_list
from cbec.declaration.models import CustomsReasonRow, ListReceiptRow, ListRow
from cbec.declaration.unit_of_work import DeclarationWork
from cbec.shared.clock import china, china_iso
from cbec.shared.telemetry import joining_span, link_to, tag_span

S = ListStatus
DECISION_SPANS = {
    S.REJECTED: "list rejected",
    S.MANUAL_REVIEW: "list to manual review",
    S.INSPECTION: "list to inspection",
    S.RELEASED: "list released",
    S.CLOSED: "list closed",
}
"""The span of each state a list reaches by a decision on its documents (or their goods)."""
BUYER_FIELDS = ("buyerIdType", "buyerIdNumber", "buyerName", "assureCode", "emsNo")


def _list_identity(row: ListRow) -> dict[str, Any]:
    """The fields that name a list in the events about it."""
    return {
        "orderNo": row.order_no,
        "ieFlag": direction(row.ie_flag).flag,
        "copNo": row.cop_no,
        "preNo": row.pre_no,
        "invtNo": row.invt_no,
        "ebcCode": row.ebc_code,
        "ebpCode": row.ebp_code,
        "agentCode": row.agent_code,
    }


def invt_no_of(row: ListRow, now: datetime) -> str:
    """DOMAIN.md §1: customs code (4) + year (4) + I/E + serial: 18 characters."""
    assert row.id is not None
    customs = stored_list(row.document).head.customs_code
    return f"{customs}{china(now):%Y}{row.ie_flag}{row.id % 10**9:09d}"


def _released_fields(row: ListRow) -> dict[str, Any]:
    stored = stored_list(row.document)
    head = stored.head
    assert row.invt_no is not None
    assert row.released_at is not None
    fields: dict[str, Any] = {
        "orderNo": row.order_no,
        "ieFlag": row.ie_flag,
        "copNo": row.cop_no,
        "invtNo": row.invt_no,
        "preNo": row.pre_no,
        "tradeMode": head.trade_mode,
        "ebpCode": row.ebp_code,
        "ebcCode": row.ebc_code,
        "agentCode": row.agent_code,
        "ownerCode": head.owner_code,
        "logisticsCode": row.logistics_code,
        "logisticsNo": row.logistics_no,
        "customsCode": head.customs_code,
        "portCode": head.port_code,
        "trafMode": head.traf_mode,
        "country": head.country,
        "statisticsFlag": head.statistics_flag,
        "currency": stored.currency,
        "freight": head.freight,
        "insuredFee": head.insured_fee,
        "grossWeight": head.gross_weight,
        "netWeight": head.net_weight,
        "lines": tuple(
            ev.ListLine(
                gnum=line.gnum,
                itemNo=line.item_no,
                gcode=line.gcode,
                gname=line.gname,
                country=line.country,
                currency=line.currency,
                unit=line.unit,
                qty=line.qty,
                price=line.price,
                totalPrice=line.total_price,
            )
            for line in stored.lines
        ),
        "releasedAt": china_iso(row.released_at),
    }
    if direction(row.ie_flag).needs_quota:
        fields.update(
            buyerIdType=head.buyer_id_type,
            buyerIdNumber=head.buyer_id_number,
            buyerName=head.buyer_name,
            assureCode=head.assure_code,
            emsNo=head.ems_no,
            statisticsFlag=None,
        )
    return fields


async def _document_links(work: DeclarationWork, row: ListRow) -> list[Link | None]:
    """Links to the traces in which the platform received the list and its three documents
    (DOMAIN.md §4), each named by its document."""
    way = direction(row.ie_flag)
    party = way.party(ebc_code=row.ebc_code, ebp_code=row.ebp_code)
    order = await work.orders.get(row.ie_flag, row.order_no, party)
    funds = await work.documents.funds(row.ie_flag, row.order_no, party)
    waybill = await work.documents.waybill(row.logistics_code, row.logistics_no)
    contexts = (
        order.trace_context if order else None,
        row.trace_context,
        funds.trace_context if funds else None,
        waybill.trace_context if waybill else None,
    )
    return [
        link_to(context, {"cbec.document": name})
        for name, context in zip(way.documents, contexts, strict=True)
    ]


async def record(
    work: DeclarationWork,
    row: ListRow,
    steps: Sequence[Transition],
    now: datetime,
    *,
    rules: Sequence[str] = (),
    leave_time: str | None = None,
) -> None:
    """Apply transitions to a list: a receipt each, ListStatusChanged each, and the event of
    the state it ends in (released, rejected, closed, revoked).

    A decision (DECISION_SPANS) gets a span of its own: it continues the trace of what
    triggered it (the last of the documents to arrive, the departure, an officer's request)
    and links the traces in which the list and its documents were received."""
    name = DECISION_SPANS.get(steps[-1].to_status) if steps else None
    if name is None:
        _write_steps(work, row, steps, now, rules=rules, leave_time=leave_time)
        return
    links = await _document_links(work, row)
    with joining_span(name, links, orderNo=row.order_no, copNo=row.cop_no):
        _write_steps(work, row, steps, now, rules=rules, leave_time=leave_time)
        tag_span(returnStatus=steps[-1].receipt.return_status)
    tag_span(orderNo=row.order_no, invtNo=row.invt_no, copNo=row.cop_no)


def _write_step(work: DeclarationWork, row: ListRow, step: Transition, now: datetime) -> None:
    if step.to_status is S.STORED and row.invt_no is None:
        row.invt_no = invt_no_of(row, now)
    work.lists.status_changing(row, step.to_status.value)
    row.status = step.to_status.value
    row.updated_at = now
    receipt = step.receipt
    assert row.id is not None
    work.lists.add_receipt(
        ListReceiptRow(
            list_id=row.id,
            return_status=receipt.return_status,
            return_time=receipt.return_time,
            return_info=receipt.return_info,
            created_at=now,
        )
    )
    work.publish(
        ev.ListStatusChanged(
            **_list_identity(row),
            logisticsCode=row.logistics_code,
            logisticsNo=row.logistics_no,
            returnStatus=receipt.return_status,
            returnTime=receipt.return_time,
            returnInfo=receipt.return_info or "-",
        )
    )


def _write_steps(
    work: DeclarationWork,
    row: ListRow,
    steps: Sequence[Transition],
    now: datetime,
    *,
    rules: Sequence[str],
    leave_time: str | None,
) -> None:
    for step in steps:
        _write_step(work, row, step, now)
    if not steps:
        return
    last = steps[-1]
    tag_span(orderNo=row.order_no, invtNo=row.invt_no, copNo=row.cop_no)
    if last.to_status is S.RELEASED:
        row.released_at = now
        work.publish(ev.ListReleased(**_released_fields(row)))
    elif last.to_status is S.REJECTED:
        work.publish(
            ev.ListRejected(
                orderNo=row.order_no,
                ieFlag=direction(row.ie_flag).flag,
                copNo=row.cop_no,
                invtNo=row.invt_no,
                ebcCode=row.ebc_code,
                rules=tuple(rules) or (last.receipt.return_info,),
                returnInfo=last.receipt.return_info,
                returnStatus=last.receipt.return_status,
                rejectedAt=china_iso(now),
            )
        )
    elif last.to_status is S.CLOSED:
        row.closed_at = now
        fields = _released_fields(row)
        for name in BUYER_FIELDS:
            fields.pop(name, None)
        work.publish(ev.ListClosed(**fields, closedAt=china_iso(now), leaveTime=leave_time))


# Customs' own reasons (DESIGN.md, Security: customs keeps its own counsel)


def risk_reason(hit: RiskHit) -> ev.CustomsReason:
    return ev.CustomsReason(
        kind="risk-rule", rule=hit.rule, outcome=hit.outcome.value, detail=hit.detail
    )


def keep_counsel(
    work: DeclarationWork,
    row: ListRow,
    receipt: Receipt,
    reasons: Sequence[ev.CustomsReason],
    now: datetime,
) -> None:
    """Keep why customs put the list where its last receipt says, apart from the receipts the
    declarant gets, and tell the officers (ListAssessed)."""
    assert row.id is not None
    for reason in reasons:
        work.session.add(
            CustomsReasonRow(
                list_id=row.id,
                return_status=receipt.return_status,
                kind=reason.kind,
                rule=reason.rule,
                outcome=reason.outcome,
                officer=reason.officer,
                action=reason.action,
                detail=reason.detail,
                created_at=now,
            )
        )
    work.publish(
        ev.ListAssessed(
            **_list_identity(row),
            returnStatus=receipt.return_status,
            declarantInfo=receipt.return_info or "-",
            reasons=tuple(reasons),
            assessedAt=china_iso(now),
        )
    )
