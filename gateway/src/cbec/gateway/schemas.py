"""The gateway's own request and answer bodies (registration and keys), as OpenAPI shows them.

Registration (DOMAIN.md §9, online registration): an enterprise applies once with its code,
name, roles and contact; an operator approves; the credentials (key id and secret) are shown
once, and only the Fernet-encrypted secret is kept.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from cbec.gateway.models import CredentialRow, EnterpriseApplicationRow
from cbec.gateway.routing import parse_roles
from cbec.shared.clock import aware


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
    def of(cls, row: EnterpriseApplicationRow) -> ApplicationOut:
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
    def of(cls, row: CredentialRow, now: datetime) -> KeyOut:
        status: KeyStatus = "active"
        if row.revoked_at is not None:
            status = "revoked"
        elif row.expires_at is not None:
            status = "expiring" if aware(row.expires_at) > now else "expired"
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


class WebhookIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str = Field(max_length=2000, examples=["https://erp.example.com/cbec/receipts"])
