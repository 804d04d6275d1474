"""Consumers of the gateway: every event of the four services, into its projection.

One consumer group reads ``cbec.declaration.v1``, ``cbec.logistics.v1``, ``cbec.payments.v1``
and ``cbec.tax.v1``. Each event is checked against the gateway's own tolerant model of the
fields it joins and shows (unknown fields ignored; the contract test holds these models against
the producers' examples), then :func:`views.record_event` keeps it for the one-stop views, the
enterprises' receipts and webhooks, and the officers' feeds.

| events | what the gateway reads |
| --- | --- |
| declaration orders and lists | order number, seller, parties, list numbers, receipts, rules |
| declaration list assessments | customs' own reasons: officers' feed and views only |
| logistics waybills and movements | waybill key (an export waybill has no order number) |
| payments vouchers, receipts, settlements, flags | order number(s), seller or platform, amounts |
| tax bills, refusals, quota, exemptions, refunds | order number, list number, decision |

An order is its number and its seller (``ebcCode``); an event that does not name the seller
joins its order by its waybill, list number or import order key (:mod:`cbec.gateway.onestop`).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Literal

from cbec.gateway import onestop, views
from cbec.shared.bus import Handler, HandlerContext
from cbec.shared.envelope import Consumed

TOPICS = onestop.TOPICS
IeFlag = Literal["I", "E"]


class _Parties(Consumed):
    ebcCode: str | None = None
    ebpCode: str | None = None
    logisticsCode: str | None = None
    payCode: str | None = None
    agentCode: str | None = None


class OrderAcceptedView(_Parties):
    orderNo: str
    ieFlag: IeFlag
    ebcCode: str
    ebpCode: str
    goodsValue: Decimal
    freight: Decimal
    currency: str
    acceptedAt: str


class ListStatusView(_Parties):
    orderNo: str
    ieFlag: IeFlag
    copNo: str
    invtNo: str | None = None
    preNo: str | None = None
    ebcCode: str
    logisticsCode: str
    logisticsNo: str
    returnStatus: str
    returnTime: str
    returnInfo: str


class ListReleasedView(_Parties):
    orderNo: str
    ieFlag: IeFlag
    copNo: str
    invtNo: str
    ebcCode: str
    logisticsCode: str
    logisticsNo: str
    releasedAt: str


class ListRejectedView(_Parties):
    orderNo: str
    ieFlag: IeFlag
    copNo: str
    ebcCode: str
    rules: tuple[str, ...]
    returnInfo: str
    rejectedAt: str


class CustomsReasonView(Consumed):
    kind: str
    detail: str


class ListAssessedView(_Parties):
    """Customs' own reasons: kept for the officers' feed and views, no enterprise's receipt."""

    orderNo: str
    copNo: str
    returnStatus: str
    reasons: tuple[CustomsReasonView, ...]
    assessedAt: str


class ListClosedView(ListReleasedView):
    closedAt: str


class ListRevokedView(_Parties):
    orderNo: str
    invtNo: str
    ebcCode: str
    revokedAt: str


class ListIncompleteView(_Parties):
    orderNo: str
    copNo: str
    ebcCode: str
    missing: tuple[str, ...]
    deadline: str


class SummaryView(_Parties):
    sumNo: str
    ebcCode: str
    period: str


class WaybillView(_Parties):
    logisticsCode: str
    logisticsNo: str
    ieFlag: IeFlag
    orderNo: str | None = None


class ParcelMovedView(_Parties):
    logisticsCode: str
    logisticsNo: str
    movement: str
    orderNo: str | None = None
    at: str


class ParcelOverdueView(_Parties):
    logisticsCode: str
    logisticsNo: str
    overdueSince: str


class ReturnCompletedView(_Parties):
    orderNo: str
    invtNo: str
    withinWindow: bool
    amount: Decimal
    receivedAt: str


class StockChangedView(_Parties):
    ebcCode: str
    warehouseCode: str
    itemNo: str
    orderNo: str | None = None


class PaymentAcceptedView(_Parties):
    orderNo: str
    payCode: str
    payTransactionId: str
    amountPaid: Decimal
    currency: str


class ReceiptAcceptedView(_Parties):
    orderNo: str
    ebcCode: str
    charge: Decimal
    currency: str


class SettledLineView(Consumed):
    orderNo: str
    amount: Decimal


class SettlementView(_Parties):
    settlementId: str
    payCode: str
    ebcCode: str
    net: Decimal
    lines: tuple[SettledLineView, ...] | None = None


class FundsFlaggedView(_Parties):
    orderNo: str
    flag: str
    detail: str


class TaxAssessedView(Consumed):
    orderNo: str
    invtNo: str
    taxNo: str
    total: Decimal


class TaxRefusedView(Consumed):
    orderNo: str
    returnStatus: str
    returnInfo: str


class QuotaRestoredView(Consumed):
    orderNo: str
    invtNo: str
    restored: Decimal


class ExemptionView(_Parties):
    orderNo: str
    invtNo: str
    exempt: bool
    reasons: tuple[str, ...]


class RefundView(_Parties):
    orderNo: str
    invtNo: str
    refund: Decimal


CONSUMES: Mapping[str, type[Consumed]] = {
    onestop.ORDER_ACCEPTED: OrderAcceptedView,
    onestop.LIST_STATUS_CHANGED: ListStatusView,
    onestop.LIST_RELEASED: ListReleasedView,
    onestop.LIST_REJECTED: ListRejectedView,
    onestop.LIST_ASSESSED: ListAssessedView,
    onestop.LIST_CLOSED: ListClosedView,
    onestop.LIST_REVOKED: ListRevokedView,
    onestop.LIST_INCOMPLETE: ListIncompleteView,
    onestop.SUMMARY_COMPLETED: SummaryView,
    onestop.SUMMARY_OVERDUE: SummaryView,
    onestop.WAYBILL_ACCEPTED: WaybillView,
    onestop.WAYBILL_DELETED: WaybillView,
    onestop.PARCEL_MOVED: ParcelMovedView,
    onestop.PARCEL_OVERDUE: ParcelOverdueView,
    onestop.RETURN_COMPLETED: ReturnCompletedView,
    onestop.STOCK_CHANGED: StockChangedView,
    onestop.PAYMENT_ACCEPTED: PaymentAcceptedView,
    onestop.RECEIPT_ACCEPTED: ReceiptAcceptedView,
    onestop.SETTLEMENT_COMPLETED: SettlementView,
    onestop.FUNDS_FLAGGED: FundsFlaggedView,
    onestop.IMPORT_TAX_ASSESSED: TaxAssessedView,
    onestop.IMPORT_TAX_REFUSED: TaxRefusedView,
    onestop.QUOTA_RESTORED: QuotaRestoredView,
    onestop.EXEMPTION_DECIDED: ExemptionView,
    onestop.REFUND_COMPUTED: RefundView,
}
"""The gateway's tolerant model of each event it reads (checked by the contract test)."""


def _handler(model: type[Consumed]) -> Handler:
    async def on_event(ctx: HandlerContext) -> None:
        ctx.parse(model)  # a payload that breaks the contract goes to the DLQ with the reason
        await views.record_event(ctx.session, ctx.envelope, topic=ctx.topic)

    on_event.__name__ = f"on_{model.__name__}"
    return on_event


HANDLERS: Mapping[str, Handler] = {
    event_type: _handler(model) for event_type, model in CONSUMES.items()
}
