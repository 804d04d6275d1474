"""Parcels: the events of their movements, their timelines as read, the overdue check."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from cbec.logistics import events as ev
from cbec.logistics.domain import ParcelKey, TimelineEntry, find_overdue
from cbec.logistics.domain.access import Who, may_read
from cbec.logistics.domain.timeline import AWAITING_DEPARTURE
from cbec.logistics.repository import LoadedParcel, timelines
from cbec.logistics.settings import Settings
from cbec.logistics.unit_of_work import LogisticsWork
from cbec.logistics.use_cases.documents import iso
from cbec.shared.clock import china_now
from cbec.shared.errors import NotFound, Violation
from cbec.shared.service import Runtime


def moved(
    parcel: LoadedParcel, movement: str, entry: TimelineEntry, *, leave_time: str | None = None
) -> ev.ParcelMoved:
    timeline = parcel.timeline
    return ev.ParcelMoved(
        logisticsCode=timeline.key.logistics_code,
        logisticsNo=timeline.key.logistics_no,
        ieFlag=timeline.ie_flag,
        movement=movement,
        orderNo=parcel.order_no,
        invtNo=timeline.invt_no,
        billNo=timeline.bill_no,
        at=iso(entry.at),
        leaveTime=leave_time,
    )


def publish_moves(
    work: LogisticsWork,
    parcels: Mapping[ParcelKey, LoadedParcel],
    keys: Sequence[ParcelKey],
    entries: Sequence[TimelineEntry],
    movement: str,
    *,
    leave_time: str | None = None,
) -> None:
    for key, entry in zip(keys, entries, strict=True):
        work.publish(moved(parcels[key], movement, entry, leave_time=leave_time))


async def _names(work: LogisticsWork, parcel: LoadedParcel) -> list[str | None]:
    """The enterprises a parcel's documents name: its logistics enterprise, the seller of its
    waybill (export) and of its released list."""
    key = parcel.timeline.key
    waybill = await work.waybills.get(key)
    invt_no = parcel.timeline.invt_no
    released = await work.lists.get(invt_no) if invt_no else None
    return [
        key.logistics_code,
        waybill.ebc_code if waybill is not None else None,
        released.ebc_code if released is not None else None,
    ]


def _entry_view(entry: TimelineEntry) -> dict[str, Any]:
    return {
        "at": iso(entry.at),
        "movement": entry.movement.name.lower() if entry.movement else "waybill_filed",
        "description": entry.movement.value if entry.movement else "waybill filed",
        "fromState": entry.from_state.value if entry.from_state else None,
        "toState": entry.to_state.value,
        "reference": entry.reference,
    }


async def parcel_timeline(work: LogisticsWork, who: Who, key: ParcelKey) -> dict[str, Any]:
    """A parcel's timeline: its state and every movement, oldest first; for the enterprises
    its documents name, customs officers and operators, and not on file for anyone else."""
    parcel = await work.parcels.get(key)
    if (
        parcel is not None
        and not may_read(who, [key.logistics_code])
        and not may_read(who, await _names(work, parcel))
    ):
        parcel = None
    if parcel is None:
        raise NotFound(
            f"no parcel {key.logistics_no} of logistics enterprise {key.logistics_code}",
            [
                Violation(
                    field="logisticsNo", rule="must be a waybill on file", value=key.logistics_no
                )
            ],
        )
    timeline = parcel.timeline
    return {
        "logisticsCode": key.logistics_code,
        "logisticsNo": key.logistics_no,
        "ieFlag": timeline.ie_flag,
        "state": timeline.state.value,
        "orderNo": parcel.order_no,
        "invtNo": timeline.invt_no,
        "billNo": timeline.bill_no,
        "entries": [_entry_view(entry) for entry in timeline.entries],
    }


async def report_overdue_parcels(
    work: LogisticsWork, now: datetime, wait: timedelta
) -> list[dict[str, Any]]:
    """ParcelOverdue for every released export parcel not departed within ``wait``
    (PARCEL_DEPARTURE_WAIT), once per parcel."""
    candidates = await work.parcels.load_overdue_candidates(now - wait, AWAITING_DEPARTURE)
    out = []
    for overdue in find_overdue(timelines(candidates).values(), now, wait):
        work.parcels.mark_overdue_reported(candidates[overdue.key], now)
        event = ev.ParcelOverdue(
            logisticsCode=overdue.key.logistics_code,
            logisticsNo=overdue.key.logistics_no,
            invtNo=overdue.invt_no,
            releasedAt=iso(overdue.released_at),
            overdueSince=iso(overdue.due_at),
        )
        work.publish(event)
        out.append(event.to_data())
    return out


async def check_overdue(runtime: Runtime) -> list[dict[str, Any]]:
    """One run of the overdue check, in its own transaction."""
    settings = runtime.settings
    assert isinstance(settings, Settings)
    async with LogisticsWork.of(runtime) as work:
        return await report_overdue_parcels(work, china_now(), settings.parcel_departure_wait)
