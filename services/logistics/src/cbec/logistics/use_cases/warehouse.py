"""Overseas warehouses (9810, DOMAIN.md §8): bookings kept until their goods depart, stock
filled when they do, sales against a booking, the stock report."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from cbec.logistics import events as ev
from cbec.logistics.domain import Booking, Sale, SaleLine, StockMovement, StockRefused
from cbec.logistics.domain.access import Who, filing_violations, may_read
from cbec.logistics.models import BookingRow
from cbec.logistics.repository import (
    CHUNK,
    LoadedParcel,
    LoadedWarehouse,
    booking_lines_json,
    booking_of,
)
from cbec.logistics.unit_of_work import LogisticsWork
from cbec.logistics.use_cases.documents import Context, DocumentKind, Record, iso, pick
from cbec.shared.errors import Conflict, NotFound, Violation

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class WarehouseSale:
    """A sale out of one warehouse of a seller."""

    ebc_code: str
    warehouse_code: str
    sale: Sale


def parse_sale(document: Record) -> WarehouseSale:
    return WarehouseSale(
        ebc_code=str(document["ebcCode"]),
        warehouse_code=str(document["warehouseCode"]),
        sale=Sale(
            sale_no=str(document["saleNo"]),
            booking_no=str(document["bookingNo"]),
            lines=tuple(
                SaleLine(item_no=str(line["itemNo"]), qty=Decimal(str(line["qty"])))
                for line in document["lines"]
            ),
        ),
    )


def _stock_changed(
    ebc_code: str, warehouse_code: str, movement: StockMovement, on_hand: Decimal
) -> ev.StockChanged:
    return ev.StockChanged(
        warehouseKey=f"{ebc_code}:{warehouse_code}",
        ebcCode=ebc_code,
        warehouseCode=warehouse_code,
        itemNo=movement.item_no,
        change=movement.qty,
        reason=movement.kind.value,
        orderNo=movement.booking_no,
        onHand=on_hand,
        at=iso(movement.at),
    )


def _save_and_publish(work: LogisticsWork, context: Context, loaded: LoadedWarehouse) -> None:
    """Store the warehouse's new movements and publish each with the stock on hand after it."""
    warehouse = loaded.warehouse
    new = work.warehouses.save(loaded, context.filer)
    remaining = dict(warehouse.stock)
    on_hand_after: list[Decimal] = []
    for movement in reversed(new):
        on_hand_after.append(remaining.get(movement.item_no, Decimal(0)))
        remaining[movement.item_no] = remaining.get(movement.item_no, Decimal(0)) - movement.qty
    for movement, on_hand in zip(new, reversed(on_hand_after), strict=True):
        work.publish(
            _stock_changed(warehouse.ebc_code, warehouse.warehouse_code, movement, on_hand)
        )


async def bookings_departed(
    work: LogisticsWork, context: Context, parcels: Sequence[LoadedParcel], at: datetime
) -> None:
    """Export to an overseas warehouse (9810, DOMAIN.md §8): a booking's goods enter its
    warehouse when the booking's parcel departs."""
    invt_nos = sorted({p.timeline.invt_no for p in parcels if p.timeline.invt_no})
    orders = await work.lists.orders_of(invt_nos, CHUNK)
    if not orders:
        return
    for booking in await work.bookings.waiting(sorted(orders), CHUNK):
        code = booking.warehouse_code or context.settings.warehouse_default_code
        loaded = await work.warehouses.load(booking.ebc_code, code)
        try:
            loaded.warehouse.receive(booking_of(booking, at), at)
        except StockRefused as refused:
            log.warning("booking %s not taken into stock: %s", booking.order_no, refused.message)
            continue
        booking.departed_at = at
        booking.warehouse_code = code
        work.bookings.save(booking)
        _save_and_publish(work, context, loaded)


async def record_sale(work: LogisticsWork, context: Context, filed: WarehouseSale) -> str:
    """A sale out of an overseas warehouse, against the booking that brought the goods in."""
    loaded = await work.warehouses.load(filed.ebc_code, filed.warehouse_code)
    sale = filed.sale
    loaded.warehouse.record_sale(sale, context.now)
    _save_and_publish(work, context, loaded)
    return f"sale {sale.sale_no} recorded against booking {sale.booking_no}"


SALE = DocumentKind(
    "SALE",
    lambda d: pick(d, "saleNo", "bookingNo", "ebcCode", "warehouseCode"),
    parse_sale,
    record_sale,
)


async def assign_booking(
    work: LogisticsWork, who: Who, ebc_code: str, warehouse_code: str, order_no: str
) -> dict[str, Any]:
    """Name the warehouse a booking's goods go into, until they depart: by the seller whose
    booking it is; to anyone else it is not on file."""
    booking = await work.bookings.get(ebc_code, order_no)
    if booking is None or filing_violations(who, "BOOKING", {"ebcCode": ebc_code}):
        raise NotFound(
            f"no booking {order_no} of enterprise {ebc_code}",
            [
                Violation(
                    field="orderNo", rule="must be a booking (orderType W) on file", value=order_no
                )
            ],
        )
    if booking.departed_at is not None and booking.warehouse_code != warehouse_code:
        raise Conflict(
            f"booking {order_no} already departed into warehouse {booking.warehouse_code}",
            [
                Violation(
                    field="orderNo",
                    rule="a booking is assigned to a warehouse before its goods depart",
                    value=order_no,
                    expected=booking.warehouse_code,
                )
            ],
        )
    booking.warehouse_code = warehouse_code
    work.bookings.save(booking)
    return {"orderNo": order_no, "ebcCode": ebc_code, "warehouseCode": warehouse_code}


def _report(
    ebc_code: str, warehouse_code: str, loaded: LoadedWarehouse, at: datetime
) -> dict[str, Any]:
    report = loaded.warehouse.stock_report(at)
    return {
        "ebcCode": ebc_code,
        "warehouseCode": warehouse_code,
        "at": iso(at),
        "lines": [
            {
                "itemNo": line.item_no,
                "received": str(line.received),
                "sold": str(line.sold),
                "writtenOff": str(line.written_off),
                "onHand": str(line.on_hand),
            }
            for line in report.lines
        ],
        "bookings": [
            {
                "orderNo": b.order_no,
                "itemNo": b.item_no,
                "received": str(b.received),
                "sold": str(b.sold),
                "available": str(b.available),
            }
            for b in report.bookings
        ],
    }


async def stock_report(
    work: LogisticsWork, who: Who, ebc_code: str, warehouse_code: str, at: datetime
) -> dict[str, Any]:
    """The stock of a warehouse: per SKU and per booking; for its seller, customs officers and
    operators, and not on file for anyone else."""
    if not may_read(who, [ebc_code]):
        raise NotFound(
            f"no warehouse {warehouse_code} of enterprise {ebc_code}",
            [Violation(field="warehouseCode", rule="must be a warehouse of the enterprise")],
        )
    loaded = await work.warehouses.load(ebc_code, warehouse_code)
    return _report(ebc_code, warehouse_code, loaded, at)


async def booking_accepted(work: LogisticsWork, booking: Booking) -> None:
    """A booking order (orderType W) accepted or changed: kept until its goods depart."""
    lines = booking_lines_json(booking)
    row = await work.bookings.get(booking.ebc_code, booking.order_no)
    if row is None:
        work.bookings.save(
            BookingRow(order_no=booking.order_no, ebc_code=booking.ebc_code, lines=lines)
        )
    elif row.departed_at is None:
        row.lines = lines
        work.bookings.save(row)
