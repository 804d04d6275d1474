"""SQLModel tables of the gateway service: one class per table, named ``<Table>Row``.

- ``enterprise_application``: an online registration waiting for an operator (DOMAIN.md §9);
- ``enterprise``: a registered enterprise, its code and roles;
- ``credential``: an API key of an enterprise, the secret encrypted with Fernet; revoked at
  once (``revoked_at``) or, replaced by a newer key, expiring after a grace period
  (``expires_at``);
- ``request_nonce``: nonces of signed requests until they expire (replays are refused);
- ``idempotency_record``: the first answer to a write carrying an ``Idempotency-Key``;
- ``event_record``: every event of the four topics, numbered in the order the gateway applied
  them (``seq``: the officers' feeds and the one-stop views read it);
- ``event_order``: which orders an event concerns; ``order_link``: the order that a waybill,
  a list number or an import order's key belongs to, for the events that do not name the
  seller (export waybills carry no order number); ``order_view``/``order_party``: one row per
  order with its status and the enterprises named in its events. An order is its number and
  its seller (``ebcCode``): two sellers may use the same number;
- ``receipt``: an event as a receipt for one enterprise it concerns (polled by cursor);
- ``webhook``/``webhook_delivery``: an enterprise's receipt endpoint and the deliveries to it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, LargeBinary, Table, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from cbec.shared.clock import utcnow

PENDING = "pending"
APPROVED = "approved"
"""The states of an ``enterprise_application``."""


class EnterpriseApplicationRow(SQLModel, table=True):
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


class EnterpriseRow(SQLModel, table=True):
    __tablename__ = "enterprise"

    code: str = Field(primary_key=True, max_length=18)
    name: str = Field(max_length=200)
    roles: str = Field(max_length=200, description="comma-separated roles")
    contact: str = Field(default="", max_length=500)
    registered_at: datetime = Field(default_factory=utcnow)


class CredentialRow(SQLModel, table=True):
    __tablename__ = "credential"

    key_id: str = Field(primary_key=True, max_length=40)
    enterprise_code: str = Field(foreign_key="enterprise.code", max_length=18, index=True)
    secret_encrypted: str = Field(max_length=500, description="Fernet token of the secret")
    created_at: datetime = Field(default_factory=utcnow)
    revoked_at: datetime | None = None
    expires_at: datetime | None = Field(
        default=None, description="set when a newer key replaced it: the end of its grace period"
    )


class RequestNonceRow(SQLModel, table=True):
    __tablename__ = "request_nonce"

    key_id: str = Field(primary_key=True, max_length=40)
    nonce: str = Field(primary_key=True, max_length=64)
    expires_at: datetime = Field(index=True)


class IdempotencyRow(SQLModel, table=True):
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


class EventRow(SQLModel, table=True):
    __tablename__ = "event_record"

    seq: int | None = Field(default=None, primary_key=True)
    event_id: str = Field(max_length=200, unique=True)
    topic: str = Field(max_length=200)
    feed: str = Field(max_length=16, index=True, description="customs | tax")
    type: str = Field(max_length=200, index=True)
    source: str = Field(max_length=500)
    subject: str | None = Field(default=None, max_length=200)
    time: datetime
    data: str = Field(sa_column=Column(Text, nullable=False), description="the event's JSON")
    link_key: str | None = Field(
        default=None,
        max_length=100,
        index=True,
        description="the link that joins it to its order, while no order owns that link yet",
    )
    received_at: datetime = Field(default_factory=utcnow)


class EventOrderRow(SQLModel, table=True):
    __tablename__ = "event_order"

    order_no: str = Field(primary_key=True, max_length=60)
    ebc_code: str = Field(primary_key=True, max_length=18)
    seq: int = Field(primary_key=True)


class OrderLinkRow(SQLModel, table=True):
    """A key that an order's events share without naming its seller (``W|code|no`` a waybill,
    ``I|invtNo`` a list, ``P|ebpCode|orderNo`` an import order), and the order that owns it."""

    __tablename__ = "order_link"

    link_key: str = Field(primary_key=True, max_length=100)
    order_no: str = Field(max_length=60)
    ebc_code: str = Field(max_length=18)


class OrderViewRow(SQLModel, table=True):
    __tablename__ = "order_view"
    __table_args__ = (UniqueConstraint("order_no", "ebc_code"),)

    id: int | None = Field(default=None, primary_key=True)
    order_no: str = Field(max_length=60)
    ebc_code: str = Field(max_length=18, description="the seller: an order is number + seller")
    ie_flag: str | None = Field(default=None, max_length=1, index=True)
    status: str | None = Field(default=None, max_length=20, index=True)
    first_seen: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow, index=True)


class OrderPartyRow(SQLModel, table=True):
    __tablename__ = "order_party"

    order_no: str = Field(primary_key=True, max_length=60)
    ebc_code: str = Field(primary_key=True, max_length=18)
    code: str = Field(primary_key=True, max_length=18, index=True)
    role: str = Field(primary_key=True, max_length=20, description="the party field: ebcCode...")


class ReceiptRow(SQLModel, table=True):
    __tablename__ = "receipt"

    seq: int | None = Field(default=None, primary_key=True)
    receipt_id: str = Field(max_length=36, unique=True)
    party: str = Field(max_length=18, index=True)
    event_seq: int = Field(index=True)
    event_id: str = Field(max_length=200)
    type: str = Field(max_length=200)
    order_no: str | None = Field(default=None, max_length=60)
    return_status: str | None = Field(default=None, max_length=20)
    return_info: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    time: datetime
    created_at: datetime = Field(default_factory=utcnow)


class WebhookRow(SQLModel, table=True):
    __tablename__ = "webhook"

    party: str = Field(primary_key=True, max_length=18)
    url: str = Field(max_length=2000)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class WebhookDeliveryRow(SQLModel, table=True):
    __tablename__ = "webhook_delivery"

    receipt_seq: int = Field(primary_key=True)
    party: str = Field(max_length=18, index=True)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow, index=True)
    delivered_at: datetime | None = Field(default=None, index=True)
    last_status: int | None = None
    last_error: str | None = Field(default=None, max_length=1000)


TABLES: tuple[Table, ...] = (
    EnterpriseApplicationRow.__table__,  # type: ignore[attr-defined]
    EnterpriseRow.__table__,  # type: ignore[attr-defined]
    CredentialRow.__table__,  # type: ignore[attr-defined]
    RequestNonceRow.__table__,  # type: ignore[attr-defined]
    IdempotencyRow.__table__,  # type: ignore[attr-defined]
    EventRow.__table__,  # type: ignore[attr-defined]
    EventOrderRow.__table__,  # type: ignore[attr-defined]
    OrderLinkRow.__table__,  # type: ignore[attr-defined]
    OrderViewRow.__table__,  # type: ignore[attr-defined]
    OrderPartyRow.__table__,  # type: ignore[attr-defined]
    ReceiptRow.__table__,  # type: ignore[attr-defined]
    WebhookRow.__table__,  # type: ignore[attr-defined]
    WebhookDeliveryRow.__table__,  # type: ignore[attr-defined]
)
