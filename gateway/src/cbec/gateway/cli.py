"""``cbec enterprise``: register enterprises straight in the gateway's database (DATABASE_URL).

    cbec enterprise add --code 3301963K69 --name "Example Co" --roles ecommerce,agent
    cbec enterprise add --code OPERATOR001 --name "Zone operator" --roles operator
    cbec enterprise keys list --code 3301963K69
    cbec enterprise keys rotate --code 3301963K69
    cbec enterprise keys revoke --code 3301963K69 --key-id ck_0123456789abcdef01234567

``add`` registers and approves in one step (the bootstrap operator, scripted set-ups) and writes
the credentials as JSON on standard output: the secret is shown only then. ``keys`` lists an
enterprise's keys (no secrets), rotates (a new key, shown once; the others keep working for
KEY_ROTATION_GRACE_SECONDS or until revoked) and revokes (refused at once by every gateway).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, TypeVar

from sqlmodel.ext.asyncio.session import AsyncSession

from cbec.gateway.app import SERVICE
from cbec.gateway.keyring import Keyring
from cbec.gateway.routing import parse_roles
from cbec.gateway.schemas import IssuedCredentials
from cbec.gateway.settings import Settings
from cbec.gateway.use_cases.keys import list_keys, revoke_key, rotate_key
from cbec.gateway.use_cases.registration import register_enterprise
from cbec.shared.clock import utcnow
from cbec.shared.db import create_engine, session_factory
from cbec.shared.errors import CbecError
from cbec.shared.migrations import upgrade

T = TypeVar("T")


def register(subparsers: Any) -> None:
    """Add ``cbec enterprise`` to the ``cbec`` command (a ``cbec.commands`` entry point)."""
    parser = subparsers.add_parser("enterprise", help="registered enterprises of the gateway")
    actions = parser.add_subparsers(dest="enterprise", required=True)
    add = actions.add_parser("add", help="register an enterprise and print its credentials")
    add.add_argument("--code", required=True, help="customs code (10) or credit code (18)")
    add.add_argument("--name", required=True)
    add.add_argument("--roles", required=True, help="comma-separated, e.g. ecommerce,agent")
    add.add_argument("--contact", default="")
    add.set_defaults(func=_add)
    keys = actions.add_parser("keys", help="an enterprise's keys: list, rotate, revoke")
    key_actions = keys.add_subparsers(dest="keys", required=True)
    for name, help_text in (
        ("list", "the enterprise's keys and their status (no secrets)"),
        ("rotate", "a new key, printed once; the others expire after the grace period"),
        ("revoke", "revoke a key at once"),
    ):
        action = key_actions.add_parser(name, help=help_text)
        action.add_argument("--code", required=True, help="the enterprise's code")
        if name == "revoke":
            action.add_argument("--key-id", required=True)
        action.set_defaults(func=_keys, action=name)


async def _in_database(settings: Settings, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    engine = create_engine(settings.database_url)
    try:
        if SERVICE.migrations:
            await upgrade(engine, SERVICE.migrations)
        sessions = session_factory(engine)
        async with sessions() as session, session.begin():
            return await work(session)
    finally:
        await engine.dispose()


async def manage_keys(
    settings: Settings, action: str, *, code: str, key_id: str | None = None
) -> Any:
    """``list``, ``rotate`` or ``revoke`` the keys of an enterprise, as JSON-ready data."""
    now = utcnow()

    async def work(session: AsyncSession) -> Any:
        if action == "list":
            return [k.model_dump(mode="json") for k in await list_keys(session, code, now=now)]
        if action == "rotate":
            grace = timedelta(seconds=settings.key_rotation_grace_seconds)
            keyring = Keyring(settings.gateway_secret_key)
            rotated = await rotate_key(session, keyring, code, now=now, grace=grace)
            return rotated.model_dump(mode="json")
        if action == "revoke" and key_id:
            return (await revoke_key(session, code, key_id, now=now)).model_dump(mode="json")
        raise ValueError(f"unknown action {action!r}")

    return await _in_database(settings, work)


def _keys(args: argparse.Namespace) -> int:
    try:
        result = asyncio.run(
            manage_keys(
                Settings(), args.action, code=args.code, key_id=getattr(args, "key_id", None)
            )
        )
    except (ValueError, CbecError) as error:
        sys.stderr.write(f"cbec enterprise keys {args.action}: {error}\n")
        return 2
    sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    return 0


async def add_enterprise(
    settings: Settings, *, code: str, name: str, roles: list[str], contact: str = ""
) -> IssuedCredentials:
    """Migrate the gateway's database if needed, then register and approve the enterprise."""

    async def work(session: AsyncSession) -> IssuedCredentials:
        return await register_enterprise(
            session,
            Keyring(settings.gateway_secret_key),
            code=code,
            name=name,
            roles=roles,
            contact=contact,
        )

    return await _in_database(settings, work)


def _add(args: argparse.Namespace) -> int:
    try:
        roles = [r.value for r in parse_roles(args.roles)]
        issued = asyncio.run(
            add_enterprise(
                Settings(), code=args.code, name=args.name, roles=roles, contact=args.contact
            )
        )
    except (ValueError, CbecError) as error:
        sys.stderr.write(f"cbec enterprise add: {error}\n")
        return 2
    sys.stdout.write(json.dumps(issued.model_dump(), ensure_ascii=False, indent=2) + "\n")
    return 0
