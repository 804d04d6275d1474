"""Routes of the one-stop views and the receipts.

    GET  /v1/orders/{orderNo}?party=CODE      the order across declaration, goods, funds and tax
    GET  /v1/orders?status=800&ieFlag=E&since=2026-11-01T00:00:00Z&cursor=...
    GET  /v1/receipts?cursor=...&limit=100    the caller's receipts, oldest first

All signed (see gateway/README.md). An enterprise sees what names its code; officers see all.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query

from cbec.gateway.api.cursors import decode_cursor, encode_cursor, in_utc
from cbec.gateway.api.deps import CallerDep, RuntimeDep
from cbec.gateway.domain.signatures import Caller
from cbec.gateway.openapi import SIGNED
from cbec.gateway.routing import OFFICER_ROLES
from cbec.gateway.use_cases import reads
from cbec.shared.service import problem_response
from cbec.shared.telemetry import tag_span

router = APIRouter(responses=SIGNED)


def _viewer(caller: Caller) -> reads.Viewer:
    return reads.Viewer(code=caller.code, officer=bool(OFFICER_ROLES & caller.roles))


_VIEW_EXAMPLE = {
    "orderNo": "EO202611220001",
    "ieFlag": "E",
    "status": "800",
    "parties": {"ebcCode": "3702960001", "ebpCode": "4403169D3W", "logisticsCode": "3702980002"},
    "order": {"orderNo": "EO202611220001", "goodsValue": "200.00", "freight": "10.00"},
    "list": {
        "copNo": "COP20261122001",
        "invtNo": "43002026E000000001",
        "status": "800",
        "receipts": [{"returnStatus": "120", "returnTime": "20261122090000000"}],
    },
    "funds": {"payments": [], "receipts": [{"payNo": "PN2026112200001"}], "settlements": []},
    "logistics": {"waybills": [{"logisticsNo": "SF1234567890"}], "movements": [], "returns": []},
    "tax": {
        "assessments": [],
        "refusals": [],
        "quotaRestorations": [],
        "exemptions": [],
        "refunds": [],
    },
    "discrepancies": [],
    "events": [{"seq": 1, "type": "cbec.declaration.order.accepted.v1", "time": "..."}],
}


@router.get(
    "/v1/orders/{order_no}",
    tags=["one-stop"],
    responses={
        200: {"content": {"application/json": {"example": _VIEW_EXAMPLE}}},
        404: problem_response("no such order, or none naming the caller's code"),
        409: problem_response("several sellers' orders of the number: name one with ?ebcCode="),
    },
)
async def get_order(
    order_no: str,
    runtime: RuntimeDep,
    caller: CallerDep,
    party: Annotated[str | None, Query(max_length=18)] = None,
    ebc_code: Annotated[
        str | None,
        Query(alias="ebcCode", max_length=18, description="the seller, if several use it"),
    ] = None,
) -> dict[str, Any]:
    """One order across declaration, goods, funds and tax, with its receipts and discrepancies."""
    tag_span(orderNo=order_no)
    async with runtime.reading() as session:
        return await reads.order_view(
            session, order_no, viewer=_viewer(caller), party=party, ebc_code=ebc_code
        )


@router.get("/v1/orders", tags=["one-stop"])
async def list_orders(
    runtime: RuntimeDep,
    caller: CallerDep,
    status: Annotated[str | None, Query(max_length=20, examples=["800"])] = None,
    ie_flag: Annotated[str | None, Query(alias="ieFlag", pattern="^[IE]$")] = None,
    since: Annotated[datetime | None, Query(description="updated at or after (ISO 8601)")] = None,
    party: Annotated[str | None, Query(max_length=18)] = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    """The orders naming the caller's code (officers: all), oldest first, by cursor."""
    if since is not None:
        since = in_utc(since, "since")
    filters = reads.OrderFilter(status=status, ie_flag=ie_flag, since=since, party=party)
    async with runtime.reading() as session:
        rows = await reads.list_orders(
            session,
            viewer=_viewer(caller),
            filters=filters,
            after=decode_cursor("orders", cursor),
            limit=limit,
        )
    last = rows[-1].pop("id") if rows else None
    for row in rows:
        row.pop("id", None)
    return {
        "orders": rows,
        "cursor": encode_cursor("orders", last) if last is not None else cursor,
        "more": len(rows) == limit,
    }


@router.get("/v1/receipts", tags=["receipts"])
async def poll_receipts(
    runtime: RuntimeDep,
    caller: CallerDep,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    """The caller's receipts after the cursor, oldest first; poll again with the new cursor."""
    after = decode_cursor("receipts", cursor)
    async with runtime.reading() as session:
        rows = await reads.receipts_after(session, caller.code, after=after, limit=limit)
    position = rows[-1][0] if rows else after
    return {
        "receipts": [document for _seq, document in rows],
        "cursor": encode_cursor("receipts", position),
        "more": len(rows) == limit,
    }
