"""Waybills (CEB505 export / CEB511 import): filed, changed, deleted, filed again.

What differs between the two directions is chosen once, in a :class:`WaybillDirection`: the
document code, where the record sits in the message, the order and seller it names and the
event it publishes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from cbec.logistics import events as ev
from cbec.logistics.domain import (
    AppType,
    ExportWaybill,
    ImportWaybill,
    Movement,
    ParcelTimeline,
    file_waybill,
    parse_export_waybill,
    parse_import_waybill,
)
from cbec.logistics.domain.access import refuse_unless_filer
from cbec.logistics.models import WaybillRow
from cbec.logistics.repository import LoadedParcel, waybill_record
from cbec.logistics.unit_of_work import LogisticsWork
from cbec.logistics.use_cases.documents import (
    Context,
    DocumentKind,
    Filed,
    Record,
    head_of,
    iso,
    pick,
)
from cbec.shared.fingerprints import canonical_json

W = TypeVar("W", ExportWaybill, ImportWaybill)


@dataclass(frozen=True, slots=True)
class WaybillDirection(Generic[W]):
    """An export or an import waybill: its code, its record in the message and its event."""

    code: str
    record: Callable[[Record], Record]
    parse: Callable[[Any], W]
    order_no: Callable[[W], str | None]
    ebc_code: Callable[[W], str | None]
    accepted: Callable[[W, str, str], ev.WaybillAccepted]
    """The event of the accepted waybill, given its appType ("1"/"2") and the moment."""

    def read(self, document: Record) -> Filed[W]:
        record = self.record(document)
        return Filed(self.parse(record), record)


def _export_accepted(waybill: ExportWaybill, app_type: str, at: str) -> ev.WaybillAccepted:
    return ev.WaybillAccepted(
        logisticsCode=waybill.logistics_code,
        logisticsNo=waybill.logistics_no,
        ieFlag="E",
        appType=app_type,
        currency=waybill.currency,
        freight=waybill.freight,
        insuredFee=waybill.insured_fee,
        grossWeight=waybill.gross_weight,
        packNo=waybill.pack_no,
        ebcCode=waybill.ebc_code,
        acceptedAt=at,
    )


def _import_accepted(waybill: ImportWaybill, app_type: str, at: str) -> ev.WaybillAccepted:
    return ev.WaybillAccepted(
        logisticsCode=waybill.logistics_code,
        logisticsNo=waybill.logistics_no,
        ieFlag="I",
        appType=app_type,
        orderNo=waybill.order_no,
        currency=waybill.currency,
        freight=waybill.freight,
        insuredFee=waybill.insured_fee,
        grossWeight=waybill.weight,
        packNo=waybill.pack_no,
        consignee=waybill.consignee,
        consigneeTelephone=waybill.consignee_telephone,
        consigneeAddress=waybill.consignee_address,
        acceptedAt=at,
    )


EXPORT: WaybillDirection[ExportWaybill] = WaybillDirection(
    code="CEB505",
    record=dict,
    parse=parse_export_waybill,
    order_no=lambda _waybill: None,
    ebc_code=lambda waybill: waybill.ebc_code,
    accepted=_export_accepted,
)
IMPORT: WaybillDirection[ImportWaybill] = WaybillDirection(
    code="CEB511",
    record=lambda document: dict(head_of(document, "LogisticsHead")),
    parse=parse_import_waybill,
    order_no=lambda waybill: waybill.order_no,
    ebc_code=lambda _waybill: None,
    accepted=_import_accepted,
)


async def _delete(
    work: LogisticsWork,
    context: Context,
    direction: WaybillDirection[W],
    waybill: W,
    row: WaybillRow,
    parcel: LoadedParcel,
) -> str:
    key, now = waybill.key, context.now
    parcel.timeline.apply(Movement.WAYBILL_DELETED, now, waybill.guid)
    row.deleted = True
    row.changed_at = now
    work.waybills.save(row)
    work.parcels.save(parcel)
    work.publish(
        ev.WaybillDeleted(
            logisticsCode=key.logistics_code,
            logisticsNo=key.logistics_no,
            ieFlag=waybill.ie_flag,
            orderNo=direction.order_no(waybill),
            deletedAt=iso(now),
        )
    )
    return f"waybill {key.logistics_no} deleted"


async def _file_new(
    work: LogisticsWork, context: Context, direction: WaybillDirection[W], filed: Filed[W]
) -> None:
    waybill, now = filed.message, context.now
    key, order_no = waybill.key, direction.order_no(waybill)
    work.waybills.save(
        WaybillRow(
            logistics_code=key.logistics_code,
            logistics_no=key.logistics_no,
            ie_flag=waybill.ie_flag,
            order_no=order_no,
            ebc_code=direction.ebc_code(waybill),
            document=canonical_json(filed.record),
            filed_by=context.filer,
            filed_at=now,
        )
    )
    work.parcels.add(ParcelTimeline.start(key, waybill.ie_flag, now, direction.code), order_no)
    await work.parcels.flush_new()


async def _file_again(
    work: LogisticsWork,
    context: Context,
    direction: WaybillDirection[W],
    filed: Filed[W],
    row: WaybillRow,
    parcel: LoadedParcel,
) -> None:
    """Filed again after a delete: a new life for the parcel."""
    waybill, now = filed.message, context.now
    order_no = direction.order_no(waybill)
    row.document, row.deleted, row.used_by_list = canonical_json(filed.record), False, None
    row.ie_flag, row.order_no = waybill.ie_flag, order_no
    row.ebc_code = direction.ebc_code(waybill)
    row.filed_at, row.changed_at = now, None
    work.waybills.save(row)
    timeline = ParcelTimeline.start(waybill.key, waybill.ie_flag, now, "refiled")
    await work.parcels.restart(parcel, timeline, order_no)


def _change(
    work: LogisticsWork,
    context: Context,
    direction: WaybillDirection[W],
    filed: Filed[W],
    row: WaybillRow,
    parcel: LoadedParcel | None,
) -> None:
    waybill = filed.message
    order_no = direction.order_no(waybill)
    row.document, row.changed_at = canonical_json(filed.record), context.now
    row.order_no = order_no
    row.ebc_code = direction.ebc_code(waybill)
    work.waybills.save(row)
    if parcel is not None and order_no is not None:
        work.parcels.set_order(parcel, order_no)


async def file(
    work: LogisticsWork, context: Context, direction: WaybillDirection[W], filed: Filed[W]
) -> str:
    """A waybill filed (appType 1), changed (2) or deleted (3) by the enterprise that filed it."""
    waybill = filed.message
    key = waybill.key
    row = await work.waybills.get(key)
    if row is not None:
        refuse_unless_filer(
            direction.code, row.filed_by, context.party, "logisticsNo", key.logistics_no
        )
    file_waybill(waybill, waybill_record(row) if row is not None else None, context.now)
    parcel = await work.parcels.get(key) if row is not None else None
    if waybill.app_type is AppType.DELETE:
        assert row is not None
        assert parcel is not None
        return await _delete(work, context, direction, waybill, row, parcel)
    if row is None:
        await _file_new(work, context, direction, filed)
        info = f"waybill {key.logistics_no} accepted"
    elif waybill.app_type is AppType.NEW:
        assert parcel is not None
        await _file_again(work, context, direction, filed, row, parcel)
        info = f"waybill {key.logistics_no} accepted again after its deletion"
    else:
        _change(work, context, direction, filed, row, parcel)
        info = f"waybill {key.logistics_no} changed"
    app_type = "2" if waybill.app_type is AppType.CHANGE else "1"
    work.publish(direction.accepted(waybill, app_type, iso(context.now)))
    return info


def _kind(
    direction: WaybillDirection[W], keys: Callable[[Mapping[str, Any]], dict[str, Any]]
) -> DocumentKind[Filed[W]]:
    async def apply(work: LogisticsWork, context: Context, filed: Filed[W]) -> str:
        return await file(work, context, direction, filed)

    return DocumentKind(direction.code, keys, direction.read, apply)


EXPORT_WAYBILL = _kind(EXPORT, lambda d: pick(d, "guid", "logisticsCode", "logisticsNo"))
IMPORT_WAYBILL = _kind(
    IMPORT, lambda d: pick(head_of(d, "LogisticsHead"), "guid", "logisticsCode", "logisticsNo")
)
