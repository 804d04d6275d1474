"""The events the declaration service publishes on `cbec.declaration.v1`: its contract.

Key: the order number (``orderNo``), so every event of one order stays in order; summary events
are keyed by ``sumNo``. Field names are the customs standard's. `cbec contracts generate` turns
these classes into JSON Schemas and the AsyncAPI document under contracts/. A published event is
never edited: a change is a new version with an upcaster.
"""

from __future__ import annotations

from cbec.declaration.events.base import TOPIC, ListLine, OrderLine
from cbec.declaration.events.lists import (
    CustomsReason,
    ListAssessed,
    ListClosed,
    ListIncomplete,
    ListRejected,
    ListReleased,
    ListRevoked,
    ListStatusChanged,
    OrderAccepted,
)
from cbec.declaration.events.summary import (
    LineAssignment,
    SummaryCompleted,
    SummaryForm,
    SummaryItem,
    SummaryOverdue,
)
from cbec.shared.envelope import Event

__all__ = [
    "EVENTS",
    "TOPIC",
    "CustomsReason",
    "LineAssignment",
    "ListAssessed",
    "ListClosed",
    "ListIncomplete",
    "ListLine",
    "ListRejected",
    "ListReleased",
    "ListRevoked",
    "ListStatusChanged",
    "OrderAccepted",
    "OrderLine",
    "SummaryCompleted",
    "SummaryForm",
    "SummaryItem",
    "SummaryOverdue",
]

EVENTS: tuple[type[Event], ...] = (
    OrderAccepted,
    ListStatusChanged,
    ListReleased,
    ListRejected,
    ListAssessed,
    ListClosed,
    ListRevoked,
    ListIncomplete,
    SummaryCompleted,
    SummaryOverdue,
)
