"""Waybills (CEB505 export, CEB511 import ``Logistics``), filed by the logistics enterprise.

export_waybill(logistics_code=..., logistics_no="SF1", ebc_code=..., app_time=...)
import_waybill(logistics_code=..., logistics_no="IL1", order_no="IO1", app_time=...)
logistics_status(logistics_code=..., logistics_no="IL1", app_time=..., logistics_time=...)
"""

from __future__ import annotations

from typing import Any

from cbec.tools.builders.common import header


def export_waybill(
    *,
    logistics_code: str,
    logistics_no: str,
    ebc_code: str | None,
    app_time: str,
    logistics_name: str = "carrier",
    ebc_name: str = "seller",
    freight: str = "10",
    currency: str = "142",
    gross_weight: str = "1.5",
    goods_info: str = "goods",
    guid: str | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """CEB505: an export parcel's waybill, of the seller ``ebc_code`` (None: a waybill naming
    no seller); ``fields`` add to or replace any field."""
    waybill: dict[str, Any] = {
        **header(app_time, guid),
        "logisticsCode": logistics_code,
        "logisticsName": logistics_name,
        "logisticsNo": logistics_no,
        "freight": freight,
        "insuredFee": "0",
        "currency": currency,
        "grossWeight": gross_weight,
        "packNo": 1,
        "goodsInfo": goods_info,
    }
    if ebc_code is not None:
        waybill |= {"ebcCode": ebc_code, "ebcName": ebc_name}
    return waybill | fields


def import_waybill(
    *,
    logistics_code: str,
    logistics_no: str,
    order_no: str,
    app_time: str,
    logistics_name: str = "carrier",
    weight: str = "0.8",
    consignee: str = "王方",
    address: str = "济南市历下区经十路1号",
    telephone: str = "13936921298",
    freight: str = "10",
    guid: str | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """CEB511: an import parcel's waybill, to the buyer's address; ``fields`` add to or replace
    any field. The message nests it under ``LogisticsHead``."""
    return {
        **header(app_time, guid),
        "logisticsCode": logistics_code,
        "logisticsName": logistics_name,
        "logisticsNo": logistics_no,
        "orderNo": order_no,
        "freight": freight,
        "insuredFee": "0",
        "currency": "142",
        "weight": weight,
        "packNo": 1,
        "consignee": consignee,
        "consigneeAddress": address,
        "consigneeTelephone": telephone,
        **fields,
    }


def logistics_status(
    *,
    logistics_code: str,
    logistics_no: str,
    app_time: str,
    logistics_time: str,
    status: str = "S",
    logistics_name: str = "carrier",
    guid: str | None = None,
) -> dict[str, Any]:
    """CEB513 ``LogisticsStatus``: what became of an import parcel (``S``: the buyer signed for
    it) at ``logistics_time``."""
    return {
        **header(app_time, guid),
        "logisticsCode": logistics_code,
        "logisticsName": logistics_name,
        "logisticsNo": logistics_no,
        "logisticsStatus": status,
        "logisticsTime": logistics_time,
    }
