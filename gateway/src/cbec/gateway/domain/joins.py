"""What an event is joined by: its orders and seller, its waybill, its links, its parties.

    keys = keys_of("cbec.declaration.list.status_changed.v1", data)   # orders, waybill, parties

An order is kept under its number and its seller (``ebcCode``): order numbers are the
platform's or the enterprise's own (DOMAIN.md §1), so two sellers may use the same one, and each
must see only its own order. Joins: most events carry ``orderNo`` and ``ebcCode``; a settlement
names its orders in ``lines`` and its seller at the top. An event without the seller joins the
order through a link that a declaration event made, by a key it shares with it: an export
waybill (CEB505) and its movements carry no order number and join through the list's
``logisticsCode`` + ``logisticsNo`` (DOMAIN.md §2: a waybill's key is the logistics enterprise's
code and its number); tax decisions and returns through the list's ``invtNo``; an import payment
through ``orderNo`` + ``ebpCode``, the import order's key. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cbec.gateway.domain.events import (
    DECLARATION_PREFIX,
    LIST_CLOSED,
    LIST_REJECTED,
    LIST_RELEASED,
    LIST_REVOKED,
    LIST_STATUS_CHANGED,
    ORDER_ACCEPTED,
    SETTLEMENT_COMPLETED,
)

PARTY_FIELDS: tuple[str, ...] = ("ebcCode", "ebpCode", "logisticsCode", "payCode", "agentCode")
"""The fields naming an enterprise in a document or event (DOMAIN.md §1)."""

ORDER_OWNER_FIELDS: tuple[str, ...] = ("ebcCode", "ebpCode")
"""The e-commerce enterprise and platform: an order's event that names no party concerns them."""

ORDER_ACCEPTED_STATUS = "order-accepted"
"""Status of an order whose list has no receipt yet."""
REVOKED_STATUS = "revoked"
"""Status of a list withdrawn by a revocation (CEB605/CEB623); the standard has no code."""

_LIST_STATUS: Mapping[str, str] = {
    LIST_RELEASED: "800",  # released (放行), DOMAIN.md §3
    LIST_CLOSED: "899",  # closed (结关)
    LIST_REJECTED: "100",  # rejected (退单)
    LIST_REVOKED: REVOKED_STATUS,
}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


OrderKey = tuple[str, str]
"""(orderNo, ebcCode): an order in the projection."""


def waybill_link(logistics_code: str, logistics_no: str) -> str:
    return f"W|{logistics_code}|{logistics_no}"


def list_link(invt_no: str) -> str:
    return f"I|{invt_no}"


def platform_link(ebp_code: str, order_no: str) -> str:
    return f"P|{ebp_code}|{order_no}"


@dataclass(frozen=True, slots=True)
class EventKeys:
    """What an event is joined by: its orders, its waybill, the enterprises it names."""

    order_nos: tuple[str, ...] = ()
    seller: str | None = None
    """The order's e-commerce enterprise (``ebcCode``), when the event names it."""
    waybill: tuple[str, str] | None = None
    """(logisticsCode, logisticsNo) of the waybill the event concerns."""
    links: tuple[str, ...] = ()
    """Keys it shares with its order (waybill, invtNo, ebpCode + orderNo), most telling first:
    what joins it to its order when it does not name the seller."""
    provides: tuple[str, ...] = ()
    """The links a declaration event makes: the order it names owns these keys."""
    parties: Mapping[str, str] = field(default_factory=dict)
    """Party field → enterprise code, for the fields the event carries."""
    ie_flag: str | None = None
    status: str | None = None
    """The order's new status when the event changes it."""
    return_status: str | None = None
    return_info: str | None = None

    @property
    def orders(self) -> tuple[OrderKey, ...]:
        """The orders the event names with their seller; none when it does not name one."""
        if self.seller is None:
            return ()
        return tuple((order_no, self.seller) for order_no in self.order_nos)


def keys_of(event_type: str, data: Mapping[str, Any]) -> EventKeys:
    """The join keys and parties of one event's data."""
    orders: list[str] = []
    order_no = _text(data.get("orderNo"))
    if order_no:
        orders.append(order_no)
    if event_type == SETTLEMENT_COMPLETED:
        for line in data.get("lines") or ():
            line_order = _text(line.get("orderNo")) if isinstance(line, Mapping) else None
            if line_order and line_order not in orders:
                orders.append(line_order)
    logistics_code = _text(data.get("logisticsCode"))
    logistics_no = _text(data.get("logisticsNo"))
    waybill = (logistics_code, logistics_no) if logistics_code and logistics_no else None
    parties = {name: code for name in PARTY_FIELDS if (code := _text(data.get(name)))}
    status: str | None = None
    if event_type == LIST_STATUS_CHANGED:
        status = _text(data.get("returnStatus"))
    elif event_type in _LIST_STATUS:
        status = _text(data.get("returnStatus")) or _LIST_STATUS[event_type]
        if event_type in (LIST_RELEASED, LIST_CLOSED, LIST_REVOKED):
            status = _LIST_STATUS[event_type]
    elif event_type == ORDER_ACCEPTED:
        status = ORDER_ACCEPTED_STATUS
    ie_flag = _text(data.get("ieFlag"))
    seller = _text(data.get("ebcCode"))
    invt_no = _text(data.get("invtNo"))
    ebp_code = _text(data.get("ebpCode"))
    links: list[str] = []
    if waybill is not None:
        links.append(waybill_link(*waybill))
    if invt_no:
        links.append(list_link(invt_no))
    if ebp_code and order_no:
        links.append(platform_link(ebp_code, order_no))
    # Only the declaration service's events say which order a waybill, a list number or an
    # import order's key belongs to: it accepted the order and the list from their filers.
    decides = event_type.startswith(DECLARATION_PREFIX) and seller is not None
    return EventKeys(
        order_nos=tuple(orders),
        seller=seller,
        waybill=waybill,
        links=tuple(links),
        provides=tuple(links) if decides and order_no else (),
        parties=parties,
        ie_flag=ie_flag if ie_flag in ("I", "E") else None,
        status=status,
        return_status=_text(data.get("returnStatus")),
        return_info=_text(data.get("returnInfo")),
    )


def next_status(current: str | None, event_type: str, status: str | None) -> str | None:
    """An order's status after an event: the list's latest receipt; an accepted order only
    counts while no list receipt has come (a changed order does not undo a release)."""
    if status is None:
        return current
    if status == ORDER_ACCEPTED_STATUS:
        return current or status
    return status


def receipt_parties(keys: EventKeys, order_owners: Sequence[str]) -> list[str]:
    """The enterprises an event concerns: the codes in its party fields; an order's event that
    names none (a funds flag, a tax bill) concerns the order's e-commerce enterprise and
    platform."""
    codes = list(dict.fromkeys(keys.parties.values()))
    if not codes:
        codes = list(dict.fromkeys(order_owners))
    return codes
