"""Idempotency-Keys when the gateway's database stays busy beyond the pool's timeout (found by
`cbec bench e2e` offering 50 orders per second): a request the service took is answered with
the service's answer, and kept for the key's replays once the database is free; a refused
request still frees its key. Before, the enterprise got 500 (then 503), and its resend met
"still running" (409) for a day although its documents had been accepted."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
import sqlalchemy.exc

from cbec.gateway import services
from tests.integration.gateway.test_gateway import CARRIER, SELLER, gateway
from tests.support.waiting import eventually
from tests.unit.gateway.documents import export_order, export_waybill

pytestmark = [pytest.mark.integration, pytest.mark.postgres]


def busy_once(monkeypatch: pytest.MonkeyPatch, name: str) -> list[str]:
    """The service function ``name`` fails the first time as a pool timeout does."""
    real: Callable[..., Awaitable[Any]] = getattr(services, name)
    calls: list[str] = []

    async def flaky(*args: Any, **kwargs: Any) -> Any:
        calls.append(name)
        if len(calls) == 1:
            raise sqlalchemy.exc.TimeoutError("QueuePool limit of size 1 overflow 0 reached")
        return await real(*args, **kwargs)

    monkeypatch.setattr(services, name, flaky)
    return calls


async def test_an_accepted_request_is_answered_and_its_answer_kept_when_the_database_frees(
    kafka_bootstrap: str, database_url: str, unique: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = busy_once(monkeypatch, "record_answer")
    async with gateway(kafka_bootstrap, database_url) as stack, stack.client(SELLER) as seller:
        headers = {"Idempotency-Key": f"key-{unique}"}
        order = export_order(f"EO{unique}", SELLER)
        first = await seller.post("/v1/export/orders", json=order, headers=headers)
        assert first.status_code == 200, first.text
        assert first.json()["receipts"]

        async def kept() -> list[Any]:
            return [r for r in await stack.idempotency_records() if r.state == "done"]

        await eventually(kept, until=bool, timeout=30, what="the answer kept")
        again = await seller.post("/v1/export/orders", json=order, headers=headers)
        assert again.status_code == 200
        assert again.headers["idempotent-replayed"] == "true"
        assert again.content == first.content
        assert len(stack.upstream.to("/v1/export/orders")) == 1
        assert len(calls) == 2


async def test_a_refused_request_frees_its_key_when_the_database_frees(
    kafka_bootstrap: str, database_url: str, unique: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    busy_once(monkeypatch, "release_idempotency_key")
    async with gateway(kafka_bootstrap, database_url) as stack, stack.client(CARRIER) as carrier:
        headers = {"Idempotency-Key": f"waybill-{unique}"}
        waybill = export_waybill(f"LN{unique}", CARRIER)
        answer = await carrier.post("/v1/export/waybills", json=waybill, headers=headers)
        # The service is down: the refusal is the service's, not the busy database's.
        assert answer.status_code == 503
        assert "logistics" in answer.json()["detail"]
        await eventually(
            stack.idempotency_records, until=lambda rows: rows == [], timeout=30, what="key freed"
        )


async def test_a_refused_request_frees_its_key_once_its_database_is_back(
    kafka_bootstrap: str, database_url: str, unique: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The gateway's database restarting while the key is freed (found by restarting PostgreSQL
    under load, tests/faults): the key stayed claimed and the resends met 409 until the claim
    was taken over a minute later."""
    real = services.release_idempotency_key
    calls: list[str] = []

    async def restarting(*args: Any, **kwargs: Any) -> Any:
        calls.append("release")
        if len(calls) == 1:
            refused = ConnectionRefusedError(111, "Connection refused")
            raise sqlalchemy.exc.DBAPIError("DELETE ...", {}, refused, connection_invalidated=True)
        return await real(*args, **kwargs)

    monkeypatch.setattr(services, "release_idempotency_key", restarting)
    async with gateway(kafka_bootstrap, database_url) as stack, stack.client(CARRIER) as carrier:
        headers = {"Idempotency-Key": f"waybill-{unique}"}
        waybill = export_waybill(f"LN{unique}", CARRIER)
        answer = await carrier.post("/v1/export/waybills", json=waybill, headers=headers)
        assert answer.status_code == 503
        assert "logistics" in answer.json()["detail"]
        await eventually(
            stack.idempotency_records, until=lambda rows: rows == [], timeout=30, what="key freed"
        )
        assert len(calls) == 2
