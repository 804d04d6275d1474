"""The gateway's own reads: one-stop order views, receipts, webhooks and the officers' feeds.

    GET  /v1/orders/{orderNo}?party=CODE      the order across declaration, goods, funds and tax
    GET  /v1/orders?status=800&ieFlag=E&since=2026-11-01T00:00:00Z&cursor=...
    GET  /v1/receipts?cursor=...&limit=100    the caller's receipts, oldest first
    PUT  /v1/webhooks {"url": ...}            receipts pushed to the ERP, signed
    GET  /v1/feeds/customs, /v1/feeds/tax     Server-Sent Events for officers

All signed (see gateway/README.md). An enterprise sees what names its code; officers see all.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from cbec.gateway import onestop, views, webhooks
from cbec.gateway.api import CallerDep, GatewayDep, OperatorDep, RuntimeDep
from cbec.gateway.errors import Forbidden
from cbec.gateway.models import utcnow
from cbec.gateway.openapi import FORBIDDEN, NOT_FOUND, SIGNED
from cbec.gateway.routing import OFFICER_ROLES, Role
from cbec.gateway.services import Caller
from cbec.shared.errors import InvalidInput, Violation
from cbec.shared.service import Runtime, problem_response
from cbec.shared.telemetry import tag_span

router = APIRouter(responses=SIGNED)

EVENT_STREAM = "text/event-stream"
FEED_PAGE = 500
FEED_ROLES = {onestop.CUSTOMS_FEED: Role.CUSTOMS_OFFICER, onestop.TAX_FEED: Role.TAX_OFFICER}


def _viewer(caller: Caller) -> views.Viewer:
    return views.Viewer(code=caller.code, officer=bool(OFFICER_ROLES & caller.roles))


MAX_POSITION = 2**63 - 1
"""The largest position a cursor or Last-Event-ID may name: positions are 64-bit sequence
numbers in the database, and a larger one cannot even be looked up."""


def parse_position(text: str) -> int | None:
    """A position given as ASCII digits (``"42"``), or None: ``"²"`` is a digit to Python but no
    number, and a number past :data:`MAX_POSITION` names nothing the database holds."""
    text = text.strip()
    if not (text.isascii() and text.isdigit()):
        return None
    if len(text.lstrip("0")) > len(str(MAX_POSITION)):
        return None
    position = int(text)
    return position if position <= MAX_POSITION else None


def in_utc(value: datetime, field: str) -> datetime:
    """A time given by the client in UTC (one without an offset is taken as UTC); a time the
    calendar cannot hold in UTC (9999-12-31T23:00:00-05:00) is refused, not looked up."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise InvalidInput(
            [Violation(field=field, rule="a time of the years 1 to 9999 in UTC", value=value)]
        ) from None


def encode_cursor(kind: str, position: int) -> str:
    """An opaque cursor: the client hands it back as it got it."""
    return base64.urlsafe_b64encode(f"{kind}:{position}".encode()).decode().rstrip("=")


