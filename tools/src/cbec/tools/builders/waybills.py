"""Waybills (CEB505 export, CEB511 import ``Logistics``), filed by the logistics enterprise.

export_waybill(logistics_code=..., logistics_no="SF1", ebc_code=..., app_time=...)
import_waybill(logistics_code=..., logistics_no="IL1", order_no="IO1", app_time=...)
"""

from __future__ import annotations

from typing import Any

from cbec.tools.builders.common import header


def export_waybill(
    *,
    logistics_code: str,
    logistics_no: str,
    ebc_code: str,
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
    """CEB505: an export parcel's waybill; ``fields`` add to or replace any field."""
    return {
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
        "ebcCode": ebc_code,
        "ebcName": ebc_name,
        **fields,
    }


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
    guid: str | None = None,
) -> dict[str, Any]:
    """CEB511: an import parcel's waybill, to the buyer's address."""
    return {
        **header(app_time, guid),
        "logisticsCode": logistics_code,
        "logisticsName": logistics_name,
        "logisticsNo": logistics_no,
        "orderNo": order_no,
        "freight": "10",
        "insuredFee": "0",
        "currency": "142",
        "weight": weight,
        "packNo": 1,
        "consignee": consignee,
        "consigneeAddress": address,
        "consigneeTelephone": telephone,
    }
