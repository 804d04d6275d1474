"""Time as the platform keeps it: UTC in storage and events, China Standard Time in messages.

The customs standard writes local times of the People's Republic (UTC+08:00, no daylight
saving); everything stored or put on the bus is an aware UTC ``datetime``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

CHINA_TZ = timezone(timedelta(hours=8), "UTC+08:00")


def utcnow() -> datetime:
    """Now, aware, in UTC."""
    return datetime.now(UTC)


def aware(value: datetime) -> datetime:
    """A stored time as an aware datetime (SQLite hands naive UTC values back)."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def china(value: datetime) -> datetime:
    """The same moment in China Standard Time (a naive value is read as UTC)."""
    return aware(value).astimezone(CHINA_TZ)


def china_iso(value: datetime) -> str:
    """ISO 8601 in China Standard Time, to the second: ``2026-12-03T22:26:38+08:00``."""
    return china(value).isoformat(timespec="seconds")


def china_now() -> datetime:
    """Now, in China Standard Time."""
    return utcnow().astimezone(CHINA_TZ)
