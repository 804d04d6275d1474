"""``cbec enterprise``: register enterprises straight in the gateway's database (DATABASE_URL).

    cbec enterprise add --code 3301963K69 --name "Example Co" --roles ecommerce,agent
    cbec enterprise add --code OPERATOR001 --name "Zone operator" --roles operator

``add`` registers and approves in one step (the bootstrap operator, scripted set-ups) and writes
the credentials as JSON on standard output: the secret is shown only then.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

from cbec.gateway.app import SERVICE
from cbec.gateway.routing import parse_roles
from cbec.gateway.services import IssuedCredentials, Keyring, register_enterprise
from cbec.gateway.settings import Settings
from cbec.shared.db import create_engine, session_factory
from cbec.shared.errors import CbecError
from cbec.shared.migrations import upgrade


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


async def add_enterprise(
    settings: Settings, *, code: str, name: str, roles: list[str], contact: str = ""
) -> IssuedCredentials:
    """Migrate the gateway's database if needed, then register and approve the enterprise."""
    engine = create_engine(settings.database_url)
    try:
        if SERVICE.migrations:
            await upgrade(engine, SERVICE.migrations)
        sessions = session_factory(engine)
        async with sessions() as session, session.begin():
            return await register_enterprise(
                session,
                Keyring(settings.gateway_secret_key),
                code=code,
                name=name,
                roles=roles,
                contact=contact,
            )
    finally:
        await engine.dispose()


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
