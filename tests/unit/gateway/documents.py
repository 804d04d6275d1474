"""Documents of the customs standard for the gateway's tests, built with the standard's models."""

from __future__ import annotations

import uuid
from typing import Any

from cbec.shared.ceb import message_model, to_xml


def guid() -> str:
    return str(uuid.uuid4()).upper()


def export_order(order_no: str, ebc_code: str, *, ebp_code: str | None = None) -> dict[str, Any]:
    """An export B2C order (CEB303 ``Order`` entity) in the JSON shape of the service APIs."""
    return {
        "OrderHead": {
            "guid": guid(),
            "appType": "1",
            "appTime": "20240507153001",
            "appStatus": "2",
            "orderType": "E",
            "orderNo": order_no,
            "ebpCode": ebp_code or ebc_code,
            "ebpName": "Example platform",
            "ebcCode": ebc_code,
            "ebcName": "Example seller",
            "goodsValue": "12345678912345.12345",
            "freight": "0",
            "currency": "142",
        },
        "OrderList": [
            {
                "gnum": 1,
                "itemNo": "AF001-001",
                "itemName": "TV box",
                "unit": "011",
                "currency": "142",
                "qty": "100",
                "price": "20",
                "totalPrice": "2000",
            }
        ],
    }


def export_waybill(logistics_no: str, logistics_code: str) -> dict[str, Any]:
    """An export waybill (CEB505 ``Logistics`` entity)."""
    return {
        "guid": guid(),
        "appType": "1",
        "appTime": "20240507153001",
        "appStatus": "2",
        "logisticsCode": logistics_code,
        "logisticsName": "Example logistics",
        "logisticsNo": logistics_no,
        "freight": "10.5",
        "insuredFee": "0",
        "currency": "142",
        "grossWeight": "1.25",
        "packNo": 1,
        "goodsInfo": "TV box",
    }


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
