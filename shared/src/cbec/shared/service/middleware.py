"""The pure ASGI middleware every service app has around its routes: request metrics by route
template, and a 503 with Retry-After for a request the database could not serve.

    app.add_middleware(DatabaseUnavailable, service="declaration")
    app.add_middleware(HttpMetrics, service="declaration")
"""

from __future__ import annotations

import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cbec.shared import metrics
from cbec.shared.db import unavailable
from cbec.shared.errors import Unavailable
from cbec.shared.service.problems import DATABASE_BUSY_RETRY_AFTER_SECONDS, problem

log = logging.getLogger(__name__)


class HttpMetrics:
    """Counts requests and their duration by route template (a pure ASGI middleware)."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def _send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, _send)
        finally:
            route = scope.get("route")
            path = getattr(route, "path", "<unmatched>")
            method = scope.get("method", "")
            metrics.HTTP_REQUESTS.labels(self.service, method, path, str(status)).inc()
            metrics.HTTP_LATENCY.labels(self.service, method, path).observe(
                time.perf_counter() - start
            )


class DatabaseUnavailable:
    """A request that fails because the database cannot be reached (it restarts, fails over)
    is answered 503 with Retry-After, as problem+json, not 500: the client sends it again (a
    pure ASGI middleware, around the routes and their exception handlers)."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def _send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, _send)
        except Exception as exc:
            if started or not unavailable(exc):
                raise
            log.warning("database unavailable: %r; answered 503", exc)
            refusal = Unavailable(
                f"the {self.service} service cannot reach its database (or a service it "
                "depends on) right now; send the request again later",
                retry_after=DATABASE_BUSY_RETRY_AFTER_SECONDS,
            )
            response = problem(refusal)
            response.headers["Retry-After"] = str(refusal.retry_after)
            await response(scope, receive, send)
