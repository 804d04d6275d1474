"""The one-stop view of an order, folded from the events of the four services. Pure: no I/O.

    keys = keys_of("cbec.declaration.list.status_changed.v1", data)   # orders, waybill, parties
    view = fold_order("EO1", [StoredEvent(seq, type, time, data), ...])

The platform's promise to an enterprise is one place where the information, goods, funds and
tax flows of an order meet (DESIGN.md, "single access point, one-stop service"). The events
arrive on four topics with no order between topics, so the view is folded from every event of
the order at read time: whatever arrived first, the same events give the same view.

An order is kept under its number and its seller (``ebcCode``): order numbers are the
platform's or the enterprise's own (DOMAIN.md §1), so two sellers may use the same one, and each
must see only its own order. Joins: most events carry ``orderNo`` and ``ebcCode``; a settlement
names its orders in ``lines`` and its seller at the top. An event without the seller joins the
order through a link that a declaration event made, by a key it shares with it: an export
waybill (CEB505) and its movements carry no order number and join through the list's
``logisticsCode`` + ``logisticsNo`` (DOMAIN.md §2: a waybill's key is the logistics enterprise's
code and its number); tax decisions and returns through the list's ``invtNo``; an import payment
through ``orderNo`` + ``ebpCode``, the import order's key.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

PARTY_FIELDS: tuple[str, ...] = ("ebcCode", "ebpCode", "logisticsCode", "payCode", "agentCode")
"""The fields naming an enterprise in a document or event (DOMAIN.md §1)."""

ORDER_OWNER_FIELDS: tuple[str, ...] = ("ebcCode", "ebpCode")
"""The e-commerce enterprise and platform: an order's event that names no party concerns them."""

DECLARATION_TOPIC = "cbec.declaration.v1"
LOGISTICS_TOPIC = "cbec.logistics.v1"
PAYMENTS_TOPIC = "cbec.payments.v1"
TAX_TOPIC = "cbec.tax.v1"
TOPICS: tuple[str, ...] = (DECLARATION_TOPIC, LOGISTICS_TOPIC, PAYMENTS_TOPIC, TAX_TOPIC)

CUSTOMS_FEED = "customs"
TAX_FEED = "tax"
FEED_TOPICS: Mapping[str, frozenset[str]] = {
    CUSTOMS_FEED: frozenset({DECLARATION_TOPIC, LOGISTICS_TOPIC}),
    TAX_FEED: frozenset({TAX_TOPIC, PAYMENTS_TOPIC}),
}
"""Customs officers follow declarations and goods; tax officers follow tax and funds."""

DECLARATION_PREFIX = "cbec.declaration."
ORDER_ACCEPTED = "cbec.declaration.order.accepted.v1"
LIST_STATUS_CHANGED = "cbec.declaration.list.status_changed.v1"
LIST_RELEASED = "cbec.declaration.list.released.v1"
LIST_REJECTED = "cbec.declaration.list.rejected.v1"
LIST_ASSESSED = "cbec.declaration.list.assessed.v1"
LIST_CLOSED = "cbec.declaration.list.closed.v1"
LIST_REVOKED = "cbec.declaration.list.revoked.v1"
LIST_INCOMPLETE = "cbec.declaration.list.incomplete.v1"
SUMMARY_COMPLETED = "cbec.declaration.summary.completed.v1"
SUMMARY_OVERDUE = "cbec.declaration.summary.overdue.v1"
WAYBILL_ACCEPTED = "cbec.logistics.waybill.accepted.v1"
WAYBILL_DELETED = "cbec.logistics.waybill.deleted.v1"
PARCEL_MOVED = "cbec.logistics.parcel.moved.v1"
PARCEL_OVERDUE = "cbec.logistics.parcel.overdue.v1"
RETURN_COMPLETED = "cbec.logistics.return.completed.v1"
STOCK_CHANGED = "cbec.logistics.warehouse.stock_changed.v1"
PAYMENT_ACCEPTED = "cbec.payments.payment.accepted.v1"
RECEIPT_ACCEPTED = "cbec.payments.receipt.accepted.v1"
SETTLEMENT_COMPLETED = "cbec.payments.settlement.completed.v1"
FUNDS_FLAGGED = "cbec.payments.funds.flagged.v1"
IMPORT_TAX_ASSESSED = "cbec.tax.import.assessed.v1"
IMPORT_TAX_REFUSED = "cbec.tax.import.refused.v1"
QUOTA_RESTORED = "cbec.tax.quota.restored.v1"
EXEMPTION_DECIDED = "cbec.tax.export.exemption_decided.v1"
REFUND_COMPUTED = "cbec.tax.export.refund_computed.v1"

