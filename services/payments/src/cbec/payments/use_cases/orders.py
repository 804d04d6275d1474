"""The order ledger, from the declaration service's events: accepted orders, released lists."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from cbec.payments.domain.ledger import ListSeen, OrderSeen
from cbec.payments.unit_of_work import PaymentsWork
from cbec.shared.telemetry import tag_span


async def record_order(work: PaymentsWork, order: OrderSeen, *, now: datetime) -> None:
    """Put an accepted (new or changed) order on the ledger."""
    tag_span(orderNo=order.order_no, ebcCode=order.ebc_code)
    await work.orders.find(order.ie_flag, order.order_no, order.party_code)
    work.orders.put(order, now=now)


async def record_release(work: PaymentsWork, released: ListSeen, *, now: datetime) -> bool:
    """Note the released list on the order's ledger; False when the order is not on it."""
    tag_span(orderNo=released.order_no, invtNo=released.invt_no)
    order = await work.orders.find(released.ie_flag, released.order_no, released.party_code)
    if order is None:
        return False
    noted = replace(
        order,
        invt_no=released.invt_no,
        released_at=released.released_at,
        buyer=order.buyer.after_release(released.buyer),
    )
    work.orders.note_release(noted, now=now)
    return True
