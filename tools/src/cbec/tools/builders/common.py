"""What every CEB document shares: its guid, application type, time and status.

header("20260305120000")        # guid, appType "1", appTime, appStatus "2"
ceb_time(datetime.now(CHINA))   # "yyyyMMddHHmmss" in China time
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

CHINA = timezone(timedelta(hours=8))
CUSTOMS = "4300"
"""济南海关: the zone's customs (DOMAIN.md §1)."""


def new_guid() -> str:
    return str(uuid.uuid4()).upper()


def ceb_time(at: datetime) -> str:
    """yyyyMMddHHmmss in China time (``appTime``, ``leaveTime``)."""
    return at.astimezone(CHINA).strftime("%Y%m%d%H%M%S")


def amount(value: Decimal) -> str:
    """A decimal as the documents write it: no exponent."""
    return format(value, "f")


def header(app_time: str, guid: str | None = None) -> dict[str, Any]:
    """The four fields every document starts with; a new guid unless one is given."""
    return {
        "guid": guid if guid is not None else new_guid(),
        "appType": "1",
        "appTime": app_time,
        "appStatus": "2",
    }


def numbered(logistics_nos: Any) -> list[dict[str, Any]]:
    """The parcel lines of a movement: ``gnum`` from 1 and the waybill number."""
    return [{"gnum": n, "logisticsNo": no} for n, no in enumerate(logistics_nos, start=1)]
