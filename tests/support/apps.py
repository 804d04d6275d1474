"""Running a service app in the test's event loop: real lifespan, real broker, real database.

    async with running(create_app(settings)) as (app, client):
        response = await client.post("/v1/export/orders", json=[...])
        runtime = app.state.runtime        # sessions, outbox, publisher, consumers

The app is ready when it answers ``/readyz`` (database, broker, relay and every consumer up) and
every consumer has been given partitions. The client calls as ``party`` with ``roles`` (a fresh
caller token of the gateway on every request that brings no Authorization of its own; see
tests.support.tokens).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

from cbec.shared.settings import ServiceSettings
from tests.support.tokens import DEFAULT_PARTY, CallerAuth


def service_settings(cls: type[ServiceSettings], **values: object) -> ServiceSettings:
    """Settings for a test: fast polling and retries, and consumer groups of its own that start
    at the end of the shared topics (not behind what earlier tests published); publish the
    events a test needs after `running` has started the app. Everything else as given."""
    defaults: dict[str, object] = {
        "consumer_group_prefix": f"test{uuid.uuid4().hex[:10]}",
        "consumer_offset_reset": "latest",
        "outbox_poll_interval_ms": 20,
        "consumer_retry_backoff_ms": 10,
        "log_json": False,
        "log_level": "WARNING",
    }
    return cls(**{**defaults, **values})


@asynccontextmanager
async def running(
    app: FastAPI,
    *,
    timeout: float = 60.0,
    headers: dict[str, str] | None = None,
    party: str = DEFAULT_PARTY,
    roles: Iterable[str] = (),
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        verifier = getattr(app.state, "caller_verifier", None)
        auth = CallerAuth(verifier.audience, party, roles) if verifier is not None else None
        async with httpx.AsyncClient(
            transport=transport, base_url="http://service.test", headers=headers or {}, auth=auth
        ) as client:
            deadline = time.monotonic() + timeout
            while True:
                response = await client.get("/readyz")
                if response.status_code == 200:
                    break
                if time.monotonic() > deadline:
                    raise AssertionError(f"not ready: {response.text}")
                await _pause()
            for consumer in app.state.runtime.consumers:
                await consumer.wait_until_assigned(timeout)
            yield app, client


async def _pause() -> None:
    import asyncio

    await asyncio.sleep(0.05)
