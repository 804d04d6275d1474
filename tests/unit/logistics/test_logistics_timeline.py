"""The parcel timeline: allowed transitions, illegal ones naming from/to, and overdue parcels."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cbec.logistics.domain import (
    EXPORT_TRANSITIONS,
    IMPORT_TRANSITIONS,
    IllegalTransition,
    Movement,
    ParcelState,
    ParcelTimeline,
    find_overdue,
)
from tests.unit.logistics.logistics_builders import at, export_parcel, import_parcel

M, S = Movement, ParcelState
T0 = at("20250301100000")


def walk(timeline: ParcelTimeline, *movements: Movement) -> ParcelTimeline:
    for n, movement in enumerate(movements, start=1):
        timeline.apply(movement, T0 + timedelta(hours=n), f"ref-{n}")
    return timeline


EXPORT_PATHS = [
    ((), S.WAYBILL_REGISTERED),
    ((M.LIST_RELEASED,), S.LIST_RELEASED),
    ((M.LIST_RELEASED, M.ARRIVED), S.ARRIVED),
    ((M.ARRIVED,), S.ARRIVED_AWAITING_RELEASE),
    ((M.ARRIVED, M.LIST_RELEASED), S.ARRIVED),
    ((M.LIST_RELEASED, M.ARRIVED, M.LINKED_TO_MASTER_BILL), S.LINKED_TO_MASTER_BILL),
    ((M.LIST_RELEASED, M.ARRIVED, M.LINKED_TO_MASTER_BILL, M.DEPARTED), S.DEPARTED),
    ((M.LIST_RELEASED, M.ARRIVED, M.DEPARTED), S.DEPARTED),
    ((M.LIST_RELEASED, M.LIST_REVOKED), S.WAYBILL_REGISTERED),
    ((M.LIST_RELEASED, M.ARRIVED, M.LIST_REVOKED), S.ARRIVED_AWAITING_RELEASE),
    (
        (M.LIST_RELEASED, M.ARRIVED, M.LINKED_TO_MASTER_BILL, M.UNLINKED_FROM_MASTER_BILL),
        S.ARRIVED,
    ),
    ((M.LIST_RELEASED, M.ARRIVED, M.DEPARTED, M.RETURN_APPLIED), S.RETURN_APPLIED),
    (
        (M.LIST_RELEASED, M.ARRIVED, M.DEPARTED, M.RETURN_APPLIED, M.RETURN_RECEIVED),
        S.RETURNED,
    ),
    ((M.WAYBILL_DELETED,), S.WAYBILL_DELETED),
]


@pytest.mark.parametrize(("movements", "state"), EXPORT_PATHS)
def test_an_export_parcel_follows_its_allowed_paths(
    movements: tuple[Movement, ...], state: ParcelState
) -> None:
    assert walk(export_parcel("L1"), *movements).state is state


IMPORT_PATHS = [
    ((M.ENTERED_SITE,), S.ENTERED_SITE),
    ((M.ENTERED_SITE, M.LIST_RELEASED), S.LIST_RELEASED),
    ((M.ENTERED_SITE, M.LIST_RELEASED, M.DELIVERED), S.DELIVERED),
    ((M.ENTERED_SITE, M.LIST_RELEASED, M.DELIVERED, M.RETURN_APPLIED), S.RETURN_APPLIED),
    ((M.ENTERED_SITE, M.LIST_RELEASED, M.RETURN_APPLIED, M.RETURN_RECEIVED), S.RETURNED),
    ((M.ENTERED_SITE, M.LIST_RELEASED, M.LIST_REVOKED), S.ENTERED_SITE),
]


@pytest.mark.parametrize(("movements", "state"), IMPORT_PATHS)
def test_an_import_parcel_follows_its_allowed_paths(
    movements: tuple[Movement, ...], state: ParcelState
) -> None:
    assert walk(import_parcel("I1"), *movements).state is state


ILLEGAL_EXPORT = [
    ((), M.DEPARTED, "waybill_registered", "departed"),
    ((M.LIST_RELEASED,), M.DEPARTED, "list_released", "departed"),
    ((M.ARRIVED,), M.DEPARTED, "arrived_awaiting_release", "departed"),
    ((M.ARRIVED,), M.LINKED_TO_MASTER_BILL, "arrived_awaiting_release", "linked_to_master_bill"),
    ((M.LIST_RELEASED, M.ARRIVED), M.ARRIVED, "arrived", "arrived"),
    ((M.LIST_RELEASED, M.ARRIVED, M.DEPARTED), M.DEPARTED, "departed", "departed"),
    ((M.LIST_RELEASED, M.ARRIVED, M.DEPARTED), M.LIST_REVOKED, "departed", "waybill_registered"),
    ((M.LIST_RELEASED,), M.WAYBILL_DELETED, "list_released", "waybill_deleted"),
    ((M.LIST_RELEASED, M.ARRIVED), M.RETURN_APPLIED, "arrived", "return_applied"),
    ((), M.ENTERED_SITE, "waybill_registered", "entered_site"),
    ((M.LIST_RELEASED, M.ARRIVED, M.DEPARTED), M.RETURN_RECEIVED, "departed", "returned"),
]


@pytest.mark.parametrize(("before", "movement", "from_state", "to_state"), ILLEGAL_EXPORT)
def test_an_illegal_export_movement_names_from_and_to_and_changes_nothing(
    before: tuple[Movement, ...], movement: Movement, from_state: str, to_state: str
) -> None:
    timeline = walk(export_parcel("L1"), *before)
    entries = list(timeline.entries)

    with pytest.raises(IllegalTransition) as caught:
        timeline.apply(movement, T0 + timedelta(days=1), "late")

    error = caught.value
    assert (error.from_state, error.to_state) == (from_state, to_state)
    assert f"from {from_state} to {to_state}" in error.message
    assert timeline.state.value == from_state
    assert timeline.entries == entries


ILLEGAL_IMPORT = [
    ((), M.LIST_RELEASED, "waybill_registered", "list_released"),
    ((M.ENTERED_SITE,), M.DELIVERED, "entered_site", "delivered"),
    ((), M.ARRIVED, "waybill_registered", "arrived"),
    ((M.ENTERED_SITE,), M.ENTERED_SITE, "entered_site", "entered_site"),
    ((M.ENTERED_SITE, M.LIST_RELEASED, M.DELIVERED), M.DELIVERED, "delivered", "delivered"),
    ((M.ENTERED_SITE,), M.RETURN_APPLIED, "entered_site", "return_applied"),
    ((M.ENTERED_SITE, M.LIST_RELEASED), M.DEPARTED, "list_released", "departed"),
]


@pytest.mark.parametrize(("before", "movement", "from_state", "to_state"), ILLEGAL_IMPORT)
def test_an_illegal_import_movement_names_from_and_to(
    before: tuple[Movement, ...], movement: Movement, from_state: str, to_state: str
) -> None:
    timeline = walk(import_parcel("I1"), *before)

    with pytest.raises(IllegalTransition) as caught:
        timeline.apply(movement, T0 + timedelta(days=1), "late")
    assert (caught.value.from_state, caught.value.to_state) == (from_state, to_state)


def test_an_illegal_movement_says_from_which_states_it_is_allowed() -> None:
    with pytest.raises(IllegalTransition) as caught:
        export_parcel("L1").apply(M.DEPARTED, T0, "DEP1")

    (violation,) = caught.value.violations
    assert violation.field == "state"
    assert violation.expected == "arrived, linked_to_master_bill"


def test_every_transition_appends_a_timeline_entry() -> None:
    timeline = walk(export_parcel("L1"), M.LIST_RELEASED, M.ARRIVED)

    assert [(e.movement, e.from_state, e.to_state) for e in timeline.entries] == [
        (None, None, S.WAYBILL_REGISTERED),
        (M.LIST_RELEASED, S.WAYBILL_REGISTERED, S.LIST_RELEASED),
        (M.ARRIVED, S.LIST_RELEASED, S.ARRIVED),
    ]
    assert [e.reference for e in timeline.entries] == ["CEB505", "ref-1", "ref-2"]
    assert timeline.released_at == T0 + timedelta(hours=1)
    assert timeline.arrived_at == T0 + timedelta(hours=2)


def test_release_records_the_list_and_revocation_forgets_it() -> None:
    timeline = export_parcel("L1")
    timeline.apply(M.LIST_RELEASED, T0, "CUS-1", invt_no="43002025E000000001")
    assert timeline.invt_no == "43002025E000000001"

    timeline.apply(M.LIST_REVOKED, T0, "CEB605")
    assert timeline.invt_no is None
    assert not timeline.list_released


def test_the_transition_tables_only_lead_to_known_states() -> None:
    for table in (EXPORT_TRANSITIONS, IMPORT_TRANSITIONS):
        for (state, movement), target in table.items():
            assert isinstance(state, ParcelState)
            assert isinstance(movement, Movement)
            assert isinstance(target, ParcelState)
    assert (S.DEPARTED, M.DEPARTED) not in EXPORT_TRANSITIONS


def test_a_timeline_refuses_a_naive_time() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        export_parcel("L1").apply(M.LIST_RELEASED, T0.replace(tzinfo=None), "CUS-1")


# --- overdue ----------------------------------------------------------------------------------

MAX_WAIT = timedelta(hours=72)


def released(
    no: str, hours_ago: int, *then: Movement, now: str = "20250310120000"
) -> ParcelTimeline:
    timeline = export_parcel(no)
    timeline.apply(M.LIST_RELEASED, at(now) - timedelta(hours=hours_ago), "CUS", invt_no=f"I-{no}")
    for movement in then:
        timeline.apply(movement, at(now), "later")
    return timeline


def test_a_released_parcel_not_departed_within_the_allowed_time_is_overdue() -> None:
    now = at("20250310120000")
    timelines = [
        released("OLD", 100),
        released("ARRIVED", 80, M.ARRIVED),
        released("FRESH", 10),
        released("EXACT", 72),
        released("GONE", 100, M.ARRIVED, M.DEPARTED),
    ]

    overdue = find_overdue(timelines, now, MAX_WAIT)

    assert [p.key.logistics_no for p in overdue] == ["OLD", "ARRIVED"]
    assert overdue[0].invt_no == "I-OLD"
    assert overdue[0].overdue_by == timedelta(hours=28)
    assert overdue[1].state is S.ARRIVED


def test_unreleased_and_import_parcels_are_never_overdue_for_departure() -> None:
    now = at("20250310120000")
    waiting = export_parcel("WAIT", filed="20250101000000")
    imported = import_parcel("IMP", filed="20250101000000")
    walk(imported, M.ENTERED_SITE, M.LIST_RELEASED)

    assert find_overdue([waiting, imported], now, MAX_WAIT) == []


def test_the_overdue_check_needs_a_positive_wait() -> None:
    with pytest.raises(ValueError, match="positive"):
        find_overdue([], at("20250310120000"), timedelta(0))
