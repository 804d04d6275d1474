"""Consumers of the payments service: the order ledger from the declaration service's events.

Each consumer keeps its own tolerant model of the fields it reads (unknown fields ignored);
the contract test holds these models against the declaration service's published examples.

| event | use case |
| --- | --- |
| ``cbec.declaration.order.accepted.v1`` | :func:`services.record_order`: amounts, currency, buyer |
| ``cbec.declaration.list.released.v1`` | :func:`services.record_release`: list number, buyer |
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import field_validator

from cbec.payments import services
from cbec.shared.bus import Handler, HandlerContext
from cbec.shared.envelope import Consumed

ORDER_ACCEPTED = "cbec.declaration.order.accepted.v1"
LIST_RELEASED = "cbec.declaration.list.released.v1"
DECLARATION_TOPIC = "cbec.declaration.v1"


def _aware(value: datetime) -> datetime:
    """A time without a zone is a customs time: China Standard Time."""
    return value if value.tzinfo is not None else services.from_local(value)


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
    acceptedAt: datetime

    @field_validator("acceptedAt")
    @classmethod
    def _customs_time_is_cst(cls, value: datetime) -> datetime:
        return _aware(value)


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
    releasedAt: datetime

    @field_validator("releasedAt")
    @classmethod
    def _customs_time_is_cst(cls, value: datetime) -> datetime:
        return _aware(value)


async def on_order_accepted(ctx: HandlerContext) -> None:
    event = ctx.parse(OrderAcceptedView)
    await services.record_order(
        ctx.session,
        services.OrderSeen(
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
            buyer_id_type=event.buyerIdType,
            buyer_id_number=event.buyerIdNumber,
            buyer_name=event.buyerName,
            accepted_at=event.acceptedAt,
        ),
        now=services.utcnow(),
    )


async def on_list_released(ctx: HandlerContext) -> None:
    event = ctx.parse(ListReleasedView)
    await services.record_release(
        ctx.session,
        services.ListSeen(
            order_no=event.orderNo,
            ie_flag=event.ieFlag,
            ebp_code=event.ebpCode,
            ebc_code=event.ebcCode,
            invt_no=event.invtNo,
            released_at=event.releasedAt,
            buyer_id_type=event.buyerIdType,
            buyer_id_number=event.buyerIdNumber,
            buyer_name=event.buyerName,
        ),
        now=services.utcnow(),
    )


HANDLERS: dict[str, Handler] = {
    ORDER_ACCEPTED: on_order_accepted,
    LIST_RELEASED: on_list_released,
}

CONSUMES: dict[str, type[Consumed]] = {
    ORDER_ACCEPTED: OrderAcceptedView,
    LIST_RELEASED: ListReleasedView,
}
