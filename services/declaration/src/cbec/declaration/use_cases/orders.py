"""Electronic orders (CEB303 export, CEB311 import): accepted, changed or deleted, each with its
receipt; the lists of a changed order are decided again."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from cbec.declaration import events as ev
from cbec.declaration.domain import (
    AppType,
    DeclarationError,
    DuplicateDocument,
    ExportOrder,
    ImportOrder,
    KeyTaken,
    ListStatus,
    Violation,
    check_app_type,
    check_filer,
    filer_of,
    validate_export_order,
    validate_import_order,
)
from cbec.declaration.domain.directions import Direction
from cbec.declaration.models import ListRow, OrderRow
from cbec.declaration.unit_of_work import DeclarationWork
from cbec.declaration.use_cases.decisions import reconsider
from cbec.declaration.use_cases.receipts import (
    ACCEPTED,
    ORDER_EXISTS,
    REJECTED,
    dump,
    info,
    key_taken,
    receipt,
    violations_of,
)
from cbec.shared.ceb import export_models as ex
from cbec.shared.ceb import import_models as im
from cbec.shared.clock import china_iso
from cbec.shared.fingerprints import fingerprint
from cbec.shared.telemetry import stored_trace_context, tag_span

S = ListStatus


def _keys(head: ex.OrderHead | im.OrderHead) -> dict[str, Any]:
    return {"orderNo": head.orderNo, "ebpCode": head.ebpCode, "ebcCode": head.ebcCode}


def _own_violations(
    work: DeclarationWork, document: dict[str, Any], cop_code: str, import_order: bool
) -> list[Violation]:
    """The order's own rules (DOMAIN.md §2), as the rules' typed order."""
    data = {**document["OrderHead"], "copCode": cop_code, "orderList": document["OrderList"]}
    tolerance = work.rules.three_document.amount_tolerance
    try:
        if import_order:
            return validate_import_order(ImportOrder.model_validate(data), tolerance=tolerance)
        return validate_export_order(ExportOrder.model_validate(data), tolerance=tolerance)
    except ValidationError as error:
        return violations_of(error, "OrderHead.")


async def _live_lists(
    work: DeclarationWork, way: Direction, order_no: str, party: str
) -> list[ListRow]:
    return [
        lst
        for lst in await work.lists.of_order(way, order_no, party)
        if lst.status not in (S.DELETED.value, S.REVOKED.value)
    ]


def prepare(
    way: Direction,
) -> Callable[[DeclarationWork, Sequence[ex.Order | im.Order]], Awaitable[None]]:
    """A request's orders on file, looked up at once."""

    async def load(work: DeclarationWork, entities: Sequence[ex.Order | im.Order]) -> None:
        await work.lists_one_at_a_time()
        heads = [e.OrderHead for e in entities]
        await work.orders.load(
            (way.flag, h.orderNo, way.party(ebc_code=h.ebcCode, ebp_code=h.ebpCode)) for h in heads
        )

    return load


