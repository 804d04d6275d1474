"""The movements of parcels (DOMAIN.md §8): arrival at the supervised site (CEB507), the master
bill of the flight (CEB607), departure (CEB509) and, for bonded imports, entry to the site.

    head = movement_head(cop_no="ARR1", logistics_code=..., app_time=...)
arrival(head, ["SF1"], operator_code=...)
    head = movement_head(cop_no="DEP1", logistics_code=..., app_time=...)
departure(head, ["SF1"], leave_time=...)
site_entry(cop_no="RK1", logistics_code=..., operator_code=..., numbers=["YT1"], app_time=...)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from cbec.tools.builders.common import CUSTOMS, header, numbered


def movement_head(
    *,
    cop_no: str,
    logistics_code: str,
    app_time: str,
    logistics_name: str = "carrier",
    msg: tuple[int, int] = (1, 1),
    guid: str | None = None,
) -> dict[str, Any]:
    """The head every movement of a carrier starts with (one message of ``msg[0]``)."""
    return {
        **header(app_time, guid),
        "customsCode": CUSTOMS,
        "copNo": cop_no,
        "logisticsCode": logistics_code,
        "logisticsName": logistics_name,
        "msgCount": msg[0],
        "msgSeqNo": msg[1],
    }


def arrival(
    head: dict[str, Any],
    numbers: Iterable[str],
    *,
    operator_code: str,
    operator_name: str = "Jinan airport supervised site",
    domestic_traf_no: str = "鲁A12345",
) -> dict[str, Any]:
    """CEB507 ``Arrival``: the parcels arrived at the supervised site."""
    return {
        "ArrivalHead": head
        | {
            "operatorCode": operator_code,
            "operatorName": operator_name,
            "ieFlag": "E",
            "trafMode": "5",
            "domesticTrafNo": domestic_traf_no,
        },
        "ArrivalList": numbered(numbers),
    }


def master_bill(
    head: dict[str, Any],
    numbers: Iterable[str],
    *,
    agent_code: str,
    bill_no: str,
    agent_name: str = "broker",
    gross_weight: str = "3.2",
    flight: str = "CA1234",
) -> dict[str, Any]:
    """CEB607 ``WayBill``: the parcels linked to the flight's master bill."""
    return {
        "WayBillHead": head
        | {
            "agentCode": agent_code,
            "agentName": agent_name,
            "trafMode": "5",
            "trafName": flight,
            "voyageNo": flight,
            "billNo": bill_no,
            "grossWeight": gross_weight,
        },
        "WayBillList": numbered(numbers),
    }


def departure(
    head: dict[str, Any],
    numbers: Iterable[str],
    *,
    leave_time: str,
    flight: str | None = "CA1234",
    **fields: Any,
) -> dict[str, Any]:
    """CEB509 ``Departure``: the flight left at ``leave_time``; ``fields`` (a ``billNo``) go
    before it. ``flight`` None: a departure naming no flight (no ``trafName``, ``voyageNo``)."""
    named = {} if flight is None else {"trafName": flight, "voyageNo": flight}
    return {
        "DepartureHead": head | {"trafMode": "5", **named, **fields} | {"leaveTime": leave_time},
        "DepartureList": numbered(numbers),
    }


def site_entry(
    *,
    cop_no: str,
    logistics_code: str,
    operator_code: str,
    numbers: Iterable[str],
    app_time: str,
    logistics_name: str = "carrier",
    operator_name: str = "Jinan airport import site",
    flight: str = "MU5678",
    bill_no: str = "781-00000001",
    guid: str | None = None,
) -> dict[str, Any]:
    """CEB711 ``Delivery``: the import parcels of a flight entered the supervised site."""
    return {
        "DeliveryHead": {
            **header(app_time, guid),
            "customsCode": CUSTOMS,
            "copNo": cop_no,
            "operatorCode": operator_code,
            "operatorName": operator_name,
            "ieFlag": "I",
            "trafMode": "5",
            "trafNo": flight,
            "voyageNo": flight,
            "billNo": bill_no,
            "logisticsCode": logistics_code,
            "logisticsName": logistics_name,
        },
        "DeliveryList": numbered(numbers),
    }
