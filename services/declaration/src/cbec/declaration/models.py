"""SQLModel tables of the declaration service.

Documents are kept as the JSON of the customs standard's entity (``document``) together with a
fingerprint of it, so that a document resent unchanged is recognised and answered with the same
receipt (the idempotent API of DESIGN.md). Funds documents and waybills are the other services'
events, kept by their business keys so that the three-document check can find them. Each keeps
the trace context under which the platform received it (``trace_context``, W3C as JSON): the
decision that joins the documents of a list links their traces.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, Table, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from cbec.shared.clock import utcnow


class OrderRow(SQLModel, table=True):
    """An electronic order: export (CEB303) keyed by orderNo + ebcCode, import (CEB311) by
    orderNo + ebpCode (DOMAIN.md §2); ``party_code`` is the second half of the key.
    ``filed_by`` is the enterprise that filed it: only it changes or deletes the order."""

    __tablename__ = "decl_order"
    __table_args__ = (UniqueConstraint("ie_flag", "order_no", "party_code"),)

    id: int | None = Field(default=None, primary_key=True)
    ie_flag: str = Field(max_length=1)
    order_no: str = Field(max_length=60, index=True)
    party_code: str = Field(max_length=18)
    ebp_code: str = Field(max_length=18)
    ebc_code: str = Field(max_length=18)
    app_type: str = Field(max_length=1)
    cop_code: str = Field(max_length=18)
    filed_by: str = Field(max_length=18, description="the enterprise that filed the order")
    buyer_id_number: str | None = Field(default=None, max_length=60, index=True)
    order_day: str | None = Field(default=None, max_length=8)
    fingerprint: str = Field(max_length=64)
    document: str = Field(sa_column=Column(Text, nullable=False))
    receipt: str = Field(sa_column=Column(Text, nullable=False))
    trace_context: str | None = Field(
        default=None, sa_column=Column(Text), description="W3C trace context of its receipt"
    )
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class ListRow(SQLModel, table=True):
    """An inventory list (CEB603 export / CEB621 import): copNo + agentCode, then preNo and
    invtNo once accepted. ``filed_by`` is the enterprise that filed it: only it changes or
    deletes the list; it or the agent the list names revokes it."""

    __tablename__ = "decl_list"
    __table_args__ = (
        UniqueConstraint("cop_no", "agent_code"),
        Index("ix_decl_list_waybill", "logistics_code", "logistics_no"),
        Index("ix_decl_list_order", "order_no", "ie_flag"),
    )

    id: int | None = Field(default=None, primary_key=True)
    ie_flag: str = Field(max_length=1)
    cop_no: str = Field(max_length=30)
    agent_code: str = Field(max_length=18)
    pre_no: str | None = Field(default=None, max_length=18, unique=True)
    invt_no: str | None = Field(default=None, max_length=20, unique=True)
    order_no: str = Field(max_length=60)
    ebp_code: str = Field(max_length=18)
    ebc_code: str = Field(max_length=18, index=True)
    logistics_code: str = Field(max_length=18)
    logistics_no: str = Field(max_length=60)
    status: str = Field(max_length=10, index=True)
    app_type: str = Field(max_length=1)
    submitted_by: str = Field(max_length=18)
    filed_by: str = Field(max_length=18, description="the enterprise that filed the list")
    fingerprint: str = Field(max_length=64)
    document: str = Field(sa_column=Column(Text, nullable=False))
    receipt: str = Field(sa_column=Column(Text, nullable=False))
    declared_at: datetime = Field(default_factory=utcnow)
    incomplete_reported_at: datetime | None = Field(default=None)
    quota_reserved: bool = Field(default=False)
    awaiting_quota: str | None = Field(
        default=None,
        sa_column=Column(Text),
        description="the release decided and waiting for the buyer's quota reservation (JSON)",
    )
    released_at: datetime | None = Field(default=None)
    closed_at: datetime | None = Field(default=None)
    customs_file: str | None = Field(default=None, max_length=200)
    trace_context: str | None = Field(
        default=None, sa_column=Column(Text), description="W3C trace context of its receipt"
    )
    updated_at: datetime = Field(default_factory=utcnow)


class ListReceiptRow(SQLModel, table=True):
    """One receipt of a list: its status history."""

    __tablename__ = "decl_list_receipt"

    id: int | None = Field(default=None, primary_key=True)
    list_id: int = Field(foreign_key="decl_list.id", index=True)
    return_status: str = Field(max_length=10)
    return_time: str = Field(max_length=17)
    return_info: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class CustomsReasonRow(SQLModel, table=True):
    """Why customs put a list in a status, kept apart from its receipts (which the declarant
    gets): a risk rule that fired with its detail (thresholds, usual prices, the draw), or an
    officer's decision with the officer's code and note. For customs officers only."""

    __tablename__ = "decl_customs_reason"

    id: int | None = Field(default=None, primary_key=True)
    list_id: int = Field(foreign_key="decl_list.id", index=True)
    return_status: str = Field(max_length=10, description="the status the reason led to")
    kind: str = Field(max_length=20, description="risk-rule or officer-decision")
    rule: str | None = Field(default=None, max_length=40, description="the risk rule that fired")
    outcome: str | None = Field(default=None, max_length=10, description="what the rule asked for")
    officer: str | None = Field(default=None, max_length=60, description="the deciding officer")
    action: str | None = Field(default=None, max_length=10, description="the officer's action")
    detail: str = Field(
        sa_column=Column(Text, nullable=False),
        description="the rule's finding, or the officer's note",
    )
    created_at: datetime = Field(default_factory=utcnow)


class FundsRow(SQLModel, table=True):
    """A funds document seen on the payments topic: an export receipt of funds (CEB403) by
    orderNo + ebcCode, or an import payment (CEB411) by orderNo + ebpCode."""

    __tablename__ = "decl_funds"
    __table_args__ = (UniqueConstraint("ie_flag", "order_no", "party_code"),)

    id: int | None = Field(default=None, primary_key=True)
    ie_flag: str = Field(max_length=1)
    order_no: str = Field(max_length=60)
    party_code: str = Field(max_length=18)
    document: str = Field(sa_column=Column(Text, nullable=False))
    trace_context: str | None = Field(
        default=None, sa_column=Column(Text), description="W3C trace context of its receipt"
    )
    received_at: datetime = Field(default_factory=utcnow)


class WaybillRow(SQLModel, table=True):
    """A waybill seen on the logistics topic (CEB505 / CEB511), by logisticsCode + logisticsNo."""

    __tablename__ = "decl_waybill"
    __table_args__ = (UniqueConstraint("logistics_code", "logistics_no"),)

    id: int | None = Field(default=None, primary_key=True)
    logistics_code: str = Field(max_length=18)
    logistics_no: str = Field(max_length=60)
    ie_flag: str = Field(max_length=1)
    order_no: str | None = Field(default=None, max_length=60)
    document: str = Field(sa_column=Column(Text, nullable=False))
    trace_context: str | None = Field(
        default=None, sa_column=Column(Text), description="W3C trace context of its receipt"
    )
    received_at: datetime = Field(default_factory=utcnow)


class SummaryRow(SQLModel, table=True):
    """A summary declaration made for a consignor and a month (CEB792 semantics)."""

    __tablename__ = "decl_summary"

    id: int | None = Field(default=None, primary_key=True)
    sum_no: str | None = Field(default=None, max_length=30, unique=True)
    ebc_code: str = Field(max_length=18, index=True)
    period: str = Field(max_length=7)
    supplementary: bool = Field(default=False)
    summary_flag: str = Field(max_length=1)
    item_name_flag: bool = Field(default=False)
    result: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class SummarisedListRow(SQLModel, table=True):
    """The ledger: a list is summarised once (DOMAIN.md §5)."""

    __tablename__ = "decl_summarised_list"

    invt_no: str = Field(max_length=20, primary_key=True)
    summary_id: int = Field(foreign_key="decl_summary.id", index=True)
    period: str = Field(max_length=7)


class OverdueSummaryRow(SQLModel, table=True):
    """A month of a consignor reported as not summarised by its deadline (once)."""

    __tablename__ = "decl_summary_overdue"
    __table_args__ = (UniqueConstraint("ebc_code", "period"),)

    id: int | None = Field(default=None, primary_key=True)
    ebc_code: str = Field(max_length=18)
    period: str = Field(max_length=7)
    lists: int
    reported_at: datetime = Field(default_factory=utcnow)


# The service's own tables; the outbox and the inbox are added by cbec.shared.migrations.
TABLES: tuple[Table, ...] = (
    OrderRow.__table__,  # type: ignore[attr-defined]
    ListRow.__table__,  # type: ignore[attr-defined]
    ListReceiptRow.__table__,  # type: ignore[attr-defined]
    CustomsReasonRow.__table__,  # type: ignore[attr-defined]
    FundsRow.__table__,  # type: ignore[attr-defined]
    WaybillRow.__table__,  # type: ignore[attr-defined]
    SummaryRow.__table__,  # type: ignore[attr-defined]
    SummarisedListRow.__table__,  # type: ignore[attr-defined]
    OverdueSummaryRow.__table__,  # type: ignore[attr-defined]
)
