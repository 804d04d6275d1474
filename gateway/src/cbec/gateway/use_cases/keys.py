"""An enterprise's keys: listed with their status, rotated with a grace period, revoked at once.

keys = await list_keys(session, "3301963K69", now=utcnow())
rotated = await rotate_key(session, keyring, "3301963K69", now=now, grace=timedelta(days=1))
await revoke_key(session, "3301963K69", "ck_...", now=now)
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from cbec.gateway import repository
from cbec.gateway.keyring import Keyring
from cbec.gateway.models import CredentialRow
from cbec.gateway.schemas import KeyOut, RotatedKey
from cbec.gateway.use_cases.registration import issue_credentials
from cbec.shared.clock import aware
from cbec.shared.errors import NotFound


async def list_keys(session: AsyncSession, code: str, *, now: datetime) -> list[KeyOut]:
    """Every key of the enterprise, oldest first, with its status; no secret."""
    return [KeyOut.of(row, now) for row in await repository.credentials_of(session, code)]


async def rotate_key(
    session: AsyncSession, keyring: Keyring, code: str, *, now: datetime, grace: timedelta
) -> RotatedKey:
    """A new key for the enterprise; every key it had that is still valid now expires at
    ``now + grace`` (or earlier, if it was to expire earlier)."""
    ends = now + grace
    replaced = []
    for row in await repository.credentials_of(session, code):
        if row.revoked_at is not None:
            continue
        if row.expires_at is not None and aware(row.expires_at) <= ends:
            if aware(row.expires_at) > now:
                replaced.append(KeyOut.of(row, now))
            continue
        row.expires_at = ends
        session.add(row)
        replaced.append(KeyOut.of(row, now))
    issued = await issue_credentials(session, keyring, code)
    return RotatedKey(**issued.model_dump(), replaced=replaced)


async def revoke_key(session: AsyncSession, code: str, key_id: str, *, now: datetime) -> KeyOut:
    """Revoke a key of the enterprise; it is refused from the next request on, by every
    gateway. A key of another enterprise is not found (404), as an unknown one."""
    credential = await session.get(CredentialRow, key_id)
    if credential is None or credential.enterprise_code != code:
        raise NotFound(f"enterprise {code} has no key {key_id}")
    if credential.revoked_at is None:
        credential.revoked_at = now
        session.add(credential)
    return KeyOut.of(credential, now)
