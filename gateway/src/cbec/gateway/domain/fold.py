"""The one-stop view of an order, folded from the events of the four services. Pure: no I/O.

    view = fold_order("EO1", [StoredEvent(seq, type, time, data), ...])

The platform's promise to an enterprise is one place where the information, goods, funds and
tax flows of an order meet (DESIGN.md, "single access point, one-stop service"). The events
arrive on four topics with no order between topics, so the view is folded from every event of
the order at read time: whatever arrived first, the same events give the same view. Each family
of events (the order, its list, funds, goods, tax) has its own folding function below; the
table at the bottom says which function folds which event type.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cbec.gateway.domain.events import (
    EXEMPTION_DECIDED,
    FUNDS_FLAGGED,
    IMPORT_TAX_ASSESSED,
    IMPORT_TAX_REFUSED,
    LIST_ASSESSED,
    LIST_CLOSED,
    LIST_INCOMPLETE,
    LIST_REJECTED,
    LIST_RELEASED,
    LIST_REVOKED,
    LIST_STATUS_CHANGED,
    ORDER_ACCEPTED,
    PARCEL_MOVED,
    PARCEL_OVERDUE,
    PAYMENT_ACCEPTED,
    QUOTA_RESTORED,
    RECEIPT_ACCEPTED,
    REFUND_COMPUTED,
    RETURN_COMPLETED,
    SETTLEMENT_COMPLETED,
    WAYBILL_ACCEPTED,
    WAYBILL_DELETED,
    for_enterprises,
)
from cbec.gateway.domain.joins import ORDER_ACCEPTED_STATUS, EventKeys, keys_of, next_status


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


def _tax_lists() -> dict[str, list[dict[str, Any]]]:
    return {
        "assessments": [],
        "refusals": [],
        "quotaRestorations": [],
        "exemptions": [],
        "refunds": [],
    }


@dataclass
class OrderFold:
    """What the events of one order have said so far."""

    order_no: str
    customs: list[dict[str, Any]] = field(default_factory=list)
    parties: dict[str, str] = field(default_factory=dict)
    ie_flag: str | None = None
    status: str | None = None
    order: dict[str, Any] | None = None
    inventory: dict[str, Any] = field(default_factory=dict)
    history: list[dict[str, Any]] = field(default_factory=list)
    payments: list[dict[str, Any]] = field(default_factory=list)
    receipts: list[dict[str, Any]] = field(default_factory=list)
    settlements: list[dict[str, Any]] = field(default_factory=list)
    waybills: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    movements: list[dict[str, Any]] = field(default_factory=list)
    returns: list[dict[str, Any]] = field(default_factory=list)
    tax: dict[str, list[dict[str, Any]]] = field(default_factory=_tax_lists)
    discrepancies: list[dict[str, Any]] = field(default_factory=list)
    timeline: list[dict[str, Any]] = field(default_factory=list)


Folder = Callable[[OrderFold, StoredEvent, EventKeys], None]


# -- the order and its list (declaration) -------------------------------------------------------


def _order_accepted(fold: OrderFold, event: StoredEvent, _keys: EventKeys) -> None:
    fold.order = dict(event.data)


def _list_status_changed(fold: OrderFold, event: StoredEvent, _keys: EventKeys) -> None:
    data = event.data
    at = {"eventId": event.id, "time": event.time} if event.id else {"time": event.time}
    fold.inventory.update(_without(data, "returnStatus", "returnTime", "returnInfo", "orderNo"))
    fold.history.append(
        {
            "returnStatus": data.get("returnStatus"),
            "returnTime": data.get("returnTime"),
            "returnInfo": data.get("returnInfo"),
            **at,
        }
    )


def _list_released_or_closed(fold: OrderFold, event: StoredEvent, _keys: EventKeys) -> None:
    fold.inventory.update(_without(event.data, "orderNo"))


def _list_rejected(fold: OrderFold, event: StoredEvent, _keys: EventKeys) -> None:
    data = event.data
    fold.inventory.update(
        _without(data, "orderNo", "rules", "returnInfo", "returnStatus", "rejectedAt")
    )
    fold.discrepancies.append(
        {
            "kind": "list-rejected",
            "rules": list(data.get("rules") or ()),
            "returnStatus": data.get("returnStatus", "100"),
            "returnInfo": data.get("returnInfo"),
            "at": data.get("rejectedAt"),
        }
    )


def _list_assessed(fold: OrderFold, event: StoredEvent, _keys: EventKeys) -> None:
    data = event.data
    fold.customs.append(
        {
            "returnStatus": data.get("returnStatus"),
            "declarantInfo": data.get("declarantInfo"),
            "reasons": list(data.get("reasons") or ()),
            "at": data.get("assessedAt"),
        }
    )


def _list_revoked(fold: OrderFold, event: StoredEvent, _keys: EventKeys) -> None:
    data = event.data
    fold.inventory.update({"revokedAt": data.get("revokedAt"), "revokeReason": data.get("reason")})


def _list_incomplete(fold: OrderFold, event: StoredEvent, _keys: EventKeys) -> None:
    data = event.data
    fold.discrepancies.append(
        {
            "kind": "list-incomplete",
            "missing": list(data.get("missing") or ()),
            "deadline": data.get("deadline"),
            "copNo": data.get("copNo"),
        }
    )


# -- funds (payments) ---------------------------------------------------------------------------


def _payment_accepted(fold: OrderFold, event: StoredEvent, _keys: EventKeys) -> None:
    fold.payments.append(dict(event.data))


def _receipt_accepted(fold: OrderFold, event: StoredEvent, _keys: EventKeys) -> None:
    fold.receipts.append(dict(event.data))


def _settlement_completed(fold: OrderFold, event: StoredEvent, _keys: EventKeys) -> None:
    data = event.data
    lines = [
        dict(line)
        for line in data.get("lines") or ()
        if isinstance(line, Mapping) and line.get("orderNo") == fold.order_no
    ]
    fold.settlements.append({**_without(data, "lines", "documents"), "lines": lines})


def _funds_flagged(fold: OrderFold, event: StoredEvent, _keys: EventKeys) -> None:
    fold.discrepancies.append({"kind": "funds-flagged", **_without(event.data, "orderNo")})


# -- goods (logistics) --------------------------------------------------------------------------


def _waybill(fold: OrderFold, event: StoredEvent, keys: EventKeys) -> None:
    if keys.waybill is not None:
        current = fold.waybills.setdefault(keys.waybill, {})
        current.update(event.data)
        current["deleted"] = event.type == WAYBILL_DELETED


def _parcel_moved(fold: OrderFold, event: StoredEvent, _keys: EventKeys) -> None:
    fold.movements.append(dict(event.data))


def _parcel_overdue(fold: OrderFold, event: StoredEvent, _keys: EventKeys) -> None:
    data = event.data
    fold.movements.append({**data, "movement": "overdue", "at": data.get("overdueSince")})


def _return_completed(fold: OrderFold, event: StoredEvent, _keys: EventKeys) -> None:
    fold.returns.append(dict(event.data))


# -- tax ----------------------------------------------------------------------------------------


def _tax(section: str) -> Folder:
    def fold_tax(fold: OrderFold, event: StoredEvent, _keys: EventKeys) -> None:
        fold.tax[section].append(dict(event.data))

    return fold_tax


FOLDERS: Mapping[str, Folder] = {
    ORDER_ACCEPTED: _order_accepted,
    LIST_STATUS_CHANGED: _list_status_changed,
    LIST_RELEASED: _list_released_or_closed,
    LIST_CLOSED: _list_released_or_closed,
    LIST_REJECTED: _list_rejected,
    LIST_ASSESSED: _list_assessed,
    LIST_REVOKED: _list_revoked,
    LIST_INCOMPLETE: _list_incomplete,
    PAYMENT_ACCEPTED: _payment_accepted,
    RECEIPT_ACCEPTED: _receipt_accepted,
    SETTLEMENT_COMPLETED: _settlement_completed,
    FUNDS_FLAGGED: _funds_flagged,
    WAYBILL_ACCEPTED: _waybill,
    WAYBILL_DELETED: _waybill,
    PARCEL_MOVED: _parcel_moved,
    PARCEL_OVERDUE: _parcel_overdue,
    RETURN_COMPLETED: _return_completed,
    IMPORT_TAX_ASSESSED: _tax("assessments"),
    IMPORT_TAX_REFUSED: _tax("refusals"),
    QUOTA_RESTORED: _tax("quotaRestorations"),
    EXEMPTION_DECIDED: _tax("exemptions"),
    REFUND_COMPUTED: _tax("refunds"),
}
"""Which function folds which event type into the view; other types only join the timeline."""


def _fold_event(fold: OrderFold, event: StoredEvent) -> None:
    keys = keys_of(event.type, event.data)
    if _owned_by(event, fold.order_no):
        for name, code in keys.parties.items():
            fold.parties.setdefault(name, code)
        fold.ie_flag = fold.ie_flag or keys.ie_flag
    fold.status = next_status(fold.status, event.type, keys.status)
    fold.timeline.append({"seq": event.seq, "type": event.type, "time": event.time})
    folder = FOLDERS.get(event.type)
    if folder is not None:
        folder(fold, event, keys)


def _view(fold: OrderFold, *, officer: bool) -> dict[str, Any]:
    inventory = fold.inventory
    if inventory or fold.history:
        inventory["status"] = fold.status if fold.status != ORDER_ACCEPTED_STATUS else None
        inventory["receipts"] = fold.history
    view: dict[str, Any] = {
        "orderNo": fold.order_no,
        "ieFlag": fold.ie_flag,
        "status": fold.status,
        "parties": fold.parties,
        "order": fold.order,
        "list": inventory or None,
        "funds": {
            "payments": fold.payments,
            "receipts": fold.receipts,
            "settlements": fold.settlements,
        },
        "logistics": {
            "waybills": list(fold.waybills.values()),
            "movements": fold.movements,
            "returns": fold.returns,
        },
        "tax": fold.tax,
        "discrepancies": fold.discrepancies,
        "events": fold.timeline,
    }
    if officer:
        view["customs"] = fold.customs
    return view


def fold_order(
    order_no: str, events: Iterable[StoredEvent], *, officer: bool = False
) -> dict[str, Any]:
    """The one-stop view of an order from its events, in the feed's order (``seq``).

    An officer's view has ``customs``: customs' own reasons for the list's statuses. An
    enterprise's view is folded without the customs-only events: not even the timeline says
    they exist."""
    ordered = sorted((e for e in events if officer or for_enterprises(e.type)), key=lambda e: e.seq)
    fold = OrderFold(order_no)
    for event in ordered:
        _fold_event(fold, event)
    return _view(fold, officer=officer)
