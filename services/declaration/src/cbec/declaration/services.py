"""Use cases of the declaration service, shared by the routes and the event handlers.

Each function works inside the caller's transaction (``session``): a route opens one with
``runtime.transaction()``, a handler gets the consumer's. State changes and the events they cause
(``decl.outbox.add``) commit together. The business rules are the pure ones of
:mod:`cbec.declaration.domain`; this module finds what is on file, calls them, and records the
outcome as receipts (DOMAIN.md §3) and events.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from opentelemetry.trace import Link
from pydantic import BaseModel, ValidationError
from sqlalchemy import false, func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from cbec.declaration import events as ev
from cbec.declaration.adapters import CustomsPort, DeclaredList, QuotaClient, QuotaUnavailable
from cbec.declaration.domain import (
    AppType,
    BuyerOrder,
    Decision,
    DecisionOutcome,
    DeclarationError,
    DeclarationRules,
    DuplicateDocument,
    ExportDocumentsOnFile,
    ExportInventory,
    ExportOrder,
    ExportRevocation,
    ExportWaybill,
    ImportDocumentsOnFile,
    ImportInventory,
    ImportOrder,
    ImportPayment,
    ImportRevocation,
    ImportWaybill,
    KeyTaken,
    ListStatus,
    OfficerAction,
    OfficerDecision,
    Period,
    Receipt,
    ReceiptOfFunds,
    RiskHit,
    SummaryApplication,
    SummaryCandidate,
    SummaryFlag,
    SummaryLedger,
    Transition,
    Violation,
    apply_decision,
    apply_officer_decision,
    check_app_type,
    check_filer,
    check_revoker,
    decide_export,
    decide_import,
    decl_seq_numbers,
    filer_of,
    may_read,
    missing_documents_report,
    revoke_export,
    revoke_import,
    summarise,
    summary_deadline,
    summary_is_late,
    transition,
    validate_export_order,
    validate_import_order,
)
from cbec.declaration.domain.lifecycle import clip_return_info, format_return_time
from cbec.declaration.domain.three_document import (
    EXPORT_FUNDS,
    EXPORT_ORDER,
    EXPORT_WAYBILL,
    IMPORT_ORDER,
    IMPORT_PAYMENT,
    IMPORT_WAYBILL,
    missing_export_documents,
    missing_import_documents,
)
from cbec.declaration.models import (
    CustomsReasonRecord,
    FundsRecord,
    InventoryRecord,
    ListReceiptRecord,
    OrderRecord,
    OverdueSummaryRecord,
    SummarisedListRecord,
    SummaryRecord,
    WaybillRecord,
)
from cbec.declaration.settings import Settings
from cbec.shared.ceb import export_models as ex
from cbec.shared.ceb import import_models as im
from cbec.shared.db import serialise
from cbec.shared.errors import Conflict, InvalidInput, NotFound
from cbec.shared.errors import Violation as Problem
from cbec.shared.outbox import Outbox
from cbec.shared.service import Runtime
from cbec.shared.telemetry import joining_span, link_to, stored_trace_context, tag_span

log = logging.getLogger(__name__)

CHINA = timezone(timedelta(hours=8))
"""Customs times (appTime, returnTime, preNo dates) are Beijing time."""

S = ListStatus
# DOMAIN.md §3: -301010 is "order already exists"; other refusals of a document are 100.
ORDER_EXISTS = "-301010"
REJECTED = "100"
ACCEPTED = "2"
OFFICER_STATES = (S.MANUAL_REVIEW.value, S.INSPECTION.value)


@dataclass
class Declaration:
    """The service's parts the use cases need: rules, the customs port, the quota client."""

    settings: Settings
    rules: DeclarationRules
    port: CustomsPort
    quota: QuotaClient
    outbox: Outbox

    @property
    def document_wait(self) -> timedelta:
        return self.settings.three_document_wait or self.rules.three_document.document_wait

    def key_taken(
        self, message: str, error: KeyTaken, at: datetime, keys: dict[str, Any]
    ) -> dict[str, Any]:
        """The receipt refusing a document of ``message`` under another enterprise's key."""
        return _receipt(self.rules.receipts.key_taken[message], error.message, at, keys)


LISTS_LOCK = "cbec.declaration.lists"


async def _decide_lists_one_at_a_time(session: AsyncSession) -> None:
    """Every use case that files a document of a list's checks or moves a list takes this
    first, so that on PostgreSQL they run one transaction after another (SQLite has a single
    writer anyway). Otherwise a list and the last of its documents filed at the same moment each
    miss the other (neither transaction sees the other's row; both commit) and the list waits
    for the periodic check although everything is on file; and two transactions could decide
    the same list twice."""
    await serialise(session, LISTS_LOCK)


def declaration_of(runtime: Runtime) -> Declaration:
    """The :class:`Declaration` the app's start hook put on the runtime."""
    return runtime.part(Declaration)


def utcnow() -> datetime:
    return datetime.now(UTC)


def _iso(at: datetime) -> str:
    return at.astimezone(CHINA).isoformat(timespec="seconds")


def _china(at: datetime) -> datetime:
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(CHINA)


def _fingerprint(document: dict[str, Any]) -> str:
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _dump(entity: BaseModel) -> dict[str, Any]:
    data: dict[str, Any] = entity.model_dump(mode="json", exclude_none=True)
    return data


def _receipt(status: str, info: str, at: datetime, keys: dict[str, Any]) -> dict[str, Any]:
    return {
        **{k: v for k, v in keys.items() if v is not None},
        "returnStatus": status,
        "returnTime": format_return_time(_china(at)),
        "returnInfo": clip_return_info(info),
    }


def _violations_of(error: ValidationError, prefix: str = "") -> list[Violation]:
    found = []
    for item in error.errors():
        where = ".".join(str(p) for p in item.get("loc", ()))
        found.append(Violation(f"{prefix}{where}", item.get("msg", "invalid"), item.get("input")))
    return found


def _info(violations: Sequence[Violation]) -> str:
    return "; ".join(str(v) for v in violations)


# Documents from their stored JSON into the rules' models


def export_order_of(row: OrderRecord) -> ExportOrder:
    doc = json.loads(row.document)
    return ExportOrder.model_validate(
        {**doc["OrderHead"], "copCode": row.cop_code, "orderList": doc["OrderList"]}
    )


def import_order_of(row: OrderRecord) -> ImportOrder:
    doc = json.loads(row.document)
    return ImportOrder.model_validate(
        {**doc["OrderHead"], "copCode": row.cop_code, "orderList": doc["OrderList"]}
    )


def export_inventory_of(row: InventoryRecord) -> ExportInventory:
    doc = json.loads(row.document)
    head = {**doc["InventoryHead"], "preNo": row.pre_no, "invtNo": row.invt_no}
    return ExportInventory.model_validate({**head, "inventoryList": doc["InventoryList"]})


def import_inventory_of(row: InventoryRecord) -> ImportInventory:
    doc = json.loads(row.document)
    head = {**doc["InventoryHead"], "preNo": row.pre_no, "invtNo": row.invt_no}
    return ImportInventory.model_validate({**head, "inventoryList": doc["InventoryList"]})


def funds_of(row: FundsRecord) -> ReceiptOfFunds:
    data = json.loads(row.document)
    # The payments service accepted it from its sender: the payment institution when it
    # names one, else the e-commerce enterprise (DOMAIN.md §7).
    sender = data.get("payCode") or data["ebcCode"]
    return ReceiptOfFunds.model_validate(
        {**data, "ebpCode": data.get("ebpCode") or "", "copCode": sender}
    )


def payment_of(row: FundsRecord) -> ImportPayment:
    data = json.loads(row.document)
    return ImportPayment.model_validate({**data, "copCode": data["payCode"]})


