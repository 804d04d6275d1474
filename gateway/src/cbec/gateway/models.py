"""SQLModel tables of the gateway service.

- ``enterprise_application``: an online registration waiting for an operator (DOMAIN.md §9);
- ``enterprise``: a registered enterprise, its code and roles;
- ``credential``: an API key of an enterprise, the secret encrypted with Fernet;
- ``request_nonce``: nonces of signed requests until they expire (replays are refused);
- ``idempotency_record``: the first answer to a write carrying an ``Idempotency-Key``.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Column, LargeBinary, Table
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


class EnterpriseApplication(SQLModel, table=True):
    __tablename__ = "enterprise_application"

    id: str = Field(primary_key=True, max_length=36)
    code: str = Field(max_length=18, index=True)
    name: str = Field(max_length=200)
    roles: str = Field(max_length=200, description="comma-separated roles")
    contact: str = Field(max_length=500)
    status: str = Field(max_length=16, description="pending | approved")
    submitted_at: datetime = Field(default_factory=utcnow)
    decided_at: datetime | None = None
    decided_by: str | None = Field(default=None, max_length=18)


class Enterprise(SQLModel, table=True):
    __tablename__ = "enterprise"

    code: str = Field(primary_key=True, max_length=18)
    name: str = Field(max_length=200)
    roles: str = Field(max_length=200, description="comma-separated roles")
    contact: str = Field(default="", max_length=500)
    registered_at: datetime = Field(default_factory=utcnow)


class Credential(SQLModel, table=True):
    __tablename__ = "credential"

    key_id: str = Field(primary_key=True, max_length=40)
    enterprise_code: str = Field(foreign_key="enterprise.code", max_length=18, index=True)
    secret_encrypted: str = Field(max_length=500, description="Fernet token of the secret")
    created_at: datetime = Field(default_factory=utcnow)
    revoked_at: datetime | None = None


class RequestNonce(SQLModel, table=True):
    __tablename__ = "request_nonce"

    key_id: str = Field(primary_key=True, max_length=40)
    nonce: str = Field(primary_key=True, max_length=64)
    expires_at: datetime = Field(index=True)


class IdempotencyRecord(SQLModel, table=True):
    __tablename__ = "idempotency_record"

    party: str = Field(primary_key=True, max_length=18)
    key: str = Field(primary_key=True, max_length=255)
    request_hash: str = Field(max_length=64)
    state: str = Field(max_length=16, description="in-flight | done")
    status_code: int | None = None
    content_type: str | None = Field(default=None, max_length=200)
    body: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime = Field(index=True)


TABLES: tuple[Table, ...] = (
    EnterpriseApplication.__table__,  # type: ignore[attr-defined]
    Enterprise.__table__,  # type: ignore[attr-defined]
    Credential.__table__,  # type: ignore[attr-defined]
    RequestNonce.__table__,  # type: ignore[attr-defined]
    IdempotencyRecord.__table__,  # type: ignore[attr-defined]
)
