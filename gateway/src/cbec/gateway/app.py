"""Wiring of the gateway service: settings, database, bus, telemetry, the edge and its routes.

Nothing connects at import time; everything starts in the lifespan of the app. Tests hand in
``mounts`` to reach services in-process (``{"http://declaration.test": ASGITransport(app)}``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.middleware import Middleware

from cbec.gateway.api import ROUTERS
from cbec.gateway.edge import BodyLimit, Gateway
from cbec.gateway.errors import RetryLater
from cbec.gateway.forwarding import Upstreams
from cbec.gateway.handlers import HANDLERS, TOPICS
from cbec.gateway.openapi import document_schemas
from cbec.gateway.outbound import Resolver, system_resolver
from cbec.gateway.settings import Settings
from cbec.gateway.use_cases.submission import run_housekeeping
from cbec.shared.clock import utcnow
from cbec.shared.service import (
    ConsumerSpec,
    Runtime,
    ServiceDescriptor,
    create_service_app,
    problem,
)

log = logging.getLogger(__name__)

SERVICE = ServiceDescriptor(
    name="gateway",
    port=8000,
    app="cbec.gateway.app:create_app",
    topics=(),
    migrations="cbec.gateway:migrations",
    events="cbec.gateway.events",
    consumes="cbec.gateway.handlers",
    title="CBEC single window gateway",
)

DESCRIPTION = """The single access point of the platform for enterprise ERPs and officers.

Every request but a registration application is signed with the enterprise's credentials
(`X-Cbec-Key`, `X-Cbec-Timestamp`, `X-Cbec-Nonce`, `X-Cbec-Signature`; see the gateway README).
Writes may carry an `Idempotency-Key`: the same key with the same body answers the first answer
again for 24 hours. Documents go in the JSON shape of the customs standard's entities, or as a
whole CEB XML message to `POST /v1/messages`.

The gateway also keeps every event of the services: the one-stop view of an order
(`GET /v1/orders/{orderNo}`), each enterprise's receipts (`GET /v1/receipts`, or pushed to its
webhook, signed), and the officers' Server-Sent Event feeds (`GET /v1/feeds/customs`, `/tax`).
"""


OPENAPI_TAGS: tuple[dict[str, str], ...] = (
    {"name": "registration", "description": "online registration and credentials"},
    {"name": "submissions", "description": "documents in JSON or CEB XML"},
    {"name": "forwarded", "description": "paths forwarded to the owning service"},
    {"name": "one-stop", "description": "an order across the four flows"},
    {"name": "receipts", "description": "receipts by polling or signed webhooks"},
    {"name": "feeds", "description": "officers' Server-Sent Event feeds"},
)


class _Background:
    """The gateway's periodic work beside the requests: housekeeping and webhook deliveries."""

    def __init__(self, settings: Settings, gateway: Gateway) -> None:
        self.settings = settings
        self.gateway = gateway
        self.tasks: list[asyncio.Task[None]] = []

    async def _housekeeping_loop(self, runtime: Runtime) -> None:
        while True:
            await asyncio.sleep(self.settings.housekeeping_interval_seconds)
            try:
                await run_housekeeping(runtime, self.gateway)
            except Exception:
                log.exception("housekeeping failed; trying again next time")

    async def _delivery_loop(self, runtime: Runtime) -> None:
        while True:
            await asyncio.sleep(self.settings.webhook_interval_seconds)
            try:
                await self.gateway.deliverer.run(runtime, now=utcnow())
            except Exception:
                log.exception("webhook deliveries failed; trying again next time")

    async def start(self, runtime: Runtime) -> None:
        await self.gateway.upstreams.start()
        self.tasks.append(
            asyncio.create_task(self._housekeeping_loop(runtime), name="housekeeping")
        )
        self.tasks.append(
            asyncio.create_task(self._delivery_loop(runtime), name="webhook-deliveries")
        )

    async def stop(self, _runtime: Runtime) -> None:
        for task in self.tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self.tasks.clear()
        await self.gateway.stop_background()
        await self.gateway.upstreams.stop()


async def _retry_later(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RetryLater)
    response = problem(exc)
    response.headers["Retry-After"] = str(exc.retry_after)
    return response


def create_app(
    settings: Settings | None = None,
    *,
    mounts: dict[str, httpx.AsyncBaseTransport] | None = None,
    resolver: Resolver = system_resolver,
) -> FastAPI:
    """The ASGI app of the gateway service, for `uvicorn --factory`; ``resolver`` answers the
    addresses of a webhook's host (the system's resolver unless a test gives its own)."""
    settings = settings or Settings()
    gateway = Gateway(settings, Upstreams(settings, mounts=mounts), resolver)
    background = _Background(settings, gateway)
    app = create_service_app(
        settings,
        SERVICE,
        routers=list(ROUTERS),
        consumers=[ConsumerSpec("projection", TOPICS, HANDLERS)],
        on_start=[background.start],
        on_stop=[background.stop],
        description=DESCRIPTION,
        openapi_tags=[dict(tag) for tag in OPENAPI_TAGS],
        openapi_schemas=document_schemas(),
        # The gateway authenticates its callers itself (signed requests) and vouches for them
        # to the services with the caller tokens it signs (forwarding.py).
        caller_tokens=False,
        edge=[Middleware(BodyLimit, max_bytes=settings.max_body_bytes)],
    )
    app.state.gateway = gateway
    app.add_exception_handler(RetryLater, _retry_later)
    return app
