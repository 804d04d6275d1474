"""Registration: an application, an operator's approval, the credentials shown once.

    async with runtime.transaction() as session:
        application = await submit_application(session, ApplicationIn(...))
    async with runtime.transaction() as session:
        issued = await approve_application(session, keyring, application.id, operator="OP1")

Registration (DOMAIN.md §9, online registration): an enterprise applies once with its code,
name, roles and contact; an operator approves; the credentials (key id and secret) are shown
once, and only the Fernet-encrypted secret is kept.
"""

from __future__ import annotations

import secrets
import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from cbec.gateway import repository
from cbec.gateway.keyring import Keyring
from cbec.gateway.models import (
    APPROVED,
    PENDING,
    CredentialRow,
    EnterpriseApplicationRow,
    EnterpriseRow,
)
from cbec.gateway.schemas import ApplicationIn, ApplicationOut, IssuedCredentials
from cbec.shared.clock import utcnow
from cbec.shared.errors import Conflict, NotFound


async def submit_application(session: AsyncSession, data: ApplicationIn) -> ApplicationOut:
    """A pending application; the same application sent again is the same application."""
    if await session.get(EnterpriseRow, data.code) is not None:
        raise Conflict(f"enterprise {data.code} is already registered")
    pending = await repository.pending_application(session, data.code)
    roles = ",".join(data.roles)
    if pending is not None:
        if (pending.name, pending.roles, pending.contact) == (data.name, roles, data.contact):
            return ApplicationOut.of(pending)
        raise Conflict(f"enterprise {data.code} has a pending application ({pending.id})")
    row = EnterpriseApplicationRow(
        id=str(uuid.uuid4()),
        code=data.code,
        name=data.name,
        roles=roles,
        contact=data.contact,
        status=PENDING,
    )
    session.add(row)
    return ApplicationOut.of(row)


async def get_application(session: AsyncSession, application_id: str) -> ApplicationOut:
    row = await session.get(EnterpriseApplicationRow, application_id)
    if row is None:
        raise NotFound(f"no application {application_id}")
    return ApplicationOut.of(row)


async def approve_application(
    session: AsyncSession, keyring: Keyring, application_id: str, *, operator: str
) -> IssuedCredentials:
    """Register the enterprise of a pending application and issue its first credentials."""
    row = await session.get(EnterpriseApplicationRow, application_id)
    if row is None:
        raise NotFound(f"no application {application_id}")
    if row.status != PENDING:
        raise Conflict(f"application {application_id} is {row.status}, not pending")
    if await session.get(EnterpriseRow, row.code) is not None:
        raise Conflict(f"enterprise {row.code} is already registered")
    row.status = APPROVED
    row.decided_at = utcnow()
    row.decided_by = operator
    session.add(row)
    return await _register(session, keyring, row.code, row.name, row.roles.split(","), row.contact)


async def register_enterprise(
    session: AsyncSession,
    keyring: Keyring,
    *,
    code: str,
    name: str,
    roles: list[str],
    contact: str = "",
) -> IssuedCredentials:
    """Register and approve in one step (the operator's command line)."""
    data = ApplicationIn(code=code, name=name, roles=roles, contact=contact or "-")
    if await session.get(EnterpriseRow, data.code) is not None:
        raise Conflict(f"enterprise {data.code} is already registered")
    return await _register(session, keyring, data.code, data.name, data.roles, contact)


async def _register(
    session: AsyncSession, keyring: Keyring, code: str, name: str, roles: list[str], contact: str
) -> IssuedCredentials:
    session.add(EnterpriseRow(code=code, name=name, roles=",".join(roles), contact=contact))
    await session.flush()
    return await issue_credentials(session, keyring, code)


async def issue_credentials(
    session: AsyncSession, keyring: Keyring, code: str
) -> IssuedCredentials:
    """A new key id and secret for a registered enterprise."""
    enterprise = await session.get(EnterpriseRow, code)
    if enterprise is None:
        raise NotFound(f"no enterprise {code}")
    key_id = "ck_" + secrets.token_hex(12)
    secret = secrets.token_urlsafe(32)
    session.add(
        CredentialRow(key_id=key_id, enterprise_code=code, secret_encrypted=keyring.encrypt(secret))
    )
    return IssuedCredentials(
        code=code,
        name=enterprise.name,
        roles=enterprise.roles.split(","),
        keyId=key_id,
        secret=secret,
    )
