"""Consumers of the declaration service's events: which event type goes to which use case.

The models below are this service's tolerant view of the declaration service's events (the
fields read here; anything else is ignored). The runner opens the transaction and commits it
with the inbox row; a handler is handed its event model, builds the domain object and calls a
use case with the unit of work of ``ctx``.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from cbec.logistics.domain import Booking, BookingLine, ListLine, ReleasedList
from cbec.logistics.unit_of_work import LogisticsWork
from cbec.logistics.use_cases import declaration, warehouse
from cbec.shared.bus import Handler, HandlerContext
from cbec.shared.envelope import Consumed, MalformedEvent
from cbec.shared.handlers import HandlerRegistry
from cbec.shared.telemetry import tag_span

LIST_RELEASED = "cbec.declaration.list.released.v1"
LIST_CLOSED = "cbec.declaration.list.closed.v1"
ORDER_ACCEPTED = "cbec.declaration.order.accepted.v1"
# Export orderType W: a booking of an overseas warehouse (订仓单, DOMAIN.md §1 and §8).
BOOKING_ORDER_TYPE = "W"


def _time(value: str, field: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as error:
        raise MalformedEvent(f"{field} is not an ISO 8601 time: {value!r}") from error
    if parsed.tzinfo is None:
        raise MalformedEvent(f"{field} has no time zone: {value!r}")
    return parsed


class ReleasedLine(Consumed):
    gnum: int
    gcode: str
    gname: str
    unit: str
    qty: Decimal
    totalPrice: Decimal
    unit1: str | None = None
    qty1: Decimal | None = None
    unit2: str | None = None
    qty2: Decimal | None = None


class ListReleasedView(Consumed):
    """cbec.declaration.list.released.v1, as logistics reads it."""

    orderNo: str
    ieFlag: Literal["I", "E"]
    invtNo: str
    tradeMode: str
    ebcCode: str
    logisticsCode: str
    logisticsNo: str
    buyerIdNumber: str | None = None
    lines: tuple[ReleasedLine, ...]
    releasedAt: str


class ListClosedView(Consumed):
    invtNo: str
    closedAt: str


class OrderLineView(Consumed):
    gnum: int
    itemNo: str | None = None
    itemName: str
    unit: str
    qty: Decimal


class OrderAcceptedView(Consumed):
    orderNo: str
    ieFlag: Literal["I", "E"]
    orderType: str
    ebcCode: str
    lines: tuple[OrderLineView, ...]


def _work(ctx: HandlerContext) -> LogisticsWork:
    return LogisticsWork(ctx.session, ctx.outbox)


handlers = HandlerRegistry()


def _released_list(event: ListReleasedView) -> ReleasedList:
    return ReleasedList(
        invt_no=event.invtNo,
        ie_flag=event.ieFlag,
        trade_mode=event.tradeMode,
        released_at=_time(event.releasedAt, "releasedAt"),
        lines=tuple(
            ListLine(
                gnum=line.gnum,
                gcode=line.gcode,
                gname=line.gname,
                unit=line.unit,
                qty=line.qty,
                total_price=line.totalPrice,
                unit1=line.unit1,
                qty1=line.qty1,
                unit2=line.unit2,
                qty2=line.qty2,
            )
            for line in event.lines
        ),
        order_no=event.orderNo,
        ebc_code=event.ebcCode,
        logistics_code=event.logisticsCode,
        logistics_no=event.logisticsNo,
        buyer_id_number=event.buyerIdNumber,
    )


@handlers.on(LIST_RELEASED)
async def on_list_released(event: ListReleasedView, ctx: HandlerContext) -> None:
    tag_span(orderNo=event.orderNo, invtNo=event.invtNo, logisticsNo=event.logisticsNo)
    await declaration.list_released(_work(ctx), _released_list(event))


@handlers.on(LIST_CLOSED)
async def on_list_closed(event: ListClosedView, ctx: HandlerContext) -> None:
    tag_span(invtNo=event.invtNo)
    await declaration.list_closed(_work(ctx), event.invtNo, _time(event.closedAt, "closedAt"))


@handlers.on(ORDER_ACCEPTED)
async def on_order_accepted(event: OrderAcceptedView, ctx: HandlerContext) -> None:
    if event.ieFlag != "E" or event.orderType != BOOKING_ORDER_TYPE:
        return
    tag_span(orderNo=event.orderNo)
    booking = Booking(
        order_no=event.orderNo,
        order_type=BOOKING_ORDER_TYPE,
        ebc_code=event.ebcCode,
        # The SKU of a booking line is the enterprise's item number (itemNo), else its name.
        lines=tuple(
            BookingLine(
                item_no=line.itemNo or line.itemName,
                qty=line.qty,
                item_name=line.itemName,
                unit=line.unit,
            )
            for line in event.lines
        ),
    )
    await warehouse.booking_accepted(_work(ctx), booking)


HANDLERS: dict[str, Handler] = handlers.table()
CONSUMES: dict[str, type[Consumed]] = handlers.consumes()
