"""Reassembly of split messages (msgCount / msgSeqNo), in any order, duplicates ignored."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cbec.logistics.domain import (
    Arrival,
    SplitMessage,
    SplitMessageConflict,
    SplitMessageIncomplete,
    combine_parts,
    parse_arrival,
)
from cbec.logistics.use_cases.documents import pre_no
from tests.unit.logistics.logistics_builders import arrival


def arrival_part(seq: int, count: int, *logistics_nos: str, cop_no: str = "ARR001") -> Arrival:
    return parse_arrival(arrival(*logistics_nos, msg=(count, seq), copNo=cop_no))


def test_parts_received_out_of_order_are_reassembled_in_sequence() -> None:
    assembly: SplitMessage[Arrival] = SplitMessage("ARR001")
    parts = {
        3: arrival_part(3, 3, "L5"),
        1: arrival_part(1, 3, "L1", "L2"),
        2: arrival_part(2, 3, "L3", "L4"),
    }

    for part in parts.values():
        assert not assembly.complete
        assembly.add(*part.split_position, part)

    assert assembly.complete
    merged = combine_parts(assembly.parts())
    assert [p.logistics_no for p in merged.parcels] == ["L1", "L2", "L3", "L4", "L5"]
    assert merged.head.cop_no == "ARR001"


def test_a_split_message_is_incomplete_until_every_part_arrived() -> None:
    assembly: SplitMessage[str] = SplitMessage("K")
    assembly.add(4, 3, "third")
    assembly.add(4, 1, "first")

    assert assembly.missing == (2, 4)
    assert assembly.received == (1, 3)
    with pytest.raises(SplitMessageIncomplete) as caught:
        assembly.parts()
    assert caught.value.missing == (2, 4)


def test_an_empty_assembly_is_not_complete() -> None:
    assembly: SplitMessage[str] = SplitMessage("K")

    assert not assembly.complete
    with pytest.raises(SplitMessageIncomplete):
        assembly.parts()


def test_a_part_received_twice_is_ignored() -> None:
    assembly: SplitMessage[str] = SplitMessage("K")

    assert assembly.add(2, 1, "first") is True
    assert assembly.add(2, 1, "first") is False
    assembly.add(2, 2, "second")

    assert assembly.parts() == ["first", "second"]


def test_an_unsplit_message_is_complete_with_its_only_part() -> None:
    assembly: SplitMessage[str] = SplitMessage("K")
    assembly.add(1, 1, "only")

    assert assembly.complete
    assert assembly.parts() == ["only"]


def test_a_part_with_another_msg_count_is_refused_and_changes_nothing() -> None:
    assembly: SplitMessage[str] = SplitMessage("K")
    assembly.add(3, 1, "first")

    with pytest.raises(SplitMessageConflict) as caught:
        assembly.add(4, 2, "second")

    (violation,) = caught.value.violations
    assert violation.field == "msgCount"
    assert (violation.value, violation.expected) == (4, 3)
    assert assembly.received == (1,)
    assert assembly.msg_count == 3


@pytest.mark.parametrize(
    ("count", "seq", "field"), [(3, 0, "msgSeqNo"), (3, 4, "msgSeqNo"), (0, 1, "msgCount")]
)
def test_a_sequence_number_outside_1_to_msg_count_is_refused(
    count: int, seq: int, field: str
) -> None:
    assembly: SplitMessage[str] = SplitMessage("K")

    with pytest.raises(SplitMessageConflict) as caught:
        assembly.add(count, seq, "part")
    assert caught.value.violations[0].field == field


def test_a_repeated_part_with_other_content_is_refused() -> None:
    assembly: SplitMessage[str] = SplitMessage("K")
    assembly.add(2, 1, "first")

    with pytest.raises(SplitMessageConflict):
        assembly.add(2, 1, "something else")
    assert assembly.received == (1,)
    assert assembly.missing == (2,)


def test_parts_of_another_document_cannot_be_combined() -> None:
    with pytest.raises(SplitMessageConflict) as caught:
        combine_parts([arrival_part(1, 2, "L1"), arrival_part(2, 2, "L2", cop_no="ARR999")])
    assert caught.value.violations[0].field == "copNo"


def test_a_message_without_split_numbers_counts_as_one_part_of_one() -> None:
    raw = arrival("L1")
    raw["ArrivalHead"]["msgCount"] = ""
    raw["ArrivalHead"]["msgSeqNo"] = ""

    assert parse_arrival(raw).split_position == (1, 1)


@pytest.mark.parametrize(
    ("serial", "at", "expected"),
    [
        (1, datetime(2026, 12, 2, 8, 0, tzinfo=UTC), "B20261202500000001"),
        # The day is China's: 20:00 UTC on 1 December is 04:00 on 2 December there.
        (42, datetime(2026, 12, 1, 20, 0, tzinfo=UTC), "B20261202500000042"),
        # The series keeps its first digit; the serial wraps at 10^8.
        (123_456_789, datetime(2026, 12, 2, 8, 0, tzinfo=UTC), "B20261202523456789"),
    ],
)
def test_a_movement_message_gets_a_pre_entry_number_of_the_logistics_series(
    serial: int, at: datetime, expected: str
) -> None:
    number = pre_no(serial, at)
    assert number == expected
    assert len(number) == 18  # preNo is 18 characters in CEB508, CEB510, CEB608
