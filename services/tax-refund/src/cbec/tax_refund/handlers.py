"""Consumers of the tax service: which use case reacts to which event.

Each model here is the tax service's own tolerant reading of another service's event (only the
fields it uses); the contract test holds them against the producers' examples.

| event | use case |
| --- | --- |
| cbec.declaration.list.released.v1 (I) | quota use, tax bill (ImportTaxAssessed or Refused) |
| cbec.declaration.list.rejected.v1 (I) | cancel the reservation |
| cbec.declaration.list.revoked.v1 (I) | withdraw the amount, void the tax bill |
| cbec.declaration.list.closed.v1 (E) | exemption per line, refund of invoiced lines |
| cbec.logistics.return.completed.v1 (I) | restore the quota within the window (QuotaRestored) |
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from decimal import Decimal

from pydantic import ValidationError

from cbec.shared.bus import HandlerContext
from cbec.shared.envelope import Consumed
from cbec.shared.errors import InvalidInput, Violation
from cbec.shared.telemetry import tag_span
from cbec.tax_refund import services
from cbec.tax_refund.domain import ExportList, ImportList
from cbec.tax_refund.settings import Settings
from cbec.tax_refund.state import tables_of

log = logging.getLogger(__name__)


class ListLineSeen(Consumed):
    gnum: int
    gcode: str
    gname: str
    currency: str
    unit: str
    qty: Decimal
    price: Decimal
    totalPrice: Decimal


class ListReleasedSeen(Consumed):
    orderNo: str
    ieFlag: str
    invtNo: str
    tradeMode: str
    ebcCode: str
    agentCode: str
    logisticsCode: str
    customsCode: str
    currency: str
    freight: Decimal
    insuredFee: Decimal
    buyerIdType: str | None = None
    buyerIdNumber: str | None = None
    buyerName: str | None = None
    assureCode: str | None = None
    lines: tuple[ListLineSeen, ...]
    releasedAt: str


class ListRejectedSeen(Consumed):
    orderNo: str
    ieFlag: str
    invtNo: str | None = None


class ListRevokedSeen(Consumed):
    orderNo: str
    ieFlag: str
    invtNo: str


class ListClosedSeen(Consumed):
    orderNo: str
    ieFlag: str
    invtNo: str
    tradeMode: str
    ebcCode: str
    ownerCode: str | None = None
    customsCode: str
    portCode: str
    statisticsFlag: str | None = None
    lines: tuple[ListLineSeen, ...]
    releasedAt: str
    closedAt: str
    leaveTime: str | None = None


class ReturnCompletedSeen(Consumed):
    orderNo: str
    invtNo: str
    ieFlag: str
    whole: bool
    appliedAt: str
    receivedAt: str


def _day(text: str, field: str) -> date:
    """The calendar day of an event time, as written (its own offset: China time)."""
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        violation = Violation(field=field, rule="not an ISO 8601 time", value=text)
        raise InvalidInput([violation]) from None


def _settings(ctx: HandlerContext) -> Settings:
    settings = ctx.runtime.settings
    assert isinstance(settings, Settings)
    return settings


def _invalid(error: ValidationError, prefix: str) -> InvalidInput:
    return InvalidInput(
        [
            Violation(
                field=".".join([prefix, *(str(p) for p in e["loc"])]),
                rule=e["msg"],
            )
            for e in error.errors()
        ]
    )


async def on_list_released(ctx: HandlerContext) -> None:
    event = ctx.parse(ListReleasedSeen)
    if event.ieFlag != "I":
        return
    tag_span(orderNo=event.orderNo, invtNo=event.invtNo)
    if not event.buyerIdNumber:
        raise InvalidInput(
            [Violation(field="buyerIdNumber", rule="an import list names its buyer")]
        )
    try:
        import_list = ImportList(
            invt_no=event.invtNo,
            order_no=event.orderNo,
            buyer_id_type=event.buyerIdType or "1",
            buyer_id_number=event.buyerIdNumber,
            buyer_name=event.buyerName,
            customs_code=event.customsCode,
            ebc_code=event.ebcCode,
            logistics_code=event.logisticsCode,
            agent_code=event.agentCode,
            assure_code=event.assureCode,
            currency=event.currency,
            freight=event.freight,
            insured_fee=event.insuredFee,
            lines=tuple(line.model_dump() for line in event.lines),  # type: ignore[arg-type]
        )
    except ValidationError as error:
        raise _invalid(error, "list") from None
    await services.assess_released_list(
        ctx.session,
        ctx.outbox,
        import_list,
        order_no=event.orderNo,
        released_on=_day(event.releasedAt, "releasedAt"),
        tables=tables_of(ctx.runtime).tables,
        policy=services.import_policy(_settings(ctx)),
    )


async def on_list_rejected(ctx: HandlerContext) -> None:
    event = ctx.parse(ListRejectedSeen)
    if event.ieFlag != "I":
        return
    tag_span(orderNo=event.orderNo, invtNo=event.invtNo)
    await services.list_rejected(
        ctx.session, event.invtNo, event.orderNo, services.import_policy(_settings(ctx))
    )


async def on_list_revoked(ctx: HandlerContext) -> None:
    event = ctx.parse(ListRevokedSeen)
    if event.ieFlag != "I":
        return
    tag_span(orderNo=event.orderNo, invtNo=event.invtNo)
    await services.list_revoked(ctx.session, event.invtNo, services.import_policy(_settings(ctx)))


async def on_list_closed(ctx: HandlerContext) -> None:
    event = ctx.parse(ListClosedSeen)
    if event.ieFlag != "E":
        return
    tag_span(orderNo=event.orderNo, invtNo=event.invtNo)
    try:
        export_list = ExportList(
            invt_no=event.invtNo,
            ebc_code=event.ebcCode,
            owner_code=event.ownerCode,
            customs_code=event.customsCode,
            port_code=event.portCode,
            trade_mode=event.tradeMode,
            # A list without the flag is simplified (A): no declaration form, no refund (§5).
            statistics_flag=event.statisticsFlag or "A",  # type: ignore[arg-type]
            # The export date of the list is the day customs released it.
            ie_date=_day(event.releasedAt, "releasedAt"),
            return_status=899,
            leave_time=event.leaveTime,  # type: ignore[arg-type]
            lines=tuple(line.model_dump() for line in event.lines),  # type: ignore[arg-type]
        )
    except ValidationError as error:
        raise _invalid(error, "list") from None
    await services.export_list_closed(
        ctx.session,
        ctx.outbox,
        export_list,
        order_no=event.orderNo,
        closed_at=event.closedAt,
        tables=tables_of(ctx.runtime).tables,
    )


async def on_return_completed(ctx: HandlerContext) -> None:
    event = ctx.parse(ReturnCompletedSeen)
    if event.ieFlag != "I":
        return
    tag_span(orderNo=event.orderNo, invtNo=event.invtNo)
    if not event.whole:
        # A partial return restores nothing here: the notice restores the amount of the
        # returned order, and a part of a list is not apportioned by any published rule.
        log.info("partial return of %s: the buyer's amount is not restored", event.invtNo)
        return
    await services.import_returned(
        ctx.session,
        ctx.outbox,
        invt_no=event.invtNo,
        order_no=event.orderNo,
        applied_on=_day(event.appliedAt, "appliedAt"),
        goods_back_on=_day(event.receivedAt, "receivedAt"),
        policy=services.import_policy(_settings(ctx)),
    )


RELEASED = "cbec.declaration.list.released.v1"
REJECTED = "cbec.declaration.list.rejected.v1"
REVOKED = "cbec.declaration.list.revoked.v1"
CLOSED = "cbec.declaration.list.closed.v1"
RETURNED = "cbec.logistics.return.completed.v1"

DECLARATION_HANDLERS = {
    RELEASED: on_list_released,
    REJECTED: on_list_rejected,
    REVOKED: on_list_revoked,
    CLOSED: on_list_closed,
}
LOGISTICS_HANDLERS = {RETURNED: on_return_completed}
HANDLERS = {**DECLARATION_HANDLERS, **LOGISTICS_HANDLERS}

CONSUMES = {
    RELEASED: ListReleasedSeen,
    REJECTED: ListRejectedSeen,
    REVOKED: ListRevokedSeen,
    CLOSED: ListClosedSeen,
    RETURNED: ReturnCompletedSeen,
}