def decode_cursor(kind: str, cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        name, _, value = raw.partition(":")
        position = parse_position(value)
        if name == kind and position is not None:
            return position
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise InvalidInput([Violation(field="cursor", rule=f"a cursor given by {kind} listing")])


# -- one-stop views ----------------------------------------------------------------------------

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
        return await views.order_view(
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
    filters = views.OrderFilter(status=status, ie_flag=ie_flag, since=since, party=party)
    async with runtime.reading() as session:
        rows = await views.list_orders(
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


# -- receipts --------------------------------------------------------------------------------------


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
        rows = await views.receipts_after(session, caller.code, after=after, limit=limit)
    position = rows[-1][0] if rows else after
    return {
        "receipts": [document for _seq, document in rows],
        "cursor": encode_cursor("receipts", position),
        "more": len(rows) == limit,
    }


class WebhookIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str = Field(max_length=2000, examples=["https://erp.example.com/cbec/receipts"])


@router.put("/v1/webhooks", tags=["receipts"])
async def put_webhook(
    data: WebhookIn, runtime: RuntimeDep, gateway: GatewayDep, caller: CallerDep
) -> dict[str, Any]:
    """Set the URL the caller's new receipts are POSTed to, signed with its secret."""
    url = webhooks.check_url(data.url, gateway.settings)
    async with runtime.transaction() as session:
        row = await webhooks.set_webhook(session, caller.code, url)
        return {"url": row.url, "updatedAt": row.updated_at.isoformat()}


@router.get("/v1/webhooks", tags=["receipts"], responses={404: NOT_FOUND})
async def get_webhook(runtime: RuntimeDep, caller: CallerDep) -> dict[str, Any]:
    """The caller's webhook and its deliveries not yet acknowledged."""
    async with runtime.reading() as session:
        return await webhooks.webhook_status(session, caller.code)


@router.delete("/v1/webhooks", status_code=204, tags=["receipts"], responses={404: NOT_FOUND})
async def delete_webhook(runtime: RuntimeDep, caller: CallerDep) -> Response:
    """Stop pushing receipts (polling still works)."""
    async with runtime.transaction() as session:
        await webhooks.delete_webhook(session, caller.code)
    return Response(status_code=204)


@router.post("/v1/webhooks/deliver", tags=["operations"], responses={403: FORBIDDEN})
async def deliver_now(
    runtime: RuntimeDep, gateway: GatewayDep, _operator: OperatorDep
) -> dict[str, int]:
    """Post every due webhook delivery now (the worker also runs every few seconds)."""
    return await gateway.deliverer.run(runtime, now=utcnow())


# -- feeds -------------------------------------------------------------------------------------


def sse_message(event_id: int, event_type: str, data: dict[str, Any]) -> str:
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return f"id: {event_id}\nevent: {event_type}\ndata: {payload}\n\n"


async def _stream(
    runtime: Runtime,
    feed: str,
    *,
    after: int,
    enterprise: str | None,
    types: list[str],
    follow: bool,
    poll: float,
    duration: float,
) -> AsyncIterator[str]:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + duration
    yield f"retry: {int(poll * 1000)}\n\n"
    while True:
        # A short transaction per page: the connection is not held while the client reads.
        async with runtime.reading() as session:
            rows = await views.feed_after(
                session, feed, after=after, enterprise=enterprise, types=types, limit=FEED_PAGE
            )
            messages = [sse_message(row.seq or 0, row.type, views.feed_item(row)) for row in rows]
        if rows:
            after = rows[-1].seq or after
            yield "".join(messages)
        if len(rows) == FEED_PAGE:
            continue
        if not follow or loop.time() >= deadline:
            return
        yield ": waiting\n\n"
        await asyncio.sleep(poll)


def _feed(feed: str):  # type: ignore[no-untyped-def]
    role = FEED_ROLES[feed]

    async def read_feed(
        runtime: RuntimeDep,
        gateway: GatewayDep,
        caller: CallerDep,
        enterprise: Annotated[str | None, Query(max_length=18)] = None,
        type: Annotated[
            list[str] | None, Query(description="CloudEvents types, repeated or comma-separated")
        ] = None,
        follow: bool = True,
        last_event_id: Annotated[str | None, Header(alias="Last-Event-ID")] = None,
        last_event_query: Annotated[str | None, Query(alias="lastEventId")] = None,
    ) -> StreamingResponse:
        if role not in caller.roles:
            raise Forbidden(
                f"the {feed} feed is for the role {role.value}",
                [Violation(field="X-Cbec-Roles", rule=f"the role {role.value} is required")],
            )
        resume = last_event_id or last_event_query or "0"
        after = parse_position(resume)
        if after is None:
            raise InvalidInput(
                [Violation(field="Last-Event-ID", rule="a feed sequence number", value=resume)]
            )
        types = [t.strip() for item in type or () for t in item.split(",") if t.strip()]
        settings = gateway.settings
        return StreamingResponse(
            _stream(
                runtime,
                feed,
                after=after,
                enterprise=enterprise,
                types=types,
                follow=follow,
                poll=settings.feed_poll_interval_seconds,
                duration=settings.feed_stream_seconds,
            ),
            media_type=EVENT_STREAM,
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )

    return read_feed


_FEED_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {
            EVENT_STREAM: {
                "example": (
                    "id: 42\nevent: cbec.declaration.list.released.v1\n"
                    'data: {"id":"...","type":"cbec.declaration.list.released.v1",'
                    '"data":{"orderNo":"EO202611220001"}}\n\n'
                )
            }
        }
    },
    403: problem_response("not an officer of this feed"),
}

router.add_api_route(
    "/v1/feeds/customs",
    _feed(onestop.CUSTOMS_FEED),
    methods=["GET"],
    tags=["feeds"],
    response_class=StreamingResponse,
    responses=_FEED_RESPONSES,
    summary="Customs officers' feed",
    description="Declaration and logistics events as Server-Sent Events (customs-officer), "
    "resumable with Last-Event-ID, filtered by ?enterprise= and ?type=; ?follow=false ends "
    "after the events already there.",
)
router.add_api_route(
    "/v1/feeds/tax",
    _feed(onestop.TAX_FEED),
    methods=["GET"],
    tags=["feeds"],
    response_class=StreamingResponse,
    responses=_FEED_RESPONSES,
    summary="Tax officers' feed",
    description="Tax and payments events as Server-Sent Events (tax-officer), resumable with "
    "Last-Event-ID, filtered by ?enterprise= and ?type=; ?follow=false ends after the events "
    "already there.",
)
