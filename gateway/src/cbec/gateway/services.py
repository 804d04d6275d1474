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

import re
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from cryptography.fernet import Fernet, InvalidToken
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import and_, delete, exists, insert, literal, or_, update
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from cbec.gateway import signing
from cbec.gateway.errors import (
    IdempotencyKeyReused,
    MalformedHeader,
    RequestInFlight,
    Unauthorized,
)
from cbec.gateway.models import (
    Credential,
    Enterprise,
    EnterpriseApplication,
    IdempotencyRecord,
    RequestNonce,
    utcnow,
)
from cbec.gateway.routing import parse_roles
from cbec.shared.errors import Conflict, NotFound, Violation

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


KeyStatus = Literal["active", "expiring", "expired", "revoked"]


class KeyOut(BaseModel):
    """A credential as listed: never its secret."""

    keyId: str
    status: KeyStatus = Field(
        description="active; expiring (replaced by a newer key, valid until expiresAt); "
        "expired; revoked"
    )
    createdAt: datetime
    expiresAt: datetime | None = None
    revokedAt: datetime | None = None

    @classmethod
    def of(cls, row: Credential, now: datetime) -> KeyOut:
        status: KeyStatus = "active"
        if row.revoked_at is not None:
            status = "revoked"
        elif row.expires_at is not None:
            status = "expiring" if _aware(row.expires_at) > now else "expired"
        return cls(
            keyId=row.key_id,
            status=status,
            createdAt=row.created_at,
            expiresAt=row.expires_at,
            revokedAt=row.revoked_at,
        )


class RotatedKey(IssuedCredentials):
    """A new key (its secret shown here once) and the keys it replaces, each valid until the
    end of the grace period or until revoked."""

    replaced: list[KeyOut]


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


async def _credentials_of(session: AsyncSession, code: str) -> list[Credential]:
    if await session.get(Enterprise, code) is None:
        raise NotFound(f"no enterprise {code}")
    rows = await session.exec(
        select(Credential)
        .where(col(Credential.enterprise_code) == code)
        .order_by(col(Credential.created_at), col(Credential.key_id))
    )
    return list(rows.all())


async def list_keys(session: AsyncSession, code: str, *, now: datetime) -> list[KeyOut]:
    """Every key of the enterprise, oldest first, with its status; no secret."""
    return [KeyOut.of(row, now) for row in await _credentials_of(session, code)]


async def rotate_key(
    session: AsyncSession, keyring: Keyring, code: str, *, now: datetime, grace: timedelta
) -> RotatedKey:
    """A new key for the enterprise; every key it had that is still valid now expires at
    ``now + grace`` (or earlier, if it was to expire earlier)."""
    ends = now + grace
    replaced = []
    for row in await _credentials_of(session, code):
        if row.revoked_at is not None:
            continue
        if row.expires_at is not None and _aware(row.expires_at) <= ends:
            if _aware(row.expires_at) > now:
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
    credential = await session.get(Credential, key_id)
    if credential is None or credential.enterprise_code != code:
        raise NotFound(f"enterprise {code} has no key {key_id}")
    if credential.revoked_at is None:
        credential.revoked_at = now
        session.add(credential)
    return KeyOut.of(credential, now)


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

KEY_ID_FORMAT = re.compile(r"[A-Za-z0-9_-]{1,40}")
TIMESTAMP_FORMAT = re.compile(r"[0-9]{1,12}")
NONCE_FORMAT = re.compile(r"[!-~]{1,64}")
SIGNATURE_FORMAT = re.compile(r"[0-9a-fA-F]{64}")
_HEADER_RULES = (
    (signing.KEY_HEADER, KEY_ID_FORMAT, "1 to 40 ASCII letters, digits, '_' or '-'"),
    (signing.TIMESTAMP_HEADER, TIMESTAMP_FORMAT, "unix seconds: 1 to 12 ASCII digits"),
    (signing.NONCE_HEADER, NONCE_FORMAT, "1 to 64 visible ASCII characters"),
    (signing.SIGNATURE_HEADER, SIGNATURE_FORMAT, "64 hex digits (HMAC-SHA256)"),
)


def check_headers(request: SignedRequest, *, now: datetime, tolerance_seconds: int) -> None:
    """The four signature headers present (401), each in its format (400 naming the header and
    its rule: ``int()`` would take Unicode digits and numbers of any length), and the timestamp
    within ``tolerance_seconds`` of ``now`` (401). No I/O."""
    values = {
        signing.KEY_HEADER: request.key_id,
        signing.TIMESTAMP_HEADER: request.timestamp,
        signing.NONCE_HEADER: request.nonce,
        signing.SIGNATURE_HEADER: request.signature,
    }
    missing = [header for header, value in values.items() if not value]
    if missing:
        raise Unauthorized("the request is not signed: missing " + ", ".join(missing))
    violations = [
        Violation(field=header, rule=rule)
        for header, pattern, rule in _HEADER_RULES
        if not pattern.fullmatch(values[header] or "")
    ]
    if violations:
        raise MalformedHeader(violations)
    skew = abs(now.timestamp() - int(request.timestamp or "0"))
    if skew > tolerance_seconds:
        raise Unauthorized(
            f"{signing.TIMESTAMP_HEADER} is {int(min(skew, 10**12))} s away from the gateway's "
            f"clock (at most {tolerance_seconds} s)"
        )


@dataclass(frozen=True, slots=True)
class Signer:
    """What a key id stands for: its secret, its enterprise and the enterprise's roles."""

    key_id: str
    secret: str
    code: str
    roles: frozenset[str]
    until: float = 0.0


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


def _valid_at(now: datetime) -> Any:
    """The condition of a credential that signs requests at ``now``: not revoked, not expired."""
    return and_(
        col(Credential.revoked_at).is_(None),
        or_(col(Credential.expires_at).is_(None), col(Credential.expires_at) > now),
    )


async def find_signer(
    session: AsyncSession, keyring: Keyring, key_id: str, *, now: datetime
) -> Signer | None:
    """The valid credential of ``key_id`` with its enterprise, its secret decrypted; None for
    an unknown, revoked or expired key."""
    row = (
        await session.exec(
            select(Credential, Enterprise)
            .join(Enterprise, col(Enterprise.code) == col(Credential.enterprise_code))
            .where(col(Credential.key_id) == key_id, _valid_at(now))
        )
    ).first()
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
    nonces = RequestNonce.__table__  # type: ignore[attr-defined]
    valid = exists().where(col(Credential.key_id) == key_id, _valid_at(now))
    statement = insert(nonces).from_select(
        ["key_id", "nonce", "expires_at"],
        sa_select(
            literal(key_id, nonces.c.key_id.type),
            literal(nonce, nonces.c.nonce.type),
            literal(expires_at, nonces.c.expires_at.type),
        ).where(valid),
    )
    try:
        inserted = await session.exec(statement)
    except IntegrityError:
        raise Unauthorized(
            f"{signing.NONCE_HEADER} was already used: a replay is refused"
        ) from None
    if not inserted.rowcount:
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