def export_waybill_of(row: WaybillRecord) -> ExportWaybill:
    data = json.loads(row.document)
    return ExportWaybill.model_validate({**data, "copCode": data["logisticsCode"]})


def import_waybill_of(row: WaybillRecord) -> ImportWaybill:
    data = json.loads(row.document)
    return ImportWaybill.model_validate(
        {
            **data,
            "orderNo": data.get("orderNo") or "",
            "weight": data["grossWeight"],
            "consignee": data.get("consignee") or "",
            "consigneeTelephone": data.get("consigneeTelephone") or "",
            "consigneeAddress": data.get("consigneeAddress") or "",
            "copCode": data["logisticsCode"],
        }
    )


# Orders (CEB303 / CEB311)


def _order_keys(head: ex.OrderHead | im.OrderHead) -> dict[str, Any]:
    return {"orderNo": head.orderNo, "ebpCode": head.ebpCode, "ebcCode": head.ebcCode}


async def _order_row(
    session: AsyncSession, ie: str, order_no: str, party: str
) -> OrderRecord | None:
    found = await session.exec(
        select(OrderRecord).where(
            OrderRecord.ie_flag == ie,
            OrderRecord.order_no == order_no,
            OrderRecord.party_code == party,
        )
    )
    return found.first()


async def _lists_of_order(
    session: AsyncSession, ie: str, order_no: str, party: str
) -> list[InventoryRecord]:
    party_column = InventoryRecord.ebc_code if ie == "E" else InventoryRecord.ebp_code
    found = await session.exec(
        select(InventoryRecord)
        .where(
            InventoryRecord.order_no == order_no,
            InventoryRecord.ie_flag == ie,
            party_column == party,
        )
        .order_by(col(InventoryRecord.id))
    )
    return list(found.all())


async def submit_order(
    decl: Declaration,
    session: AsyncSession,
    ie: str,
    entity: ex.Order | im.Order,
    party: str | None,
    now: datetime,
) -> dict[str, Any]:
    """Accept, change or delete one order (appType 1/2/3, DOMAIN.md §3); its receipt."""
    await _decide_lists_one_at_a_time(session)
    head = entity.OrderHead
    keys = _order_keys(head)
    tag_span(orderNo=head.orderNo)
    party_code = head.ebcCode if ie == "E" else head.ebpCode
    filer = filer_of(party, party_code)
    document = _dump(entity)
    fingerprint = _fingerprint(document)
    existing = await _order_row(session, ie, head.orderNo, party_code)
    if existing is not None:
        key_field = "OrderHead.ebcCode" if ie == "E" else "OrderHead.ebpCode"
        try:
            check_filer(
                filed_by=existing.filed_by,
                caller=filer,
                what=f"the order {head.orderNo} of {party_code}",
                field=key_field,
            )
        except KeyTaken as error:
            return decl.key_taken("CEB303" if ie == "E" else "CEB311", error, now, keys)
    if existing is not None and existing.fingerprint == fingerprint:
        stored: dict[str, Any] = json.loads(existing.receipt)
        return stored
    cop_code = party or party_code
    try:
        if ie == "E":
            own = validate_export_order(
                ExportOrder.model_validate(
                    {
                        **document["OrderHead"],
                        "copCode": cop_code,
                        "orderList": document["OrderList"],
                    }
                ),
                tolerance=decl.rules.three_document.amount_tolerance,
            )
        else:
            imported = ImportOrder.model_validate(
                {**document["OrderHead"], "copCode": cop_code, "orderList": document["OrderList"]}
            )
            own = validate_import_order(
                imported, tolerance=decl.rules.three_document.amount_tolerance
            )
    except ValidationError as error:
        own = _violations_of(error, "OrderHead.")
    if own:
        return _receipt(REJECTED, _info(own), now, keys)
    lists = [
        lst
        for lst in await _lists_of_order(session, ie, head.orderNo, party_code)
        if lst.status not in (S.DELETED.value, S.REVOKED.value)
    ]
    list_status = ListStatus(lists[-1].status) if lists else None
    app_type = AppType(head.appType) if head.appType in ("1", "2", "3") else None
    if app_type is None:
        return _receipt(REJECTED, f"appType: must be 1, 2 or 3 ({head.appType})", now, keys)
    try:
        check_app_type(app_type, on_file=existing is not None, list_status=list_status)
    except DuplicateDocument as error:
        return _receipt(ORDER_EXISTS, error.message, now, keys)
    except DeclarationError as error:
        return _receipt(REJECTED, error.message, now, keys)
    if app_type is AppType.DELETE:
        assert existing is not None
        await session.delete(existing)
        return _receipt(ACCEPTED, "order deleted", now, keys)
    receipt = _receipt(ACCEPTED, "accepted" if existing is None else "changed", now, keys)
    row = existing or OrderRecord(
        ie_flag=ie,
        order_no=head.orderNo,
        party_code=party_code,
        ebp_code=head.ebpCode,
        ebc_code=head.ebcCode,
        app_type=head.appType,
        cop_code=cop_code,
        filed_by=filer,
        fingerprint=fingerprint,
        document="",
        receipt="",
    )
    row.ebp_code, row.ebc_code, row.app_type, row.cop_code = (
        head.ebpCode,
        head.ebcCode,
        head.appType,
        cop_code,
    )
    row.fingerprint = fingerprint
    row.document = json.dumps(document, ensure_ascii=False)
    row.receipt = json.dumps(receipt, ensure_ascii=False)
    row.trace_context = stored_trace_context()
    row.updated_at = now
    if isinstance(head, im.OrderHead):
        row.buyer_id_number = head.buyerIdNumber
        row.order_day = head.appTime[:8]
    session.add(row)
    decl.outbox.add(session, _order_accepted(ie, entity, app_type, now))
    await session.flush()
    for lst in lists:
        await reconsider(decl, session, lst, now, changed=existing is not None)
    return receipt


def _order_accepted(
    ie: str, entity: ex.Order | im.Order, app_type: AppType, now: datetime
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
        ieFlag="E" if ie == "E" else "I",
        orderType=head.orderType,
        appType="2" if app_type is AppType.CHANGE else "1",
        ebpCode=head.ebpCode,
        ebcCode=head.ebcCode,
        currency=head.currency,
        goodsValue=head.goodsValue,
        freight=head.freight,
        lines=lines,
        acceptedAt=_iso(now),
        **extra,
    )


# Inventory lists (CEB603 / CEB621)


def list_keys(row: InventoryRecord) -> dict[str, Any]:
    return {
        "copNo": row.cop_no,
        "agentCode": row.agent_code,
        "preNo": row.pre_no,
        "invtNo": row.invt_no,
        "orderNo": row.order_no,
        "ebpCode": row.ebp_code,
        "ebcCode": row.ebc_code,
    }


def _pre_no(row: InventoryRecord, now: datetime) -> str:
    """DOMAIN.md §1: `B` + yyyyMMdd + 9 digits, given by the platform on acceptance."""
    assert row.id is not None
    return f"B{_china(now):%Y%m%d}{row.id % 10**9:09d}"


def _invt_no(row: InventoryRecord, now: datetime) -> str:
    """DOMAIN.md §1: customs code (4) + year (4) + I/E + serial: 18 characters."""
    assert row.id is not None
    customs = json.loads(row.document)["InventoryHead"]["customsCode"]
    return f"{customs}{_china(now):%Y}{row.ie_flag}{row.id % 10**9:09d}"


