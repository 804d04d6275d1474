"""Documents of the customs standard for the gateway's tests, built with the standard's models."""

from __future__ import annotations

from typing import Any

from cbec.shared.ceb import message_model, to_xml
from tests.support import builders

guid = builders.new_guid
APP_TIME = "20240507153001"


def export_order(order_no: str, ebc_code: str, *, ebp_code: str | None = None) -> dict[str, Any]:
    """An export B2C order (CEB303 ``Order`` entity) in the JSON shape of the service APIs."""
    return builders.export_order(
        app_time=APP_TIME,
        order_no=order_no,
        ebp_code=ebp_code or ebc_code,
        ebp_name="Example platform",
        ebc_code=ebc_code,
        ebc_name="Example seller",
        goods_value="12345678912345.12345",
        freight="0",
        currency="142",
        lines=[
            builders.order_line(
                1,
                item_no="AF001-001",
                item_name="TV box",
                unit="011",
                currency="142",
                qty="100",
                price="20",
                total_price="2000",
            )
        ],
    )


def export_waybill(logistics_no: str, logistics_code: str) -> dict[str, Any]:
    """An export waybill (CEB505 ``Logistics`` entity), naming no seller."""
    return builders.export_waybill(
        app_time=APP_TIME,
        logistics_code=logistics_code,
        logistics_name="Example logistics",
        logistics_no=logistics_no,
        ebc_code=None,
        freight="10.5",
        gross_weight="1.25",
        goods_info="TV box",
    )


def order_message(*orders: dict[str, Any]) -> bytes:
    """A CEB303Message holding the orders, as the standard's XML."""
    message = message_model("CEB303Message").model_validate(
        {
            "guid": guid(),
            "version": "1.0",
            "Order": list(orders),
            "BaseTransfer": {
                "copCode": orders[0]["OrderHead"]["ebcCode"],
                "copName": "Example seller",
                "dxpMode": "DXP",
                "dxpId": "DXPENT0000012345",
            },
        }
    )
    return to_xml(message)
