"""Consumers of the tax service: which use case reacts to which event.

Each model here is the tax service's own tolerant reading of another service's event (only the
fields it uses); the contract test holds them against the producers' examples. Import and
export lists travel on the same declaration events: which flow a handler serves is said once,
by ``@imports`` or ``@exports``, and events of the other flow are not its concern.

| event | flow | use case |
| --- | --- | --- |
| cbec.declaration.list.released.v1 | I | quota use, tax bill (ImportTaxAssessed or Refused) |
| cbec.declaration.list.rejected.v1 | I | cancel the reservation |
| cbec.declaration.list.revoked.v1 | I | withdraw the amount, void the tax bill |
| cbec.declaration.list.closed.v1 | E | exemption per line, refund of invoiced lines |
| cbec.logistics.return.completed.v1 | I | restore the quota within the window (QuotaRestored) |
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import TypeVar

from pydantic import ValidationError

from cbec.shared.bus import HandlerContext
from cbec.shared.envelope import Consumed
from cbec.shared.errors import InvalidInput, Violation
from cbec.shared.handlers import HandlerRegistry, TypedHandler
from cbec.shared.telemetry import tag_span
from cbec.tax_refund.data import TaxTablesHolder
from cbec.tax_refund.domain import ExportList, ImportList, ImportTaxPolicy
from cbec.tax_refund.settings import Settings
from cbec.tax_refund.unit_of_work import TaxWork
from cbec.tax_refund.use_cases import exports, import_tax

log = logging.getLogger(__name__)

RELEASED = "cbec.declaration.list.released.v1"
REJECTED = "cbec.declaration.list.rejected.v1"
REVOKED = "cbec.declaration.list.revoked.v1"
CLOSED = "cbec.declaration.list.closed.v1"
RETURNED = "cbec.logistics.return.completed.v1"


class FlowSeen(Consumed):
    """An event about an import (I) or an export (E) list."""

    orderNo: str
    ieFlag: str


class ListLineSeen(Consumed):
    gnum: int
    gcode: str
    gname: str
    currency: str
    unit: str
    qty: Decimal
    price: Decimal
    totalPrice: Decimal


class ListReleasedSeen(FlowSeen):
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

    def import_list(self) -> ImportList:
        """The released list as the import tax reads it."""
        if not self.buyerIdNumber:
            raise InvalidInput(
                [Violation(field="buyerIdNumber", rule="an import list names its buyer")]
            )
        try:
            return ImportList(
                invt_no=self.invtNo,
                order_no=self.orderNo,
                buyer_id_type=self.buyerIdType or "1",
                buyer_id_number=self.buyerIdNumber,
                buyer_name=self.buyerName,
                customs_code=self.customsCode,
                ebc_code=self.ebcCode,
                logistics_code=self.logisticsCode,
                agent_code=self.agentCode,
                assure_code=self.assureCode,
                currency=self.currency,
                freight=self.freight,
                insured_fee=self.insuredFee,
                lines=tuple(line.model_dump() for line in self.lines),
            )
        except ValidationError as error:
            raise _invalid(error, "list") from None


class ListRejectedSeen(FlowSeen):
    invtNo: str | None = None


class ListRevokedSeen(FlowSeen):
    invtNo: str


class ListClosedSeen(FlowSeen):
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

    def export_list(self) -> ExportList:
        """The closed list as the exemption and the refund read it."""
        try:
            return ExportList(
                invt_no=self.invtNo,
                ebc_code=self.ebcCode,
                owner_code=self.ownerCode,
                customs_code=self.customsCode,
                port_code=self.portCode,
                trade_mode=self.tradeMode,
                # A list without the flag is simplified (A): no declaration form, no refund (§5).
                statistics_flag=self.statisticsFlag or "A",
                # The export date of the list is the day customs released it.
                ie_date=_day(self.releasedAt, "releasedAt"),
                return_status=899,
                leave_time=self.leaveTime,
                lines=tuple(line.model_dump() for line in self.lines),
            )
        except ValidationError as error:
            raise _invalid(error, "list") from None


class ReturnCompletedSeen(FlowSeen):
    invtNo: str
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


def _invalid(error: ValidationError, prefix: str) -> InvalidInput:
    return InvalidInput(
        [
            Violation(field=".".join([prefix, *(str(p) for p in e["loc"])]), rule=e["msg"])
            for e in error.errors()
        ]
    )


F = TypeVar("F", bound=FlowSeen)


def _only(flag: str) -> Callable[[TypedHandler[F]], TypedHandler[F]]:
    """A handler of one flow's lists: an event of the other flow is skipped."""

    def wrap(fn: TypedHandler[F]) -> TypedHandler[F]:
        @functools.wraps(fn)
        async def handle(event: F, ctx: HandlerContext) -> None:
            if event.ieFlag == flag:
                tag_span(orderNo=event.orderNo, invtNo=getattr(event, "invtNo", None))
                await fn(event, ctx)

        return handle

    return wrap


imports = _only("I")
exports_only = _only("E")


def _policy(ctx: HandlerContext) -> ImportTaxPolicy:
    settings = ctx.runtime.settings
    assert isinstance(settings, Settings)
    return settings.import_tax_policy()


def _work(ctx: HandlerContext) -> TaxWork:
    return TaxWork(ctx.session, ctx.outbox)


declaration_events = HandlerRegistry()
logistics_events = HandlerRegistry()


@declaration_events.on(RELEASED)
@imports
async def on_list_released(event: ListReleasedSeen, ctx: HandlerContext) -> None:
    await import_tax.list_released(
        _work(ctx),
        event.import_list(),
        order_no=event.orderNo,
        released_on=_day(event.releasedAt, "releasedAt"),
        tables=TaxTablesHolder.of(ctx.runtime).tables,
        policy=_policy(ctx),
    )


@declaration_events.on(REJECTED)
@imports
async def on_list_rejected(event: ListRejectedSeen, ctx: HandlerContext) -> None:
    await import_tax.list_rejected(_work(ctx), event.invtNo, event.orderNo, _policy(ctx))


@declaration_events.on(REVOKED)
@imports
async def on_list_revoked(event: ListRevokedSeen, ctx: HandlerContext) -> None:
    await import_tax.list_revoked(_work(ctx), event.invtNo, _policy(ctx))


@declaration_events.on(CLOSED)
@exports_only
async def on_list_closed(event: ListClosedSeen, ctx: HandlerContext) -> None:
    await exports.list_closed(
        _work(ctx),
        event.export_list(),
        order_no=event.orderNo,
        closed_at=event.closedAt,
        tables=TaxTablesHolder.of(ctx.runtime).tables,
    )


@logistics_events.on(RETURNED)
@imports
async def on_return_completed(event: ReturnCompletedSeen, ctx: HandlerContext) -> None:
    if not event.whole:
        # A partial return restores nothing here: the notice restores the amount of the
        # returned order, and a part of a list is not apportioned by any published rule.
        log.info("partial return of %s: the buyer's amount is not restored", event.invtNo)
        return
    await import_tax.import_returned(
        _work(ctx),
        invt_no=event.invtNo,
        order_no=event.orderNo,
        applied_on=_day(event.appliedAt, "appliedAt"),
        goods_back_on=_day(event.receivedAt, "receivedAt"),
        policy=_policy(ctx),
    )


DECLARATION_HANDLERS = declaration_events.table()
LOGISTICS_HANDLERS = logistics_events.table()
HANDLERS = {**DECLARATION_HANDLERS, **LOGISTICS_HANDLERS}
CONSUMES = {**declaration_events.consumes(), **logistics_events.consumes()}