async def submit_order(
    work: DeclarationWork,
    way: Direction,
    entity: ex.Order | im.Order,
    party: str | None,
    now: datetime,
) -> dict[str, Any]:
    """Accept, change or delete one order (appType 1/2/3, DOMAIN.md §3); its receipt."""
    await work.lists_one_at_a_time()
    head = entity.OrderHead
    keys = _keys(head)
    tag_span(orderNo=head.orderNo)
    party_code = way.party(ebc_code=head.ebcCode, ebp_code=head.ebpCode)
    filer = filer_of(party, party_code)
    document = dump(entity)
    existing = await work.orders.get(way.flag, head.orderNo, party_code)
    if existing is not None:
        try:
            check_filer(
                filed_by=existing.filed_by,
                caller=filer,
                what=f"the order {head.orderNo} of {party_code}",
                field=way.order_party_field,
            )
        except KeyTaken as error:
            return key_taken(work, way.order_message, error, now, keys)
    if existing is not None and existing.fingerprint == fingerprint(document):
        stored: dict[str, Any] = json.loads(existing.receipt)
        return stored
    cop_code = party or party_code
    own = _own_violations(work, document, cop_code, isinstance(head, im.OrderHead))
    if own:
        return receipt(REJECTED, info(own), now, keys)
    lists = await _live_lists(work, way, head.orderNo, party_code)
    list_status = ListStatus(lists[-1].status) if lists else None
    app_type = AppType(head.appType) if head.appType in ("1", "2", "3") else None
    if app_type is None:
        return receipt(REJECTED, f"appType: must be 1, 2 or 3 ({head.appType})", now, keys)
    try:
        check_app_type(app_type, on_file=existing is not None, list_status=list_status)
    except DuplicateDocument as error:
        return receipt(ORDER_EXISTS, error.message, now, keys)
    except DeclarationError as error:
        return receipt(REJECTED, error.message, now, keys)
    if app_type is AppType.DELETE:
        assert existing is not None
        await work.session.delete(existing)
        work.orders.forget(existing)
        return receipt(ACCEPTED, "order deleted", now, keys)
    answer = receipt(ACCEPTED, "accepted" if existing is None else "changed", now, keys)
    row = existing or _new_order(way, head, party_code, cop_code, filer)
    _keep_order(row, entity, document, cop_code, answer, now)
    work.session.add(row)
    work.orders.note(row)
    work.publish(_order_accepted(way, entity, app_type, now))
    await work.flush()
    for lst in lists:
        await reconsider(work, lst, now, changed=existing is not None)
    return answer


def _new_order(
    way: Direction, head: ex.OrderHead | im.OrderHead, party_code: str, cop_code: str, filer: str
) -> OrderRow:
    return OrderRow(
        ie_flag=way.flag,
        order_no=head.orderNo,
        party_code=party_code,
        ebp_code=head.ebpCode,
        ebc_code=head.ebcCode,
        app_type=head.appType,
        cop_code=cop_code,
        filed_by=filer,
        fingerprint="",
        document="",
        receipt="",
    )


def _keep_order(
    row: OrderRow,
    entity: ex.Order | im.Order,
    document: dict[str, Any],
    cop_code: str,
    answer: dict[str, Any],
    now: datetime,
) -> None:
    head = entity.OrderHead
    row.ebp_code, row.ebc_code, row.app_type, row.cop_code = (
        head.ebpCode,
        head.ebcCode,
        head.appType,
        cop_code,
    )
    row.fingerprint = fingerprint(document)
    row.document = json.dumps(document, ensure_ascii=False)
    row.receipt = json.dumps(answer, ensure_ascii=False)
    row.trace_context = stored_trace_context()
    row.updated_at = now
    if isinstance(head, im.OrderHead):
        row.buyer_id_number = head.buyerIdNumber
        row.order_day = head.appTime[:8]


def _order_accepted(
    way: Direction, entity: ex.Order | im.Order, app_type: AppType, now: datetime
) -> ev.OrderAccepted:
    head = entity.OrderHead
    lines = tuple(
        ev.OrderLine(
            gnum=line.gnum,
            itemNo=line.itemNo,
            itemName=line.itemName,
            unit=line.unit,
            qty=line.qty,
            price=line.price,
            totalPrice=line.totalPrice,
            currency=line.currency,
        )
        for line in entity.OrderList
    )
    extra: dict[str, Any] = {}
    if isinstance(head, im.OrderHead):
        extra = {
            "discount": head.discount,
            "taxTotal": head.taxTotal,
            "acturalPaid": head.acturalPaid,
            "buyerIdType": head.buyerIdType,
            "buyerIdNumber": head.buyerIdNumber,
            "buyerName": head.buyerName,
            "consignee": head.consignee,
            "consigneeTelephone": head.consigneeTelephone,
            "consigneeAddress": head.consigneeAddress,
        }
    return ev.OrderAccepted(
        orderNo=head.orderNo,
        ieFlag=way.flag,
        orderType=head.orderType,
        appType="2" if app_type is AppType.CHANGE else "1",
        ebpCode=head.ebpCode,
        ebcCode=head.ebcCode,
        currency=head.currency,
        goodsValue=head.goodsValue,
        freight=head.freight,
        lines=lines,
        acceptedAt=china_iso(now),
        **extra,
    )
