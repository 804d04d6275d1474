"""Inventory lists (CEB603 export, CEB621 import ``Inventory``) in the JSON shape the services
take: a head and its lines of goods.

    line = inventory_line(1, item_no="SKU1", item_name="teapot", gcode="6911101900",
                          gname="teapot", country="502", currency="142", qty="2", unit="011",
                          price="150", total_price="300")
    export_inventory(order_no="EO1", cop_no="COP1", ebp_code=..., ebc_code=..., ...,
                     lines=[line], app_time=..., ie_date="20260305")
"""

from __future__ import annotations

from typing import Any

from cbec.tools.builders.common import CUSTOMS, header


def inventory_line(
    gnum: int,
    *,
    gcode: str,
    gname: str,
    country: str,
    currency: str,
    qty: str,
    unit: str,
    price: str,
    total_price: str,
    qty1: str | None = None,
    unit1: str | None = None,
    unit2: str | None = None,
    qty2: str | None = None,
    item_no: str | None = None,
    item_name: str | None = None,
    gmodel: str = "standard",
    bar_code: str | None = "none",
) -> dict[str, Any]:
    """One line of goods; the legal quantity and unit default to the declared ones. An import
    line may name no item (``item_no``, ``item_name`` None) and no bar code (``bar_code``
    None): those fields are then left out."""
    line: dict[str, Any] = {"gnum": gnum}
    if item_no is not None:
        line["itemNo"] = item_no
    if item_name is not None:
        line["itemName"] = item_name
    line |= {"gcode": gcode, "gname": gname, "gmodel": gmodel}
    if bar_code is not None:
        line["barCode"] = bar_code
    line |= {
        "country": country,
        "currency": currency,
        "qty": qty,
        "unit": unit,
        "qty1": qty1 if qty1 is not None else qty,
        "unit1": unit1 if unit1 is not None else unit,
        "price": price,
        "totalPrice": total_price,
    }
    if unit2 is not None:
        line["unit2"] = unit2
    if qty2 is not None:
        line["qty2"] = qty2
    return line


def export_inventory(
    *,
    order_no: str,
    cop_no: str,
    ebp_code: str,
    ebc_code: str,
    agent_code: str,
    logistics_code: str,
    logistics_no: str,
    lines: list[dict[str, Any]],
    app_time: str,
    ie_date: str,
    country: str = "502",
    currency: str = "142",
    freight: str = "10",
    gross_weight: str = "2.5",
    net_weight: str = "2",
    port_code: str = CUSTOMS,
    traf_mode: str = "5",
    wrap_type: str = "2",
    ebp_name: str = "platform",
    ebc_name: str = "seller",
    agent_name: str = "broker",
    logistics_name: str = "carrier",
    guid: str | None = None,
    **head: Any,
) -> dict[str, Any]:
    """CEB603: a 9610 export list of the seller (its owner); ``head`` adds to or replaces fields
    of the head."""
    return {
        "InventoryHead": {
            **header(app_time, guid),
            "customsCode": CUSTOMS,
            "ebpCode": ebp_code,
            "ebpName": ebp_name,
            "orderNo": order_no,
            "logisticsCode": logistics_code,
            "logisticsName": logistics_name,
            "logisticsNo": logistics_no,
            "copNo": cop_no,
            "ieFlag": "E",
            "portCode": port_code,
            "ieDate": ie_date,
            "statisticsFlag": "B",
            "agentCode": agent_code,
            "agentName": agent_name,
            "ebcCode": ebc_code,
            "ebcName": ebc_name,
            "ownerCode": ebc_code,
            "ownerName": ebc_name,
            "tradeMode": "9610",
            "trafMode": traf_mode,
            "country": country,
            "POD": country,
            "freight": freight,
            "fCurrency": currency,
            "fFlag": "3",
            "insuredFee": "0",
            "iCurrency": currency,
            "iFlag": "3",
            "wrapType": wrap_type,
            "packNo": 1,
            "grossWeight": gross_weight,
            "netWeight": net_weight,
            **head,
        },
        "InventoryList": lines,
    }


def import_inventory(
    *,
    order_no: str,
    cop_no: str,
    ebp_code: str,
    ebc_code: str,
    agent_code: str,
    logistics_code: str,
    logistics_no: str,
    buyer: str,
    lines: list[dict[str, Any]],
    app_time: str,
    decl_time: str,
    address: str = "1 Quancheng Road, Jinan",
    ebp_name: str = "platform",
    ebc_name: str = "seller",
    agent_name: str = "broker",
    logistics_name: str = "carrier",
    guid: str | None = None,
    **head: Any,
) -> dict[str, Any]:
    """CEB621: a 9610 import list of a buyer known by ``buyer``, its identity number; the agent
    is also its guarantor (``assureCode``)."""
    return {
        "InventoryHead": {
            **header(app_time, guid),
            "orderNo": order_no,
            "ebpCode": ebp_code,
            "ebpName": ebp_name,
            "ebcCode": ebc_code,
            "ebcName": ebc_name,
            "logisticsNo": logistics_no,
            "logisticsCode": logistics_code,
            "logisticsName": logistics_name,
            "copNo": cop_no,
            "assureCode": agent_code,
            "ieFlag": "I",
            "declTime": decl_time,
            "customsCode": CUSTOMS,
            "portCode": CUSTOMS,
            "buyerIdType": "1",
            "buyerIdNumber": buyer,
            "buyerName": f"Buyer {buyer}",
            "buyerTelephone": "13800000000",
            "consigneeAddress": address,
            "agentCode": agent_code,
            "agentName": agent_name,
            "tradeMode": "9610",
            "trafMode": "5",
            "country": "502",
            "freight": "10",
            "insuredFee": "0",
            "currency": "142",
            "packNo": 1,
            "grossWeight": "0.5",
            "netWeight": "0.4",
            **head,
        },
        "InventoryList": lines,
    }
