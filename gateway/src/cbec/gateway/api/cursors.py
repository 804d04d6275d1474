"""Positions, cursors and times as clients give them to the gateway's reads.

encode_cursor("orders", 42)            # opaque to the client
decode_cursor("orders", cursor)        # 42, or 422 naming ``cursor``
parse_position("42")                   # Last-Event-ID: 42, or None
"""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime

from cbec.shared.errors import InvalidInput, Violation

MAX_POSITION = 2**63 - 1
"""The largest position a cursor or Last-Event-ID may name: positions are 64-bit sequence
numbers in the database, and a larger one cannot even be looked up."""


def parse_position(text: str) -> int | None:
    """A position given as ASCII digits (``"42"``), or None: ``"²"`` is a digit to Python but no
    number, and a number past :data:`MAX_POSITION` names nothing the database holds."""
    text = text.strip()
    if not (text.isascii() and text.isdigit()):
        return None
    if len(text.lstrip("0")) > len(str(MAX_POSITION)):
        return None
    position = int(text)
    return position if position <= MAX_POSITION else None


def in_utc(value: datetime, field: str) -> datetime:
    """A time given by the client in UTC (one without an offset is taken as UTC); a time the
    calendar cannot hold in UTC (9999-12-31T23:00:00-05:00) is refused, not looked up."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise InvalidInput(
            [Violation(field=field, rule="a time of the years 1 to 9999 in UTC", value=value)]
        ) from None


def encode_cursor(kind: str, position: int) -> str:
    """An opaque cursor: the client hands it back as it got it."""
    return base64.urlsafe_b64encode(f"{kind}:{position}".encode()).decode().rstrip("=")


def decode_cursor(kind: str, cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        name, _, value = raw.partition(":")
        position = parse_position(value)
        if name == kind and position is not None:
            return position
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise InvalidInput([Violation(field="cursor", rule=f"a cursor given by {kind} listing")])
