"""What every request meets at the edge: the body size limit and the gateway's live parts.

create_service_app(..., edge=[Middleware(BodyLimit, max_bytes=settings.max_body_bytes)])
app.state.gateway = Gateway(settings)      # keyring, rate limiter, upstreams, webhooks

Before the body limit, every request's path is checked to be canonical
(``cbec.shared.inputs.CanonicalPath``: 400 otherwise); after it, a JSON body's depth.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from cbec.gateway.forwarding import Upstreams
from cbec.gateway.keyring import Keyring
from cbec.gateway.outbound import Resolver, system_resolver
from cbec.gateway.ratelimit import InFlight, TokenBuckets
from cbec.gateway.settings import Settings
from cbec.gateway.use_cases.authentication import CredentialCache
from cbec.gateway.webhooks import Deliverer
from cbec.shared.inputs import replay
from cbec.shared.service import PROBLEM_JSON


@dataclass
class Gateway:
    settings: Settings
    upstreams: Upstreams
    resolver: Resolver = system_resolver
    """Answers the addresses of a webhook's host before each delivery."""
    keyring: Keyring = field(init=False)
    limiter: TokenBuckets = field(init=False)
    failures: TokenBuckets = field(init=False)
    """Failed authentications, per client address (``ip:...``) and per key id (``key:...``)."""
    in_flight: InFlight = field(init=False)
    credentials: CredentialCache = field(init=False)
    deliverer: Deliverer = field(init=False)
    background: set[asyncio.Task[None]] = field(init=False, default_factory=set)
    """Work a request left to finish after its answer (see ``in_background``)."""

    def __post_init__(self) -> None:
        self.keyring = Keyring(self.settings.gateway_secret_key)
        self.limiter = TokenBuckets(
            self.settings.rate_limit_per_second, self.settings.rate_limit_burst
        )
        self.failures = TokenBuckets(
            self.settings.auth_failure_limit_per_second, self.settings.auth_failure_limit_burst
        )
        self.in_flight = InFlight(self.settings.max_in_flight_per_enterprise)
        self.deliverer = Deliverer(self.settings, self.keyring, resolver=self.resolver)
        self.credentials = CredentialCache(self.settings.credential_cache_seconds)

    def in_background(self, work: Coroutine[Any, Any, None]) -> None:
        """Run ``work`` beside the requests, held until it ends or the gateway stops."""
        task = asyncio.create_task(work)
        self.background.add(task)
        task.add_done_callback(self.background.discard)

    async def stop_background(self) -> None:
        for task in list(self.background):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


def gateway_of(request: Request) -> Gateway:
    gateway: Gateway = request.app.state.gateway
    return gateway


class BodyLimit:
    """Refuses a body larger than ``max_bytes`` with 413 before any route sees it (by its
    Content-Length, or while reading a body sent without one); the body read is handed on."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(send, f"the body has {int(declared)} bytes")
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, replay(b"", message, receive), send)
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._refuse(send, f"the body has more than {self.max_bytes} bytes")
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        await self.app(scope, replay(b"".join(chunks), None, receive), send)

    async def _refuse(self, send: Send, detail: str) -> None:
        body = json.dumps(
            {
                "type": "https://cbec.example/problems/payload-too-large",
                "title": "payload-too-large",
                "status": 413,
                "detail": f"{detail}; at most {self.max_bytes} bytes are accepted",
                "violations": [
                    {"field": "<body>", "rule": f"at most {self.max_bytes} bytes"},
                ],
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", PROBLEM_JSON.encode()),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
