"""A request that fails because the database cannot be reached is answered 503 with Retry-After,
not 500: the client sends it again (found by restarting PostgreSQL under load, tests/faults:
the gateway answered 500 to the ERPs' submissions and polls while the server restarted)."""

from __future__ import annotations

import asyncpg
import httpx
import pytest
from fastapi import APIRouter
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from cbec.shared.db import unavailable
from cbec.shared.service import PROBLEM_JSON, ServiceDescriptor, create_service_app
from cbec.shared.settings import ServiceSettings
from tests.support.tokens import CallerAuth


def _lost_connection() -> DBAPIError:
    return DBAPIError(
        "INSERT ...", {}, ConnectionResetError(104, "reset"), connection_invalidated=True
    )


def _wrapped(error: BaseException) -> RuntimeError:
    try:
        raise RuntimeError("while filing") from error
    except RuntimeError as outer:
        return outer


@pytest.mark.parametrize(
    "error",
    [
        _lost_connection(),
        ConnectionRefusedError(111, "Connection refused"),
        asyncpg.exceptions.CannotConnectNowError("the database system is starting up"),
        asyncpg.exceptions.AdminShutdownError(
            "terminating connection due to administrator command"
        ),
        OperationalError("BEGIN IMMEDIATE", {}, Exception("database is locked")),
        _wrapped(ConnectionRefusedError(111, "Connection refused")),
    ],
    ids=["connection lost", "refused", "starting up", "shut down", "sqlite locked", "as cause"],
)
def test_an_unreachable_database_is_told_apart(error: BaseException) -> None:
    assert unavailable(error)


@pytest.mark.parametrize(
    "error",
    [
        IntegrityError("INSERT ...", {}, Exception("duplicate key value")),
        OperationalError("SELECT ...", {}, Exception("no such table: things")),
        ValueError("a bug"),
    ],
    ids=["integrity", "no such table", "a bug"],
)
def test_other_failures_are_not_taken_for_an_unreachable_database(error: BaseException) -> None:
    assert not unavailable(error)


router = APIRouter()


@router.post("/v1/things")
async def add_thing() -> dict[str, str]:
    raise _lost_connection()


@router.post("/v1/broken")
async def broken() -> dict[str, str]:
    raise ValueError("a bug")


def _client() -> httpx.AsyncClient:
    app = create_service_app(
        ServiceSettings(service_name="things"),
        ServiceDescriptor(name="things", port=0, app="unused"),
        routers=[router],
    )
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t", auth=CallerAuth("things")
    )


async def test_a_request_whose_database_is_unreachable_is_503_with_retry_after() -> None:
    async with _client() as client:
        answer = await client.post("/v1/things")

    assert answer.status_code == 503
    assert answer.headers["content-type"] == PROBLEM_JSON
    assert answer.headers["retry-after"] == "2"
    assert answer.json()["title"] == "service-unavailable"
    assert "database" in answer.json()["detail"]


async def test_any_other_failure_is_not_dressed_up_as_503() -> None:
    async with _client() as client:
        with pytest.raises(ValueError, match="a bug"):
            await client.post("/v1/broken")
