"""A service built by the shared factory runs in-process against the real broker and database."""

from __future__ import annotations

import pytest

from cbec.declaration.app import create_app
from cbec.declaration.settings import Settings
from tests.support.apps import running, service_settings

pytestmark = pytest.mark.integration


async def test_a_service_is_ready_migrated_and_exposes_health_and_metrics(
    kafka_bootstrap: str, database_url: str
) -> None:
    settings = service_settings(
        Settings, kafka_bootstrap_servers=kafka_bootstrap, database_url=database_url
    )
    async with running(create_app(settings)) as (_app, client):
        ready = (await client.get("/readyz")).json()
        health = await client.get("/healthz")
        metrics = await client.get("/metrics")
        docs = await client.get("/openapi.json")

    assert ready["status"] == "ready"
    assert ready["checks"]["database"] == "ok"
    assert ready["checks"]["broker"] == "ok"
    assert health.json() == {"status": "ok", "service": "declaration"}
    assert "cbec_outbox_backlog" in metrics.text
    assert docs.status_code == 200


async def test_a_service_whose_broker_is_unreachable_is_live_but_not_ready(
    database_url: str,
) -> None:
    from cbec.shared.embedded import free_port

    settings = service_settings(
        Settings,
        kafka_bootstrap_servers=f"127.0.0.1:{free_port()}",
        database_url=database_url,
    )
    app = create_app(settings)
    import httpx

    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            health = await client.get("/healthz")
            ready = await client.get("/readyz")
    assert health.status_code == 200
    assert ready.status_code == 503
    assert ready.json()["checks"]["broker"] == "connecting"
