"""Consumers of the gateway: every event of the four services, into its projection.

One consumer group reads ``cbec.declaration.v1``, ``cbec.logistics.v1``, ``cbec.payments.v1``
and ``cbec.tax.v1``. Each event is checked against the gateway's own tolerant model of the
fields it joins and shows (unknown fields ignored; the contract test holds these models against
the producers' examples), then :func:`~cbec.gateway.use_cases.projection.record_events` keeps
it for the one-stop views, the enterprises' receipts and webhooks, and the officers' feeds.

| events | what the gateway reads |
| --- | --- |
| declaration orders and lists | order number, seller, parties, list numbers, receipts, rules |
| declaration list assessments | customs' own reasons: officers' feed and views only |
| logistics waybills and movements | waybill key (an export waybill has no order number) |
| payments vouchers, receipts, settlements, flags | order number(s), seller or platform, amounts |
| tax bills, refusals, quota, exemptions, refunds | order number, list number, decision |

An order is its number and its seller (``ebcCode``); an event that does not name the seller
joins its order by its waybill, list number or import order key (:mod:`cbec.gateway.domain.joins`).

Each event type has its handler below, registered on the
:class:`~cbec.shared.handlers.HandlerRegistry` with its model as its parameter.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Literal

from cbec.gateway import domain
from cbec.gateway.use_cases import projection
from cbec.shared.bus import Handler, HandlerContext
from cbec.shared.envelope import Consumed
from cbec.shared.handlers import HandlerRegistry

TOPICS = domain.TOPICS
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


handlers = HandlerRegistry()


async def _keep(ctx: HandlerContext) -> None:
    """Every event the gateway reads is kept whole, with the other events of its fetch (one
    unit of work, written when the consumer flushes its transaction); its model (parsed by
    the registry first) sends a payload that breaks the contract to the DLQ with the reason."""
    ctx.batched(projection.Projection).add(ctx.envelope, ctx.topic)


@handlers.on(domain.ORDER_ACCEPTED)
async def order_accepted(_event: OrderAcceptedView, ctx: HandlerContext) -> None:
    await _keep(ctx)


@handlers.on(domain.LIST_STATUS_CHANGED)
async def list_status_changed(_event: ListStatusView, ctx: HandlerContext) -> None:
    await _keep(ctx)


@handlers.on(domain.LIST_RELEASED)
async def list_released(_event: ListReleasedView, ctx: HandlerContext) -> None:
    await _keep(ctx)


@handlers.on(domain.LIST_REJECTED)
async def list_rejected(_event: ListRejectedView, ctx: HandlerContext) -> None:
    await _keep(ctx)


@handlers.on(domain.LIST_ASSESSED)
async def list_assessed(_event: ListAssessedView, ctx: HandlerContext) -> None:
    await _keep(ctx)


@handlers.on(domain.LIST_CLOSED)
async def list_closed(_event: ListClosedView, ctx: HandlerContext) -> None:
    await _keep(ctx)


@handlers.on(domain.LIST_REVOKED)
async def list_revoked(_event: ListRevokedView, ctx: HandlerContext) -> None:
    await _keep(ctx)


@handlers.on(domain.LIST_INCOMPLETE)
async def list_incomplete(_event: ListIncompleteView, ctx: HandlerContext) -> None:
    await _keep(ctx)


@handlers.on(domain.SUMMARY_COMPLETED)
async def summary_completed(_event: SummaryView, ctx: HandlerContext) -> None:
    await _keep(ctx)


@handlers.on(domain.SUMMARY_OVERDUE)
async def summary_overdue(_event: SummaryView, ctx: HandlerContext) -> None:
    await _keep(ctx)


@handlers.on(domain.WAYBILL_ACCEPTED)
async def waybill_accepted(_event: WaybillView, ctx: HandlerContext) -> None:
    await _keep(ctx)


@handlers.on(domain.WAYBILL_DELETED)
async def waybill_deleted(_event: WaybillView, ctx: HandlerContext) -> None:
    await _keep(ctx)


@handlers.on(domain.PARCEL_MOVED)
async def parcel_moved(_event: ParcelMovedView, ctx: HandlerContext) -> None:
    await _keep(ctx)


@handlers.on(domain.PARCEL_OVERDUE)
async def parcel_overdue(_event: ParcelOverdueView, ctx: HandlerContext) -> None:
    await _keep(ctx)


@handlers.on(domain.RETURN_COMPLETED)
async def return_completed(_event: ReturnCompletedView, ctx: HandlerContext) -> None:
    await _keep(ctx)


@handlers.on(domain.STOCK_CHANGED)
async def stock_changed(_event: StockChangedView, ctx: HandlerContext) -> None:
    await _keep(ctx)


@handlers.on(domain.PAYMENT_ACCEPTED)
async def payment_accepted(_event: PaymentAcceptedView, ctx: HandlerContext) -> None:
    await _keep(ctx)


@handlers.on(domain.RECEIPT_ACCEPTED)
async def receipt_accepted(_event: ReceiptAcceptedView, ctx: HandlerContext) -> None:
    await _keep(ctx)


@handlers.on(domain.SETTLEMENT_COMPLETED)
async def settlement_completed(_event: SettlementView, ctx: HandlerContext) -> None:
    await _keep(ctx)


@handlers.on(domain.FUNDS_FLAGGED)
async def funds_flagged(_event: FundsFlaggedView, ctx: HandlerContext) -> None:
    await _keep(ctx)


@handlers.on(domain.IMPORT_TAX_ASSESSED)
async def import_tax_assessed(_event: TaxAssessedView, ctx: HandlerContext) -> None:
    await _keep(ctx)


@handlers.on(domain.IMPORT_TAX_REFUSED)
async def import_tax_refused(_event: TaxRefusedView, ctx: HandlerContext) -> None:
    await _keep(ctx)


@handlers.on(domain.QUOTA_RESTORED)
async def quota_restored(_event: QuotaRestoredView, ctx: HandlerContext) -> None:
    await _keep(ctx)


@handlers.on(domain.EXEMPTION_DECIDED)
async def exemption_decided(_event: ExemptionView, ctx: HandlerContext) -> None:
    await _keep(ctx)


@handlers.on(domain.REFUND_COMPUTED)
async def refund_computed(_event: RefundView, ctx: HandlerContext) -> None:
    await _keep(ctx)


HANDLERS: Mapping[str, Handler] = handlers.table()
CONSUMES: Mapping[str, type[Consumed]] = handlers.consumes()
"""The gateway's tolerant model of each event it reads (checked by the contract test)."""
