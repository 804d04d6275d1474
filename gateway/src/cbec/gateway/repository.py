"""The gateway's registry rows, read and written: enterprises, applications, credentials, nonces.

    credentials = await credentials_of(session, "3301963K69")    # NotFound for no enterprise
    found = await valid_credential(session, "ck_...", now=now)   # (credential, enterprise)
    await insert_nonce_if_valid(session, "ck_...", nonce, expires_at=..., now=now)

Queries only: what they mean for a request is decided in ``use_cases/``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, insert, literal, or_
from sqlalchemy import select as sa_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from cbec.gateway.models import (
    PENDING,
    CredentialRow,
    EnterpriseApplicationRow,
    EnterpriseRow,
    RequestNonceRow,
)
from cbec.shared.errors import NotFound


async def credentials_of(session: AsyncSession, code: str) -> list[CredentialRow]:
    """Every credential of the enterprise, oldest first; NotFound for no enterprise."""
    if await session.get(EnterpriseRow, code) is None:
        raise NotFound(f"no enterprise {code}")
    rows = await session.exec(
        select(CredentialRow)
        .where(col(CredentialRow.enterprise_code) == code)
        .order_by(col(CredentialRow.created_at), col(CredentialRow.key_id))
    )
    return list(rows.all())


def valid_at(now: datetime) -> Any:
    """The condition of a credential that signs requests at ``now``: not revoked, not expired."""
    return and_(
        col(CredentialRow.revoked_at).is_(None),
        or_(col(CredentialRow.expires_at).is_(None), col(CredentialRow.expires_at) > now),
    )


async def pending_application(session: AsyncSession, code: str) -> EnterpriseApplicationRow | None:
    """The enterprise's application waiting for an operator, if any."""
    rows = await session.exec(
        select(EnterpriseApplicationRow).where(
            col(EnterpriseApplicationRow.code) == code,
            col(EnterpriseApplicationRow.status) == PENDING,
        )
    )
    return rows.first()


async def valid_credential(
    session: AsyncSession, key_id: str, *, now: datetime
) -> tuple[CredentialRow, EnterpriseRow] | None:
    """The credential of ``key_id`` and its enterprise while it signs requests at ``now``."""
    rows = await session.exec(
        select(CredentialRow, EnterpriseRow)
        .join(EnterpriseRow, col(EnterpriseRow.code) == col(CredentialRow.enterprise_code))
        .where(col(CredentialRow.key_id) == key_id, valid_at(now))
    )
    return rows.first()


async def insert_nonce_if_valid(
    session: AsyncSession, key_id: str, nonce: str, *, expires_at: datetime, now: datetime
) -> bool:
    """Insert the nonce in one statement, only while the key is neither revoked nor expired;
    False when the key is not valid. A nonce used before raises ``IntegrityError``."""
    nonces = RequestNonceRow.__table__  # type: ignore[attr-defined]
    valid = exists().where(col(CredentialRow.key_id) == key_id, valid_at(now))
    statement = insert(nonces).from_select(
        ["key_id", "nonce", "expires_at"],
        sa_select(
            literal(key_id, nonces.c.key_id.type),
            literal(nonce, nonces.c.nonce.type),
            literal(expires_at, nonces.c.expires_at.type),
        ).where(valid),
    )
    inserted = await session.exec(statement)
    return bool(inserted.rowcount)


async def usable_credentials(session: AsyncSession, code: str) -> list[CredentialRow]:
    """The enterprise's credentials that are not revoked, newest first."""
    rows = await session.exec(
        select(CredentialRow)
        .where(col(CredentialRow.enterprise_code) == code, col(CredentialRow.revoked_at).is_(None))
        .order_by(col(CredentialRow.created_at).desc(), col(CredentialRow.key_id))
    )
    return list(rows.all())
