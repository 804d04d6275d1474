"""What the declaration service tells logistics: a list released (its parcel moves, returns and
bookings can refer to it) and a list closed."""

from __future__ import annotations

import logging
from datetime import datetime

from cbec.logistics.domain import (
    BONDED_TRADE_MODE,
    LogisticsError,
    Movement,
    ParcelKey,
    ReleasedList,
    mark_used_by_list,
)
from cbec.logistics.models import WaybillRow
from cbec.logistics.repository import list_row, waybill_record
from cbec.logistics.unit_of_work import LogisticsWork
from cbec.shared.errors import Violation

log = logging.getLogger(__name__)


def _mark_waybill(work: LogisticsWork, waybill: WaybillRow, invt_no: str) -> None:
    """The released list now quotes the waybill (a warning when it cannot)."""
    if waybill.used_by_list == invt_no:
        return
    try:
        record = mark_used_by_list(waybill_record(waybill), invt_no)
    except LogisticsError as error:
        log.warning("list %s: %s", invt_no, error.message)
    else:
        waybill.used_by_list = record.used_by_list
        work.waybills.save(waybill)


async def list_released(work: LogisticsWork, release: ReleasedList) -> bool:
    """Customs released a list: keep it (returns, bookings) and move its parcel to
    "list released". False when the parcel could not move (its state says why)."""
    if await work.lists.get(release.invt_no) is None:
        work.lists.save(list_row(release))
    key = ParcelKey(release.logistics_code or "", release.logistics_no or "")
    waybill = await work.waybills.get(key)
    parcel = await work.parcels.get(key)
    if waybill is None or parcel is None:
        raise LogisticsError(
            f"list {release.invt_no} names waybill {key} that is not on file",
            [Violation(field="logisticsNo", rule="must be a waybill on file", value=str(key))],
        )
    _mark_waybill(work, waybill, release.invt_no)
    timeline = parcel.timeline
    if timeline.invt_no == release.invt_no:
        return True
    bonded = release.ie_flag == "I" and release.trade_mode == BONDED_TRADE_MODE
    if not timeline.allows(Movement.LIST_RELEASED, bonded=bonded):
        log.warning(
            "parcel %s in state %s cannot take the release of list %s",
            key,
            timeline.state.value,
            release.invt_no,
        )
        return False
    timeline.apply(
        Movement.LIST_RELEASED,
        release.released_at,
        release.invt_no,
        invt_no=release.invt_no,
        bonded=bonded,
    )
    parcel.row.order_no = release.order_no
    work.parcels.save(parcel)
    return True


async def list_closed(work: LogisticsWork, invt_no: str, closed_at: datetime) -> None:
    """The list closed (899): recorded on the released list."""
    row = await work.lists.get(invt_no)
    if row is not None and row.closed_at is None:
        row.closed_at = closed_at
        work.lists.save(row)
