"""What every movement checks of the parcels its lines name."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from cbec.logistics.domain.errors import Violation
from cbec.logistics.domain.fields import (
    AppType,
)
from cbec.logistics.domain.timeline import Movement, ParcelState, ParcelTimeline, TimelineEntry
from cbec.logistics.domain.waybills import (
    ParcelKey,
)

# --- checks --------------------------------------------------------------------------------


def only_new(app_type: AppType, where: str, document: str) -> list[Violation]:
    if app_type is AppType.NEW:
        return []
    return [
        Violation(
            field=where,
            rule=f"only a new {document} (appType 1) moves parcels",
            value=app_type.value,
            expected=AppType.NEW.value,
        )
    ]


def lookup(
    parcels: Mapping[ParcelKey, ParcelTimeline],
    key: ParcelKey,
    where: str,
    ie_flag: str,
    seen: set[ParcelKey],
    violations: list[Violation],
) -> ParcelTimeline | None:
    """The parcel's timeline, or None after recording why the line cannot be used."""
    if key in seen:
        violations.append(
            Violation(field=where, rule="a parcel appears once per message", value=key.logistics_no)
        )
        return None
    seen.add(key)
    timeline = parcels.get(key)
    if timeline is None or timeline.state is ParcelState.WAYBILL_DELETED:
        violations.append(
            Violation(
                field=where,
                rule=f"no waybill on file for this parcel from logisticsCode {key.logistics_code}",
                value=key.logistics_no,
            )
        )
        return None
    if timeline.ie_flag != ie_flag:
        kind = "an export" if ie_flag == "E" else "an import"
        violations.append(
            Violation(
                field=where,
                rule=f"the parcel must have {kind} waybill",
                value=timeline.ie_flag,
                expected=ie_flag,
            )
        )
        return None
    return timeline


def not_allowed(timeline: ParcelTimeline, movement: Movement, where: str) -> Violation:
    return Violation(
        field=where,
        rule=f"{movement.value} is not allowed for a parcel in state {timeline.state.value}",
        value=timeline.key.logistics_no,
        expected=timeline.state.value,
    )


ARRIVED_STATES = frozenset(
    {
        ParcelState.ARRIVED,
        ParcelState.ARRIVED_AWAITING_RELEASE,
        ParcelState.LINKED_TO_MASTER_BILL,
    }
)
NOT_ARRIVED_STATES = frozenset({ParcelState.WAYBILL_REGISTERED, ParcelState.LIST_RELEASED})
GONE_STATES = frozenset({ParcelState.DEPARTED, ParcelState.RETURN_APPLIED, ParcelState.RETURNED})


def never_arrived(timeline: ParcelTimeline, where: str) -> Violation:
    return Violation(
        field=where,
        rule="the parcel never arrived at the supervised site (no CEB507 arrival)",
        value=timeline.key.logistics_no,
    )


def list_not_released(timeline: ParcelTimeline, where: str) -> Violation:
    return Violation(
        field=where,
        rule="the parcel's inventory list is not released",
        value=timeline.key.logistics_no,
    )


def apply_all(
    timelines: list[ParcelTimeline],
    movement: Movement,
    at: datetime,
    reference: str,
    *,
    bill_no: str | None = None,
) -> list[TimelineEntry]:
    return [timeline.apply(movement, at, reference, bill_no=bill_no) for timeline in timelines]
