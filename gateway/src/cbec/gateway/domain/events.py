"""The events the gateway reads from the four services, and which officers' feed each joins.

feed_of("cbec.declaration.v1")            # "customs"
for_enterprises(LIST_ASSESSED)            # False: customs' own counsel
"""

from __future__ import annotations

from collections.abc import Mapping

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


def feed_of(topic: str) -> str | None:
    """The officers' feed a topic belongs to."""
    return next((feed for feed, topics in FEED_TOPICS.items() if topic in topics), None)
