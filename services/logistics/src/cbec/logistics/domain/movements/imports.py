"""Import movements: entry into the supervised site (CEB711) and delivery to the buyer
(CEB513 ``S``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from cbec.logistics.domain.errors import MovementRefused, Violation
from cbec.logistics.domain.fields import (
    require_aware,
)
from cbec.logistics.domain.movements.checks import (
    apply_all,
    list_not_released,
    lookup,
    not_allowed,
    only_new,
)
from cbec.logistics.domain.movements.messages import DeliveryStatus, SiteEntry
from cbec.logistics.domain.timeline import Movement, ParcelState, ParcelTimeline, TimelineEntry
from cbec.logistics.domain.waybills import (
    ParcelKey,
)

# --- import: site entry (CEB711) and delivery (CEB513) -------------------------------------


def check_site_entry(
    entry: SiteEntry, parcels: Mapping[ParcelKey, ParcelTimeline]
) -> list[Violation]:
    """Every reason why the site entry does not fit its import parcels."""
    head = entry.head
    violations = only_new(head.app_type, "DeliveryHead.appType", "site entry")
    seen: set[ParcelKey] = set()
    for position, line in enumerate(entry.parcels, start=1):
        where = f"DeliveryList[{position}].logisticsNo"
        key = ParcelKey(head.logistics_code, line.logistics_no)
        timeline = lookup(parcels, key, where, "I", seen, violations)
        if timeline is None or timeline.allows(Movement.ENTERED_SITE):
            continue
        violations.append(
            Violation(
                field=where,
                rule="the parcel has already entered the supervised site",
                value=line.logistics_no,
                expected=timeline.state.value,
            )
        )
    return violations


def record_site_entry(
    entry: SiteEntry, parcels: Mapping[ParcelKey, ParcelTimeline], at: datetime
) -> list[TimelineEntry]:
    """Move every parcel of the CEB711 into the supervised site, or none."""
    require_aware(at)
    violations = check_site_entry(entry, parcels)
    if violations:
        raise MovementRefused("CEB711", violations)
    code = entry.head.logistics_code
    checked = [parcels[ParcelKey(code, line.logistics_no)] for line in entry.parcels]
    reference = entry.head.cop_no or entry.head.bill_no
    return apply_all(checked, Movement.ENTERED_SITE, at, reference)


def check_delivery(status: DeliveryStatus, timeline: ParcelTimeline | None) -> list[Violation]:
    """Every reason why the parcel cannot be signed for: unknown, not released, twice, early."""
    where = "logisticsNo"
    violations = only_new(status.app_type, "appType", "waybill status")
    found = lookup(
        {status.key: timeline} if timeline is not None else {},
        status.key,
        where,
        "I",
        set(),
        violations,
    )
    if found is None:
        return violations
    if not found.allows(Movement.DELIVERED):
        if found.state in (ParcelState.WAYBILL_REGISTERED, ParcelState.ENTERED_SITE):
            violations.append(list_not_released(found, where))
        elif found.state is ParcelState.DELIVERED:
            violations.append(
                Violation(
                    field=where,
                    rule="the parcel is already signed for",
                    value=found.key.logistics_no,
                )
            )
        else:
            violations.append(not_allowed(found, Movement.DELIVERED, where))
        return violations
    released_at = found.released_at
    if released_at is not None and status.logistics_time < released_at:
        violations.append(
            Violation(
                field="logisticsTime",
                rule="a parcel is signed for after its list is released",
                value=status.logistics_time.isoformat(),
                expected=f">= {released_at.isoformat()}",
            )
        )
    return violations


def record_delivery(status: DeliveryStatus, timeline: ParcelTimeline | None) -> TimelineEntry:
    """The buyer signed for the parcel (CEB513 ``S``) at ``logisticsTime``."""
    violations = check_delivery(status, timeline)
    if violations or timeline is None:
        raise MovementRefused("CEB513", violations)
    return timeline.apply(Movement.DELIVERED, status.logistics_time, status.guid)
