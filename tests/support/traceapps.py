"""Three small services built with the shared factory, run as real processes in trace tests.

front:  POST /things writes a ``thing.happened`` event to its outbox in the request's transaction.
worker: consumes the event and calls stamp over httpx, with a caller token of its own.
stamp:  answers GET /stamp, to the worker only (its caller tokens).

    uvicorn --factory tests.support.traceapps:front   (env: DATABASE_URL, KAFKA_..., TRACE_TOPIC)
"""

from __future__ import annotations

import os
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from sqlmodel import SQLModel

from cbec.shared.bus import HandlerContext
from cbec.shared.callers import ServiceCallers, signer_from_settings
from cbec.shared.envelope import Envelope
from cbec.shared.service import ConsumerSpec, Runtime, ServiceDescriptor, create_service_app
from cbec.shared.settings import ServiceSettings
from cbec.shared.telemetry import tag_span
from tests.support.bus import TABLES, Thing, event_type

TOPIC = os.environ.get("TRACE_TOPIC", "cbec.tracetest.v1")


async def _create_tables(runtime: Runtime) -> None:
    async with runtime.engine.begin() as conn:
        await conn.run_sync(SQLModel.metadata.create_all, tables=TABLES)


def _app(name: str, port: int, **kwargs: Any) -> FastAPI:
    settings = ServiceSettings(service_name=name)
    descriptor = ServiceDescriptor(name=name, port=port, app=f"tests.support.traceapps:{name}")
    return create_service_app(settings, descriptor, on_start=[_create_tables], **kwargs)


def front() -> FastAPI:
    router = APIRouter()

    @router.post("/things/{order_no}", status_code=202)
    async def submit(order_no: str, request: Request) -> dict[str, str]:
        runtime: Runtime = request.app.state.runtime
        tag_span(orderNo=order_no)
        event = Envelope(
            id=f"evt-{order_no}",
            source="/cbec/front",
            type=event_type(TOPIC),
            subject=order_no,
            data={"key": order_no, "seq": 1, "orderNo": order_no},
        )
        async with runtime.transaction() as session:
            runtime.outbox.add_envelope(session, event, topic=TOPIC, key=order_no)
        return {"accepted": order_no}

    return _app("front", 0, routers=[router])


def worker() -> FastAPI:
    signer = signer_from_settings(ServiceSettings(service_name="worker"))

    async def on_thing(ctx: HandlerContext) -> None:
        thing = ctx.parse(Thing)
        response = await ctx.runtime.http.get(
            os.environ["STAMP_URL"] + f"/stamp/{thing.key}",
            headers=signer.authorization("stamp", subject="worker"),
        )
        response.raise_for_status()

    spec = ConsumerSpec("things", [TOPIC], {event_type(TOPIC): on_thing}, owners={TOPIC: "front"})
    return _app("worker", 0, consumers=[spec])


def stamp() -> FastAPI:
    router = APIRouter()

    @router.get("/stamp/{key}")
    async def stamp_it(key: str) -> dict[str, str]:
        tag_span(orderNo=key)
        return {"stamped": key}

    callers = ServiceCallers("worker", None, "WORKER_TOKEN_PUBLIC_KEY", (router,))
    return _app("stamp", 0, service_callers=[callers])
