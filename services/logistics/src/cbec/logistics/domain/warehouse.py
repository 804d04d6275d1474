"""Overseas warehouses of 9810 exports: stock per SKU, filled by bookings, emptied by sales.

Domain reference §8: for export to an overseas warehouse the order is a booking (订仓单,
``orderType`` W); the warehouse keeps stock per SKU, and sales out of it are recorded against
the booking. One warehouse per (enterprise ``ebcCode``, warehouse code)::

    warehouse = OverseasWarehouse(ebc_code="1105910159", warehouse_code="DE-FRA-01")
    warehouse.receive(booking, at=now)                    # the booking departed: stock in
    warehouse.record_sale(Sale("S1", "W2024001", (SaleLine("SKU-1", Decimal(2)),)), at=now)
    report = warehouse.stock_report(at=now)

Every refusal lists all of its violations and changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from cbec.logistics.domain.errors import StockRefused, Violation
from cbec.logistics.domain.fields import require_aware

ZERO = Decimal(0)
# Export orderType W: a booking of space in an overseas warehouse (订仓单).
BOOKING_ORDER_TYPE = "W"


@dataclass(frozen=True, slots=True)
class BookingLine:
    """A line of a booking: ``itemNo`` is the SKU."""

    item_no: str
    qty: Decimal
    item_name: str = ""
    unit: str = ""


@dataclass(frozen=True, slots=True)
class Booking:
    """A 9810 booking order (CEB303 with orderType W) and when its goods departed."""

    order_no: str
    order_type: str
    ebc_code: str
    lines: tuple[BookingLine, ...]
    departed_at: datetime | None = None

    def booked(self) -> dict[str, Decimal]:
        out: dict[str, Decimal] = {}
        for line in self.lines:
            out[line.item_no] = out.get(line.item_no, ZERO) + line.qty
        return out


@dataclass(frozen=True, slots=True)
class SaleLine:
    item_no: str
    qty: Decimal


@dataclass(frozen=True, slots=True)
class Sale:
    """A sale out of the warehouse, recorded against the booking that brought the goods in."""

    sale_no: str
    booking_no: str
    lines: tuple[SaleLine, ...]


class StockMovementKind(StrEnum):
    INBOUND = "inbound"
    SALE = "sale"
    WRITE_OFF = "write_off"


@dataclass(frozen=True, slots=True)
class StockMovement:
    """One change of stock of one SKU: positive in, negative out."""

    at: datetime
    kind: StockMovementKind
    item_no: str
    qty: Decimal
    reference: str
    booking_no: str | None = None


@dataclass(slots=True)
class BookingBalance:
    """What a booking brought into the warehouse and what has been sold against it."""

    order_no: str
    booked: dict[str, Decimal]
    received: dict[str, Decimal] = field(default_factory=dict)
    sold: dict[str, Decimal] = field(default_factory=dict)

    def available(self, item_no: str) -> Decimal:
        return self.received.get(item_no, ZERO) - self.sold.get(item_no, ZERO)


@dataclass(frozen=True, slots=True)
class StockLine:
    item_no: str
    received: Decimal
    sold: Decimal
    written_off: Decimal
    on_hand: Decimal


@dataclass(frozen=True, slots=True)
class BookingStock:
    order_no: str
    item_no: str
    received: Decimal
    sold: Decimal
    available: Decimal


@dataclass(frozen=True, slots=True)
class StockReport:
    """The stock of one warehouse at a moment: per SKU, and per booking and SKU."""

    ebc_code: str
    warehouse_code: str
    at: datetime
    lines: tuple[StockLine, ...]
    bookings: tuple[BookingStock, ...]

    def on_hand(self, item_no: str) -> Decimal:
        return next((line.on_hand for line in self.lines if line.item_no == item_no), ZERO)


def _sum(lines: Sequence[SaleLine]) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    for line in lines:
        out[line.item_no] = out.get(line.item_no, ZERO) + line.qty
    return out


@dataclass(slots=True)
class OverseasWarehouse:
    """The stock of one overseas warehouse of one enterprise."""

    ebc_code: str
    warehouse_code: str
    stock: dict[str, Decimal] = field(default_factory=dict)
    bookings: dict[str, BookingBalance] = field(default_factory=dict)
    sale_nos: set[str] = field(default_factory=set)
    movements: list[StockMovement] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str]:
        return self.ebc_code, self.warehouse_code

    # --- inbound ----------------------------------------------------------------------------

    def check_receive(
        self, booking: Booking, received: Mapping[str, Decimal] | None = None
    ) -> list[Violation]:
        """Every reason why the booking's goods cannot be taken into stock."""
        out: list[Violation] = []
        if booking.order_type != BOOKING_ORDER_TYPE:
            out.append(
                Violation(
                    field="orderType",
                    rule="only a booking (orderType W) fills an overseas warehouse",
                    value=booking.order_type,
                    expected=BOOKING_ORDER_TYPE,
                )
            )
        if booking.ebc_code != self.ebc_code:
            out.append(
                Violation(
                    field="ebcCode",
                    rule="a booking fills a warehouse of its own e-commerce enterprise",
                    value=booking.ebc_code,
                    expected=self.ebc_code,
                )
            )
        if booking.departed_at is None:
            out.append(
                Violation(
                    field="orderNo",
                    rule="the booking's goods must have departed before they enter the warehouse",
                    value=booking.order_no,
                )
            )
        booked = booking.booked()
        balance = self.bookings.get(booking.order_no)
        for item_no, qty in (received if received is not None else booked).items():
            where = f"received[{item_no}]"
            if qty <= 0:
                out.append(Violation(field=where, rule="received qty must be > 0", value=qty))
                continue
            if item_no not in booked:
                out.append(
                    Violation(
                        field=where,
                        rule="a received SKU must be on the booking",
                        value=item_no,
                        expected=", ".join(sorted(booked)),
                    )
                )
                continue
            before = balance.received.get(item_no, ZERO) if balance else ZERO
            if before + qty > booked[item_no]:
                out.append(
                    Violation(
                        field=where,
                        rule=(
                            "received qty over all inbounds must not exceed the booked qty "
                            f"(already received {before})"
                        ),
                        value=before + qty,
                        expected=f"<= {booked[item_no]}",
                    )
                )
        return out

    def receive(
        self,
        booking: Booking,
        at: datetime,
        received: Mapping[str, Decimal] | None = None,
    ) -> list[StockMovement]:
        """Take a departed booking's goods into stock (all booked quantities by default, or
        ``received`` per SKU); StockRefused otherwise."""
        require_aware(at)
        violations = self.check_receive(booking, received)
        if violations:
            raise StockRefused(f"inbound of booking {booking.order_no}", violations)
        balance = self.bookings.setdefault(
            booking.order_no, BookingBalance(booking.order_no, booking.booked())
        )
        out: list[StockMovement] = []
        for item_no, qty in (received if received is not None else booking.booked()).items():
            balance.received[item_no] = balance.received.get(item_no, ZERO) + qty
            self.stock[item_no] = self.stock.get(item_no, ZERO) + qty
            out.append(
                StockMovement(
                    at=at,
                    kind=StockMovementKind.INBOUND,
                    item_no=item_no,
                    qty=qty,
                    reference=booking.order_no,
                    booking_no=booking.order_no,
                )
            )
        self.movements.extend(out)
        return out

    # --- outbound ---------------------------------------------------------------------------

    def check_sale(self, sale: Sale) -> list[Violation]:
        """Every reason why the sale cannot be recorded: unknown booking, more than the
        booking brought in, or more than the warehouse holds."""
        out: list[Violation] = []
        if sale.sale_no in self.sale_nos:
            out.append(
                Violation(field="saleNo", rule="a sale is recorded once", value=sale.sale_no)
            )
        if not sale.lines:
            out.append(Violation(field="lines", rule="a sale has at least one line"))
        balance = self.bookings.get(sale.booking_no)
        if balance is None:
            out.append(
                Violation(
                    field="bookingNo",
                    rule="a sale is recorded against a booking received in this warehouse",
                    value=sale.booking_no,
                )
            )
        for item_no, qty in _sum(sale.lines).items():
            where = f"lines[{item_no}].qty"
            if qty <= 0:
                out.append(Violation(field=where, rule="sold qty must be > 0", value=qty))
                continue
            if balance is not None and qty > balance.available(item_no):
                out.append(
                    Violation(
                        field=where,
                        rule=(
                            f"a sale cannot take more than booking {sale.booking_no} "
                            "brought in and has not sold yet"
                        ),
                        value=qty,
                        expected=f"<= {balance.available(item_no)}",
                    )
                )
            out.extend(self._check_stock(item_no, qty, where))
        return out

    def record_sale(self, sale: Sale, at: datetime) -> list[StockMovement]:
        """Take the sold goods out of stock and off their booking; StockRefused otherwise."""
        require_aware(at)
        violations = self.check_sale(sale)
        if violations:
            raise StockRefused(f"sale {sale.sale_no}", violations)
        balance = self.bookings[sale.booking_no]
        out: list[StockMovement] = []
        for item_no, qty in _sum(sale.lines).items():
            balance.sold[item_no] = balance.sold.get(item_no, ZERO) + qty
            self.stock[item_no] -= qty
            out.append(
                StockMovement(
                    at=at,
                    kind=StockMovementKind.SALE,
                    item_no=item_no,
                    qty=-qty,
                    reference=sale.sale_no,
                    booking_no=sale.booking_no,
                )
            )
        self.sale_nos.add(sale.sale_no)
        self.movements.extend(out)
        return out

    def write_off(self, item_no: str, qty: Decimal, reason: str, at: datetime) -> StockMovement:
        """Take damaged or lost goods out of stock (a stock count); never below zero."""
        require_aware(at)
        violations: list[Violation] = []
        if qty <= 0:
            violations.append(Violation(field="qty", rule="written-off qty must be > 0", value=qty))
        else:
            violations.extend(self._check_stock(item_no, qty, "qty"))
        if not reason.strip():
            violations.append(Violation(field="reason", rule="a write-off names its reason"))
        if violations:
            raise StockRefused(f"write-off of {item_no}", violations)
        self.stock[item_no] -= qty
        movement = StockMovement(
            at=at, kind=StockMovementKind.WRITE_OFF, item_no=item_no, qty=-qty, reference=reason
        )
        self.movements.append(movement)
        return movement

    def _check_stock(self, item_no: str, qty: Decimal, where: str) -> list[Violation]:
        on_hand = self.stock.get(item_no, ZERO)
        if on_hand - qty >= 0:
            return []
        return [
            Violation(
                field=where,
                rule=f"stock of {item_no} must not go below zero",
                value=qty,
                expected=f"<= {on_hand} on hand",
            )
        ]

    # --- report -----------------------------------------------------------------------------

    def stock_report(self, at: datetime) -> StockReport:
        """Stock per SKU (received, sold, written off, on hand) and per booking, as of ``at``
        (movements after ``at`` are left out)."""
        require_aware(at)
        totals: dict[str, dict[StockMovementKind, Decimal]] = {}
        per_booking: dict[tuple[str, str], dict[StockMovementKind, Decimal]] = {}
        for movement in self.movements:
            if movement.at > at:
                continue
            sku = totals.setdefault(movement.item_no, {})
            sku[movement.kind] = sku.get(movement.kind, ZERO) + abs(movement.qty)
            if movement.booking_no is not None:
                booking = per_booking.setdefault((movement.booking_no, movement.item_no), {})
                booking[movement.kind] = booking.get(movement.kind, ZERO) + abs(movement.qty)
        lines = []
        for item_no in sorted(totals):
            kinds = totals[item_no]
            received = kinds.get(StockMovementKind.INBOUND, ZERO)
            sold = kinds.get(StockMovementKind.SALE, ZERO)
            written_off = kinds.get(StockMovementKind.WRITE_OFF, ZERO)
            lines.append(
                StockLine(
                    item_no=item_no,
                    received=received,
                    sold=sold,
                    written_off=written_off,
                    on_hand=received - sold - written_off,
                )
            )
        bookings = []
        for (order_no, item_no), kinds in sorted(per_booking.items()):
            received = kinds.get(StockMovementKind.INBOUND, ZERO)
            sold = kinds.get(StockMovementKind.SALE, ZERO)
            bookings.append(
                BookingStock(
                    order_no=order_no,
                    item_no=item_no,
                    received=received,
                    sold=sold,
                    available=received - sold,
                )
            )
        return StockReport(
            ebc_code=self.ebc_code,
            warehouse_code=self.warehouse_code,
            at=at,
            lines=tuple(lines),
            bookings=tuple(bookings),
        )
