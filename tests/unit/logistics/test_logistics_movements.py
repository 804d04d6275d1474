"""Goods movements checked against their parcels: arrival, master bill, departure, import."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from cbec.logistics.domain import (
    InvalidMessage,
    Movement,
    MovementRefused,
    ParcelKey,
    ParcelState,
    ParcelTimeline,
    combine_parts,
    parcel_keys,
    parse_arrival,
    parse_delivery_status,
    parse_departure,
    parse_master_bill_link,
    parse_site_entry,
    record_arrival,
    record_delivery,
    record_departure,
    record_master_bill_link,
    record_site_entry,
)
from tests.unit.logistics.logistics_builders import (
    LOGISTICS_CODE,
    arrival,
    at,
    by_key,
    delivery_status,
    departure,
    export_parcel,
    import_parcel,
    master_bill,
    site_entry,
)

ARRIVED_AT = at("20250302080000")
M, S = Movement, ParcelState


def released_parcel(no: str, invt_no: str | None = None) -> ParcelTimeline:
    timeline = export_parcel(no)
    timeline.apply(M.LIST_RELEASED, at("20250301120000"), "CUS", invt_no=invt_no or f"INV-{no}")
    return timeline


def arrived_parcel(no: str, invt_no: str | None = None) -> ParcelTimeline:
    timeline = released_parcel(no, invt_no)
    timeline.apply(M.ARRIVED, ARRIVED_AT, "ARR001")
    return timeline


def refused(call: Callable[..., object], *args: object) -> list[tuple[str, str]]:
    with pytest.raises(MovementRefused) as caught:
        call(*args)
    return [(v.field, v.rule) for v in caught.value.violations]


NEVER_ARRIVED = "the parcel never arrived at the supervised site (no CEB507 arrival)"
NOT_RELEASED = "the parcel's inventory list is not released"

# --- arrival (CEB507) -------------------------------------------------------------------------


def test_an_arrival_moves_every_parcel_to_the_supervised_site() -> None:
    parcels = by_key(released_parcel("L1"), released_parcel("L2"))
    message = parse_arrival(arrival("L1", "L2"))

    entries = record_arrival(message, parcels, ARRIVED_AT)

    assert [e.to_state for e in entries] == [S.ARRIVED, S.ARRIVED]
    assert {t.state for t in parcels.values()} == {S.ARRIVED}
    assert entries[0].reference == "ARR001"


def test_a_parcel_may_arrive_before_its_list_release_is_known() -> None:
    parcels = by_key(export_parcel("L1"))

    record_arrival(parse_arrival(arrival("L1")), parcels, ARRIVED_AT)

    assert parcels[ParcelKey(LOGISTICS_CODE, "L1")].state is S.ARRIVED_AWAITING_RELEASE


def test_an_arrival_naming_an_unknown_parcel_moves_nothing_and_names_the_line() -> None:
    parcels = by_key(released_parcel("L1"))

    found = refused(record_arrival, parse_arrival(arrival("L1", "NOPE")), parcels, ARRIVED_AT)

    assert found == [
        (
            "ArrivalList[2].logisticsNo",
            f"no waybill on file for this parcel from logisticsCode {LOGISTICS_CODE}",
        )
    ]
    assert parcels[ParcelKey(LOGISTICS_CODE, "L1")].state is S.LIST_RELEASED


def test_an_arrival_reports_every_problem_of_every_parcel() -> None:
    imported = import_parcel("IMP")
    parcels = by_key(arrived_parcel("TWICE"), imported)

    found = refused(
        record_arrival,
        parse_arrival(arrival("TWICE", "IMP", "GHOST", "GHOST")),
        parcels,
        ARRIVED_AT,
    )

    assert [field for field, _ in found] == [
        "ArrivalList[1].logisticsNo",
        "ArrivalList[2].logisticsNo",
        "ArrivalList[3].logisticsNo",
        "ArrivalList[4].logisticsNo",
    ]
    assert found[0][1] == "the parcel has already arrived at the supervised site"
    assert found[1][1] == "the parcel must have an export waybill"
    assert found[3][1] == "a parcel appears once per message"


def test_an_arrival_change_does_not_move_parcels() -> None:
    parcels = by_key(released_parcel("L1"))

    found = refused(record_arrival, parse_arrival(arrival("L1", appType="2")), parcels, ARRIVED_AT)

    assert found == [("ArrivalHead.appType", "only a new arrival report (appType 1) moves parcels")]


@pytest.mark.parametrize(
    ("head", "field"),
    [
        ({"ieFlag": "I"}, "ArrivalHead.ieFlag"),
        ({"customsCode": "43"}, "ArrivalHead.customsCode"),
        ({"copNo": "C" * 31}, "ArrivalHead.copNo"),
        ({"msgCount": "0"}, "ArrivalHead.msgCount"),
        ({"domesticTrafNo": ""}, "ArrivalHead.domesticTrafNo"),
    ],
)
def test_an_arrival_report_breaking_a_field_rule_is_refused(
    head: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidMessage) as caught:
        parse_arrival(arrival("L1", **head))
    assert field in [v.field for v in caught.value.violations]


def test_an_arrival_needs_at_least_one_parcel_and_valid_lines() -> None:
    with pytest.raises(InvalidMessage) as caught:
        parse_arrival(arrival())
    assert caught.value.violations[0].field == "ArrivalList"

    raw = arrival("L" * 33)
    with pytest.raises(InvalidMessage) as caught:
        parse_arrival(raw)
    assert caught.value.violations[0].field == "ArrivalList[1].logisticsNo"


def test_a_split_arrival_reassembled_out_of_order_moves_all_its_parcels() -> None:
    parts = [
        parse_arrival(arrival("L3", msg=(2, 2))),
        parse_arrival(arrival("L1", "L2", msg=(2, 1))),
    ]
    whole = combine_parts(sorted(parts, key=lambda p: p.split_position[1]))
    parcels = by_key(*(released_parcel(no) for no in ("L1", "L2", "L3")))

    assert parcel_keys(whole) == [ParcelKey(LOGISTICS_CODE, no) for no in ("L1", "L2", "L3")]
    record_arrival(whole, parcels, ARRIVED_AT)
    assert {t.state for t in parcels.values()} == {S.ARRIVED}


# --- departure (CEB509) -----------------------------------------------------------------------


def test_a_departure_moves_arrived_parcels_out_at_leave_time() -> None:
    linked = arrived_parcel("L2")
    linked.apply(M.LINKED_TO_MASTER_BILL, ARRIVED_AT, "WB001", bill_no="999-12345678")
    parcels = by_key(arrived_parcel("L1"), linked)

    entries = record_departure(
        parse_departure(departure("L1", "L2", billNo="999-12345678")), parcels
    )

    assert [e.at for e in entries] == [at("20250303120000")] * 2
    assert {t.state for t in parcels.values()} == {S.DEPARTED}


def test_departure_of_a_parcel_that_never_arrived_is_refused() -> None:
    parcels = by_key(released_parcel("L1"), export_parcel("L2"))

    found = refused(record_departure, parse_departure(departure("L1", "L2")), parcels)

    assert found == [
        ("DepartureList[1].logisticsNo", NEVER_ARRIVED),
        ("DepartureList[2].logisticsNo", NEVER_ARRIVED),
    ]
    assert {t.state for t in parcels.values()} == {S.LIST_RELEASED, S.WAYBILL_REGISTERED}


def test_departure_of_a_parcel_whose_list_is_not_released_is_refused() -> None:
    waiting = export_parcel("L1")
    waiting.apply(M.ARRIVED, ARRIVED_AT, "ARR001")
    revoked = arrived_parcel("L2")
    revoked.apply(M.LIST_REVOKED, ARRIVED_AT, "CEB605")

    found = refused(
        record_departure, parse_departure(departure("L1", "L2")), by_key(waiting, revoked)
    )

    assert found == [
        ("DepartureList[1].logisticsNo", NOT_RELEASED),
        ("DepartureList[2].logisticsNo", NOT_RELEASED),
    ]


def test_a_departure_moves_no_parcel_when_one_of_them_is_refused() -> None:
    ready = arrived_parcel("L1")
    parcels = by_key(ready, released_parcel("L2"))

    refused(record_departure, parse_departure(departure("L1", "L2")), parcels)

    assert ready.state is S.ARRIVED
    assert ready.entries[-1].movement is M.ARRIVED


def test_a_departure_before_the_arrival_time_is_refused_with_both_times() -> None:
    parcels = by_key(arrived_parcel("L1"))

    with pytest.raises(MovementRefused) as caught:
        record_departure(parse_departure(departure("L1", leave_time="20250302075959")), parcels)

    (violation,) = caught.value.violations
    assert violation.field == "DepartureHead.leaveTime"
    assert violation.value == "2025-03-02T07:59:59+08:00"
    assert violation.expected == ">= 2025-03-02T08:00:00+08:00"


def test_a_departure_at_the_arrival_time_is_accepted() -> None:
    parcels = by_key(arrived_parcel("L1"))

    record_departure(parse_departure(departure("L1", leave_time="20250302080000")), parcels)


def test_a_departure_on_another_master_bill_than_the_linked_one_is_refused() -> None:
    linked = arrived_parcel("L1")
    linked.apply(M.LINKED_TO_MASTER_BILL, ARRIVED_AT, "WB001", bill_no="999-12345678")

    found = refused(
        record_departure, parse_departure(departure("L1", billNo="999-00000000")), by_key(linked)
    )

    assert found == [
        ("DepartureHead.billNo", "billNo must be the master bill parcel L1 is linked to")
    ]


def test_a_parcel_departs_only_once() -> None:
    parcels = by_key(arrived_parcel("L1"))
    record_departure(parse_departure(departure("L1")), parcels)

    found = refused(record_departure, parse_departure(departure("L1")), parcels)

    assert found == [("DepartureList[1].logisticsNo", "the parcel has already departed")]


def test_a_departure_without_leave_time_is_invalid() -> None:
    with pytest.raises(InvalidMessage) as caught:
        parse_departure(departure("L1", leave_time=""))
    assert [v.field for v in caught.value.violations] == ["DepartureHead.leaveTime"]


# --- master bill link (CEB607) ----------------------------------------------------------------


def test_a_master_bill_links_arrived_parcels_of_released_lists() -> None:
    parcels = by_key(arrived_parcel("L1", "INV-A"), arrived_parcel("L2", "INV-B"))
    link = parse_master_bill_link(master_bill(("L1", "INV-A"), ("L2", None)))

    record_master_bill_link(link, parcels, ARRIVED_AT + timedelta(hours=1))

    assert {t.state for t in parcels.values()} == {S.LINKED_TO_MASTER_BILL}
    assert {t.bill_no for t in parcels.values()} == {"999-12345678"}


def test_a_master_bill_link_names_every_mismatch() -> None:
    waiting = export_parcel("WAIT")
    waiting.apply(M.ARRIVED, ARRIVED_AT, "ARR001")
    parcels = by_key(arrived_parcel("L1", "INV-A"), released_parcel("L2"), waiting)
    link = parse_master_bill_link(master_bill(("L1", "INV-OTHER"), ("L2", None), ("WAIT", None)))

    found = refused(record_master_bill_link, link, parcels, ARRIVED_AT)

    assert found == [
        ("WayBillList[1].invtNo", "invtNo must be the released inventory list of the parcel"),
        ("WayBillList[2].logisticsNo", NEVER_ARRIVED),
        ("WayBillList[3].logisticsNo", NOT_RELEASED),
    ]


def test_a_parcel_is_linked_to_one_master_bill_at_a_time() -> None:
    parcels = by_key(arrived_parcel("L1"))
    record_master_bill_link(parse_master_bill_link(master_bill(("L1", None))), parcels, ARRIVED_AT)

    found = refused(
        record_master_bill_link,
        parse_master_bill_link(master_bill(("L1", None), bill_no="999-99999999")),
        parcels,
        ARRIVED_AT,
    )

    assert found == [
        ("WayBillList[1].logisticsNo", "the parcel is already linked to a master bill")
    ]


def test_deleting_a_master_bill_link_without_lines_unlinks_every_parcel_on_that_bill() -> None:
    parcels = by_key(arrived_parcel("L1"), arrived_parcel("L2"), arrived_parcel("OTHER"))
    record_master_bill_link(
        parse_master_bill_link(master_bill(("L1", None), ("L2", None))), parcels, ARRIVED_AT
    )

    deleted = parse_master_bill_link(master_bill(appType="3"))
    entries = record_master_bill_link(deleted, parcels, ARRIVED_AT + timedelta(hours=1))

    assert len(entries) == 2
    assert {t.state for t in parcels.values()} == {S.ARRIVED}
    assert {t.bill_no for t in parcels.values()} == {None}


def test_unlinking_a_parcel_from_a_bill_it_is_not_on_is_refused() -> None:
    parcels = by_key(arrived_parcel("L1"))

    found = refused(
        record_master_bill_link,
        parse_master_bill_link(master_bill(("L1", None), appType="3")),
        parcels,
        ARRIVED_AT,
    )

    assert found == [
        (
            "WayBillList[1].logisticsNo",
            "only a parcel linked to this master bill can be unlinked from it",
        )
    ]


def test_a_master_bill_link_is_not_changed_in_place() -> None:
    found = refused(
        record_master_bill_link,
        parse_master_bill_link(master_bill(("L1", None), appType="2")),
        by_key(arrived_parcel("L1")),
        ARRIVED_AT,
    )

    assert found[0][0] == "WayBillHead.appType"


# --- import: site entry (CEB711) and delivery (CEB513) ----------------------------------------


def test_a_site_entry_moves_import_parcels_into_the_site() -> None:
    parcels = by_key(import_parcel("I1"), import_parcel("I2"))

    record_site_entry(parse_site_entry(site_entry("I1", "I2")), parcels, ARRIVED_AT)

    assert {t.state for t in parcels.values()} == {S.ENTERED_SITE}


def test_a_site_entry_refuses_export_unknown_and_already_entered_parcels() -> None:
    entered = import_parcel("IN")
    entered.apply(M.ENTERED_SITE, ARRIVED_AT, "RK000")
    parcels = by_key(entered, export_parcel("EXP"))

    found = refused(
        record_site_entry, parse_site_entry(site_entry("IN", "EXP", "GHOST")), parcels, ARRIVED_AT
    )

    assert [rule for _, rule in found] == [
        "the parcel has already entered the supervised site",
        "the parcel must have an import waybill",
        f"no waybill on file for this parcel from logisticsCode {LOGISTICS_CODE}",
    ]


def test_a_site_entry_must_be_an_import_report() -> None:
    with pytest.raises(InvalidMessage) as caught:
        parse_site_entry(site_entry("I1", ieFlag="E"))
    assert caught.value.violations[0].rule == "CEB711 reports import parcels: ieFlag must be I"


def released_import(no: str) -> ParcelTimeline:
    timeline = import_parcel(no)
    timeline.apply(M.ENTERED_SITE, at("20250302080000"), "RK001")
    timeline.apply(M.LIST_RELEASED, at("20250303080000"), "CUS", invt_no="430020251000000001")
    return timeline


def test_a_released_import_parcel_is_signed_for_at_logistics_time() -> None:
    timeline = released_import("I1")

    entry = record_delivery(parse_delivery_status(delivery_status("I1")), timeline)

    assert timeline.state is S.DELIVERED
    assert entry.at == at("20250310083000")


def test_a_parcel_whose_list_is_not_released_cannot_be_signed_for() -> None:
    timeline = import_parcel("I1")
    timeline.apply(M.ENTERED_SITE, ARRIVED_AT, "RK001")

    found = refused(record_delivery, parse_delivery_status(delivery_status("I1")), timeline)

    assert found == [("logisticsNo", NOT_RELEASED)]


def test_a_parcel_cannot_be_signed_for_before_its_release_or_twice() -> None:
    early = refused(
        record_delivery,
        parse_delivery_status(delivery_status("I1", logisticsTime="20250303075959")),
        released_import("I1"),
    )
    assert early == [("logisticsTime", "a parcel is signed for after its list is released")]

    timeline = released_import("I2")
    record_delivery(parse_delivery_status(delivery_status("I2")), timeline)
    twice = refused(record_delivery, parse_delivery_status(delivery_status("I2")), timeline)
    assert twice == [("logisticsNo", "the parcel is already signed for")]


def test_a_delivery_status_of_an_unknown_parcel_is_refused() -> None:
    found = refused(record_delivery, parse_delivery_status(delivery_status("I9")), None)

    assert found[0][0] == "logisticsNo"


@pytest.mark.parametrize("status", ["R", ""])
def test_only_the_signed_for_status_is_accepted(status: str) -> None:
    with pytest.raises(InvalidMessage) as caught:
        parse_delivery_status(delivery_status("I1", logisticsStatus=status))
    assert caught.value.violations[0].field == "logisticsStatus"
