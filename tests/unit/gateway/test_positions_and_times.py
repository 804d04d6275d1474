"""What a client names as a position (a cursor, Last-Event-ID) or a time is checked before it
is looked up: these inputs answered 500, or cut a feed short after its 200."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta, timezone

import pytest

from cbec.gateway.api.cursors import MAX_POSITION, decode_cursor, in_utc, parse_position
from cbec.shared.errors import InvalidInput


@pytest.mark.parametrize(
    ("text", "position"),
    [("0", 0), ("42", 42), (" 7 ", 7), ("0007", 7), (str(MAX_POSITION), MAX_POSITION)],
)
def test_a_position_is_ascii_digits(text: str, position: int) -> None:
    assert parse_position(text) == position


@pytest.mark.parametrize(
    "text", ["", "-1", "1.5", "²", "１２", "٣", str(MAX_POSITION + 1), "9" * 30, "9" * 5000]
)
def test_a_position_that_is_no_number_or_past_the_largest_is_none(text: str) -> None:
    assert parse_position(text) is None


def test_a_cursor_naming_a_position_past_the_largest_is_refused() -> None:
    cursor = base64.urlsafe_b64encode(b"orders:" + b"9" * 30).decode().rstrip("=")

    with pytest.raises(InvalidInput):
        decode_cursor("orders", cursor)


def test_a_time_is_taken_in_utc_and_one_past_the_calendar_in_utc_is_refused() -> None:
    east = timezone(timedelta(hours=8))

    assert in_utc(datetime(2026, 11, 1), "since") == datetime(2026, 11, 1, tzinfo=UTC)
    assert in_utc(datetime(2026, 11, 1, 8, tzinfo=east), "since") == datetime(
        2026, 11, 1, tzinfo=UTC
    )
    with pytest.raises(InvalidInput) as refused:
        in_utc(datetime(9999, 12, 31, 23, tzinfo=timezone(timedelta(hours=-23))), "since")
    assert refused.value.violations[0].field == "since"
    with pytest.raises(InvalidInput):
        in_utc(datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=23))), "since")