async def submit_list(
    decl: Declaration,
    session: AsyncSession,
    ie: str,
    entity: ex.Inventory | im.Inventory,
    party: str | None,
    now: datetime,
) -> dict[str, Any]:
    """Accept, change or delete one inventory list and declare it; its receipt."""
    await _decide_lists_one_at_a_time(session)
    head = entity.InventoryHead
    keys = {
        "copNo": head.copNo,
        "agentCode": head.agentCode,
        "orderNo": head.orderNo,
        "ebpCode": head.ebpCode,
        "ebcCode": head.ebcCode,
    }
    tag_span(orderNo=head.orderNo, copNo=head.copNo)
    if not head.copNo:
        rule = "the platform keys a list by copNo + agentCode: copNo is required"
        return _receipt(REJECTED, f"copNo: {rule}", now, keys)
    document = _dump(entity)
    fingerprint = _fingerprint(document)
    found = await session.exec(
        select(InventoryRecord).where(
            InventoryRecord.cop_no == head.copNo, InventoryRecord.agent_code == head.agentCode
        )
    )
    existing = found.first()
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
            return decl.key_taken("CEB603" if ie == "E" else "CEB621", error, now, keys)
    if existing is not None and existing.fingerprint == fingerprint:
        stored: dict[str, Any] = json.loads(existing.receipt)
        return stored
    try:
        if ie == "E":
            ExportInventory.model_validate(
                {**document["InventoryHead"], "inventoryList": document["InventoryList"]}
            )
        else:
            ImportInventory.model_validate(
                {**document["InventoryHead"], "inventoryList": document["InventoryList"]}
            )
    except ValidationError as error:
        return _receipt(REJECTED, _info(_violations_of(error, "InventoryHead.")), now, keys)
    if head.appType not in ("1", "2", "3"):
        return _receipt(REJECTED, f"appType: must be 1, 2 or 3 ({head.appType})", now, keys)
    app_type = AppType(head.appType)
    status = ListStatus(existing.status) if existing is not None else None
    try:
        check_app_type(app_type, on_file=existing is not None, list_status=status)
    except DeclarationError as error:
        if existing is not None:
            keys = list_keys(existing)
        return _receipt(REJECTED, error.message, now, keys)
    staged = head.appStatus == "1"
    if app_type is AppType.DELETE:
        assert existing is not None
        assert status is not None
        step = transition(status, S.DELETED, at=_china(now), info="deleted (appType 3)")
        await _record(decl, session, existing, (step,), now)
        return _receipt(
            step.receipt.return_status, step.receipt.return_info, now, list_keys(existing)
        )
    row = existing or InventoryRecord(
        ie_flag=ie,
        cop_no=head.copNo,
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
        fingerprint=fingerprint,
        document="",
        receipt="",
    )
    row.order_no, row.ebp_code, row.ebc_code = head.orderNo, head.ebpCode, head.ebcCode
    row.logistics_code, row.logistics_no = head.logisticsCode, head.logisticsNo
    row.app_type, row.fingerprint = head.appType, fingerprint
    row.submitted_by = party or head.agentCode
    row.document = json.dumps(document, ensure_ascii=False)
    row.trace_context = stored_trace_context()
    row.declared_at, row.incomplete_reported_at, row.updated_at = now, None, now
    session.add(row)
    await session.flush()
    if row.pre_no is None:
        row.pre_no = _pre_no(row, now)
    at = _china(now)
    if existing is None:
        target = S.STAGED if staged else S.DECLARING
        first = Transition(S.STAGED, target, Receipt.of(target, at, "accepted"))
        await _record(decl, session, row, (first,), now)
    elif not staged:
        step = transition(ListStatus(row.status), S.DECLARING, at=at, info="changed and declared")
        await _record(decl, session, row, (step,), now)
    if row.status == S.DECLARING.value:
        await evaluate(decl, session, row, now)
    last = await last_receipt(session, row)
    receipt = _receipt(last.return_status, last.return_info, now, list_keys(row))
    receipt["returnTime"] = last.return_time
    row.receipt = json.dumps(receipt, ensure_ascii=False)
    return receipt


async def last_receipt(session: AsyncSession, row: InventoryRecord) -> ListReceiptRecord:
    found = await session.exec(
        select(ListReceiptRecord)
        .where(ListReceiptRecord.list_id == row.id)
        .order_by(col(ListReceiptRecord.id).desc())
        .limit(1)
    )
    receipt = found.first()
    assert receipt is not None
    return receipt


# Recording receipts and their events


def _head(row: InventoryRecord) -> dict[str, Any]:
    head: dict[str, Any] = json.loads(row.document)["InventoryHead"]
    return head


def _lines(row: InventoryRecord) -> list[dict[str, Any]]:
    lines: list[dict[str, Any]] = json.loads(row.document)["InventoryList"]
    return lines


def _list_lines(row: InventoryRecord) -> tuple[ev.ListLine, ...]:
    return tuple(
        ev.ListLine(
            gnum=line["gnum"],
            itemNo=line.get("itemNo"),
            gcode=line["gcode"],
            gname=line["gname"],
            country=line["country"],
            currency=line["currency"],
            unit=line["unit"],
            qty=Decimal(line["qty"]),
            price=Decimal(line["price"]),
            totalPrice=Decimal(line["totalPrice"]),
        )
        for line in _lines(row)
    )


def _released_fields(row: InventoryRecord) -> dict[str, Any]:
    head = _head(row)
    lines = _lines(row)
    assert row.invt_no is not None
    assert row.released_at is not None
    fields: dict[str, Any] = {
        "orderNo": row.order_no,
        "ieFlag": row.ie_flag,
        "copNo": row.cop_no,
        "invtNo": row.invt_no,
        "preNo": row.pre_no,
        "tradeMode": head["tradeMode"],
        "ebpCode": row.ebp_code,
        "ebcCode": row.ebc_code,
        "agentCode": row.agent_code,
        "ownerCode": head.get("ownerCode"),
        "logisticsCode": row.logistics_code,
        "logisticsNo": row.logistics_no,
        "customsCode": head["customsCode"],
        "portCode": head["portCode"],
        "trafMode": head["trafMode"],
        "country": head["country"],
        "statisticsFlag": head.get("statisticsFlag"),
        "currency": head.get("currency") or lines[0]["currency"],
        "freight": Decimal(head["freight"]),
        "insuredFee": Decimal(head["insuredFee"]),
        "grossWeight": Decimal(head["grossWeight"]),
        "netWeight": Decimal(head["netWeight"]),
        "lines": _list_lines(row),
        "releasedAt": _iso(row.released_at),
    }
    return fields


EXPORT_LIST = "inventory list (CEB603)"
IMPORT_LIST = "inventory list (CEB621)"
DECISION_SPANS = {
    S.REJECTED: "list rejected",
    S.MANUAL_REVIEW: "list to manual review",
    S.INSPECTION: "list to inspection",
    S.RELEASED: "list released",
    S.CLOSED: "list closed",
}
"""The span of each state a list reaches by a decision on its documents (or their goods)."""


async def _document_links(session: AsyncSession, row: InventoryRecord) -> list[Link | None]:
    """Links to the traces in which the platform received the list and its three documents
    (DOMAIN.md §4), each named by its document."""
    export = row.ie_flag == "E"
    party = row.ebc_code if export else row.ebp_code
    order = await _order_row(session, row.ie_flag, row.order_no, party)
    funds = await session.exec(
        select(FundsRecord.trace_context).where(
            FundsRecord.ie_flag == row.ie_flag,
            FundsRecord.order_no == row.order_no,
            FundsRecord.party_code == party,
        )
    )
    waybill = await session.exec(
        select(WaybillRecord.trace_context).where(
            WaybillRecord.logistics_code == row.logistics_code,
            WaybillRecord.logistics_no == row.logistics_no,
        )
    )
    documents = (
        (EXPORT_ORDER, EXPORT_LIST, EXPORT_FUNDS, EXPORT_WAYBILL)
        if export
        else (IMPORT_ORDER, IMPORT_LIST, IMPORT_PAYMENT, IMPORT_WAYBILL)
    )
    contexts = (
        order.trace_context if order else None,
        row.trace_context,
        funds.first(),
        waybill.first(),
    )
    return [
        link_to(context, {"cbec.document": name})
        for name, context in zip(documents, contexts, strict=True)
    ]


