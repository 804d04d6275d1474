"""Who signed a request: its key's secret (cached for a few seconds), the signature, the nonce.

caller = await authenticate(session, keyring, signed, now=now, tolerance_seconds=300,
                            cache=credentials, admit=limits)
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from cbec.gateway import repository, signing
from cbec.gateway.domain.signatures import Caller, SignedRequest, Signer, check_headers
from cbec.gateway.errors import Unauthorized
from cbec.gateway.keyring import Keyring

_NO_SECRET = secrets.token_urlsafe(32)


@dataclass
class CredentialCache:
    """Key id → its decrypted secret and enterprise, for ``seconds`` after it was read: a
    request then reads no credential or enterprise row and decrypts nothing. A change of roles
    in the database takes effect within that time (0 turns the cache off); a revocation or an
    expiry at once, as every request's nonce is spent only while its key is valid
    (:func:`spend_nonce`). Only keys that signed a request correctly are kept."""

    seconds: float
    _signers: dict[str, Signer] = field(default_factory=dict)

    def get(self, key_id: str) -> Signer | None:
        found = self._signers.get(key_id)
        if found is None or found.until < time.monotonic():
            self._signers.pop(key_id, None)
            return None
        return found

    def put(self, signer: Signer) -> None:
        if self.seconds <= 0:
            return
        if len(self._signers) >= 10_000:
            now = time.monotonic()
            self._signers = {k: v for k, v in self._signers.items() if v.until >= now}
        self._signers[signer.key_id] = replace(signer, until=time.monotonic() + self.seconds)

    def forget(self, key_id: str) -> None:
        self._signers.pop(key_id, None)


async def find_signer(
    session: AsyncSession, keyring: Keyring, key_id: str, *, now: datetime
) -> Signer | None:
    """The valid credential of ``key_id`` with its enterprise, its secret decrypted; None for
    an unknown, revoked or expired key."""
    row = await repository.valid_credential(session, key_id, now=now)
    if row is None:
        return None
    credential, enterprise = row
    secret = keyring.decrypt(credential.secret_encrypted)
    if secret is None:
        return None
    return Signer(key_id, secret, enterprise.code, frozenset(enterprise.roles.split(",")))


def signature_matches(request: SignedRequest, signer: Signer | None) -> bool:
    """Whether ``signer`` signed ``request``; an unknown signer costs the same HMAC."""
    expected = signing.sign(
        signer.secret if signer is not None else _NO_SECRET,
        request.method,
        request.path_with_query,
        request.timestamp or "",
        request.nonce or "",
        request.body,
    )
    return signing.signature_matches(expected, request.signature or "") and signer is not None


async def spend_nonce(
    session: AsyncSession, key_id: str, nonce: str, *, now: datetime, tolerance_seconds: int
) -> None:
    """Spend the request's nonce, in one statement that inserts it only while the key is
    neither revoked nor expired: a revocation holds at once on every gateway, whatever each
    one holds in its credential cache. A nonce used before is a replay (401), as is a key no
    longer valid (401). The nonce is kept while its timestamp could still be accepted; its
    key (key id, nonce) refuses a second use, also from another replica."""
    expires_at = now + timedelta(seconds=2 * tolerance_seconds + 1)
    try:
        inserted = await repository.insert_nonce_if_valid(
            session, key_id, nonce, expires_at=expires_at, now=now
        )
    except IntegrityError:
        raise Unauthorized(
            f"{signing.NONCE_HEADER} was already used: a replay is refused"
        ) from None
    if not inserted:
        raise Unauthorized("the key is revoked or expired")


async def authenticate(
    session: AsyncSession,
    keyring: Keyring,
    request: SignedRequest,
    *,
    now: datetime,
    tolerance_seconds: int,
    cache: CredentialCache | None = None,
    admit: Callable[[Signer], None] | None = None,
) -> Caller:
    """The enterprise that signed the request, its nonce now spent; Unauthorized otherwise.

    ``admit`` is called with the signer once its signature is checked and before its nonce is
    spent (the first write): the gateway's limits of the enterprise."""
    check_headers(request, now=now, tolerance_seconds=tolerance_seconds)
    key_id = request.key_id or ""
    cached = cache.get(key_id) if cache is not None else None
    signer = cached or await find_signer(session, keyring, key_id, now=now)
    if not signature_matches(request, signer) or signer is None:
        # A key held stays held: a wrong signature says nothing about the key (anyone may send
        # one with its id), and dropping it would expose its enterprise to the key id's limit.
        raise Unauthorized("unknown key or the signature does not match the request")
    if admit is not None:
        admit(signer)
    try:
        await spend_nonce(
            session, key_id, request.nonce or "", now=now, tolerance_seconds=tolerance_seconds
        )
    except Unauthorized:
        if cache is not None:
            cache.forget(key_id)
        raise
    if cache is not None and cached is None:
        cache.put(signer)
    return Caller(code=signer.code, roles=signer.roles, key_id=key_id)
