"""Use cases of the gateway, each on a session handed in (one transaction each, by the caller).

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
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from cryptography.fernet import Fernet, InvalidToken
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from cbec.gateway import signing
from cbec.gateway.errors import IdempotencyKeyReused, RequestInFlight, Unauthorized
from cbec.gateway.models import (
    Credential,
    Enterprise,
    EnterpriseApplication,
    IdempotencyRecord,
    RequestNonce,
    utcnow,
)
from cbec.gateway.routing import parse_roles
from cbec.shared.errors import Conflict, NotFound

PENDING = "pending"
APPROVED = "approved"
IN_FLIGHT = "in-flight"
DONE = "done"


class Keyring:
    """Encrypts and decrypts credentials' secrets with the gateway's Fernet key."""

    def __init__(self, key: str) -> None:
        self._fernet = Fernet(key.encode("ascii"))

    def encrypt(self, secret: str) -> str:
        return self._fernet.encrypt(secret.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str | None:
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except InvalidToken:
            return None


class ApplicationIn(BaseModel):
    """An online registration: the enterprise's customs code, name, roles and a contact."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(
        min_length=10,
        max_length=18,
        pattern=r"^[0-9A-Z]+$",
        description="customs registration code (10) or unified social credit code (18)",
        examples=["3301963K69"],
    )
    name: str = Field(min_length=1, max_length=200, examples=["杭州某某跨境电商有限公司"])
    roles: list[str] = Field(min_length=1, examples=[["ecommerce"]])
    contact: str = Field(min_length=1, max_length=500, examples=["ops@example.com"])

    @field_validator("roles")
    @classmethod
    def _known_roles(cls, value: list[str]) -> list[str]:
        return [r.value for r in parse_roles(value)]


class ApplicationOut(BaseModel):
    id: str
    code: str
    name: str
    roles: list[str]
    contact: str
    status: str
    submittedAt: datetime
    decidedAt: datetime | None = None
    decidedBy: str | None = None

    @classmethod
    def of(cls, row: EnterpriseApplication) -> ApplicationOut:
        return cls(
            id=row.id,
            code=row.code,
            name=row.name,
            roles=row.roles.split(","),
            contact=row.contact,
            status=row.status,
            submittedAt=row.submitted_at,
            decidedAt=row.decided_at,
            decidedBy=row.decided_by,
        )


class IssuedCredentials(BaseModel):
    """Credentials as issued: the secret is shown here once and never again."""

    code: str
    name: str
    roles: list[str]
    keyId: str
    secret: str


@dataclass(frozen=True, slots=True)
class Caller:
    """An authenticated enterprise."""

    code: str
    roles: frozenset[str]
    key_id: str


@dataclass(frozen=True, slots=True)
class StoredAnswer:
    status_code: int
    content_type: str | None
    body: bytes


