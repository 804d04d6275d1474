"""An overloaded service answers 503 with Retry-After, not 500: when its database connections
stay taken for the pool's whole timeout (on SQLite the one connection, queued behind consumers
and other requests), the request did nothing and the client sends it again later. Found by
`cbec bench e2e` offering 50 orders per second: the gateway and the declaration service
answered 500 and the ERPs' documents were lost."""

from __future__ import annotations

import httpx
import sqlalchemy.exc
from fastapi import APIRouter

from cbec.shared.service import PROBLEM_JSON, ServiceDescriptor, create_service_app
from cbec.shared.settings import ServiceSettings
from tests.support.tokens import CallerAuth

router = APIRouter()


@router.post("/v1/things")
async def add_thing() -> dict[str, str]:
    # What SQLAlchemy raises when no pooled connection came free within the pool's timeout.
    raise sqlalchemy.exc.TimeoutError(
        "QueuePool limit of size 1 overflow 0 reached, connection timed out, timeout 30.00"
    )


async def test_a_database_busy_beyond_the_pool_timeout_is_503_with_retry_after() -> None:
    app = create_service_app(
        ServiceSettings(service_name="things"),
        ServiceDescriptor(name="things", port=0, app="unused"),
        routers=[router],
    )
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://t", auth=CallerAuth("things")
    ) as client:
        answer = await client.post("/v1/things")

    assert answer.status_code == 503
    assert answer.headers["content-type"] == PROBLEM_JSON
    assert int(answer.headers["retry-after"]) >= 1
    assert answer.json()["title"] == "service-unavailable"
    assert "send the request again" in answer.json()["detail"]
