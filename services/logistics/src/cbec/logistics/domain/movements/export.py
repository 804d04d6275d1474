"""Export movements: arrival at the supervised site (CEB507), master bill link (CEB607),
departure (CEB509); each moves all of its parcels or none.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from cbec.logistics.domain.errors import MovementRefused, Violation
from cbec.logistics.domain.fields import (
    AppType,
    require_aware,
)
from cbec.logistics.domain.movements.checks import (
    ARRIVED_STATES,
    GONE_STATES,
    NOT_ARRIVED_STATES,
    apply_all,
    list_not_released,
    lookup,
    never_arrived,
    not_allowed,
    only_new,
)
from cbec.logistics.domain.movements.messages import (
    Arrival,
    Departure,
    MasterBillLine,
    MasterBillLink,
)
from cbec.logistics.domain.timeline import Movement, ParcelState, ParcelTimeline, TimelineEntry
from cbec.logistics.domain.waybills import (
    ParcelKey,
)

# --- arrival (CEB507) ----------------------------------------------------------------------


def check_arrival(arrival: Arrival, parcels: Mapping[ParcelKey, ParcelTimeline]) -> list[Violation]:
    """Every reason why the arrival report does not fit its parcels (empty when it does)."""
    violations = only_new(arrival.head.app_type, "ArrivalHead.appType", "arrival report")
    seen: set[ParcelKey] = set()
    for position, line in enumerate(arrival.parcels, start=1):
        where = f"ArrivalList[{position}].logisticsNo"
        key = ParcelKey(arrival.head.logistics_code, line.logistics_no)
        timeline = lookup(parcels, key, where, "E", seen, violations)
        if timeline is None or timeline.allows(Movement.ARRIVED):
            continue
        if timeline.state in ARRIVED_STATES:
            violations.append(
                Violation(
                    field=where,
                    rule="the parcel has already arrived at the supervised site",
                    value=line.logistics_no,
                )
            )
        else:
            violations.append(not_allowed(timeline, Movement.ARRIVED, where))
    return violations


def record_arrival(
    arrival: Arrival, parcels: Mapping[ParcelKey, ParcelTimeline], at: datetime
) -> list[TimelineEntry]:
    """Move every parcel of the arrival report to the site, or refuse the whole report."""
    require_aware(at)
    violations = check_arrival(arrival, parcels)
    if violations:
        raise MovementRefused("CEB507", violations)
    code = arrival.head.logistics_code
    checked = [parcels[ParcelKey(code, line.logistics_no)] for line in arrival.parcels]
    return apply_all(checked, Movement.ARRIVED, at, arrival.head.cop_no)


# --- master bill link (CEB607) -------------------------------------------------------------


def check_master_bill_link(
    link: MasterBillLink, parcels: Mapping[ParcelKey, ParcelTimeline]
) -> list[Violation]:
    """Every reason why the master bill link does not fit its parcels and lists."""
    head = link.head
    if head.app_type is AppType.CHANGE:
        return [
            Violation(
                field="WayBillHead.appType",
                rule="a master bill link is changed by deleting it (appType 3) and filing it anew",
                value=head.app_type.value,
            )
        ]
    violations: list[Violation] = []
    seen: set[ParcelKey] = set()
    for position, line in enumerate(_link_lines(link, parcels), start=1):
        where = f"WayBillList[{position}].logisticsNo"
        key = ParcelKey(head.logistics_code, line.logistics_no)
        timeline = lookup(parcels, key, where, "E", seen, violations)
        if timeline is None:
            continue
        if head.app_type is AppType.DELETE:
            if timeline.bill_no != head.bill_no:
                violations.append(
                    Violation(
                        field=where,
                        rule="only a parcel linked to this master bill can be unlinked from it",
                        value=timeline.bill_no,
                        expected=head.bill_no,
                    )
                )
            continue
        if line.invt_no is not None and timeline.invt_no != line.invt_no:
            violations.append(
                Violation(
                    field=f"WayBillList[{position}].invtNo",
                    rule="invtNo must be the released inventory list of the parcel",
                    value=line.invt_no,
                    expected=timeline.invt_no,
                )
            )
        if timeline.allows(Movement.LINKED_TO_MASTER_BILL):
            continue
        if timeline.state in NOT_ARRIVED_STATES:
            violations.append(never_arrived(timeline, where))
        elif timeline.state is ParcelState.ARRIVED_AWAITING_RELEASE:
            violations.append(list_not_released(timeline, where))
        elif timeline.state is ParcelState.LINKED_TO_MASTER_BILL:
            violations.append(
                Violation(
                    field=where,
                    rule="the parcel is already linked to a master bill",
                    value=timeline.bill_no,
                    expected=head.bill_no,
                )
            )
        else:
            violations.append(not_allowed(timeline, Movement.LINKED_TO_MASTER_BILL, where))
    return violations


def _link_lines(
    link: MasterBillLink, parcels: Mapping[ParcelKey, ParcelTimeline]
) -> Sequence[MasterBillLine]:
    """The lines a link names; a delete without lines means every parcel on that bill."""
    if link.parcels or link.head.app_type is not AppType.DELETE:
        return link.parcels
    return [
        MasterBillLine(gnum=n, logistics_no=t.key.logistics_no)
        for n, t in enumerate(
            sorted(
                (t for t in parcels.values() if t.bill_no == link.head.bill_no),
                key=lambda t: t.key,
            ),
            start=1,
        )
    ]


def record_master_bill_link(
    link: MasterBillLink, parcels: Mapping[ParcelKey, ParcelTimeline], at: datetime
) -> list[TimelineEntry]:
    """Link (appType 1) or unlink (appType 3) the parcels of a master bill, all or none."""
    require_aware(at)
    violations = check_master_bill_link(link, parcels)
    if violations:
        raise MovementRefused("CEB607", violations)
    code = link.head.logistics_code
    movement = (
        Movement.UNLINKED_FROM_MASTER_BILL
        if link.head.app_type is AppType.DELETE
        else Movement.LINKED_TO_MASTER_BILL
    )
    checked = [parcels[ParcelKey(code, line.logistics_no)] for line in _link_lines(link, parcels)]
    return apply_all(checked, movement, at, link.head.cop_no, bill_no=link.head.bill_no)


# --- departure (CEB509) --------------------------------------------------------------------


def check_departure(
    departure: Departure, parcels: Mapping[ParcelKey, ParcelTimeline]
) -> list[Violation]:
    """Every reason why the departure does not fit its parcels: never arrived, list not
    released, already departed, left before it arrived, or on another master bill."""
    head = departure.head
    violations = only_new(head.app_type, "DepartureHead.appType", "departure")
    seen: set[ParcelKey] = set()
    for position, line in enumerate(departure.parcels, start=1):
        where = f"DepartureList[{position}].logisticsNo"
        key = ParcelKey(head.logistics_code, line.logistics_no)
        timeline = lookup(parcels, key, where, "E", seen, violations)
        if timeline is None:
            continue
        if not timeline.allows(Movement.DEPARTED):
            if timeline.state in NOT_ARRIVED_STATES:
                violations.append(never_arrived(timeline, where))
            elif timeline.state is ParcelState.ARRIVED_AWAITING_RELEASE:
                violations.append(list_not_released(timeline, where))
            elif timeline.state in GONE_STATES:
                violations.append(
                    Violation(
                        field=where, rule="the parcel has already departed", value=key.logistics_no
                    )
                )
            else:
                violations.append(not_allowed(timeline, Movement.DEPARTED, where))
            continue
        arrived_at = timeline.arrived_at
        if arrived_at is not None and head.leave_time < arrived_at:
            violations.append(
                Violation(
                    field="DepartureHead.leaveTime",
                    rule=f"leaveTime must not be before the arrival of parcel {key.logistics_no}",
                    value=head.leave_time.isoformat(),
                    expected=f">= {arrived_at.isoformat()}",
                )
            )
        if head.bill_no and timeline.bill_no and head.bill_no != timeline.bill_no:
            violations.append(
                Violation(
                    field="DepartureHead.billNo",
                    rule=f"billNo must be the master bill parcel {key.logistics_no} is linked to",
                    value=head.bill_no,
                    expected=timeline.bill_no,
                )
            )
    return violations


def record_departure(
    departure: Departure, parcels: Mapping[ParcelKey, ParcelTimeline]
) -> list[TimelineEntry]:
    """Move every parcel of the departure out of the country at ``leaveTime``, or none."""
    violations = check_departure(departure, parcels)
    if violations:
        raise MovementRefused("CEB509", violations)
    code = departure.head.logistics_code
    checked = [parcels[ParcelKey(code, line.logistics_no)] for line in departure.parcels]
    return apply_all(checked, Movement.DEPARTED, departure.head.leave_time, departure.head.cop_no)