async def _record(
    decl: Declaration,
    session: AsyncSession,
    row: InventoryRecord,
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
        await _write_steps(decl, session, row, steps, now, rules=rules, leave_time=leave_time)
        return
    links = await _document_links(session, row)
    with joining_span(name, links, orderNo=row.order_no, copNo=row.cop_no):
        await _write_steps(decl, session, row, steps, now, rules=rules, leave_time=leave_time)
        tag_span(returnStatus=steps[-1].receipt.return_status)
    tag_span(orderNo=row.order_no, invtNo=row.invt_no, copNo=row.cop_no)


async def _write_steps(
    decl: Declaration,
    session: AsyncSession,
    row: InventoryRecord,
    steps: Sequence[Transition],
    now: datetime,
    *,
    rules: Sequence[str],
    leave_time: str | None,
) -> None:
    for step in steps:
        if step.to_status is S.STORED and row.invt_no is None:
            row.invt_no = _invt_no(row, now)
        row.status = step.to_status.value
        row.updated_at = now
        receipt = step.receipt
        assert row.id is not None
        session.add(
            ListReceiptRecord(
                list_id=row.id,
                return_status=receipt.return_status,
                return_time=receipt.return_time,
                return_info=receipt.return_info,
                created_at=now,
            )
        )
        decl.outbox.add(
            session,
            ev.ListStatusChanged(
                orderNo=row.order_no,
                ieFlag="E" if row.ie_flag == "E" else "I",
                copNo=row.cop_no,
                preNo=row.pre_no,
                invtNo=row.invt_no,
                ebcCode=row.ebc_code,
                ebpCode=row.ebp_code,
                agentCode=row.agent_code,
                logisticsCode=row.logistics_code,
                logisticsNo=row.logistics_no,
                returnStatus=receipt.return_status,
                returnTime=receipt.return_time,
                returnInfo=receipt.return_info or "-",
            ),
        )
    if not steps:
        return
    last = steps[-1]
    tag_span(orderNo=row.order_no, invtNo=row.invt_no, copNo=row.cop_no)
    ie = "E" if row.ie_flag == "E" else "I"
    if last.to_status is S.RELEASED:
        row.released_at = now
        fields = _released_fields(row)
        if ie == "I":
            head = _head(row)
            fields.update(
                buyerIdType=head.get("buyerIdType"),
                buyerIdNumber=head.get("buyerIdNumber"),
                buyerName=head.get("buyerName"),
                assureCode=head.get("assureCode"),
                emsNo=head.get("emsNo"),
            )
            fields["statisticsFlag"] = None
        decl.outbox.add(session, ev.ListReleased(**fields))
    elif last.to_status is S.REJECTED:
        decl.outbox.add(
            session,
            ev.ListRejected(
                orderNo=row.order_no,
                ieFlag=ie,
                copNo=row.cop_no,
                invtNo=row.invt_no,
                ebcCode=row.ebc_code,
                rules=tuple(rules) or (last.receipt.return_info,),
                returnInfo=last.receipt.return_info,
                returnStatus=last.receipt.return_status,
                rejectedAt=_iso(now),
            ),
        )
    elif last.to_status is S.CLOSED:
        row.closed_at = now
        fields = _released_fields(row)
        for name in ("buyerIdType", "buyerIdNumber", "buyerName", "assureCode", "emsNo"):
            fields.pop(name, None)
        decl.outbox.add(session, ev.ListClosed(**fields, closedAt=_iso(now), leaveTime=leave_time))


# The decision


async def _on_file(
    session: AsyncSession, row: InventoryRecord
) -> tuple[ExportInventory, ExportDocumentsOnFile] | tuple[ImportInventory, ImportDocumentsOnFile]:
    party = row.ebc_code if row.ie_flag == "E" else row.ebp_code
    order = await _order_row(session, row.ie_flag, row.order_no, party)
    funds = (
        await session.exec(
            select(FundsRecord).where(
                FundsRecord.ie_flag == row.ie_flag,
                FundsRecord.order_no == row.order_no,
                FundsRecord.party_code == party,
            )
        )
    ).first()
    waybill = (
        await session.exec(
            select(WaybillRecord).where(
                WaybillRecord.logistics_code == row.logistics_code,
                WaybillRecord.logistics_no == row.logistics_no,
            )
        )
    ).first()
    if row.ie_flag == "E":
        return export_inventory_of(row), ExportDocumentsOnFile(
            order=export_order_of(order) if order else None,
            funds=funds_of(funds) if funds else None,
            waybill=export_waybill_of(waybill) if waybill else None,
        )
    payment = payment_of(funds) if funds else None
    verified = bool(funds and json.loads(funds.document).get("payerIsBuyer") is True)
    return import_inventory_of(row), ImportDocumentsOnFile(
        order=import_order_of(order) if order else None,
        payment=payment,
        waybill=import_waybill_of(waybill) if waybill else None,
        buyer_verified=verified,
    )


async def _recent_mismatches(session: AsyncSession, row: InventoryRecord) -> int:
    """DOMAIN.md §9: repeated mismatches of an enterprise; its lists now rejected."""
    found = await session.exec(
        select(func.count())
        .select_from(InventoryRecord)
        .where(
            InventoryRecord.ebc_code == row.ebc_code,
            InventoryRecord.status == S.REJECTED.value,
            InventoryRecord.id != row.id,
        )
    )
    return int(found.one())


async def _rules_decision(
    decl: Declaration, session: AsyncSession, row: InventoryRecord
) -> Decision:
    invt, on_file = await _on_file(session, row)
    mismatches = await _recent_mismatches(session, row)
    if isinstance(invt, ExportInventory):
        assert isinstance(on_file, ExportDocumentsOnFile)
        return decide_export(invt, on_file, decl.rules, recent_mismatches=mismatches)
    assert isinstance(on_file, ImportDocumentsOnFile)
    order_row = await _order_row(session, "I", row.order_no, row.ebp_code)
    day = _china(row.declared_at).date()
    same_day: list[BuyerOrder] = []
    if order_row is not None and order_row.order_day:
        day = datetime.strptime(order_row.order_day, "%Y%m%d").date()
        others = await session.exec(
            select(OrderRecord).where(
                OrderRecord.ie_flag == "I",
                OrderRecord.buyer_id_number == order_row.buyer_id_number,
                OrderRecord.order_day == order_row.order_day,
                OrderRecord.id != order_row.id,
            )
        )
        for other in others.all():
            order = import_order_of(other)
            same_day.append(
                BuyerOrder(order.order_no, order.buyer_id_number, day, order.transaction_value)
            )
    return decide_import(
        invt,
        on_file,
        decl.rules,
        order_day=day,
        same_day_orders=same_day,
        recent_mismatches=mismatches,
    )


def _declared(decl: Declaration, session: AsyncSession, row: InventoryRecord) -> DeclaredList:
    head = _head(row)

    async def decide() -> Decision:
        return await _rules_decision(decl, session, row)

    return DeclaredList(
        ie_flag=row.ie_flag,
        cop_no=row.cop_no,
        agent_code=row.agent_code,
        pre_no=row.pre_no,
        fingerprint=row.fingerprint,
        entity=json.loads(row.document),
        sender_code=row.agent_code,
        sender_name=head.get("agentName") or row.agent_code,
        decide=decide,
    )


async def evaluate(
    decl: Declaration, session: AsyncSession, row: InventoryRecord, now: datetime
) -> None:
    """Hand a declared list (status 2) to customs; apply the decision when there is one."""
    if row.status != S.DECLARING.value:
        return
    decision = await decl.port.submit(_declared(decl, session, row))
    if decision is None or decision.outcome is DecisionOutcome.AWAITING_DOCUMENTS:
        return
    tag_span(orderNo=row.order_no, copNo=row.cop_no)
    try:
        await _apply(decl, session, row, decision, now)
    except QuotaUnavailable as exc:
        # The list stays declared; the next document or the periodic check decides again.
        log.warning("quota reservation for %s not made: %s", row.cop_no, exc)


def _dutiable_value(row: InventoryRecord) -> Decimal:
    """DOMAIN.md §6.4: the list's dutiable value: goods + freight + insurance."""
    head = _head(row)
    goods = sum((Decimal(line["totalPrice"]) for line in _lines(row)), Decimal(0))
    return goods + Decimal(head.get("freight", "0")) + Decimal(head.get("insuredFee", "0"))


async def _reserve_quota(
    decl: Declaration, session: AsyncSession, row: InventoryRecord, now: datetime
) -> Receipt | None:
    """Reserve the buyer's annual quota before an import list is released; a refusal's
    receipt (-621005 / -621018, DOMAIN.md §3) or None when reserved."""
    if row.invt_no is None:
        row.invt_no = _invt_no(row, now)
    lines = _lines(row)
    answer = await decl.quota.reserve(
        invt_no=row.invt_no,
        order_no=row.order_no,
        buyer_id_number=_head(row)["buyerIdNumber"],
        amount=_dutiable_value(row),
        single_item=len(lines) == 1 and Decimal(lines[0]["qty"]) == 1,
        day=_china(now).date().isoformat(),
    )
    if answer.reserved:
        row.quota_reserved = True
        return None
    assert answer.return_status is not None
    return Receipt(
        answer.return_status, format_return_time(_china(now)), clip_return_info(answer.detail)
    )


async def _apply(
    decl: Declaration,
    session: AsyncSession,
    row: InventoryRecord,
    decision: Decision,
    now: datetime,
) -> None:
    at = _china(now)
    current = ListStatus(row.status)
    if row.ie_flag == "I" and decision.outcome is DecisionOutcome.RELEASE:
        refused = await _reserve_quota(decl, session, row, now)
        if refused is not None:
            step = Transition(current, S.REJECTED, refused)
            await _record(decl, session, row, (step,), now, rules=(refused.return_info,))
            return
    steps = apply_decision(current, decision, at=at)
    await _record(decl, session, row, steps, now, rules=tuple(str(v) for v in decision.violations))
    if decision.risk_hits and steps:
        reasons = tuple(_risk_reason(hit) for hit in decision.risk_hits)
        _keep_counsel(decl, session, row, steps[-1].receipt, reasons, now)


# Customs' own reasons (DESIGN.md, Security: customs keeps its own counsel)


def _risk_reason(hit: RiskHit) -> ev.CustomsReason:
    return ev.CustomsReason(
        kind="risk-rule", rule=hit.rule, outcome=hit.outcome.value, detail=hit.detail
    )


def _keep_counsel(
    decl: Declaration,
    session: AsyncSession,
    row: InventoryRecord,
    receipt: Receipt,
    reasons: Sequence[ev.CustomsReason],
    now: datetime,
) -> None:
    """Keep why customs put the list where its last receipt says, apart from the receipts the
    declarant gets, and tell the officers (ListAssessed)."""
    assert row.id is not None
    for reason in reasons:
        session.add(
            CustomsReasonRecord(
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
    decl.outbox.add(
        session,
        ev.ListAssessed(
            orderNo=row.order_no,
            ieFlag="E" if row.ie_flag == "E" else "I",
            copNo=row.cop_no,
            preNo=row.pre_no,
            invtNo=row.invt_no,
            ebcCode=row.ebc_code,
            ebpCode=row.ebp_code,
            agentCode=row.agent_code,
            returnStatus=receipt.return_status,
            declarantInfo=receipt.return_info or "-",
            reasons=tuple(reasons),
            assessedAt=_iso(now),
        ),
    )


def customs_reason_view(record: CustomsReasonRecord) -> dict[str, Any]:
    """One of customs' reasons as the officers' views show it."""
    view: dict[str, Any] = {
        "returnStatus": record.return_status,
        "kind": record.kind,
        "detail": record.detail,
        "at": _iso(_china(record.created_at)),
    }
    for name in ("rule", "outcome", "officer", "action"):
        value = getattr(record, name)
        if value is not None:
            view[name] = value
    return view


async def customs_reasons(
    session: AsyncSession, list_ids: Sequence[int]
) -> dict[int, list[CustomsReasonRecord]]:
    """Customs' reasons of the lists, oldest first, by list id (for officers only)."""
    found: dict[int, list[CustomsReasonRecord]] = {list_id: [] for list_id in list_ids}
    if not list_ids:
        return found
    rows = await session.exec(
        select(CustomsReasonRecord)
        .where(col(CustomsReasonRecord.list_id).in_(list(list_ids)))
        .order_by(col(CustomsReasonRecord.id))
    )
    for record in rows.all():
        found[record.list_id].append(record)
    return found


async def reconsider(
    decl: Declaration, session: AsyncSession, row: InventoryRecord, now: datetime, *, changed: bool
) -> None:
    """A document of the list arrived or changed: a declared list is decided again; a rejected
    one is declared again when the document changed (DOMAIN.md §4: correct and resend)."""
    if changed and row.status == S.REJECTED.value:
        step = transition(
            S.REJECTED, S.DECLARING, at=_china(now), info="declared again: a document changed"
        )
        row.declared_at, row.incomplete_reported_at = now, None
        await _record(decl, session, row, (step,), now)
    await evaluate(decl, session, row, now)


# Funds documents and waybills from the other services


async def funds_arrived(
    decl: Declaration,
    session: AsyncSession,
    ie: str,
    order_no: str,
    party: str,
    data: dict[str, Any],
    now: datetime,
) -> None:
    """A receipt of funds (export, by orderNo + ebcCode) or a payment (import, by orderNo +
    ebpCode) arrived; the lists of its order are checked again."""
    await _decide_lists_one_at_a_time(session)
    tag_span(orderNo=order_no)
    found = await session.exec(
        select(FundsRecord).where(
            FundsRecord.ie_flag == ie,
            FundsRecord.order_no == order_no,
            FundsRecord.party_code == party,
        )
    )
    row = found.first()
    text = json.dumps(data, sort_keys=True, ensure_ascii=False)
    changed = row is not None and row.document != text
    if row is not None and not changed:
        return
    row = row or FundsRecord(ie_flag=ie, order_no=order_no, party_code=party, document=text)
    row.document, row.received_at = text, now
    row.trace_context = stored_trace_context()
    session.add(row)
    await session.flush()
    for lst in await _lists_of_order(session, ie, order_no, party):
        await reconsider(decl, session, lst, now, changed=changed)


async def waybill_arrived(
    decl: Declaration, session: AsyncSession, data: dict[str, Any], now: datetime
) -> None:
    await _decide_lists_one_at_a_time(session)
    code, number = data["logisticsCode"], data["logisticsNo"]
    tag_span(logisticsNo=number, orderNo=data.get("orderNo"))
    found = await session.exec(
        select(WaybillRecord).where(
            WaybillRecord.logistics_code == code, WaybillRecord.logistics_no == number
        )
    )
    row = found.first()
    text = json.dumps(data, sort_keys=True, ensure_ascii=False)
    changed = row is not None and row.document != text
    if row is not None and not changed:
        return
    row = row or WaybillRecord(
        logistics_code=code, logistics_no=number, ie_flag=data["ieFlag"], document=text
    )
    row.document, row.received_at, row.order_no = text, now, data.get("orderNo")
    row.trace_context = stored_trace_context()
    session.add(row)
    await session.flush()
    for lst in await _lists_of_waybill(session, code, number):
        await reconsider(decl, session, lst, now, changed=changed)


async def _lists_of_waybill(session: AsyncSession, code: str, number: str) -> list[InventoryRecord]:
    found = await session.exec(
        select(InventoryRecord)
        .where(InventoryRecord.logistics_code == code, InventoryRecord.logistics_no == number)
        .order_by(col(InventoryRecord.id))
    )
    return list(found.all())


async def waybill_deleted(session: AsyncSession, code: str, number: str) -> None:
    """A waybill deleted before any list used it: it is no longer on file."""
    await _decide_lists_one_at_a_time(session)
    found = await session.exec(
        select(WaybillRecord).where(
            WaybillRecord.logistics_code == code, WaybillRecord.logistics_no == number
        )
    )
    row = found.first()
    if row is not None:
        await session.delete(row)


async def parcel_departed(
    decl: Declaration,
    session: AsyncSession,
    *,
    ie: str,
    logistics_code: str,
    logistics_no: str,
    invt_no: str | None,
    leave_time: str | None,
    now: datetime,
) -> None:
    """DOMAIN.md §8: the goods departed (export) or were delivered (import): the released list
    closes (899)."""
    await _decide_lists_one_at_a_time(session)
    candidates = await _lists_of_waybill(session, logistics_code, logistics_no)
    for row in candidates:
        if row.ie_flag != ie or row.status != S.RELEASED.value:
            continue
        if invt_no is not None and row.invt_no != invt_no:
            continue
        info = "goods departed" if ie == "E" else "goods delivered"
        if leave_time:
            info += f" at {leave_time}"
        step = transition(S.RELEASED, S.CLOSED, at=_china(now), info=info)
        await _record(decl, session, row, (step,), now, leave_time=leave_time)


# Revocations (CEB605 / CEB623)


async def revoke(
    decl: Declaration,
    session: AsyncSession,
    ie: str,
    entity: ex.InvtCancel | im.InvtCancel,
    party: str | None,
    now: datetime,
) -> dict[str, Any]:
    """Withdraw a released list; its receipt (a refusal names every failed rule). Only the
    enterprise that filed the list or the agent the list names revokes it."""
    await _decide_lists_one_at_a_time(session)
    keys: dict[str, Any] = {
        "copNo": entity.copNo,
        "invtNo": entity.invtNo,
        "agentCode": entity.agentCode,
        "ebcCode": entity.ebcCode,
    }
    tag_span(invtNo=entity.invtNo)
    found = await session.exec(
        select(InventoryRecord).where(
            InventoryRecord.invt_no == entity.invtNo, InventoryRecord.ie_flag == ie
        )
    )
    row = found.first()
    if row is None:
        return _receipt(REJECTED, f"invtNo: no list {entity.invtNo} is on file", now, keys)
    try:
        check_revoker(
            filed_by=row.filed_by,
            agent_code=row.agent_code,
            caller=filer_of(party, entity.agentCode),
            what=f"the list {entity.invtNo}",
            field="invtNo",
        )
    except KeyTaken as error:
        return decl.key_taken("CEB605" if ie == "E" else "CEB623", error, now, keys)
    keys = list_keys(row)
    at = _china(now)
    if row.status == S.REVOKED.value:
        last = await last_receipt(session, row)
        if last.return_info == f"revoked: {entity.reason}":
            receipt = _receipt(last.return_status, last.return_info, now, keys)
            receipt["returnTime"] = last.return_time
            return receipt
    try:
        if ie == "E":
            assert isinstance(entity, ex.InvtCancel)
            step = revoke_export(
                export_inventory_of(row),
                ListStatus(row.status),
                ExportRevocation.model_validate(entity.model_dump()),
                at=at,
            )
        else:
            assert isinstance(entity, im.InvtCancel)
            step = revoke_import(
                import_inventory_of(row),
                ListStatus(row.status),
                ImportRevocation.model_validate(entity.model_dump()),
                at=at,
            )
    except DeclarationError as error:
        return _receipt(REJECTED, error.message, now, keys)
    await _record(decl, session, row, (step,), now)
    decl.outbox.add(
        session,
        ev.ListRevoked(
            orderNo=row.order_no,
            ieFlag="E" if ie == "E" else "I",
            copNo=row.cop_no,
            invtNo=entity.invtNo,
            ebcCode=row.ebc_code,
            reason=entity.reason,
            revokedAt=_iso(now),
        ),
    )
    await _cancel_quota(decl, row)
    return _receipt(step.receipt.return_status, step.receipt.return_info, now, keys)


async def _cancel_quota(decl: Declaration, row: InventoryRecord) -> None:
    if not row.quota_reserved or row.invt_no is None:
        return
    try:
        await decl.quota.cancel(row.invt_no)
        row.quota_reserved = False
    except QuotaUnavailable as exc:
        log.warning("quota reservation of %s not cancelled: %s", row.invt_no, exc)


# Officers


async def officer_cases(session: AsyncSession) -> list[InventoryRecord]:
    found = await session.exec(
        select(InventoryRecord)
        .where(col(InventoryRecord.status).in_(OFFICER_STATES))
        .order_by(col(InventoryRecord.id))
    )
    return list(found.all())


async def officer_case(
    session: AsyncSession, invt_no: str
) -> tuple[InventoryRecord, list[ListReceiptRecord], list[CustomsReasonRecord]]:
    """A list as an officer sees it: its receipts and customs' own reasons."""
    row = (
        await session.exec(select(InventoryRecord).where(InventoryRecord.invt_no == invt_no))
    ).first()
    if row is None:
        raise NotFound(f"no list {invt_no}", [Problem("invtNo", "no such list", invt_no)])
    assert row.id is not None
    receipts = await session.exec(
        select(ListReceiptRecord)
        .where(ListReceiptRecord.list_id == row.id)
        .order_by(col(ListReceiptRecord.id))
    )
    reasons = await customs_reasons(session, [row.id])
    return row, list(receipts.all()), reasons[row.id]


async def officer_decision(
    decl: Declaration,
    session: AsyncSession,
    invt_no: str,
    action: OfficerAction,
    reason: str,
    officer: str,
    now: datetime,
    *,
    return_info: str | None = None,
) -> InventoryRecord:
    """An officer concludes a manual review (300) or an inspection (500). The officer's code
    and ``reason`` (the note) are kept for customs; the declarant's receipts say the status,
    and a rejection ``return_info`` when the officer gives the declarant a reason."""
    await _decide_lists_one_at_a_time(session)
    tag_span(invtNo=invt_no)
    row = (
        await session.exec(select(InventoryRecord).where(InventoryRecord.invt_no == invt_no))
    ).first()
    if row is None:
        raise NotFound(f"no list {invt_no}", [Problem("invtNo", "no such list", invt_no)])
    current = ListStatus(row.status)
    try:
        steps = apply_officer_decision(
            current, OfficerDecision(action, reason, officer, return_info), at=_china(now)
        )
    except DeclarationError as error:
        problems = [Problem(v.field, v.rule, v.value, v.expected) for v in error.violations]
        if error.status_code == 409:
            raise Conflict(error.message, problems) from error
        raise InvalidInput(problems, error.message) from error
    note = ev.CustomsReason(
        kind="officer-decision", officer=officer, action=action.value, detail=reason.strip()
    )
    if row.ie_flag == "I" and action is OfficerAction.RELEASE:
        refused = await _reserve_quota(decl, session, row, now)
        if refused is not None:
            step = Transition(current, S.REJECTED, refused)
            await _record(decl, session, row, (step,), now, rules=(refused.return_info,))
            _keep_counsel(decl, session, row, refused, (note,), now)
            return row
    await _record(decl, session, row, steps, now)
    _keep_counsel(decl, session, row, steps[-1].receipt, (note,), now)
    return row


# Lists missing documents past the wait (DOMAIN.md §4)


async def report_incomplete(
    decl: Declaration, session: AsyncSession, now: datetime
) -> list[dict[str, Any]]:
    """Decide every declared list that can be decided, then report (once) each list still
    lacking documents past the wait, naming what it lacks."""
    await _decide_lists_one_at_a_time(session)
    found = await session.exec(
        select(InventoryRecord)
        .where(InventoryRecord.status == S.DECLARING.value)
        .order_by(col(InventoryRecord.id))
    )
    reported: list[dict[str, Any]] = []
    for row in list(found.all()):
        await evaluate(decl, session, row, now)
        if row.status != S.DECLARING.value or row.incomplete_reported_at is not None:
            continue
        _invt, on_file = await _on_file(session, row)
        missing = (
            missing_export_documents(on_file)
            if isinstance(on_file, ExportDocumentsOnFile)
            else missing_import_documents(on_file)
        )
        report = missing_documents_report(
            missing, received_at=row.declared_at, now=now, wait=decl.document_wait
        )
        if report is None or not report.overdue:
            continue
        row.incomplete_reported_at = now
        event = ev.ListIncomplete(
            orderNo=row.order_no,
            ieFlag="E" if row.ie_flag == "E" else "I",
            copNo=row.cop_no,
            ebcCode=row.ebc_code,
            missing=report.missing,
            deadline=_iso(report.deadline),
        )
        decl.outbox.add(session, event)
        reported.append(event.to_data())
    return reported


# Customs receipts (file exchange)


async def apply_customs_receipt(
    decl: Declaration, session: AsyncSession, document: dict[str, Any], now: datetime
) -> str:
    """Apply one receipt document of customs (an InventoryReturn of CEB604 / CEB622): move the
    list to its returnStatus. Returns what was done."""
    await _decide_lists_one_at_a_time(session)
    cop_no, status = document.get("copNo"), str(document["returnStatus"])
    query = select(InventoryRecord).where(InventoryRecord.cop_no == cop_no)
    if document.get("agentCode"):
        query = query.where(InventoryRecord.agent_code == document["agentCode"])
    elif document.get("preNo"):
        query = query.where(InventoryRecord.pre_no == document["preNo"])
    row = (await session.exec(query)).first()
    if row is None:
        return f"no list {cop_no}"
    if document.get("invtNo") and row.invt_no is None:
        row.invt_no = document["invtNo"]
    current = ListStatus(row.status)
    info = str(document.get("returnInfo") or "")
    if status.startswith("-"):
        target, receipt = S.REJECTED, Receipt(status, str(document["returnTime"]), info)
    else:
        try:
            target = ListStatus(status)
        except ValueError:
            return f"unknown returnStatus {status}"
        receipt = Receipt(status, str(document["returnTime"]), info)
    if target is current:
        return "already applied"
    try:
        transition(current, target, at=_china(now))
    except DeclarationError as error:
        return error.message
    await _record(decl, session, row, (Transition(current, target, receipt),), now, rules=(info,))
    return f"{row.cop_no}: {status}"


# Summary declaration (DOMAIN.md §5)


@dataclass(frozen=True, slots=True)
class SummaryRequest:
    ebc_code: str
    period: Period
    summary_flag: SummaryFlag = SummaryFlag.BY_CONSIGNOR
    item_name_flag: bool = False
    invt_nos: frozenset[str] | None = None
    released_from: datetime | None = None
    """With ``released_to``: only the lists released in this window (a CEB701 time range)."""
    released_to: datetime | None = None
    applicant: str | None = None
    """The enterprise applying (a CEB701 application's filer): the consignor itself, or an
    agent for lists it declared; None for the platform's own monthly run."""

    def takes(self, invt_no: str | None, released_at: datetime) -> bool:
        if self.invt_nos is not None and invt_no not in self.invt_nos:
            return False
        if self.released_from is not None and released_at < self.released_from:
            return False
        return self.released_to is None or released_at <= self.released_to


def sum_no(customs: str, period: Period, serial: int) -> str:
    """The summary application number: customs code (4) + year and month (6) + ``S`` + serial
    (7), 18 characters as the standard's receipts (CEB702, CEB792) require."""
    return f"{customs}{period.year:04d}{period.month:02d}S{serial % 10**7:07d}"


def _check_applicant(request: SummaryRequest, row: InventoryRecord) -> None:
    """A summary is applied for by the consignor (``ebcCode``) or by the agent that declared
    every list it takes; another enterprise's application changes nothing (KeyTaken)."""
    if request.applicant is None or request.applicant == request.ebc_code:
        return
    check_filer(
        filed_by=row.agent_code,
        caller=request.applicant,
        what=f"the list {row.invt_no} of the consignor {request.ebc_code}",
        field="SummaryApplyHead.agentCode",
    )


async def summarise_month(
    decl: Declaration, session: AsyncSession, request: SummaryRequest, now: datetime
) -> list[SummaryRecord]:
    """Consolidate the consignor's closed lists of the month not yet summarised; a month that
    already had its summary gets a supplementary one; nothing new, nothing done."""
    existing, made = await make_summary(decl, session, request, now)
    return [*existing, made] if made is not None else existing


async def make_summary(
    decl: Declaration, session: AsyncSession, request: SummaryRequest, now: datetime
) -> tuple[list[SummaryRecord], SummaryRecord | None]:
    """The month's summaries of the consignor so far, and the one made now of its closed lists
    not yet summarised (None when there is none)."""
    found = await session.exec(
        select(InventoryRecord).where(
            InventoryRecord.ie_flag == "E",
            InventoryRecord.ebc_code == request.ebc_code,
            col(InventoryRecord.released_at).is_not(None),
            col(InventoryRecord.status).in_((S.RELEASED.value, S.CLOSED.value)),
        )
    )
    candidates = []
    for row in found.all():
        assert row.released_at is not None
        if not request.takes(row.invt_no, _china(row.released_at)):
            continue
        _check_applicant(request, row)
        candidates.append(
            SummaryCandidate(
                export_inventory_of(row), ListStatus(row.status), _china(row.released_at)
            )
        )
    invt_nos = [c.invt_no for c in candidates]
    summarised: dict[str, Period] = {}
    if invt_nos:
        ledger_rows = await session.exec(
            select(SummarisedListRecord).where(col(SummarisedListRecord.invt_no).in_(invt_nos))
        )
        for entry in ledger_rows.all():
            year, month = entry.period.split("-")
            summarised[entry.invt_no] = Period(int(year), int(month))
    existing = list(
        (
            await session.exec(
                select(SummaryRecord)
                .where(
                    SummaryRecord.ebc_code == request.ebc_code,
                    SummaryRecord.period == str(request.period),
                )
                .order_by(col(SummaryRecord.id))
            )
        ).all()
    )
    periods = frozenset({request.period}) if existing else frozenset()
    ledger = SummaryLedger(summarised, periods)
    summary = SummaryRecord(
        ebc_code=request.ebc_code,
        period=str(request.period),
        summary_flag=request.summary_flag.value,
        item_name_flag=request.item_name_flag,
        result="{}",
        created_at=now,
    )
    session.add(summary)
    await session.flush()
    assert summary.id is not None
    prefix = f"D{request.period.year:04d}{request.period.month:02d}{summary.id % 10**7:07d}"
    result = summarise(
        candidates,
        SummaryApplication(
            request.period, request.summary_flag, request.item_name_flag, request.ebc_code
        ),
        ledger,
        decl.rules.summary,
        decl_seq_numbers(prefix),
    )
    if not result.assignments:
        await session.delete(summary)
        return existing, None
    summary.sum_no = sum_no(decl.settings.summary_customs_code, request.period, summary.id)
    summary.supplementary = result.supplementary
    event = ev.SummaryCompleted(
        sumNo=summary.sum_no,
        ebcCode=request.ebc_code,
        period=str(request.period),
        supplementary=result.supplementary,
        forms=tuple(
            ev.SummaryForm(
                declSeqNo=form.decl_seq_no,
                ebcCode=form.key.ebc_code,
                ownerCode=form.key.owner_code,
                trafMode=form.key.traf_mode,
                country=form.key.country,
                portCode=form.key.port_code,
                items=tuple(
                    ev.SummaryItem(
                        gseqno=item.gseqno,
                        gcode=item.gcode,
                        gname=item.gname,
                        country=item.country,
                        currency=item.currency,
                        unit=item.unit,
                        qty=item.qty,
                        totalPrice=item.total_price,
                    )
                    for item in form.items
                ),
            )
            for form in result.forms
        ),
        assignments=tuple(
            ev.LineAssignment(
                invtNo=a.invt_no, gnum=a.gnum, declSeqNo=a.decl_seq_no, gseqno=a.gseqno
            )
            for a in result.assignments
        ),
        completedAt=_iso(now),
    )
    summary.result = json.dumps(event.to_data(), ensure_ascii=False)
    for invt_no in sorted(result.invt_nos):
        session.add(
            SummarisedListRecord(invt_no=invt_no, summary_id=summary.id, period=str(request.period))
        )
    tag_span(sumNo=summary.sum_no)
    decl.outbox.add(session, event)
    return existing, summary


async def run_scheduled_summaries(
    decl: Declaration, session: AsyncSession, today: date, now: datetime
) -> dict[str, Any]:
    """The monthly run: from the configured day on, summarise last month for every consignor;
    report months not summarised by their deadline (SummaryOverdue, once)."""
    this_month = Period(today.year, today.month)
    previous = (
        Period(today.year - 1, 12) if today.month == 1 else Period(today.year, today.month - 1)
    )
    found = await session.exec(
        select(InventoryRecord).where(
            InventoryRecord.ie_flag == "E",
            col(InventoryRecord.released_at).is_not(None),
            col(InventoryRecord.status).in_((S.RELEASED.value, S.CLOSED.value)),
        )
    )
    rows = list(found.all())
    summarised = set((await session.exec(select(SummarisedListRecord.invt_no))).all())
    open_lists: dict[tuple[str, Period], int] = defaultdict(int)
    for row in rows:
        if row.invt_no in summarised or _head(row).get("statisticsFlag") != "B":
            continue
        assert row.released_at is not None
        open_lists[(row.ebc_code, Period.of(_china(row.released_at)))] += 1
    made: list[str] = []
    if today.day >= decl.settings.summary_run_day:
        for ebc_code in sorted({ebc for ebc, period in open_lists if period == previous}):
            _, record = await make_summary(decl, session, SummaryRequest(ebc_code, previous), now)
            if record is not None and record.sum_no:
                made.append(record.sum_no)
    overdue: list[str] = []
    remaining = set((await session.exec(select(SummarisedListRecord.invt_no))).all())
    still_open: dict[tuple[str, Period], int] = defaultdict(int)
    for row in rows:
        if row.invt_no in remaining or _head(row).get("statisticsFlag") != "B":
            continue
        assert row.released_at is not None
        still_open[(row.ebc_code, Period.of(_china(row.released_at)))] += 1
    for (ebc_code, period), count in sorted(
        still_open.items(), key=lambda kv: (kv[0][0], kv[0][1])
    ):
        if period >= this_month or not summary_is_late(period, decl.rules.summary, today=today):
            continue
        known = (
            await session.exec(
                select(OverdueSummaryRecord).where(
                    OverdueSummaryRecord.ebc_code == ebc_code,
                    OverdueSummaryRecord.period == str(period),
                )
            )
        ).first()
        if known is not None:
            continue
        session.add(OverdueSummaryRecord(ebc_code=ebc_code, period=str(period), lists=count))
        decl.outbox.add(
            session,
            ev.SummaryOverdue(
                sumNo=f"UNSUMMARISED-{ebc_code}-{period}",
                ebcCode=ebc_code,
                period=str(period),
                deadline=summary_deadline(period, decl.rules.summary).isoformat(),
                lists=count,
            ),
        )
        overdue.append(f"{ebc_code} {period}")
    return {"summaries": made, "overdue": overdue}


# Queries


@dataclass(frozen=True, slots=True)
class Reader:
    """Who reads: an enterprise (``party``) reads the documents that name it; officers and
    operators (``sees_all``) read every one on their routes."""

    party: str | None
    sees_all: bool


def _named_by(reader: Reader, *columns: Any) -> Any:
    """A condition keeping the rows that name the reader in one of ``columns`` (none match a
    reader without a code); None for a reader who sees every row."""
    if reader.sees_all:
        return None
    if reader.party is None:
        return false()
    return or_(*(column == reader.party for column in columns))


async def list_with_receipts(
    session: AsyncSession, cop_no: str, agent_code: str | None, reader: Reader
) -> tuple[InventoryRecord, list[ListReceiptRecord]]:
    """A list by copNo, with the agent's code when given; an enterprise finds only a list that
    names it (its ebcCode, ebpCode, agentCode or logisticsCode): another's is not found."""
    query = select(InventoryRecord).where(InventoryRecord.cop_no == cop_no)
    if agent_code:
        query = query.where(InventoryRecord.agent_code == agent_code)
    named = _named_by(
        reader,
        InventoryRecord.agent_code,
        InventoryRecord.ebc_code,
        InventoryRecord.ebp_code,
        InventoryRecord.logistics_code,
    )
    if named is not None:
        query = query.where(named)
    rows = [
        row
        for row in (await session.exec(query)).all()
        if may_read(
            reader.party,
            sees_all=reader.sees_all,
            parties=(row.agent_code, row.ebc_code, row.ebp_code, row.logistics_code),
        )
    ]
    if not rows:
        raise NotFound(f"no list {cop_no}", [Problem("copNo", "no such list", cop_no)])
    if len(rows) > 1:
        raise Conflict(
            f"several agents filed a list {cop_no}: name one with ?agentCode=",
            [Problem("agentCode", "required when several agents use the copNo", None)],
        )
    row = rows[0]
    receipts = await session.exec(
        select(ListReceiptRecord)
        .where(ListReceiptRecord.list_id == row.id)
        .order_by(col(ListReceiptRecord.id))
    )
    return row, list(receipts.all())


async def order_with_lists(
    session: AsyncSession, order_no: str, party: str, reader: Reader
) -> list[tuple[OrderRecord, list[InventoryRecord]]]:
    """An order by its key (orderNo and its ebcCode for export or ebpCode for import); an
    enterprise finds it only when the order names it (ebcCode, ebpCode)."""
    query = select(OrderRecord).where(
        OrderRecord.order_no == order_no, OrderRecord.party_code == party
    )
    named = _named_by(reader, OrderRecord.ebc_code, OrderRecord.ebp_code)
    if named is not None:
        query = query.where(named)
    rows = [
        row
        for row in (await session.exec(query)).all()
        if may_read(reader.party, sees_all=reader.sees_all, parties=(row.ebc_code, row.ebp_code))
    ]
    if not rows:
        raise NotFound(
            f"no order {order_no} of {party}", [Problem("orderNo", "no such order", order_no)]
        )
    return [(row, await _lists_of_order(session, row.ie_flag, order_no, party)) for row in rows]
