"""Returns of goods (DOMAIN.md §8): of an export list, applied for by the seller (CEB213
``InvtRefund``) and tallied in at the supervised site (CEB215); of an import list, applied for
by the list's agent (CEB625 ``InvtRefund``).

    line = export_return_line(1, gcode="6911101900", gname="teapot", qty="2", unit="011")
    export_return(co_el_no="CE1", invt_no=..., return_no="RT1", ebp_code=..., ebc_code=...,
                  logistics_code=..., agent_code=..., lines=[line], app_time=...)
    return_tally(co_el_no="CE1", invt_no=..., return_no="RT1", operator_code=...,
                 logistics_code=..., app_time=...)
    import_return(cop_no="R1", order_no="IO1", invt_no=..., logistics_no="YT1", ...,
                  lines=[import_return_line(1, gcode=..., gname=..., qty="1", unit="007")])
"""

from __future__ import annotations

from typing import Any

from cbec.tools.builders.common import CUSTOMS, header


def export_return_line(
    gnum: int, *, gcode: str, gname: str, qty: str, unit: str, gmodel: str = "standard"
) -> dict[str, Any]:
    """A line of an export return: the list's ``gnum`` and the quantity returned (the legal
    quantity and unit are the declared ones)."""
    return {
        "gnum": gnum,
        "gcode": gcode,
        "gname": gname,
        "gmodel": gmodel,
        "qty": qty,
        "qty1": qty,
        "unit": unit,
        "unit1": unit,
    }


def export_return(
    *,
    co_el_no: str,
    invt_no: str,
    return_no: str,
    ebp_code: str,
    ebc_code: str,
    logistics_code: str,
    agent_code: str,
    lines: list[dict[str, Any]],
    app_time: str,
    trade_mode: str = "9610",
    country: str = "502",
    reason: str = "buyer returned the goods",
    ebp_name: str = "platform",
    ebc_name: str = "seller",
    logistics_name: str = "carrier",
    agent_name: str = "broker",
    flight: str = "CA1235",
    guid: str | None = None,
    **head: Any,
) -> dict[str, Any]:
    """CEB213: the return of (part of) an export list's goods in the parcel ``return_no`` (its
    waybill and bill number); ``head`` adds to or replaces fields of the head."""
    return {
        "InvtRefundHead": {
            **header(app_time, guid),
            "customsCode": CUSTOMS,
            "ebpCode": ebp_code,
            "ebpName": ebp_name,
            "ebcCode": ebc_code,
            "ebcName": ebc_name,
            "logisticsNo": return_no,
            "logisticsCode": logistics_code,
            "logisticsName": logistics_name,
            "coElNo": co_el_no,
            "invtNo": invt_no,
            "tradeMode": trade_mode,
            "agentCode": agent_code,
            "agentName": agent_name,
            "billNo": return_no,
            "ieFlag": "I",
            "trafMode": "5",
            "trafName": flight,
            "portCode": CUSTOMS,
            "reason": reason,
            "country": country,
            "voyageNo": flight,
            **head,
        },
        "InvtRefundList": lines,
    }


def return_tally(
    *,
    co_el_no: str,
    invt_no: str,
    return_no: str,
    operator_code: str,
    logistics_code: str,
    app_time: str,
    operator_name: str = "Jinan airport supervised site",
    logistics_name: str = "carrier",
    flight: str = "CA1236",
    guid: str | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """CEB215: the returned parcel ``return_no`` tallied in at the supervised site."""
    return {
        **header(app_time, guid),
        "customsCode": CUSTOMS,
        "operatorCode": operator_code,
        "operatorName": operator_name,
        "logisticsCode": logistics_code,
        "logisticsName": logistics_name,
        "logisticsNo": return_no,
        "invtNo": invt_no,
        "coElNo": co_el_no,
        "billNo": return_no,
        "ieFlag": "I",
        "trafMode": "5",
        "trafName": flight,
        "voyageNo": flight,
        **fields,
    }


def import_return_line(gnum: int, *, gcode: str, gname: str, qty: str, unit: str) -> dict[str, Any]:
    """A line of an import return: the list's ``gnum`` and the quantity returned."""
    return {"gnum": gnum, "gcode": gcode, "gname": gname, "qty": qty, "unit": unit}


def import_return(
    *,
    cop_no: str,
    order_no: str,
    invt_no: str,
    logistics_no: str,
    ebp_code: str,
    ebc_code: str,
    logistics_code: str,
    agent_code: str,
    buyer: str,
    lines: list[dict[str, Any]],
    app_time: str,
    buyer_name: str | None = None,
    buyer_telephone: str = "13800000000",
    reason: str = "quality problem",
    ebp_name: str = "platform",
    ebc_name: str = "seller",
    logistics_name: str = "carrier",
    agent_name: str = "broker",
    guid: str | None = None,
    **head: Any,
) -> dict[str, Any]:
    """CEB625: the buyer known by ``buyer`` (its identity number) returns an import list's
    goods, by the list's agent; ``head`` adds to or replaces fields of the head."""
    return {
        "InvtRefundHead": {
            **header(app_time, guid),
            "customsCode": CUSTOMS,
            "orderNo": order_no,
            "ebpCode": ebp_code,
            "ebpName": ebp_name,
            "ebcCode": ebc_code,
            "ebcName": ebc_name,
            "logisticsNo": logistics_no,
            "logisticsCode": logistics_code,
            "logisticsName": logistics_name,
            "copNo": cop_no,
            "invtNo": invt_no,
            "buyerIdType": "1",
            "buyerIdNumber": buyer,
            "buyerName": buyer_name or f"Buyer {buyer}",
            "buyerTelephone": buyer_telephone,
            "agentCode": agent_code,
            "agentName": agent_name,
            "reason": reason,
            **head,
        },
        "InvtRefundList": lines,
    }
