"""The events the logistics service publishes on `cbec.logistics.v1`: its contract.

Key: the order number where the document carries one, else the waybill number (an export
waybill, CEB505, has no order number; consumers match it by ``logisticsCode`` + ``logisticsNo``).
A published event is never edited: a change is a new version with an upcaster.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict

from cbec.shared.envelope import Event
from cbec.shared.envelope import with_examples as _examples

TOPIC = "cbec.logistics.v1"


class WaybillAccepted(Event):
    """A waybill (CEB505 export / CEB511 import) was accepted, new or changed."""

    model_config = _examples(
        {
            "logisticsCode": "3702980002",
            "logisticsNo": "SF1234567890",
            "ieFlag": "E",
            "appType": "1",
            "currency": "142",
            "freight": "10.00",
            "insuredFee": "0",
            "grossWeight": "1.5",
            "packNo": 1,
            "ebcCode": "3702960001",
            "acceptedAt": "2026-11-22T08:05:00+08:00",
        },
        {
            "logisticsCode": "3702980002",
            "logisticsNo": "YT9876543210",
            "ieFlag": "I",
            "appType": "1",
            "orderNo": "IO202611220001",
            "currency": "142",
            "freight": "10.00",
            "insuredFee": "0",
            "grossWeight": "0.3",
            "packNo": 1,
            "consignee": "Zhang San",
            "consigneeTelephone": "13800000000",
            "consigneeAddress": "1 Quancheng Road, Jinan",
            "acceptedAt": "2026-11-22T08:05:00+08:00",
        },
    )
    event_type: ClassVar[str] = "cbec.logistics.waybill.accepted.v1"
    topic: ClassVar[str] = TOPIC
    key_field: ClassVar[str] = "logisticsNo"
    logisticsCode: str
    logisticsNo: str
    ieFlag: Literal["I", "E"]
    appType: Literal["1", "2"] = "1"
    orderNo: str | None = None
    currency: str
    freight: Decimal
    insuredFee: Decimal
    grossWeight: Decimal
    packNo: int
    ebcCode: str | None = None
    consignee: str | None = None
    consigneeTelephone: str | None = None
    consigneeAddress: str | None = None
    acceptedAt: str


class WaybillDeleted(Event):
    """A waybill was deleted (appType 3) before any list used it."""

    model_config = _examples(
        {
            "logisticsCode": "3702980002",
            "logisticsNo": "SF1234567890",
            "ieFlag": "E",
            "deletedAt": "2026-11-22T08:10:00+08:00",
        }
    )
    event_type: ClassVar[str] = "cbec.logistics.waybill.deleted.v1"
    topic: ClassVar[str] = TOPIC
    key_field: ClassVar[str] = "logisticsNo"
    logisticsCode: str
    logisticsNo: str
    ieFlag: Literal["I", "E"]
    orderNo: str | None = None
    deletedAt: str


class ParcelMoved(Event):
    """A parcel moved: arrived at the site (CEB507), linked to a master bill (CEB607), departed
    (CEB509), entered an import site (CEB711) or was signed for (CEB513 `S`)."""

    model_config = _examples(
        {
            "logisticsCode": "3702980002",
            "logisticsNo": "SF1234567890",
            "ieFlag": "E",
            "movement": "departed",
            "orderNo": "EO202611220001",
            "invtNo": "43002026E000000001",
            "billNo": "CA1234",
            "at": "2026-11-23T10:00:00+08:00",
            "leaveTime": "20261123100000",
        }
    )
    event_type: ClassVar[str] = "cbec.logistics.parcel.moved.v1"
    topic: ClassVar[str] = TOPIC
    key_field: ClassVar[str] = "logisticsNo"
    logisticsCode: str
    logisticsNo: str
    ieFlag: Literal["I", "E"]
    movement: Literal["arrived", "linked", "departed", "entered_site", "delivered", "returned"]
    orderNo: str | None = None
    invtNo: str | None = None
    billNo: str | None = None
    at: str
    leaveTime: str | None = None


class ParcelOverdue(Event):
    """A released parcel has not departed within the configured time."""

    model_config = _examples(
        {
            "logisticsCode": "3702980002",
            "logisticsNo": "SF1234567890",
            "invtNo": "43002026E000000001",
            "releasedAt": "2026-11-20T09:00:00+08:00",
            "overdueSince": "2026-11-22T09:00:00+08:00",
        }
    )
    event_type: ClassVar[str] = "cbec.logistics.parcel.overdue.v1"
    topic: ClassVar[str] = TOPIC
    key_field: ClassVar[str] = "logisticsNo"
    logisticsCode: str
    logisticsNo: str
    invtNo: str | None = None
    releasedAt: str
    overdueSince: str


class ReturnedLine(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    gnum: int
    qty: Decimal
    amount: Decimal


class ReturnCompleted(Event):
    """Returned goods came back (export CEB215 tally / import CEB625 return received).

    ``withinWindow`` says whether the return met the time limits that restore the buyer's
    import quota (30 days to apply, 45 to be back) or make an export return duty-free.
    """

    model_config = _examples(
        {
            "orderNo": "IO202611220001",
            "invtNo": "43002026I000000001",
            "ieFlag": "I",
            "buyerIdNumber": "370102199001011234",
            "whole": True,
            "withinWindow": True,
            "lines": [{"gnum": 1, "qty": "1", "amount": "100.00"}],
            "amount": "100.00",
            "releasedAt": "2026-11-22T09:00:00+08:00",
            "appliedAt": "2026-11-30T09:00:00+08:00",
            "receivedAt": "2026-12-10T09:00:00+08:00",
        }
    )
    event_type: ClassVar[str] = "cbec.logistics.return.completed.v1"
    topic: ClassVar[str] = TOPIC
    orderNo: str
    invtNo: str
    ieFlag: Literal["I", "E"]
    buyerIdNumber: str | None = None
    whole: bool
    withinWindow: bool
    lines: tuple[ReturnedLine, ...]
    amount: Decimal
    releasedAt: str
    appliedAt: str
    receivedAt: str


class StockChanged(Event):
    """Stock of a SKU in an overseas warehouse (9810) changed: inbound, sale or write-off."""

    model_config = _examples(
        {
            "warehouseKey": "3702960001:DE-FRA-01",
            "ebcCode": "3702960001",
            "warehouseCode": "DE-FRA-01",
            "itemNo": "SKU-TEAPOT",
            "change": "-2",
            "reason": "sale",
            "orderNo": "W202611220001",
            "onHand": "48",
            "at": "2026-11-22T10:00:00+08:00",
        }
    )
    event_type: ClassVar[str] = "cbec.logistics.warehouse.stock_changed.v1"
    topic: ClassVar[str] = TOPIC
    key_field: ClassVar[str] = "warehouseKey"
    warehouseKey: str
    ebcCode: str
    warehouseCode: str
    itemNo: str
    change: Decimal
    reason: Literal["inbound", "sale", "write_off"]
    orderNo: str | None = None
    onHand: Decimal
    at: str


EVENTS: tuple[type[Event], ...] = (
    WaybillAccepted,
    WaybillDeleted,
    ParcelMoved,
    ParcelOverdue,
    ReturnCompleted,
    StockChanged,
)
