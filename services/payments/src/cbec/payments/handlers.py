"""Consumers of the payments service: the order ledger from the declaration service's events.

Each consumer keeps its own tolerant model of the fields it reads (unknown fields ignored);
the contract test holds these models against the declaration service's published examples.

| event | use case |
| --- | --- |
| ``cbec.declaration.order.accepted.v1`` | :func:`orders.record_order`: amounts, currency, buyer |
| ``cbec.declaration.list.released.v1`` | :func:`orders.record_release`: list number, buyer |
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator

from cbec.payments.domain.ledger import Buyer, ListSeen, OrderSeen
from cbec.payments.domain.times import from_customs_time
from cbec.payments.unit_of_work import PaymentsWork
from cbec.payments.use_cases import orders
from cbec.shared.bus import Handler, HandlerContext
from cbec.shared.clock import utcnow
from cbec.shared.envelope import Consumed
from cbec.shared.handlers import HandlerRegistry

ORDER_ACCEPTED = "cbec.declaration.order.accepted.v1"
LIST_RELEASED = "cbec.declaration.list.released.v1"
DECLARATION_TOPIC = "cbec.declaration.v1"

handlers = HandlerRegistry()

CustomsMoment = Annotated[datetime, AfterValidator(from_customs_time)]
"""A time without a zone is a customs time: China Standard Time."""


class OrderAcceptedView(Consumed):
    """What the ledger reads of an accepted order (CEB303 export / CEB311 import)."""

    orderNo: str
    ieFlag: Literal["I", "E"]
    orderType: str
    ebpCode: str
    ebcCode: str
    currency: str
    goodsValue: Decimal
    freight: Decimal
    discount: Decimal | None = None
    taxTotal: Decimal | None = None
    acturalPaid: Decimal | None = None
    buyerIdType: str | None = None
    buyerIdNumber: str | None = None
    buyerName: str | None = None
    acceptedAt: CustomsMoment


class ListReleasedView(Consumed):
    """What the ledger reads of a released list."""

    orderNo: str
    ieFlag: Literal["I", "E"]
    invtNo: str
    ebpCode: str
    ebcCode: str
    buyerIdType: str | None = None
    buyerIdNumber: str | None = None
    buyerName: str | None = None
    releasedAt: CustomsMoment


@handlers.on(ORDER_ACCEPTED)
async def on_order_accepted(event: OrderAcceptedView, ctx: HandlerContext) -> None:
    order = OrderSeen(
        order_no=event.orderNo,
        ie_flag=event.ieFlag,
        order_type=event.orderType,
        ebp_code=event.ebpCode,
        ebc_code=event.ebcCode,
        currency=event.currency,
        goods_value=event.goodsValue,
        freight=event.freight,
        discount=event.discount,
        tax_total=event.taxTotal,
        actural_paid=event.acturalPaid,
        buyer=Buyer(event.buyerIdType, event.buyerIdNumber, event.buyerName),
        accepted_at=event.acceptedAt,
    )
    await orders.record_order(PaymentsWork(ctx.session, ctx.outbox), order, now=utcnow())


@handlers.on(LIST_RELEASED)
async def on_list_released(event: ListReleasedView, ctx: HandlerContext) -> None:
    released = ListSeen(
        order_no=event.orderNo,
        ie_flag=event.ieFlag,
        ebp_code=event.ebpCode,
        ebc_code=event.ebcCode,
        invt_no=event.invtNo,
        released_at=event.releasedAt,
        buyer=Buyer(event.buyerIdType, event.buyerIdNumber, event.buyerName),
    )
    await orders.record_release(PaymentsWork(ctx.session, ctx.outbox), released, now=utcnow())


HANDLERS: dict[str, Handler] = handlers.table()
CONSUMES: dict[str, type[Consumed]] = handlers.consumes()
