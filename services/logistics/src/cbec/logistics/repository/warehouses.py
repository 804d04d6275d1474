"""Overseas warehouses (9810): bookings, stock per SKU and the movements of stock."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import tuple_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from cbec.logistics.domain import Booking, BookingLine, OverseasWarehouse, StockMovement
from cbec.logistics.domain.warehouse import BookingBalance, StockMovementKind
from cbec.logistics.models import BookingRow, StockMovementRow, StockRow
from cbec.shared.clock import aware, utcnow
from cbec.shared.fingerprints import canonical_json, loads


def booking_of(row: BookingRow, departed_at: datetime | None = None) -> Booking:
    lines = tuple(
        BookingLine(
            item_no=line["itemNo"],
            qty=Decimal(str(line["qty"])),
            item_name=line.get("itemName", ""),
            unit=line.get("unit", ""),
        )
        for line in loads(row.lines)
    )
    when = departed_at or (aware(row.departed_at) if row.departed_at else None)
    return Booking(
        order_no=row.order_no,
        order_type="W",
        ebc_code=row.ebc_code,
        lines=lines,
        departed_at=when,
    )


def booking_lines_json(booking: Booking) -> str:
    return canonical_json(
        [
            {"itemNo": line.item_no, "qty": line.qty, "itemName": line.item_name, "unit": line.unit}
            for line in booking.lines
        ]
    )


@dataclass(slots=True)
class LoadedWarehouse:
    warehouse: OverseasWarehouse
    stock_rows: dict[str, StockRow]
    stored: int


def _balances(warehouse: OverseasWarehouse) -> None:
    """What each booking brought in and sold, from the warehouse's movements."""
    for movement in warehouse.movements:
        balance = warehouse.bookings.get(movement.booking_no or "")
        if balance is None:
            continue
        if movement.kind is StockMovementKind.INBOUND:
            balance.received[movement.item_no] = (
                balance.received.get(movement.item_no, Decimal(0)) + movement.qty
            )
        elif movement.kind is StockMovementKind.SALE:
            balance.sold[movement.item_no] = (
                balance.sold.get(movement.item_no, Decimal(0)) - movement.qty
            )


def _movement(row: StockMovementRow) -> StockMovement:
    return StockMovement(
        at=aware(row.at),
        kind=StockMovementKind(row.kind),
        item_no=row.item_no,
        qty=Decimal(row.qty),
        reference=row.reference,
        booking_no=row.booking_no,
    )


class BookingRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, ebc_code: str, order_no: str) -> BookingRow | None:
        return await self.session.get(BookingRow, (ebc_code, order_no))

    async def waiting(self, keys: Sequence[tuple[str, str]], chunk: int) -> list[BookingRow]:
        """The bookings of (ebcCode, orderNo) ``keys`` whose goods have not departed."""
        bookings: list[BookingRow] = []
        for start in range(0, len(keys), chunk):
            found = await self.session.exec(
                select(BookingRow).where(
                    tuple_(col(BookingRow.ebc_code), col(BookingRow.order_no)).in_(
                        keys[start : start + chunk]
                    ),
                    col(BookingRow.departed_at).is_(None),
                )
            )
            bookings.extend(found)
        return bookings

    def save(self, row: BookingRow) -> None:
        self.session.add(row)


class WarehouseRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def load(self, ebc_code: str, warehouse_code: str) -> LoadedWarehouse:
        """The warehouse with its stock, its movements and the balance of every booking in it."""
        warehouse = OverseasWarehouse(ebc_code=ebc_code, warehouse_code=warehouse_code)
        stock = await self.session.exec(
            select(StockRow).where(
                StockRow.ebc_code == ebc_code, StockRow.warehouse_code == warehouse_code
            )
        )
        stock_rows = {row.item_no: row for row in stock}
        warehouse.stock = {item: Decimal(row.on_hand) for item, row in stock_rows.items()}
        moves = await self.session.exec(
            select(StockMovementRow)
            .where(
                StockMovementRow.ebc_code == ebc_code,
                StockMovementRow.warehouse_code == warehouse_code,
            )
            .order_by(col(StockMovementRow.id))
        )
        warehouse.movements.extend(_movement(move) for move in moves)
        warehouse.sale_nos.update(
            m.reference for m in warehouse.movements if m.kind is StockMovementKind.SALE
        )
        booking_nos = {m.booking_no for m in warehouse.movements if m.booking_no is not None}
        if booking_nos:
            bookings = await self.session.exec(
                select(BookingRow).where(
                    BookingRow.ebc_code == ebc_code,
                    col(BookingRow.order_no).in_(sorted(booking_nos)),
                )
            )
            for row in bookings:
                warehouse.bookings[row.order_no] = BookingBalance(
                    row.order_no, booking_of(row).booked()
                )
        _balances(warehouse)
        return LoadedWarehouse(
            warehouse=warehouse, stock_rows=stock_rows, stored=len(warehouse.movements)
        )

    def save(self, loaded: LoadedWarehouse, filed_by: str) -> list[StockMovement]:
        """Write the warehouse's new movements (filed by ``filed_by``: the seller of a sale, the
        carrier whose departure brought the goods in) and stock; return the new movements."""
        warehouse = loaded.warehouse
        new = warehouse.movements[loaded.stored :]
        for movement in new:
            self.session.add(
                StockMovementRow(
                    ebc_code=warehouse.ebc_code,
                    warehouse_code=warehouse.warehouse_code,
                    at=movement.at,
                    kind=movement.kind.value,
                    item_no=movement.item_no,
                    qty=str(movement.qty),
                    reference=movement.reference[:60],
                    booking_no=movement.booking_no,
                    filed_by=filed_by,
                )
            )
        for item_no in {m.item_no for m in new}:
            self._save_stock(loaded, item_no)
        loaded.stored = len(warehouse.movements)
        return new

    def _save_stock(self, loaded: LoadedWarehouse, item_no: str) -> None:
        warehouse = loaded.warehouse
        row = loaded.stock_rows.get(item_no)
        on_hand = str(warehouse.stock.get(item_no, Decimal(0)))
        if row is None:
            row = StockRow(
                ebc_code=warehouse.ebc_code,
                warehouse_code=warehouse.warehouse_code,
                item_no=item_no,
                on_hand=on_hand,
            )
            loaded.stock_rows[item_no] = row
        else:
            row.on_hand = on_hand
            row.updated_at = utcnow()
        self.session.add(row)
