"""Electronic orders (CEB303 export, CEB311 import) in the JSON shape the services take.

line = order_line(1, item_no="SKU1", item_name="teapot", unit="011", currency="142",
                  qty="2", price="150", total_price="300")
export_order(order_no="EO1", ebp_code=..., ebc_code=..., goods_value="300", freight="10",
             currency="142", lines=[line], app_time="20260305120000")
"""

from __future__ import annotations

from typing import Any

from cbec.tools.builders.common import header


def order_line(
    gnum: int,
    *,
    item_no: str,
    item_name: str,
    unit: str,
    currency: str,
    qty: str,
    price: str,
    total_price: str,
    bar_code: str | None = None,
) -> dict[str, Any]:
    """One line of an export order (``barCode`` after the name when given)."""
    line: dict[str, Any] = {"gnum": gnum, "itemNo": item_no, "itemName": item_name}
    if bar_code is not None:
        line["barCode"] = bar_code
    line |= {
        "unit": unit,
        "currency": currency,
        "qty": qty,
        "price": price,
        "totalPrice": total_price,
    }
    return line


def import_order_line(
    gnum: int,
    *,
    item_name: str,
    unit: str,
    qty: str,
    price: str,
    total_price: str,
    currency: str = "142",
    country: str = "502",
    item_no: str | None = None,
    gmodel: str | None = None,
) -> dict[str, Any]:
    """One line of an import order; ``country`` is the origin; ``itemNo`` and ``gmodel`` only
    when given."""
    line: dict[str, Any] = {"gnum": gnum}
    if item_no is not None:
        line["itemNo"] = item_no
    line["itemName"] = item_name
    if gmodel is not None:
        line["gmodel"] = gmodel
    return line | {
        "unit": unit,
        "qty": qty,
        "price": price,
        "totalPrice": total_price,
        "currency": currency,
        "country": country,
    }


def export_order(
    *,
    order_no: str,
    ebp_code: str,
    ebc_code: str,
    goods_value: str,
    freight: str,
    currency: str,
    lines: list[dict[str, Any]],
    app_time: str,
    ebp_name: str = "platform",
    ebc_name: str = "seller",
    guid: str | None = None,
    **head: Any,
) -> dict[str, Any]:
    """CEB303 ``Order`` (orderType E), filed by the seller or its platform; ``head`` adds to or
    replaces fields of the head."""
    return {
        "OrderHead": {
            **header(app_time, guid),
            "orderType": "E",
            "orderNo": order_no,
            "ebpCode": ebp_code,
            "ebpName": ebp_name,
            "ebcCode": ebc_code,
            "ebcName": ebc_name,
            "goodsValue": goods_value,
            "freight": freight,
            "currency": currency,
            **head,
        },
        "OrderList": lines,
    }


def import_order(
    *,
    order_no: str,
    ebp_code: str,
    ebc_code: str,
    buyer: str,
    goods_value: str,
    freight: str,
    paid: str,
    lines: list[dict[str, Any]],
    app_time: str,
    ebp_name: str = "platform",
    ebc_name: str = "seller",
    address: str = "1 Quancheng Road, Jinan",
    guid: str | None = None,
    **head: Any,
) -> dict[str, Any]:
    """CEB311 ``Order`` (orderType I) of a buyer known by ``buyer``, its identity number;
    ``head`` adds to or replaces fields of the head."""
    return {
        "OrderHead": {
            **header(app_time, guid),
            "orderType": "I",
            "orderNo": order_no,
            "ebpCode": ebp_code,
            "ebpName": ebp_name,
            "ebcCode": ebc_code,
            "ebcName": ebc_name,
            "goodsValue": goods_value,
            "freight": freight,
            "discount": "0",
            "taxTotal": "0",
            "acturalPaid": paid,
            "currency": "142",
            "buyerRegNo": f"R{buyer}",
            "buyerName": f"Buyer {buyer}",
            "buyerTelephone": "13800000000",
            "buyerIdType": "1",
            "buyerIdNumber": buyer,
            "consignee": f"Buyer {buyer}",
            "consigneeTelephone": "13800000000",
            "consigneeAddress": address,
            **head,
        },
        "OrderList": lines,
    }
