"""Routes of the officers' feeds: Server-Sent Events, resumable with Last-Event-ID.

GET /v1/feeds/customs      declarations and goods (customs-officer)
GET /v1/feeds/tax          tax and funds (tax-officer)
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query
from fastapi.responses import StreamingResponse

from cbec.gateway import domain
from cbec.gateway.api.cursors import parse_position
from cbec.gateway.api.deps import CallerDep, GatewayDep, RuntimeDep
from cbec.gateway.errors import Forbidden
from cbec.gateway.openapi import SIGNED
from cbec.gateway.routing import Role
from cbec.gateway.use_cases import reads
from cbec.shared.errors import InvalidInput, Violation
from cbec.shared.service import Runtime, problem_response

router = APIRouter(responses=SIGNED)


EVENT_STREAM = "text/event-stream"


FEED_PAGE = 500


FEED_ROLES = {domain.CUSTOMS_FEED: Role.CUSTOMS_OFFICER, domain.TAX_FEED: Role.TAX_OFFICER}


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
            rows = await reads.feed_after(
                session, feed, after=after, enterprise=enterprise, types=types, limit=FEED_PAGE
            )
            messages = [sse_message(row.seq or 0, row.type, reads.feed_item(row)) for row in rows]
        if rows:
            after = rows[-1].seq or after
            yield "".join(messages)
        if len(rows) == FEED_PAGE:
            continue
        if not follow or loop.time() >= deadline:
            return
        yield ": waiting\n\n"
        await asyncio.sleep(poll)


def _feed(feed: str) -> Callable[..., Awaitable[StreamingResponse]]:
    """The route of one feed, for its officers' role."""
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
    _feed(domain.CUSTOMS_FEED),
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
    _feed(domain.TAX_FEED),
    methods=["GET"],
    tags=["feeds"],
    response_class=StreamingResponse,
    responses=_FEED_RESPONSES,
    summary="Tax officers' feed",
    description="Tax and payments events as Server-Sent Events (tax-officer), resumable with "
    "Last-Event-ID, filtered by ?enterprise= and ?type=; ?follow=false ends after the events "
    "already there.",
)