CUSTOMS_ONLY: frozenset[str] = frozenset({LIST_ASSESSED})
"""Events of customs' own counsel (the risk rules that held a list, officers' decisions and
notes): shown to customs officers (their feed, their one-stop views) and to no enterprise:
they make no receipt or webhook delivery, and an enterprise's view of the order leaves them
out (DESIGN.md, Security)."""


def for_enterprises(event_type: str) -> bool:
    """Whether an event may reach the enterprises it names (receipts, webhooks, views)."""
    return event_type not in CUSTOMS_ONLY


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


def feed_of(topic: str) -> str | None:
    """The officers' feed a topic belongs to."""
    return next((feed for feed, topics in FEED_TOPICS.items() if topic in topics), None)


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


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """One event of the order as the projection keeps it."""

    seq: int
    type: str
    time: str
    data: Mapping[str, Any]
    source: str = ""
    id: str = ""


def _without(data: Mapping[str, Any], *names: str) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k not in names}


def _owned_by(event: StoredEvent, order_no: str) -> bool:
    return event.data.get("orderNo") in (None, order_no)


def fold_order(
    order_no: str, events: Iterable[StoredEvent], *, officer: bool = False
) -> dict[str, Any]:
    """The one-stop view of an order from its events, in the feed's order (``seq``).

    An officer's view has ``customs``: customs' own reasons for the list's statuses. An
    enterprise's view is folded without the :data:`CUSTOMS_ONLY` events: not even the
    timeline says they exist."""
    ordered = sorted((e for e in events if officer or for_enterprises(e.type)), key=lambda e: e.seq)
    customs: list[dict[str, Any]] = []
    parties: dict[str, str] = {}
    ie_flag: str | None = None
    status: str | None = None
    order: dict[str, Any] | None = None
    inventory: dict[str, Any] = {}
    history: list[dict[str, Any]] = []
    payments: list[dict[str, Any]] = []
    receipts: list[dict[str, Any]] = []
    settlements: list[dict[str, Any]] = []
    waybills: dict[tuple[str, str], dict[str, Any]] = {}
    movements: list[dict[str, Any]] = []
    returns: list[dict[str, Any]] = []
    tax: dict[str, list[dict[str, Any]]] = {
        "assessments": [],
        "refusals": [],
        "quotaRestorations": [],
        "exemptions": [],
        "refunds": [],
    }
    discrepancies: list[dict[str, Any]] = []
    timeline: list[dict[str, Any]] = []

    for event in ordered:
        data = event.data
        keys = keys_of(event.type, data)
        if _owned_by(event, order_no):
            for name, code in keys.parties.items():
                parties.setdefault(name, code)
            ie_flag = ie_flag or keys.ie_flag
        status = next_status(status, event.type, keys.status)
        timeline.append({"seq": event.seq, "type": event.type, "time": event.time})
        at = {"eventId": event.id, "time": event.time} if event.id else {"time": event.time}

        if event.type == ORDER_ACCEPTED:
            order = dict(data)
        elif event.type == LIST_STATUS_CHANGED:
            inventory.update(_without(data, "returnStatus", "returnTime", "returnInfo", "orderNo"))
            history.append(
                {
                    "returnStatus": data.get("returnStatus"),
                    "returnTime": data.get("returnTime"),
                    "returnInfo": data.get("returnInfo"),
                    **at,
                }
            )
        elif event.type in (LIST_RELEASED, LIST_CLOSED):
            inventory.update(_without(data, "orderNo"))
        elif event.type == LIST_REJECTED:
            inventory.update(
                _without(data, "orderNo", "rules", "returnInfo", "returnStatus", "rejectedAt")
            )
            discrepancies.append(
                {
                    "kind": "list-rejected",
                    "rules": list(data.get("rules") or ()),
                    "returnStatus": data.get("returnStatus", "100"),
                    "returnInfo": data.get("returnInfo"),
                    "at": data.get("rejectedAt"),
                }
            )
        elif event.type == LIST_ASSESSED:
            customs.append(
                {
                    "returnStatus": data.get("returnStatus"),
                    "declarantInfo": data.get("declarantInfo"),
                    "reasons": list(data.get("reasons") or ()),
                    "at": data.get("assessedAt"),
                }
            )
        elif event.type == LIST_REVOKED:
            inventory.update(
                {"revokedAt": data.get("revokedAt"), "revokeReason": data.get("reason")}
            )
        elif event.type == LIST_INCOMPLETE:
            discrepancies.append(
                {
                    "kind": "list-incomplete",
                    "missing": list(data.get("missing") or ()),
                    "deadline": data.get("deadline"),
                    "copNo": data.get("copNo"),
                }
            )
        elif event.type == PAYMENT_ACCEPTED:
            payments.append(dict(data))
        elif event.type == RECEIPT_ACCEPTED:
            receipts.append(dict(data))
        elif event.type == SETTLEMENT_COMPLETED:
            lines = [
                dict(line)
                for line in data.get("lines") or ()
                if isinstance(line, Mapping) and line.get("orderNo") == order_no
            ]
            settlements.append({**_without(data, "lines", "documents"), "lines": lines})
        elif event.type == FUNDS_FLAGGED:
            discrepancies.append({"kind": "funds-flagged", **_without(data, "orderNo")})
        elif event.type in (WAYBILL_ACCEPTED, WAYBILL_DELETED):
            if keys.waybill is not None:
                current = waybills.setdefault(keys.waybill, {})
                current.update(data)
                current["deleted"] = event.type == WAYBILL_DELETED
        elif event.type == PARCEL_MOVED:
            movements.append(dict(data))
        elif event.type == PARCEL_OVERDUE:
            movements.append({**data, "movement": "overdue", "at": data.get("overdueSince")})
        elif event.type == RETURN_COMPLETED:
            returns.append(dict(data))
        elif event.type == IMPORT_TAX_ASSESSED:
            tax["assessments"].append(dict(data))
        elif event.type == IMPORT_TAX_REFUSED:
            tax["refusals"].append(dict(data))
        elif event.type == QUOTA_RESTORED:
            tax["quotaRestorations"].append(dict(data))
        elif event.type == EXEMPTION_DECIDED:
            tax["exemptions"].append(dict(data))
        elif event.type == REFUND_COMPUTED:
            tax["refunds"].append(dict(data))

    if inventory or history:
        inventory["status"] = status if status != ORDER_ACCEPTED_STATUS else None
        inventory["receipts"] = history
    view: dict[str, Any] = {
        "orderNo": order_no,
        "ieFlag": ie_flag,
        "status": status,
        "parties": parties,
        "order": order,
        "list": inventory or None,
        "funds": {"payments": payments, "receipts": receipts, "settlements": settlements},
        "logistics": {
            "waybills": list(waybills.values()),
            "movements": movements,
            "returns": returns,
        },
        "tax": tax,
        "discrepancies": discrepancies,
        "events": timeline,
    }
    if officer:
        view["customs"] = customs
    return view


def receipt_parties(keys: EventKeys, order_owners: Sequence[str]) -> list[str]:
    """The enterprises an event concerns: the codes in its party fields; an order's event that
    names none (a funds flag, a tax bill) concerns the order's e-commerce enterprise and
    platform."""
    codes = list(dict.fromkeys(keys.parties.values()))
    if not codes:
        codes = list(dict.fromkeys(order_owners))
    return codes
