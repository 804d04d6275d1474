"""Event consumers of the declaration service: funds documents, waybills and parcel movements.

Each handler reads the event with the service's own tolerant model (its parameter) and calls a
use case in the consumer's transaction; a quota reservation a decision leaves is asked once the
consumer's transaction has committed (:class:`~cbec.declaration.use_cases.quota.QuotaDesk`).
``handlers`` says which handler reacts to which event type and the model it reads it with
(the contract test holds them against the producers' examples).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel
from sqlmodel.ext.asyncio.session import AsyncSession

from cbec.declaration.domain.directions import DIRECTIONS, EXPORT, IMPORT
from cbec.declaration.unit_of_work import DeclarationWork, declaration_of
from cbec.declaration.use_cases import funds_and_waybills
from cbec.declaration.use_cases.quota import QuotaDesk
from cbec.shared.bus import Handler, HandlerContext
from cbec.shared.clock import utcnow
from cbec.shared.envelope import Consumed
from cbec.shared.handlers import HandlerRegistry

PAYMENT_ACCEPTED = "cbec.payments.payment.accepted.v1"
RECEIPT_ACCEPTED = "cbec.payments.receipt.accepted.v1"
WAYBILL_ACCEPTED = "cbec.logistics.waybill.accepted.v1"
WAYBILL_DELETED = "cbec.logistics.waybill.deleted.v1"
PARCEL_MOVED = "cbec.logistics.parcel.moved.v1"

handlers = HandlerRegistry()


class PaymentSeen(Consumed):
    """An import payment voucher (CEB411), joined to its order on orderNo + ebpCode."""

    orderNo: str
    ebpCode: str
    payCode: str
    payTransactionId: str
    payerIdType: str
    payerIdNumber: str
    payerName: str
    payerIsBuyer: bool | None = None
    amountPaid: Decimal
    currency: str
    payTime: str


class ReceiptSeen(Consumed):
    """An export receipt of funds (CEB403), joined on orderNo + ebcCode."""

    orderNo: str
    ebcCode: str
    ebpCode: str | None = None
    payCode: str | None = None
    payNo: str | None = None
    charge: Decimal
    currency: str
    accountingDate: str


class WaybillSeen(Consumed):
    """A waybill (CEB505 / CEB511), keyed by logisticsCode + logisticsNo."""

    logisticsCode: str
    logisticsNo: str
    ieFlag: Literal["I", "E"]
    orderNo: str | None = None
    currency: str
    freight: Decimal
    insuredFee: Decimal
    grossWeight: Decimal
    packNo: int
    ebcCode: str | None = None
    consignee: str | None = None
    consigneeTelephone: str | None = None
    consigneeAddress: str | None = None


class WaybillGone(Consumed):
    logisticsCode: str
    logisticsNo: str
    ieFlag: Literal["I", "E"]


class ParcelSeen(Consumed):
    logisticsCode: str
    logisticsNo: str
    ieFlag: Literal["I", "E"]
    movement: str
    invtNo: str | None = None
    leaveTime: str | None = None


def data_of(model: BaseModel) -> dict[str, object]:
    """The event's fields as the service keeps the document."""
    data: dict[str, object] = model.model_dump(mode="json", exclude_none=True)
    return data


class _FetchWork:
    """One unit of work for the handlers of a consumer's fetch, which share its transaction:
    what one event's decision looked up (orders, documents, a seller's rejections) serves the
    next."""

    def __init__(self) -> None:
        self.work: DeclarationWork | None = None

    async def flush(self, session: AsyncSession) -> None:
        """Nothing left to write: the work's rows are in the session."""


def _work(ctx: HandlerContext) -> DeclarationWork:
    shared = ctx.batched(_FetchWork)
    if shared.work is None or shared.work.session is not ctx.session:
        shared.work = DeclarationWork(ctx.session, declaration_of(ctx.runtime))
    return shared.work


def _after_commit(ctx: HandlerContext, work: DeclarationWork) -> None:
    ctx.runtime.part(QuotaDesk).after_commit(work)


@handlers.on(PAYMENT_ACCEPTED)
async def on_payment(payment: PaymentSeen, ctx: HandlerContext) -> None:
    work = _work(ctx)
    await funds_and_waybills.funds_arrived(
        work, IMPORT, payment.orderNo, payment.ebpCode, data_of(payment), utcnow()
    )
    _after_commit(ctx, work)


@handlers.on(RECEIPT_ACCEPTED)
async def on_receipt(receipt: ReceiptSeen, ctx: HandlerContext) -> None:
    work = _work(ctx)
    await funds_and_waybills.funds_arrived(
        work, EXPORT, receipt.orderNo, receipt.ebcCode, data_of(receipt), utcnow()
    )
    _after_commit(ctx, work)


@handlers.on(WAYBILL_ACCEPTED)
async def on_waybill(waybill: WaybillSeen, ctx: HandlerContext) -> None:
    work = _work(ctx)
    await funds_and_waybills.waybill_arrived(work, data_of(waybill), utcnow())
    _after_commit(ctx, work)


@handlers.on(WAYBILL_DELETED)
async def on_waybill_deleted(gone: WaybillGone, ctx: HandlerContext) -> None:
    await funds_and_waybills.waybill_deleted(_work(ctx), gone.logisticsCode, gone.logisticsNo)


@handlers.on(PARCEL_MOVED)
async def on_parcel_moved(parcel: ParcelSeen, ctx: HandlerContext) -> None:
    # DOMAIN.md §8: an export list closes when its goods depart; an import one on delivery.
    way = DIRECTIONS[parcel.ieFlag]
    if parcel.movement != way.closing_movement:
        return
    await funds_and_waybills.parcel_moved(
        _work(ctx),
        way,
        logistics_code=parcel.logisticsCode,
        logistics_no=parcel.logisticsNo,
        invt_no=parcel.invtNo,
        leave_time=parcel.leaveTime,
        now=utcnow(),
    )


HANDLERS: dict[str, Handler] = handlers.table()
CONSUMES: dict[str, type[Consumed]] = handlers.consumes()
