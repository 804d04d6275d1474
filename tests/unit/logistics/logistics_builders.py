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
from tests.support import builders

GUID = "4CDE1CFD-EDED-46B1-946C-B8022E42FC94"
LOGISTICS_CODE = "1105910159"
EBC_CODE = "1105910158"
CARRIER_NAME = "测试物流企业"
SITE_NAME = "监管场所"
AGENT_NAME = "申报企业"
SELLER_NAME = "测试电商"
MOVED = "20250302080000"


def at(text: str) -> datetime:
    """A China-time moment from ``yyyyMMddHHmmss`` (the messages' own format)."""
    return parse_ceb_time(text)


def as_text(document: Any) -> Any:
    """The document with its numbers as text, as the XML codec reads every value."""
    if isinstance(document, dict):
        return {key: as_text(value) for key, value in document.items()}
    if isinstance(document, list):
        return [as_text(value) for value in document]
    if isinstance(document, int):
        return str(document)
    return document


def export_waybill(**overrides: Any) -> dict[str, Any]:
    raw = builders.export_waybill(
        guid=GUID,
        app_time="20250301100000",
        logistics_code=LOGISTICS_CODE,
        logistics_name="东方物通科技(北京)有限公司",
        logistics_no="L2025030100001",
        freight="20.50",
        gross_weight="1.25",
        goods_info="包裹",
        ebc_code=EBC_CODE,
        ebc_name=SELLER_NAME,
    )
    return {**as_text(raw), **overrides}


def import_waybill(**overrides: Any) -> dict[str, Any]:
    raw = builders.import_waybill(
        guid=GUID,
        app_time="20250301100000",
        logistics_code=LOGISTICS_CODE,
        logistics_name=CARRIER_NAME,
        logistics_no="L201603081138001",
        order_no="order20250301001",
        weight="0.80",
    )
    return {**as_text(raw), **overrides}


def _movement(
    head_name: str, document: dict[str, Any], overrides: dict[str, Any]
) -> dict[str, Any]:
    raw: dict[str, Any] = as_text(document)
    raw[head_name] |= overrides
    return raw


def _head(cop_no: str, msg: tuple[int, int] = (1, 1)) -> dict[str, Any]:
    return builders.movement_head(
        guid=GUID,
        cop_no=cop_no,
        app_time=MOVED,
        logistics_code=LOGISTICS_CODE,
        logistics_name=CARRIER_NAME,
        msg=msg,
    )


def arrival(*logistics_nos: str, msg: tuple[int, int] = (1, 1), **head: Any) -> dict[str, Any]:
    document = builders.arrival(
        _head("ARR001", msg), logistics_nos, operator_code=LOGISTICS_CODE, operator_name=SITE_NAME
    )
    return _movement("ArrivalHead", document, head)


def departure(
    *logistics_nos: str, leave_time: str = "20250303120000", **head: Any
) -> dict[str, Any]:
    document = builders.departure(
        _head("DEP001"), logistics_nos, leave_time=leave_time, flight=None
    )
    return _movement("DepartureHead", document, head)


def master_bill(
    *lines: tuple[str, str | None], bill_no: str = "999-12345678", **head: Any
) -> dict[str, Any]:
    document = builders.master_bill(
        _head("WB001"),
        [no for no, _ in lines],
        agent_code=EBC_CODE,
        agent_name=AGENT_NAME,
        bill_no=bill_no,
        gross_weight="12.5",
    )
    for line, (_, invt_no) in zip(document["WayBillList"], lines, strict=True):
        if invt_no:
            line["invtNo"] = invt_no
    return _movement("WayBillHead", document, head)


def site_entry(*logistics_nos: str, **head: Any) -> dict[str, Any]:
    document = builders.site_entry(
        guid=GUID,
        cop_no="RK001",
        numbers=logistics_nos,
        app_time=MOVED,
        operator_code=LOGISTICS_CODE,
        operator_name="监管人",
        logistics_code=LOGISTICS_CODE,
        logistics_name=CARRIER_NAME,
    )
    return _movement("DeliveryHead", document, head)


def delivery_status(logistics_no: str, **overrides: Any) -> dict[str, Any]:
    raw = builders.logistics_status(
        guid=GUID,
        app_time="20250310090000",
        logistics_code=LOGISTICS_CODE,
        logistics_name=CARRIER_NAME,
        logistics_no=logistics_no,
        logistics_time="20250310083000",
    )
    return raw | overrides


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
    document = builders.export_return(
        guid=GUID,
        app_time=MOVED,
        co_el_no=co_el_no,
        invt_no="43002025E000000001",
        return_no="RL0001",
        ebp_code="无",
        ebp_name="境外平台",
        ebc_code=EBC_CODE,
        ebc_name=SELLER_NAME,
        logistics_code=LOGISTICS_CODE,
        logistics_name=CARRIER_NAME,
        agent_code=EBC_CODE,
        agent_name=AGENT_NAME,
        reason="买家退货",
        lines=list(lines),
    )
    document["InvtRefundHead"] |= head
    return document


EXPORT_RETURN_GOODS = {
    1: {"gcode": "6109100021", "gname": "棉制T恤", "gmodel": "M", "unit": "011"},
    2: {"gcode": "6403990090", "gname": "皮鞋", "gmodel": "42", "unit": "025"},
}


def export_return_line(gnum: int = 1, qty: str = "4", **overrides: Any) -> dict[str, Any]:
    goods = EXPORT_RETURN_GOODS.get(gnum, EXPORT_RETURN_GOODS[1])
    line = builders.export_return_line(gnum, qty=qty, **goods)
    return {**as_text(line), **overrides}


def return_tally(logistics_no: str = "RL0001", **overrides: Any) -> dict[str, Any]:
    raw = builders.return_tally(
        guid=GUID,
        app_time=MOVED,
        co_el_no="TALLY001",
        invt_no="43002025E000000001",
        return_no=logistics_no,
        operator_code=LOGISTICS_CODE,
        operator_name=SITE_NAME,
        logistics_code=LOGISTICS_CODE,
        logistics_name=CARRIER_NAME,
    )
    return raw | overrides


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
    document = builders.import_return(
        guid=GUID,
        app_time=MOVED,
        cop_no=cop_no,
        order_no="order20250301001",
        invt_no="430020251000000001",
        logistics_no="L201603081138001",
        ebp_code="1105910159",
        ebp_name="测试平台",
        ebc_code=EBC_CODE,
        ebc_name=SELLER_NAME,
        logistics_code=LOGISTICS_CODE,
        logistics_name=CARRIER_NAME,
        buyer="130681196203023331",
        buyer_name="王方",
        buyer_telephone="13936921298",
        agent_code=EBC_CODE,
        agent_name=AGENT_NAME,
        reason="质量问题",
        lines=list(lines),
    )
    document["InvtRefundHead"] |= head
    return document


IMPORT_RETURN_GOODS = {
    1: {"gcode": "3304990099", "gname": "面霜", "unit": "007"},
    2: {"gcode": "1901101000", "gname": "婴儿奶粉", "unit": "007"},
}


def import_return_line(gnum: int = 1, qty: str = "1", **overrides: Any) -> dict[str, Any]:
    goods = IMPORT_RETURN_GOODS.get(gnum, IMPORT_RETURN_GOODS[1])
    line = builders.import_return_line(gnum, qty=qty, **goods)
    return {**as_text(line), **overrides}
