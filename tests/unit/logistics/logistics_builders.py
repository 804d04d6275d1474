"""Valid raw messages and domain objects for the logistics unit tests, with overrides."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from cbec.logistics.domain import (
    ListLine,
    ParcelKey,
    ParcelTimeline,
    ReleasedList,
    parse_ceb_time,
)

GUID = "4CDE1CFD-EDED-46B1-946C-B8022E42FC94"
LOGISTICS_CODE = "1105910159"
EBC_CODE = "1105910158"


def at(text: str) -> datetime:
    """A China-time moment from ``yyyyMMddHHmmss`` (the messages' own format)."""
    return parse_ceb_time(text)


def export_waybill(**overrides: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "guid": GUID,
        "appType": "1",
        "appTime": "20250301100000",
        "appStatus": "2",
        "logisticsCode": LOGISTICS_CODE,
        "logisticsName": "东方物通科技(北京)有限公司",
        "logisticsNo": "L2025030100001",
        "freight": "20.50",
        "insuredFee": "0",
        "currency": "142",
        "grossWeight": "1.25",
        "packNo": "1",
        "goodsInfo": "包裹",
        "ebcCode": EBC_CODE,
        "ebcName": "测试电商",
    }
    raw.update(overrides)
    return raw


def import_waybill(**overrides: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "guid": GUID,
        "appType": "1",
        "appTime": "20250301100000",
        "appStatus": "2",
        "logisticsCode": LOGISTICS_CODE,
        "logisticsName": "测试物流企业",
        "logisticsNo": "L201603081138001",
        "orderNo": "order20250301001",
        "freight": "10",
        "insuredFee": "0",
        "currency": "142",
        "weight": "0.80",
        "packNo": "1",
        "consignee": "王方",
        "consigneeAddress": "济南市历下区经十路1号",
        "consigneeTelephone": "13936921298",
    }
    raw.update(overrides)
    return raw


def _head(overrides: dict[str, Any], **fields: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "guid": GUID,
        "appType": "1",
        "appTime": "20250302080000",
        "appStatus": "2",
        "customsCode": "4300",
    }
    raw.update(fields)
    raw.update(overrides)
    return raw


def arrival(*logistics_nos: str, msg: tuple[int, int] = (1, 1), **head: Any) -> dict[str, Any]:
    return {
        "ArrivalHead": _head(
            head,
            copNo="ARR001",
            operatorCode=LOGISTICS_CODE,
            operatorName="监管场所",
            ieFlag="E",
            trafMode="5",
            domesticTrafNo="鲁A12345",
            logisticsCode=LOGISTICS_CODE,
            logisticsName="测试物流企业",
            msgCount=str(msg[0]),
            msgSeqNo=str(msg[1]),
        ),
        "ArrivalList": [
            {"gnum": str(n), "logisticsNo": no} for n, no in enumerate(logistics_nos, start=1)
        ],
    }


def departure(
    *logistics_nos: str, leave_time: str = "20250303120000", **head: Any
) -> dict[str, Any]:
    return {
        "DepartureHead": _head(
            head,
            copNo="DEP001",
            logisticsCode=LOGISTICS_CODE,
            logisticsName="测试物流企业",
            trafMode="5",
            leaveTime=leave_time,
            msgCount="1",
            msgSeqNo="1",
        ),
        "DepartureList": [
            {"gnum": str(n), "logisticsNo": no} for n, no in enumerate(logistics_nos, start=1)
        ],
    }


def master_bill(
    *lines: tuple[str, str | None], bill_no: str = "999-12345678", **head: Any
) -> dict[str, Any]:
    return {
        "WayBillHead": _head(
            head,
            copNo="WB001",
            agentCode=EBC_CODE,
            agentName="申报企业",
            trafMode="5",
            trafName="CA1234",
            voyageNo="CA1234",
            billNo=bill_no,
            grossWeight="12.5",
            logisticsCode=LOGISTICS_CODE,
            logisticsName="测试物流企业",
            msgCount="1",
            msgSeqNo="1",
        ),
        "WayBillList": [
            {"gnum": str(n), "logisticsNo": no, **({"invtNo": invt} if invt else {})}
            for n, (no, invt) in enumerate(lines, start=1)
        ],
    }


def site_entry(*logistics_nos: str, **head: Any) -> dict[str, Any]:
    return {
        "DeliveryHead": _head(
            head,
            copNo="RK001",
            operatorCode=LOGISTICS_CODE,
            operatorName="监管人",
            ieFlag="I",
            trafMode="5",
            trafNo="MU5678",
            voyageNo="MU5678",
            billNo="781-00000001",
            logisticsCode=LOGISTICS_CODE,
            logisticsName="测试物流企业",
        ),
        "DeliveryList": [
            {"gnum": str(n), "logisticsNo": no} for n, no in enumerate(logistics_nos, start=1)
        ],
    }


def delivery_status(logistics_no: str, **overrides: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "guid": GUID,
        "appType": "1",
        "appTime": "20250310090000",
        "appStatus": "2",
        "logisticsCode": LOGISTICS_CODE,
        "logisticsName": "测试物流企业",
        "logisticsNo": logistics_no,
        "logisticsStatus": "S",
        "logisticsTime": "20250310083000",
    }
    raw.update(overrides)
    return raw


def export_parcel(logistics_no: str, filed: str = "20250301100000") -> ParcelTimeline:
    return ParcelTimeline.start(ParcelKey(LOGISTICS_CODE, logistics_no), "E", at(filed), "CEB505")


def import_parcel(logistics_no: str, filed: str = "20250301100000") -> ParcelTimeline:
    return ParcelTimeline.start(ParcelKey(LOGISTICS_CODE, logistics_no), "I", at(filed), "CEB511")


def by_key(*timelines: ParcelTimeline) -> dict[ParcelKey, ParcelTimeline]:
    return {t.key: t for t in timelines}


def export_list(
    released: str = "20250301120000", trade_mode: str = "9610", invt_no: str = "43002025E000000001"
) -> ReleasedList:
    return ReleasedList(
        invt_no=invt_no,
        ie_flag="E",
        trade_mode=trade_mode,
        released_at=at(released),
        ebc_code=EBC_CODE,
        logistics_code=LOGISTICS_CODE,
        logistics_no="L2025030100001",
        lines=(
            ListLine(
                gnum=1,
                gcode="6109100021",
                gname="棉制T恤",
                unit="011",
                qty=Decimal(10),
                total_price=Decimal("500.00"),
                unit1="011",
                qty1=Decimal(10),
                unit2="035",
                qty2=Decimal("2.5"),
            ),
            ListLine(
                gnum=2,
                gcode="6403990090",
                gname="皮鞋",
                unit="025",
                qty=Decimal(2),
                total_price=Decimal("300.00"),
                unit1="025",
                qty1=Decimal(2),
            ),
        ),
    )


def export_return(*lines: dict[str, Any], co_el_no: str = "RET001", **head: Any) -> dict[str, Any]:
    raw_head: dict[str, Any] = _head(
        head,
        ebpCode="无",
        ebpName="境外平台",
        ebcCode=EBC_CODE,
        ebcName="测试电商",
        logisticsNo="RL0001",
        logisticsCode=LOGISTICS_CODE,
        logisticsName="测试物流企业",
        coElNo=co_el_no,
        invtNo="43002025E000000001",
        tradeMode="9610",
        agentCode=EBC_CODE,
        agentName="申报企业",
        billNo="RL0001",
        ieFlag="I",
        trafMode="5",
        trafName="CA1235",
        portCode="4300",
        reason="买家退货",
        country="502",
        voyageNo="CA1235",
    )
    return {"InvtRefundHead": raw_head, "InvtRefundList": list(lines)}


def export_return_line(gnum: int = 1, qty: str = "4", **overrides: Any) -> dict[str, Any]:
    base: dict[int, dict[str, Any]] = {
        1: {
            "gcode": "6109100021",
            "gname": "棉制T恤",
            "gmodel": "M",
            "unit": "011",
            "unit1": "011",
        },
        2: {"gcode": "6403990090", "gname": "皮鞋", "gmodel": "42", "unit": "025", "unit1": "025"},
    }
    line: dict[str, Any] = {"gnum": str(gnum), "qty": qty, "qty1": qty, **base.get(gnum, base[1])}
    line.update(overrides)
    return line


def return_tally(logistics_no: str = "RL0001", **overrides: Any) -> dict[str, Any]:
    raw: dict[str, Any] = _head(
        overrides,
        operatorCode=LOGISTICS_CODE,
        operatorName="监管场所",
        logisticsCode=LOGISTICS_CODE,
        logisticsName="测试物流企业",
        logisticsNo=logistics_no,
        invtNo="43002025E000000001",
        coElNo="TALLY001",
        billNo=logistics_no,
        ieFlag="I",
        trafMode="5",
        trafName="CA1236",
        voyageNo="CA1236",
    )
    return raw


def import_list(released: str = "20250301120000") -> ReleasedList:
    return ReleasedList(
        invt_no="430020251000000001",
        ie_flag="I",
        trade_mode="9610",
        released_at=at(released),
        order_no="order20250301001",
        logistics_code=LOGISTICS_CODE,
        logistics_no="L201603081138001",
        buyer_id_number="130681196203023331",
        lines=(
            ListLine(
                gnum=1,
                gcode="3304990099",
                gname="面霜",
                unit="007",
                qty=Decimal(3),
                total_price=Decimal("300.00"),
            ),
            ListLine(
                gnum=2,
                gcode="1901101000",
                gname="婴儿奶粉",
                unit="007",
                qty=Decimal(2),
                total_price=Decimal("401.00"),
            ),
        ),
    )


def import_return(*lines: dict[str, Any], cop_no: str = "IRET001", **head: Any) -> dict[str, Any]:
    raw_head: dict[str, Any] = _head(
        head,
        orderNo="order20250301001",
        ebpCode="1105910159",
        ebpName="测试平台",
        ebcCode=EBC_CODE,
        ebcName="测试电商",
        logisticsNo="L201603081138001",
        logisticsCode=LOGISTICS_CODE,
        logisticsName="测试物流企业",
        copNo=cop_no,
        invtNo="430020251000000001",
        buyerIdType="1",
        buyerIdNumber="130681196203023331",
        buyerName="王方",
        buyerTelephone="13936921298",
        agentCode=EBC_CODE,
        agentName="申报企业",
        reason="质量问题",
    )
    return {"InvtRefundHead": raw_head, "InvtRefundList": list(lines)}


def import_return_line(gnum: int = 1, qty: str = "1", **overrides: Any) -> dict[str, Any]:
    base = {
        1: {"gcode": "3304990099", "gname": "面霜", "unit": "007"},
        2: {"gcode": "1901101000", "gname": "婴儿奶粉", "unit": "007"},
    }
    line: dict[str, Any] = {"gnum": str(gnum), "qty": qty, **base.get(gnum, base[1])}
    line.update(overrides)
    return line
