"""Routes of the declaration service: thin; parse, call a use case, return.

Documents are the customs standard's entities as JSON (``Order``, ``Inventory``, ``InvtCancel``
of the export or import message models); a body is one document or an array of up to 100.
Each document gets its receipt; the caller (its enterprise code and roles) is the one the
gateway's caller token names (:mod:`cbec.shared.callers`).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from cbec.declaration.domain import OfficerAction, OfficerDecision, Period, SummaryFlag
from cbec.declaration.domain.directions import EXPORT, IMPORT, Direction
from cbec.declaration.models import CustomsReasonRow, ListReceiptRow, ListRow
from cbec.declaration.unit_of_work import DeclarationWork, declaration_of, transaction
from cbec.declaration.use_cases import (
    lists,
    officers,
    orders,
    periodic,
    queries,
    quota,
    revocations,
    summary,
    summary_applications,
)
from cbec.declaration.use_cases.receipts import list_keys
from cbec.shared.callers import Caller, Forbidden, caller, require_role
from cbec.shared.ceb import export_models as ex
from cbec.shared.ceb import import_models as im
from cbec.shared.clock import china_iso, utcnow
from cbec.shared.errors import InvalidInput, Violation
from cbec.shared.service import Runtime, get_runtime

router = APIRouter()
MAX_DOCUMENTS = 100
OFFICER = "customs-officer"
OPERATOR = "operator"
D = TypeVar("D", bound=BaseModel)


Officer = Annotated[Caller, Depends(require_role(OFFICER))]
Operator = Annotated[Caller, Depends(require_role(OPERATOR))]
Who = Annotated[Caller, Depends(caller)]
RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


async def _documents(request: Request, model: type[D]) -> list[D]:
    """The body as documents: JSON numbers read as Decimal, never float."""
    try:
        body = json.loads(await request.body(), parse_float=Decimal)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput([Violation("<body>", f"not JSON: {exc}")]) from exc
    items = body if isinstance(body, list) else [body]
    if not items or len(items) > MAX_DOCUMENTS:
        raise InvalidInput(
            [Violation("<body>", f"one document or an array of 1 to {MAX_DOCUMENTS}", len(items))]
        )
    try:
        return TypeAdapter(list[model]).validate_python(items)  # type: ignore[valid-type]
    except ValidationError as error:
        violations = [
            Violation(
                ".".join(str(p) for p in e["loc"])
                if isinstance(body, list)
                else ".".join(str(p) for p in e["loc"][1:]) or "<body>",
                e["msg"],
                e.get("input") if not isinstance(e.get("input"), (dict, list)) else None,
            )
            for e in error.errors()
        ]
        raise InvalidInput(violations) from error


def _body(model: type[BaseModel], example: str) -> dict[str, Any]:
    return {
        "requestBody": {
            "required": True,
            "description": f"one {model.__name__} entity of {example}, or an array of up to 100",
            "content": {"application/json": {"schema": {"type": ["object", "array"]}}},
        }
    }


UseCase = Callable[[DeclarationWork, Any, str | None, datetime], Awaitable[dict[str, Any]]]
Prepare = Callable[[DeclarationWork, list[Any]], Awaitable[None]]


async def _submit(
    runtime: Runtime,
    request: Request,
    model: type[D],
    who: Caller,
    use_case: UseCase,
    prepare: Prepare | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """Each document's use case in one transaction, after what they all need on file is looked
    up at once (``prepare``); the quota reservations they leave are asked after the commit and
    their outcome completes the receipts."""
    documents = await _documents(request, model)
    decl = declaration_of(runtime)
    now = utcnow()
    async with transaction(decl) as work:
        if prepare is not None:
            await prepare(work, documents)
        receipts = [await use_case(work, d, who.party, now) for d in documents]
    await quota.settle(decl, work.follow_ups)
    return {"receipts": receipts}


def _order(way: Direction) -> UseCase:
    async def use(work: DeclarationWork, document: Any, party: str | None, now: datetime) -> Any:
        return await orders.submit_order(work, way, document, party, now)

    return use


def _inventory(way: Direction) -> UseCase:
    async def use(work: DeclarationWork, document: Any, party: str | None, now: datetime) -> Any:
        return await lists.submit_list(work, way, document, party, now)

    return use


def _revocation(way: Direction) -> UseCase:
    async def use(work: DeclarationWork, document: Any, party: str | None, now: datetime) -> Any:
        return await revocations.revoke(work, way, document, party, now)

    return use


async def _revoke(
    runtime: Runtime, request: Request, model: type[D], who: Caller, way: Direction
) -> dict[str, list[dict[str, Any]]]:
    """Revocations in one transaction; the quota reservations of the revoked lists are
    cancelled at the tax service after the commit."""
    answer = await _submit(runtime, request, model, who, _revocation(way))
    if way.needs_quota:
        revoked = [r["invtNo"] for r in answer["receipts"] if r.get("invtNo")]
        await revocations.cancel_reservations(declaration_of(runtime), revoked)
    return answer


@router.post("/v1/export/orders", tags=["export"], openapi_extra=_body(ex.Order, "CEB303"))
async def export_orders(request: Request, runtime: RuntimeDep, who: Who) -> dict[str, Any]:
    """Submit export electronic orders (CEB303 Order entities); one receipt each."""
    return await _submit(runtime, request, ex.Order, who, _order(EXPORT), orders.prepare(EXPORT))


@router.post("/v1/import/orders", tags=["import"], openapi_extra=_body(im.Order, "CEB311"))
async def import_orders(request: Request, runtime: RuntimeDep, who: Who) -> dict[str, Any]:
    """Submit import electronic orders (CEB311 Order entities); one receipt each."""
    return await _submit(runtime, request, im.Order, who, _order(IMPORT), orders.prepare(IMPORT))


@router.post("/v1/export/inventories", tags=["export"], openapi_extra=_body(ex.Inventory, "CEB603"))
async def export_inventories(request: Request, runtime: RuntimeDep, who: Who) -> dict[str, Any]:
    """Declare export inventory lists (CEB603 Inventory entities); one receipt each."""
    return await _submit(
        runtime, request, ex.Inventory, who, _inventory(EXPORT), lists.prepare(EXPORT)
    )


@router.post("/v1/import/inventories", tags=["import"], openapi_extra=_body(im.Inventory, "CEB621"))
async def import_inventories(request: Request, runtime: RuntimeDep, who: Who) -> dict[str, Any]:
    """Declare import inventory lists (CEB621 Inventory entities); one receipt each."""
    return await _submit(
        runtime, request, im.Inventory, who, _inventory(IMPORT), lists.prepare(IMPORT)
    )


@router.post(
    "/v1/export/revocations", tags=["export"], openapi_extra=_body(ex.InvtCancel, "CEB605")
)
async def export_revocations(request: Request, runtime: RuntimeDep, who: Who) -> dict[str, Any]:
    """Revoke released export lists (CEB605 InvtCancel entities); one receipt each."""
    return await _revoke(runtime, request, ex.InvtCancel, who, EXPORT)


@router.post(
    "/v1/import/revocations", tags=["import"], openapi_extra=_body(im.InvtCancel, "CEB623")
)
async def import_revocations(request: Request, runtime: RuntimeDep, who: Who) -> dict[str, Any]:
    """Revoke released import lists (CEB623 InvtCancel entities); one receipt each."""
    return await _revoke(runtime, request, im.InvtCancel, who, IMPORT)


def _list_view(row: ListRow, receipts: list[ListReceiptRow] | None = None) -> dict[str, Any]:
    view: dict[str, Any] = {
        **list_keys(row),
        "ieFlag": row.ie_flag,
        "logisticsCode": row.logistics_code,
        "logisticsNo": row.logistics_no,
        "status": row.status,
        "submittedBy": row.submitted_by,
        "declaredAt": china_iso(row.declared_at),
        "inventory": json.loads(row.document),
    }
    if receipts is not None:
        view["receipts"] = [
            {
                "returnStatus": r.return_status,
                "returnTime": r.return_time,
                "returnInfo": r.return_info,
            }
            for r in receipts
        ]
    return view


def _reader(who: Caller) -> queries.Reader:
    return queries.Reader(party=who.party, sees_all=bool({OFFICER, OPERATOR} & who.roles))


@router.get("/v1/lists/{copNo}", tags=["lists"])
async def get_list(
    copNo: str, runtime: RuntimeDep, who: Who, agentCode: str | None = None
) -> dict[str, Any]:
    """An inventory list that names the caller, with its receipt history (404 otherwise)."""
    async with runtime.sessions() as session:
        work = DeclarationWork(session, declaration_of(runtime))
        row, receipts = await queries.list_with_receipts(work, copNo, agentCode, _reader(who))
        return _list_view(row, receipts)


@router.get("/v1/orders/{orderNo}", tags=["orders"])
async def get_order(
    orderNo: str, runtime: RuntimeDep, who: Who, party: Annotated[str, Query(min_length=1)]
) -> dict[str, Any]:
    """An order (by orderNo and its ebcCode for export or ebpCode for import) that names the
    caller, with its lists (404 otherwise)."""
    async with runtime.sessions() as session:
        work = DeclarationWork(session, declaration_of(runtime))
        found = await queries.order_with_lists(work, orderNo, party, _reader(who))
        return {
            "orders": [
                {
                    "ieFlag": order.ie_flag,
                    "order": json.loads(order.document),
                    "receipt": json.loads(order.receipt),
                    "lists": [_list_view(lst) for lst in lists],
                }
                for order, lists in found
            ]
        }


def _case_view(
    row: ListRow,
    reasons: list[CustomsReasonRow],
    receipts: list[ListReceiptRow] | None = None,
) -> dict[str, Any]:
    """A list as an officer sees it: with ``customs``, customs' own reasons (the risk rules that
    fired, officers' decisions and notes), which no declarant's view carries."""
    return {
        **_list_view(row, receipts),
        "customs": [officers.customs_reason_view(r) for r in reasons],
    }


@router.get("/v1/officer/cases", tags=["officer"])
async def officer_cases(runtime: RuntimeDep, _officer: Officer) -> dict[str, Any]:
    """Lists waiting for an officer: manual review (300) or inspection (500), each with the
    reasons customs holds them for."""
    async with runtime.sessions() as session:
        work = DeclarationWork(session, declaration_of(runtime))
        rows = await officers.officer_cases(work)
        reasons = await work.lists.customs_reasons([r.id for r in rows if r.id])
        return {"cases": [_case_view(row, reasons.get(row.id or 0, [])) for row in rows]}


@router.get("/v1/officer/cases/{invtNo}", tags=["officer"])
async def officer_case(invtNo: str, runtime: RuntimeDep, _officer: Officer) -> dict[str, Any]:
    """One list, waiting or decided, with its receipts (what the declarant was told) and
    ``customs``: why customs put it where it is."""
    async with runtime.sessions() as session:
        work = DeclarationWork(session, declaration_of(runtime))
        row, receipts, reasons = await officers.officer_case(work, invtNo)
        return _case_view(row, reasons, receipts)


class OfficerDecisionBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: Literal["release", "reject", "inspect"]
    reason: str = Field(
        min_length=1,
        max_length=900,
        description="the officer's note: kept by customs, never told to the declarant",
    )
    returnInfo: str | None = Field(
        default=None,
        min_length=1,
        max_length=900,
        description=(
            "with a rejection only: the reason the declarant's receipt gives, one the "
            "declarant can act on (its own documents or goods); without it the receipt says "
            "the list was rejected after customs review"
        ),
    )


@router.post("/v1/officer/cases/{invtNo}/decision", tags=["officer"])
async def officer_decision(
    invtNo: str, body: OfficerDecisionBody, runtime: RuntimeDep, officer: Officer
) -> dict[str, Any]:
    """An officer releases, rejects or sends to inspection a list in review or inspection,
    with a note for customs (``reason``) and, for a rejection, optionally the reason the
    declarant is told (``returnInfo``)."""
    decl = declaration_of(runtime)
    decision = OfficerDecision(
        OfficerAction(body.action), body.reason, officer.party or OFFICER, body.returnInfo
    )
    async with transaction(decl) as work:
        row = await officers.officer_decision(work, invtNo, decision, utcnow())
        list_id = row.id
    # An import list's release awaits the buyer's quota, asked now that the decision committed.
    await quota.settle(decl, work.follow_ups, officer_waiting=True)
    assert list_id is not None
    async with transaction(decl) as work:
        decided = await work.lists.by_id(list_id)
        assert decided is not None
        reasons = await work.lists.customs_reasons([list_id])
        return _case_view(decided, reasons[list_id])


@router.post("/v1/maintenance/incomplete-lists", tags=["maintenance"])
async def incomplete_lists(
    runtime: RuntimeDep, _operator: Operator, at: datetime | None = None
) -> dict[str, Any]:
    """Decide what can be decided and report lists still missing documents past the wait."""
    return {"reported": await periodic.incomplete_lists(declaration_of(runtime), at)}


class SummaryBody(BaseModel):
    """The compact form of a summary application, for operators' scripts: a consignor and a
    month (the platform's own; enterprises send the standard's ``SummaryApply``)."""

    ebcCode: str = Field(min_length=1, max_length=18)
    period: str = Field(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$", description="the month, YYYY-MM")
    summaryFlag: Literal["1", "2"] = "1"
    itemNameFlag: bool = False
    invtNos: list[str] | None = Field(default=None, max_length=10000)


_SUMMARY_BODY = {
    "requestBody": {
        "required": True,
        "description": (
            "one SummaryApply entity of CEB701, or an array of up to 100; or the compact form "
            "{ebcCode, period (YYYY-MM), summaryFlag, itemNameFlag, invtNos}"
        ),
        "content": {"application/json": {"schema": {"type": ["object", "array"]}}},
    }
}


def _compact_summary(body: Any) -> SummaryBody | None:
    """The compact form, when the body is one object that is not a SummaryApply entity."""
    if not isinstance(body, dict) or "SummaryApplyHead" in body:
        return None
    try:
        return SummaryBody.model_validate(body)
    except ValidationError as error:
        raise InvalidInput(
            [
                Violation(".".join(str(p) for p in e["loc"]) or "<body>", e["msg"])
                for e in error.errors()
            ]
        ) from error


@router.post("/v1/export/summaries", tags=["export"], openapi_extra=_SUMMARY_BODY)
async def export_summaries(request: Request, runtime: RuntimeDep, who: Who) -> dict[str, Any]:
    """Summary applications (CEB701 SummaryApply): each answered with its receipt (CEB702:
    preNo, sumNo; 399 once the summary is made, 100 naming what is wrong) and, in
    ``summaries``, the summary result. The compact form answers the consignor's summaries of
    the month."""
    try:
        body = json.loads(await request.body(), parse_float=Decimal)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput([Violation("<body>", f"not JSON: {exc}")]) from exc
    decl = declaration_of(runtime)
    compact = _compact_summary(body)
    if compact is None:
        documents = await _documents(request, ex.SummaryApply)
        now = utcnow()
        async with transaction(decl) as work:
            receipts = [
                await summary_applications.apply_for_summary(work, d, who.party, now)
                for d in documents
            ]
        return {"receipts": receipts}
    if OPERATOR not in who.roles and who.party != compact.ebcCode:
        raise Forbidden(
            "the compact form is for operators and for the consignor itself",
            [Violation("ebcCode", "must be the code of the calling enterprise", compact.ebcCode)],
        )
    year, month = compact.period.split("-")
    summary_request = summary.SummaryRequest(
        ebc_code=compact.ebcCode,
        period=Period(int(year), int(month)),
        summary_flag=SummaryFlag(compact.summaryFlag),
        item_name_flag=compact.itemNameFlag,
        invt_nos=frozenset(compact.invtNos) if compact.invtNos is not None else None,
    )
    async with transaction(decl) as work:
        records = await summary.summarise_month(work, summary_request, utcnow())
        return {"summaries": [summary_applications.summary_view(r) for r in records]}


@router.post("/v1/maintenance/summaries", tags=["maintenance"])
async def scheduled_summaries(
    runtime: RuntimeDep, _operator: Operator, today: date | None = None
) -> dict[str, Any]:
    """The monthly summary run and the overdue check, now (or as of `today`)."""
    return await periodic.scheduled_summaries(declaration_of(runtime), today)


@router.post("/v1/maintenance/customs-receipts", tags=["maintenance"])
async def customs_receipts(runtime: RuntimeDep, _operator: Operator) -> dict[str, Any]:
    """Apply the customs receipt files waiting in the inbox (file exchange)."""
    return {"files": await periodic.customs_receipts(declaration_of(runtime))}
