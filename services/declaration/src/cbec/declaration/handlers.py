"""Event consumers of the declaration service: funds documents, waybills and parcel movements.

Each handler reads the event with the service's own tolerant model and calls a use case in the
consumer's transaction. ``HANDLERS`` says which handler reacts to which event type; ``CONSUMES``
gives the model each type is read with (the contract test holds them against the producers'
examples).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel

from cbec.declaration import services
from cbec.shared.bus import Handler, HandlerContext
from cbec.shared.envelope import Consumed

PAYMENT_ACCEPTED = "cbec.payments.payment.accepted.v1"
RECEIPT_ACCEPTED = "cbec.payments.receipt.accepted.v1"
WAYBILL_ACCEPTED = "cbec.logistics.waybill.accepted.v1"
WAYBILL_DELETED = "cbec.logistics.waybill.deleted.v1"
PARCEL_MOVED = "cbec.logistics.parcel.moved.v1"


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


def _data(model: BaseModel) -> dict[str, object]:
    data: dict[str, object] = model.model_dump(mode="json", exclude_none=True)
    return data


async def on_payment(ctx: HandlerContext) -> None:
    payment = ctx.parse(PaymentSeen)
    decl = services.declaration_of(ctx.runtime)
    await services.funds_arrived(
        decl, ctx.session, "I", payment.orderNo, payment.ebpCode, _data(payment), services.utcnow()
    )


async def on_receipt(ctx: HandlerContext) -> None:
    receipt = ctx.parse(ReceiptSeen)
    decl = services.declaration_of(ctx.runtime)
    await services.funds_arrived(
        decl, ctx.session, "E", receipt.orderNo, receipt.ebcCode, _data(receipt), services.utcnow()
    )


async def on_waybill(ctx: HandlerContext) -> None:
    waybill = ctx.parse(WaybillSeen)
    decl = services.declaration_of(ctx.runtime)
    await services.waybill_arrived(decl, ctx.session, _data(waybill), services.utcnow())


async def on_waybill_deleted(ctx: HandlerContext) -> None:
    gone = ctx.parse(WaybillGone)
    await services.waybill_deleted(ctx.session, gone.logisticsCode, gone.logisticsNo)


async def on_parcel_moved(ctx: HandlerContext) -> None:
    parcel = ctx.parse(ParcelSeen)
    # DOMAIN.md §8: an export list closes when its goods depart; an import one on delivery.
    closing = {"E": "departed", "I": "delivered"}[parcel.ieFlag]
    if parcel.movement != closing:
        return
    decl = services.declaration_of(ctx.runtime)
    await services.parcel_departed(
        decl,
        ctx.session,
        ie=parcel.ieFlag,
        logistics_code=parcel.logisticsCode,
        logistics_no=parcel.logisticsNo,
        invt_no=parcel.invtNo,
        leave_time=parcel.leaveTime,
        now=services.utcnow(),
    )


HANDLERS: dict[str, Handler] = {
    PAYMENT_ACCEPTED: on_payment,
    RECEIPT_ACCEPTED: on_receipt,
    WAYBILL_ACCEPTED: on_waybill,
    WAYBILL_DELETED: on_waybill_deleted,
    PARCEL_MOVED: on_parcel_moved,
}

CONSUMES: dict[str, type[Consumed]] = {
    PAYMENT_ACCEPTED: PaymentSeen,
    RECEIPT_ACCEPTED: ReceiptSeen,
    WAYBILL_ACCEPTED: WaybillSeen,
    WAYBILL_DELETED: WaybillGone,
    PARCEL_MOVED: ParcelSeen,
}