async def submit_application(session: AsyncSession, data: ApplicationIn) -> ApplicationOut:
    """A pending application; the same application sent again is the same application."""
    if await session.get(Enterprise, data.code) is not None:
        raise Conflict(f"enterprise {data.code} is already registered")
    rows = await session.exec(
        select(EnterpriseApplication).where(
            col(EnterpriseApplication.code) == data.code,
            col(EnterpriseApplication.status) == PENDING,
        )
    )
    pending = rows.first()
    roles = ",".join(data.roles)
    if pending is not None:
        if (pending.name, pending.roles, pending.contact) == (data.name, roles, data.contact):
            return ApplicationOut.of(pending)
        raise Conflict(f"enterprise {data.code} has a pending application ({pending.id})")
    row = EnterpriseApplication(
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
    row = await session.get(EnterpriseApplication, application_id)
    if row is None:
        raise NotFound(f"no application {application_id}")
    return ApplicationOut.of(row)


async def approve_application(
    session: AsyncSession, keyring: Keyring, application_id: str, *, operator: str
) -> IssuedCredentials:
    """Register the enterprise of a pending application and issue its first credentials."""
    row = await session.get(EnterpriseApplication, application_id)
    if row is None:
        raise NotFound(f"no application {application_id}")
    if row.status != PENDING:
        raise Conflict(f"application {application_id} is {row.status}, not pending")
    if await session.get(Enterprise, row.code) is not None:
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
    if await session.get(Enterprise, data.code) is not None:
        raise Conflict(f"enterprise {data.code} is already registered")
    return await _register(session, keyring, data.code, data.name, data.roles, contact)


async def _register(
    session: AsyncSession, keyring: Keyring, code: str, name: str, roles: list[str], contact: str
) -> IssuedCredentials:
    session.add(Enterprise(code=code, name=name, roles=",".join(roles), contact=contact))
    await session.flush()
    return await issue_credentials(session, keyring, code)


async def issue_credentials(
    session: AsyncSession, keyring: Keyring, code: str
) -> IssuedCredentials:
    """A new key id and secret for a registered enterprise."""
    enterprise = await session.get(Enterprise, code)
    if enterprise is None:
        raise NotFound(f"no enterprise {code}")
    key_id = "ck_" + secrets.token_hex(12)
    secret = secrets.token_urlsafe(32)
    session.add(
        Credential(key_id=key_id, enterprise_code=code, secret_encrypted=keyring.encrypt(secret))
    )
    return IssuedCredentials(
        code=code,
        name=enterprise.name,
        roles=enterprise.roles.split(","),
        keyId=key_id,
        secret=secret,
    )


@dataclass(frozen=True, slots=True)
class SignedRequest:
    method: str
    path_with_query: str
    key_id: str | None
    timestamp: str | None
    nonce: str | None
    signature: str | None
    body: bytes


# A secret no credential has: an unknown key costs the same HMAC as a known one.
_NO_SECRET = secrets.token_urlsafe(32)


@dataclass(frozen=True, slots=True)
class _Signer:
    secret: str
    code: str
    roles: frozenset[str]
    until: float


@dataclass
class CredentialCache:
    """Key id → its decrypted secret and enterprise, for ``seconds`` after it was read: a
    request then reads no credential or enterprise row and decrypts nothing. A revocation or a
    change of roles in the database takes effect within that time (0 turns the cache off).
    Only keys that signed a request correctly are kept."""

    seconds: float
    _signers: dict[str, _Signer] = field(default_factory=dict)

    def get(self, key_id: str) -> _Signer | None:
        found = self._signers.get(key_id)
        if found is None or found.until < time.monotonic():
            self._signers.pop(key_id, None)
            return None
        return found

    def put(self, key_id: str, secret: str, code: str, roles: frozenset[str]) -> None:
        if self.seconds <= 0:
            return
        if len(self._signers) >= 10_000:
            now = time.monotonic()
            self._signers = {k: v for k, v in self._signers.items() if v.until >= now}
        self._signers[key_id] = _Signer(secret, code, roles, time.monotonic() + self.seconds)

    def forget(self, key_id: str) -> None:
        self._signers.pop(key_id, None)


async def authenticate(
    session: AsyncSession,
    keyring: Keyring,
    request: SignedRequest,
    *,
    now: datetime,
    tolerance_seconds: int,
    cache: CredentialCache | None = None,
) -> Caller:
    """The enterprise that signed the request, its nonce now spent; Unauthorized otherwise."""
    missing = [
        header
        for header, value in (
            (signing.KEY_HEADER, request.key_id),
            (signing.TIMESTAMP_HEADER, request.timestamp),
            (signing.NONCE_HEADER, request.nonce),
            (signing.SIGNATURE_HEADER, request.signature),
        )
        if not value
    ]
    if missing:
        raise Unauthorized("the request is not signed: missing " + ", ".join(missing))
    key_id, timestamp = request.key_id or "", request.timestamp or ""
    nonce, signature = request.nonce or "", request.signature or ""
    if not timestamp.isdigit():
        raise Unauthorized(f"{signing.TIMESTAMP_HEADER} must be unix seconds")
    skew = abs(now.timestamp() - int(timestamp))
    if skew > tolerance_seconds:
        raise Unauthorized(
            f"{signing.TIMESTAMP_HEADER} is {int(skew)} s away from the gateway's clock "
            f"(at most {tolerance_seconds} s)"
        )
    if len(nonce) > signing.MAX_NONCE_LENGTH or len(key_id) > 40:
        raise Unauthorized(f"{signing.NONCE_HEADER} or {signing.KEY_HEADER} is too long")
    cached = cache.get(key_id) if cache is not None else None
    signer = cached
    if signer is None:
        credential = await session.get(Credential, key_id)
        enterprise = None
        if credential is not None and credential.revoked_at is None:
            enterprise = await session.get(Enterprise, credential.enterprise_code)
        secret = keyring.decrypt(credential.secret_encrypted) if enterprise and credential else None
        if secret is not None and enterprise is not None:
            signer = _Signer(secret, enterprise.code, frozenset(enterprise.roles.split(",")), 0.0)
    expected = signing.sign(
        signer.secret if signer is not None else _NO_SECRET,
        request.method,
        request.path_with_query,
        timestamp,
        nonce,
        request.body,
    )
    if not signing.signature_matches(expected, signature) or signer is None:
        if cache is not None:
            cache.forget(key_id)
        raise Unauthorized("unknown key or the signature does not match the request")
    if cache is not None and cached is None:
        cache.put(key_id, signer.secret, signer.code, signer.roles)
    # The nonce is kept while its timestamp could still be accepted; the key (key id, nonce)
    # refuses a second use, also from another replica.
    session.add(
        RequestNonce(
            key_id=key_id,
            nonce=nonce,
            expires_at=now + timedelta(seconds=2 * tolerance_seconds + 1),
        )
    )
    try:
        await session.flush()
    except IntegrityError:
        raise Unauthorized(
            f"{signing.NONCE_HEADER} was already used: a replay is refused"
        ) from None
    return Caller(code=signer.code, roles=signer.roles, key_id=key_id)


IN_FLIGHT_LEASE = timedelta(seconds=60)
"""How long a claimed key is held for the request that claimed it (see the setting
``idempotency_in_flight_seconds``)."""


async def claim_idempotency_key(
    session: AsyncSession,
    *,
    party: str,
    key: str,
    request_hash: str,
    now: datetime,
    ttl: timedelta,
    in_flight: timedelta = IN_FLIGHT_LEASE,
) -> StoredAnswer | None:
    """The first answer given to this key, or None after claiming the key for this request.

    The same key with another request is refused (422), and so is a request whose first
    sending is still being answered (409). A claim older than ``in_flight`` was abandoned: the
    gateway that took it stopped before it could answer or release it (a crash, a kill), and
    the client's next sending takes the key over, as after a 503 (the services are idempotent on
    business keys, so a request that did reach its service is answered the same again)."""
    record = await session.get(IdempotencyRecord, (party, key))
    if record is not None and record.expires_at <= now:
        await session.delete(record)
        await session.flush()
        record = None
    if record is not None:
        if record.request_hash != request_hash:
            raise IdempotencyKeyReused(
                "this Idempotency-Key was used with another request; use a new key"
            )
        if record.state == DONE and record.status_code is not None:
            return StoredAnswer(record.status_code, record.content_type, record.body or b"")
        if not await _take_over_abandoned_claim(session, record, now=now, in_flight=in_flight):
            raise RequestInFlight("the first request with this Idempotency-Key is still running")
        return None
    session.add(
        IdempotencyRecord(
            party=party,
            key=key,
            request_hash=request_hash,
            state=IN_FLIGHT,
            expires_at=now + ttl,
        )
    )
    try:
        await session.flush()
    except IntegrityError:
        raise RequestInFlight(
            "the first request with this Idempotency-Key is still running"
        ) from None
    return None


async def _take_over_abandoned_claim(
    session: AsyncSession, record: IdempotencyRecord, *, now: datetime, in_flight: timedelta
) -> bool:
    """Claim again a key whose claim is older than ``in_flight``; False while it is younger
    (or when a concurrent sending took it over first)."""
    taken = await session.exec(
        update(IdempotencyRecord)
        .where(
            col(IdempotencyRecord.party) == record.party,
            col(IdempotencyRecord.key) == record.key,
            col(IdempotencyRecord.state) == IN_FLIGHT,
            col(IdempotencyRecord.created_at) <= now - in_flight,
        )
        .values(created_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(taken.rowcount)


async def record_answer(
    session: AsyncSession, *, party: str, key: str, answer: StoredAnswer
) -> None:
    record = await session.get(IdempotencyRecord, (party, key))
    if record is None:
        return
    record.state = DONE
    record.status_code = answer.status_code
    record.content_type = answer.content_type
    record.body = answer.body
    session.add(record)


async def release_idempotency_key(session: AsyncSession, *, party: str, key: str) -> None:
    """Forget a claimed key whose request had no effect, so that it can be sent again."""
    await session.exec(
        delete(IdempotencyRecord).where(
            col(IdempotencyRecord.party) == party, col(IdempotencyRecord.key) == key
        )
    )


async def purge_expired(session: AsyncSession, *, now: datetime) -> dict[str, int]:
    """Delete nonces and idempotency records past their expiry."""
    nonces = await session.exec(delete(RequestNonce).where(col(RequestNonce.expires_at) < now))
    answers = await session.exec(
        delete(IdempotencyRecord).where(col(IdempotencyRecord.expires_at) < now)
    )
    return {"nonces": nonces.rowcount or 0, "idempotencyRecords": answers.rowcount or 0}
