"""SQLModel tables of the logistics service.

Documents are kept as the JSON of the customs standard's record (``document``) with a fingerprint
of what was sent, so that a document resent unchanged is answered with the same receipt (the
idempotent API of DESIGN.md). A parcel's timeline is its row (current state) plus one entry per
movement; the released lists are what the declaration service's events said, kept for returns
and bookings. Datetimes are stored timezone-aware (UTC).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, Table, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from cbec.shared.clock import utcnow


def _text(nullable: bool = False) -> Column:  # type: ignore[type-arg]
    return Column(Text, nullable=nullable)


class WaybillRow(SQLModel, table=True):
    """A waybill on file (CEB505 export / CEB511 import), unique per logistics enterprise."""

    __tablename__ = "logi_waybill"
    __table_args__ = (UniqueConstraint("logistics_code", "logistics_no"),)

    id: int | None = Field(default=None, primary_key=True)
    logistics_code: str = Field(max_length=18)
    logistics_no: str = Field(max_length=60)
    ie_flag: str = Field(max_length=1)
    order_no: str | None = Field(default=None, max_length=60)
    ebc_code: str | None = Field(default=None, max_length=18)
    document: str = Field(sa_column=_text())
    used_by_list: str | None = Field(default=None, max_length=20)
    deleted: bool = Field(default=False)
    filed_by: str = Field(max_length=18, description="the enterprise that filed it")
    filed_at: datetime = Field(default_factory=utcnow)
    changed_at: datetime | None = Field(default=None)


class ParcelRow(SQLModel, table=True):
    """The current state of a parcel's timeline, keyed by its waybill."""

    __tablename__ = "logi_parcel"
    __table_args__ = (
        UniqueConstraint("logistics_code", "logistics_no"),
        Index("ix_logi_parcel_state", "ie_flag", "state"),
    )

    id: int | None = Field(default=None, primary_key=True)
    logistics_code: str = Field(max_length=18)
    logistics_no: str = Field(max_length=60)
    ie_flag: str = Field(max_length=1)
    state: str = Field(max_length=40)
    order_no: str | None = Field(default=None, max_length=60)
    invt_no: str | None = Field(default=None, max_length=20, index=True)
    bill_no: str | None = Field(default=None, max_length=37)
    released_at: datetime | None = Field(default=None)
    departed_at: datetime | None = Field(default=None)
    overdue_reported_at: datetime | None = Field(default=None)
    updated_at: datetime = Field(default_factory=utcnow)


class ParcelEntryRow(SQLModel, table=True):
    """One step of a parcel's timeline: the movement, the states and the document, and the trace
    in which it was recorded (a departure links the traces of the parcels' arrivals)."""

    __tablename__ = "logi_parcel_entry"

    id: int | None = Field(default=None, primary_key=True)
    parcel_id: int = Field(foreign_key="logi_parcel.id", index=True)
    at: datetime
    movement: str | None = Field(default=None, max_length=40)
    from_state: str | None = Field(default=None, max_length=40)
    to_state: str = Field(max_length=40)
    reference: str = Field(max_length=60)
    trace_context: str | None = Field(
        default=None, sa_column=_text(nullable=True), description="W3C trace context of the step"
    )


class SplitPartRow(SQLModel, table=True):
    """A part of a movement message split by msgCount / msgSeqNo (CEB507, CEB509, CEB607)."""

    __tablename__ = "logi_split_part"
    __table_args__ = (
        UniqueConstraint("document", "logistics_code", "cop_no", "msg_seq_no"),
        Index("ix_logi_split_part_fingerprint", "document", "fingerprint"),
    )

    id: int | None = Field(default=None, primary_key=True)
    document: str = Field(max_length=8)
    logistics_code: str = Field(max_length=18)
    cop_no: str = Field(max_length=30)
    msg_count: int
    msg_seq_no: int
    fingerprint: str = Field(max_length=64)
    body: str = Field(sa_column=_text())
    filed_by: str = Field(max_length=18, description="the enterprise that filed it")
    received_at: datetime = Field(default_factory=utcnow)
    completed_at: datetime | None = Field(default=None)


class MasterBillRow(SQLModel, table=True):
    """A flight or vessel bill (CEB607) and how many parcels are linked to it."""

    __tablename__ = "logi_master_bill"
    __table_args__ = (UniqueConstraint("logistics_code", "bill_no"),)

    id: int | None = Field(default=None, primary_key=True)
    logistics_code: str = Field(max_length=18)
    bill_no: str = Field(max_length=37)
    cop_no: str = Field(max_length=30)
    agent_code: str = Field(max_length=18)
    traf_mode: str = Field(max_length=1)
    traf_name: str = Field(max_length=100)
    voyage_no: str = Field(max_length=32)
    gross_weight: str = Field(max_length=40)
    parcels: int = Field(default=0)
    filed_by: str = Field(max_length=18, description="the enterprise that filed it")
    linked_at: datetime = Field(default_factory=utcnow)


