"""``cbec enterprise add`` and the Idempotency-Key records, straight on the gateway's database."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from cbec.gateway.app import SERVICE
from cbec.gateway.cli import register
from cbec.gateway.errors import IdempotencyKeyReused, RequestInFlight
from cbec.gateway.keyring import Keyring
from cbec.gateway.models import CredentialRow
from cbec.gateway.settings import DEVELOPMENT_SECRET_KEY
from cbec.gateway.use_cases.idempotency import (
    StoredAnswer,
    claim_idempotency_key,
    purge_expired,
    record_answer,
)
from cbec.shared.db import create_engine, session_factory
from cbec.shared.migrations import upgrade

pytestmark = pytest.mark.integration


def _cbec(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="cbec")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    code: int = args.func(args)
    return code


def test_enterprise_add_registers_and_prints_credentials_once_stored_encrypted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    argv = ["enterprise", "add", "--code", "OPERATOR0001", "--name", "Zone", "--roles", "operator"]
    assert _cbec(argv) == 0
    issued = json.loads(capsys.readouterr().out)
    assert issued["code"] == "OPERATOR0001"
    assert issued["roles"] == ["operator"]

    assert _cbec(argv) == 2
    assert "already registered" in capsys.readouterr().err
    bad = ["enterprise", "add", "--code", "3301963K69", "--name", "N", "--roles", "shipper"]
    assert _cbec(bad) == 2
    assert "shipper" in capsys.readouterr().err

    import asyncio

    async def stored() -> CredentialRow:
        engine = create_engine(url)
        try:
            async with session_factory(engine)() as session:
                return (await session.exec(select(CredentialRow))).one()
        finally:
            await engine.dispose()

    credential = asyncio.run(stored())
    assert credential.key_id == issued["keyId"]
    assert issued["secret"] not in credential.secret_encrypted
    assert Keyring(DEVELOPMENT_SECRET_KEY).decrypt(credential.secret_encrypted) == issued["secret"]


async def test_a_key_in_flight_is_409_then_answers_its_first_answer_until_it_expires(
    database_url: str,
) -> None:
    engine = create_engine(database_url)
    assert SERVICE.migrations
    await upgrade(engine, SERVICE.migrations)
    sessions = session_factory(engine)
    now = datetime.now(UTC)

    async def claim(session: AsyncSession, at: datetime, body: str = "h1") -> StoredAnswer | None:
        return await claim_idempotency_key(
            session,
            party="3301963K69",
            key="k1",
            request_hash=body,
            now=at,
            ttl=timedelta(hours=24),
        )

    try:
        async with sessions() as session, session.begin():
            assert await claim(session, now) is None
        with pytest.raises(RequestInFlight):
            async with sessions() as session, session.begin():
                await claim(session, now)
        async with sessions() as session, session.begin():
            answer = StoredAnswer(200, "application/json", b'{"receipts":[]}')
            await record_answer(session, party="3301963K69", key="k1", answer=answer)
        async with sessions() as session, session.begin():
            assert await claim(session, now) == answer
        with pytest.raises(IdempotencyKeyReused):
            async with sessions() as session, session.begin():
                await claim(session, now, "h2")
        later = now + timedelta(hours=25)
        async with sessions() as session, session.begin():
            assert await purge_expired(session, now=later) == {
                "nonces": 0,
                "idempotencyRecords": 1,
            }
        async with sessions() as session, session.begin():
            assert await claim(session, later) is None
    finally:
        await engine.dispose()


async def test_a_claim_its_gateway_never_answered_is_taken_over_after_the_in_flight_time(
    database_url: str,
) -> None:
    """A gateway killed between claiming a key and answering leaves the claim behind: the ERP's
    next sending with the same key is 409 while the first could still be running, then takes
    the key over, once (found by the fault drill that kills the gateway under load)."""
    engine = create_engine(database_url)
    assert SERVICE.migrations
    await upgrade(engine, SERVICE.migrations)
    sessions = session_factory(engine)
    now = datetime.now(UTC)
    lease = timedelta(seconds=60)

    async def claim(at: datetime, body: str = "h1") -> StoredAnswer | None:
        async with sessions() as session, session.begin():
            return await claim_idempotency_key(
                session,
                party="3301963K69",
                key="cut-off",
                request_hash=body,
                now=at,
                ttl=timedelta(hours=24),
                in_flight=lease,
            )

    try:
        assert await claim(now) is None  # ... and the gateway dies before it answers
        with pytest.raises(RequestInFlight):
            await claim(now + timedelta(seconds=59))
        with pytest.raises(IdempotencyKeyReused):
            await claim(now + timedelta(seconds=61), "h2")
        taken = now + timedelta(seconds=61)
        assert await claim(taken) is None
        # The sending that took the key over holds it in its turn.
        with pytest.raises(RequestInFlight):
            await claim(taken + timedelta(seconds=1))
        async with sessions() as session, session.begin():
            answer = StoredAnswer(200, "application/json", b'{"receipts":[]}')
            await record_answer(session, party="3301963K69", key="cut-off", answer=answer)
        # An answered key is never taken over: its answer is given again.
        assert await claim(taken + timedelta(hours=1)) == answer
    finally:
        await engine.dispose()


def test_enterprise_keys_lists_rotates_and_revokes_and_shows_a_secret_only_when_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}")
    monkeypatch.setenv("KEY_ROTATION_GRACE_SECONDS", "60")
    code = "3301963K69"
    assert _cbec(["enterprise", "add", "--code", code, "--name", "S", "--roles", "ecommerce"]) == 0
    first = json.loads(capsys.readouterr().out)

    assert _cbec(["enterprise", "keys", "rotate", "--code", code]) == 0
    rotated = json.loads(capsys.readouterr().out)
    assert rotated["secret"]
    assert rotated["keyId"] != first["keyId"]
    assert [(k["keyId"], k["status"]) for k in rotated["replaced"]] == [
        (first["keyId"], "expiring")
    ]

    assert _cbec(["enterprise", "keys", "revoke", "--code", code, "--key-id", first["keyId"]]) == 0
    assert json.loads(capsys.readouterr().out)["status"] == "revoked"

    assert _cbec(["enterprise", "keys", "list", "--code", code]) == 0
    listed = capsys.readouterr().out
    assert {k["keyId"]: k["status"] for k in json.loads(listed)} == {
        first["keyId"]: "revoked",
        rotated["keyId"]: "active",
    }
    assert first["secret"] not in listed
    assert rotated["secret"] not in listed

    other = ["enterprise", "keys", "revoke", "--code", "3301963K70", "--key-id", rotated["keyId"]]
    assert _cbec(other) == 2
    assert "has no key" in capsys.readouterr().err