class ReleasedListRow(SQLModel, table=True):
    """An inventory list released by customs, as the declaration service published it."""

    __tablename__ = "logi_released_list"

    invt_no: str = Field(primary_key=True, max_length=20)
    ie_flag: str = Field(max_length=1)
    order_no: str = Field(max_length=60, index=True)
    trade_mode: str = Field(max_length=4)
    ebc_code: str = Field(max_length=18)
    logistics_code: str = Field(max_length=18)
    logistics_no: str = Field(max_length=60)
    buyer_id_number: str | None = Field(default=None, max_length=60)
    lines: str = Field(sa_column=_text())
    released_at: datetime
    closed_at: datetime | None = Field(default=None)


class ReturnRow(SQLModel, table=True):
    """An accepted return application of a released list, and when its goods came back."""

    __tablename__ = "logi_return"
    __table_args__ = (
        UniqueConstraint("invt_no", "return_no"),
        Index("ix_logi_return_waybill", "logistics_no"),
    )

    id: int | None = Field(default=None, primary_key=True)
    ie_flag: str = Field(max_length=1)
    invt_no: str = Field(max_length=20, index=True)
    return_no: str = Field(max_length=36)
    logistics_no: str = Field(max_length=80)
    buyer_id_number: str | None = Field(default=None, max_length=60)
    lines: str = Field(sa_column=_text())
    applied_at: datetime
    received_at: datetime | None = Field(default=None)
    within_window: bool | None = Field(default=None)
    filed_by: str = Field(max_length=18, description="the enterprise that applied")


class BookingRow(SQLModel, table=True):
    """A 9810 booking order (orderType W) of a seller and the warehouse its goods go into; an
    order number is unique per seller only (DOMAIN.md §2: ``orderNo`` + ``ebcCode``)."""

    __tablename__ = "logi_booking"

    ebc_code: str = Field(primary_key=True, max_length=18)
    order_no: str = Field(primary_key=True, max_length=60)
    warehouse_code: str | None = Field(default=None, max_length=40)
    lines: str = Field(sa_column=_text())
    accepted_at: datetime = Field(default_factory=utcnow)
    departed_at: datetime | None = Field(default=None)


class StockRow(SQLModel, table=True):
    """Stock on hand of one SKU in one overseas warehouse."""

    __tablename__ = "logi_stock"
    __table_args__ = (UniqueConstraint("ebc_code", "warehouse_code", "item_no"),)

    id: int | None = Field(default=None, primary_key=True)
    ebc_code: str = Field(max_length=18)
    warehouse_code: str = Field(max_length=40)
    item_no: str = Field(max_length=60)
    on_hand: str = Field(max_length=40)
    updated_at: datetime = Field(default_factory=utcnow)


class StockMovementRow(SQLModel, table=True):
    """One change of stock: inbound of a booking, a sale, a write-off."""

    __tablename__ = "logi_stock_movement"
    __table_args__ = (Index("ix_logi_stock_movement_warehouse", "ebc_code", "warehouse_code"),)

    id: int | None = Field(default=None, primary_key=True)
    ebc_code: str = Field(max_length=18)
    warehouse_code: str = Field(max_length=40)
    at: datetime
    kind: str = Field(max_length=20)
    item_no: str = Field(max_length=60)
    qty: str = Field(max_length=40)
    reference: str = Field(max_length=60)
    booking_no: str | None = Field(default=None, max_length=60)
    filed_by: str = Field(max_length=18, description="the enterprise whose document moved it")


class ReceiptRow(SQLModel, table=True):
    """The receipt given to an accepted document, found again by the document's fingerprint."""

    __tablename__ = "logi_receipt"
    __table_args__ = (UniqueConstraint("document", "fingerprint"),)

    id: int | None = Field(default=None, primary_key=True)
    document: str = Field(max_length=8)
    fingerprint: str = Field(max_length=64)
    receipt: str = Field(sa_column=_text())
    submitted_by: str | None = Field(default=None, max_length=18)
    created_at: datetime = Field(default_factory=utcnow)


# The service's own tables; the outbox and the inbox are added by cbec.shared.migrations.
TABLES: tuple[Table, ...] = tuple(
    model.__table__  # type: ignore[union-attr]
    for model in (
        WaybillRow,
        ParcelRow,
        ParcelEntryRow,
        SplitPartRow,
        MasterBillRow,
        ReleasedListRow,
        ReturnRow,
        BookingRow,
        StockRow,
        StockMovementRow,
        ReceiptRow,
    )
)
