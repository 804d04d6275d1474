"""Documents, declaration events and topic reading for the logistics integration tests."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from fastapi import FastAPI
from sqlalchemy import func
from sqlmodel import col, select

from cbec.declaration.events import ListLine, ListReleased, OrderAccepted, OrderLine
from cbec.logistics.models import ParcelRow
from cbec.shared.envelope import Envelope, Event
from tests.support.signing import publish_as
from tests.support.tokens import vouch

CHINA = timezone(timedelta(hours=8))
LOGISTICS_CODE = "3702980002"
EBC_CODE = "3702960001"
CARRIER = vouch(LOGISTICS_CODE, "logistics")
"""The logistics enterprise of every test waybill: it files them and moves their parcels."""
SELLER = vouch(EBC_CODE, "ecommerce")
"""The seller (and agent) every test list names: it files returns and warehouse documents."""
GUID = "4CDE1CFD-EDED-46B1-946C-B8022E42FC94"
LOGISTICS_TOPIC = "cbec.logistics.v1"
DECLARATION_TOPIC = "cbec.declaration.v1"


def now() -> datetime:
    return datetime.now(CHINA)


def ceb(at: datetime) -> str:
    return at.astimezone(CHINA).strftime("%Y%m%d%H%M%S")


def serial(unique: str) -> str:
    """Seven digits no other test uses, for document numbers that must be digits."""
    return f"{int(unique[1:], 16) % 10**7:07d}"


def export_waybill(logistics_no: str, **overrides: Any) -> dict[str, Any]:
    return {
        "guid": GUID,
        "appType": "1",
        "appTime": ceb(now() - timedelta(days=1)),
        "appStatus": "2",
        "logisticsCode": LOGISTICS_CODE,
        "logisticsName": "济南跨境物流有限公司",
        "logisticsNo": logistics_no,
        "freight": "10.00",
        "insuredFee": "0",
        "currency": "142",
        "grossWeight": "1.5",
        "packNo": 1,
        "goodsInfo": "ceramic teapot",
        "ebcCode": EBC_CODE,
        "ebcName": "济南陶瓷电商",
        **overrides,
    }


def import_waybill(logistics_no: str, order_no: str) -> dict[str, Any]:
    return {
        "LogisticsHead": {
            "guid": GUID,
            "appType": "1",
            "appTime": ceb(now() - timedelta(days=60)),
            "appStatus": "2",
            "logisticsCode": LOGISTICS_CODE,
            "logisticsName": "济南跨境物流有限公司",
            "logisticsNo": logistics_no,
            "orderNo": order_no,
            "freight": "10",
            "insuredFee": "0",
            "currency": "142",
            "weight": "0.8",
            "packNo": 1,
            "consignee": "王方",
            "consigneeAddress": "济南市历下区经十路1号",
            "consigneeTelephone": "13936921298",
        }
    }


def _split_head(cop_no: str, app_time: datetime, msg: tuple[int, int]) -> dict[str, Any]:
    return {
        "guid": GUID,
        "appType": "1",
        "appTime": ceb(app_time),
        "appStatus": "2",
        "customsCode": "4300",
        "copNo": cop_no,
        "logisticsCode": LOGISTICS_CODE,
        "logisticsName": "济南跨境物流有限公司",
        "msgCount": msg[0],
        "msgSeqNo": msg[1],
    }


def _lines(numbers: Iterable[str]) -> list[dict[str, Any]]:
    return [{"gnum": n, "logisticsNo": no} for n, no in enumerate(numbers, start=1)]


def arrival(
    cop_no: str, numbers: Iterable[str], at: datetime, msg: tuple[int, int] = (1, 1)
) -> dict[str, Any]:
    head = _split_head(cop_no, at, msg) | {
        "operatorCode": LOGISTICS_CODE,
        "operatorName": "济南机场监管场所",
        "ieFlag": "E",
        "trafMode": "5",
        "domesticTrafNo": "鲁A12345",
    }
    return {"ArrivalHead": head, "ArrivalList": _lines(numbers)}


def master_bill(
    cop_no: str, bill_no: str, numbers: Iterable[str], at: datetime, msg: tuple[int, int]
) -> dict[str, Any]:
    head = _split_head(cop_no, at, msg) | {
        "agentCode": EBC_CODE,
        "agentName": "济南报关行",
        "trafMode": "5",
        "trafName": "CA1234",
        "voyageNo": "CA1234",
        "billNo": bill_no,
        "grossWeight": "750.5",
    }
    return {"WayBillHead": head, "WayBillList": _lines(numbers)}


def departure(
    cop_no: str, numbers: Iterable[str], leave: datetime, msg: tuple[int, int] = (1, 1)
) -> dict[str, Any]:
    head = _split_head(cop_no, leave, msg) | {
        "trafMode": "5",
        "trafName": "CA1234",
        "voyageNo": "CA1234",
        "leaveTime": ceb(leave),
    }
    return {"DepartureHead": head, "DepartureList": _lines(numbers)}


def site_entry(cop_no: str, numbers: Iterable[str], at: datetime) -> dict[str, Any]:
    return {
        "DeliveryHead": {
            "guid": GUID,
            "appType": "1",
            "appTime": ceb(at),
            "appStatus": "2",
            "customsCode": "4300",
            "copNo": cop_no,
            "operatorCode": LOGISTICS_CODE,
            "operatorName": "济南综保区监管场所",
            "ieFlag": "I",
            "trafMode": "5",
            "trafNo": "MU5678",
            "voyageNo": "MU5678",
            "billNo": "781-00000001",
            "logisticsCode": LOGISTICS_CODE,
            "logisticsName": "济南跨境物流有限公司",
        },
        "DeliveryList": _lines(numbers),
    }


EXPORT_LINES = (
    ListLine(
        gnum=1,
        gcode="6911101900",
        gname="ceramic teapot",
        country="502",
        currency="142",
        unit="011",
        qty=Decimal(10),
        price=Decimal(50),
        totalPrice=Decimal(500),
    ),
    ListLine(
        gnum=2,
        gcode="6912001000",
        gname="ceramic cup",
        country="502",
        currency="142",
        unit="011",
        qty=Decimal(2),
        price=Decimal(150),
        totalPrice=Decimal(300),
    ),
)

IMPORT_LINES = (
    ListLine(
        gnum=1,
        gcode="3304990099",
        gname="face cream",
        country="502",
        currency="142",
        unit="007",
        qty=Decimal(3),
        price=Decimal(100),
        totalPrice=Decimal(300),
    ),
)


def list_released(
    order_no: str,
    invt_no: str,
    logistics_no: str,
    released_at: datetime,
    *,
    ie_flag: str = "E",
    lines: tuple[ListLine, ...] = EXPORT_LINES,
) -> ListReleased:
    """The event the declaration service publishes when customs releases a list."""
    return ListReleased(
        orderNo=order_no,
        ieFlag=ie_flag,  # type: ignore[arg-type]
        copNo=f"COP{invt_no}",
        invtNo=invt_no,
        tradeMode="9610",
        ebpCode="4403169D3W",
        ebcCode=EBC_CODE,
        agentCode=EBC_CODE,
        ownerCode=EBC_CODE,
        logisticsCode=LOGISTICS_CODE,
        logisticsNo=logistics_no,
        customsCode="4300",
        portCode="4300",
        trafMode="5",
        country="502",
        statisticsFlag="B" if ie_flag == "E" else None,
        currency="142",
        freight=Decimal("10.00"),
        insuredFee=Decimal(0),
        buyerIdType="1" if ie_flag == "I" else None,
        buyerIdNumber="370102199001011234" if ie_flag == "I" else None,
        buyerName="Zhang San" if ie_flag == "I" else None,
        lines=lines,
        releasedAt=released_at.isoformat(),
    )


def booking_accepted(order_no: str, lines: dict[str, Decimal]) -> OrderAccepted:
    """The event of an accepted overseas-warehouse booking (orderType W)."""
    return OrderAccepted(
        orderNo=order_no,
        ieFlag="E",
        orderType="W",
        ebpCode="4403169D3W",
        ebcCode=EBC_CODE,
        currency="142",
        goodsValue=sum(lines.values(), Decimal(0)) * 10,
        freight=Decimal(0),
        lines=tuple(
            OrderLine(
                gnum=n,
                itemNo=sku,
                itemName=f"goods {sku}",
                unit="011",
                qty=qty,
                price=Decimal(10),
                totalPrice=qty * 10,
                currency="142",
            )
            for n, (sku, qty) in enumerate(lines.items(), start=1)
        ),
        acceptedAt=now().isoformat(),
    )


async def publish(app: FastAPI, events: Iterable[Event]) -> None:
    """Publish events as the declaration service would."""
    publisher = app.state.runtime.publisher
    await asyncio.gather(
        *(
            publish_as(
                publisher,
                Envelope.of(event, source="/cbec/declaration"),
                topic=DECLARATION_TOPIC,
                key=event.key(),
            )
            for event in events
        )
    )


async def count_parcels(app: FastAPI, numbers: list[str], state: str) -> int:
    async with app.state.runtime.sessions() as session:
        result = await session.exec(
            select(func.count())
            .select_from(ParcelRow)
            .where(
                ParcelRow.logistics_code == LOGISTICS_CODE,
                col(ParcelRow.logistics_no).in_(numbers),
                ParcelRow.state == state,
            )
        )
        return int(result.one())


async def collect(
    bootstrap: str,
    keep: Callable[[str, dict[str, Any]], bool],
    done: Callable[[list[tuple[str, dict[str, Any]]]], bool],
    *,
    topic: str = LOGISTICS_TOPIC,
    timeout: float = 45.0,
) -> list[tuple[str, dict[str, Any]]]:
    """The (event type, payload) pairs on ``topic`` that ``keep`` selects, read from the
    beginning until ``done`` holds, plus whatever else is already there (to catch duplicates)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    kept: list[tuple[str, dict[str, Any]]] = []
    try:
        deadline = time.monotonic() + timeout
        partitions = consumer.partitions_for_topic(topic)
        while not partitions:
            if time.monotonic() > deadline:
                raise AssertionError(f"topic {topic} not found")
            await consumer.force_metadata_update()
            partitions = consumer.partitions_for_topic(topic)
        tps = [TopicPartition(topic, p) for p in sorted(partitions)]
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)

        async def drain(timeout_ms: int) -> int:
            batch = await consumer.getmany(timeout_ms=timeout_ms, max_records=5000)
            seen = 0
            for records in batch.values():
                for record in records:
                    seen += 1
                    headers = {k: v.decode() for k, v in record.headers or ()}
                    data = json.loads(record.value or b"{}")
                    if keep(headers.get("ce_type", ""), data):
                        kept.append((headers.get("ce_type", ""), data))
            return seen

        while not done(kept):
            if time.monotonic() > deadline:
                raise AssertionError(f"{topic}: condition not reached; {len(kept)} events kept")
            await drain(200)
        while await drain(300):
            pass
        return kept
    finally:
        await consumer.stop()


def of_type(events: list[tuple[str, dict[str, Any]]], suffix: str) -> list[dict[str, Any]]:
    return [data for event_type, data in events if event_type == f"cbec.logistics.{suffix}.v1"]


def export_return(
    co_el_no: str, invt_no: str, return_no: str, at: datetime, lines: list[dict[str, Any]]
) -> dict[str, Any]:
    """CEB213: return of (part of) an export list's goods; lines = the list's gnum."""
    head = {
        "guid": GUID,
        "appType": "1",
        "appTime": ceb(at),
        "appStatus": "2",
        "customsCode": "4300",
        "ebpCode": "4403169D3W",
        "ebpName": "跨境平台",
        "ebcCode": EBC_CODE,
        "ebcName": "济南陶瓷电商",
        "logisticsNo": return_no,
        "logisticsCode": LOGISTICS_CODE,
        "logisticsName": "济南跨境物流有限公司",
        "coElNo": co_el_no,
        "invtNo": invt_no,
        "tradeMode": "9610",
        "agentCode": EBC_CODE,
        "agentName": "济南报关行",
        "billNo": return_no,
        "ieFlag": "I",
        "trafMode": "5",
        "trafName": "CA1235",
        "portCode": "4300",
        "reason": "buyer returned the goods",
        "country": "502",
        "voyageNo": "CA1235",
    }
    return {"InvtRefundHead": head, "InvtRefundList": lines}


def export_return_line(gnum: int, qty: str) -> dict[str, Any]:
    names = {1: ("6911101900", "ceramic teapot"), 2: ("6912001000", "ceramic cup")}
    gcode, gname = names[gnum]
    return {
        "gnum": gnum,
        "gcode": gcode,
        "gname": gname,
        "gmodel": "standard",
        "qty": qty,
        "qty1": qty,
        "unit": "011",
        "unit1": "011",
    }


def return_tally(co_el_no: str, invt_no: str, return_no: str, at: datetime) -> dict[str, Any]:
    """CEB215: the returned parcel tallied in at the supervised site."""
    return {
        "guid": GUID,
        "appType": "1",
        "appTime": ceb(at),
        "appStatus": "2",
        "customsCode": "4300",
        "operatorCode": LOGISTICS_CODE,
        "operatorName": "济南机场监管场所",
        "logisticsCode": LOGISTICS_CODE,
        "logisticsName": "济南跨境物流有限公司",
        "logisticsNo": return_no,
        "invtNo": invt_no,
        "coElNo": co_el_no,
        "billNo": return_no,
        "ieFlag": "I",
        "trafMode": "5",
        "trafName": "CA1236",
        "voyageNo": "CA1236",
    }


def import_return(
    cop_no: str, order_no: str, invt_no: str, logistics_no: str, at: datetime, qty: str
) -> dict[str, Any]:
    """CEB625: return of an import list's goods."""
    head = {
        "guid": GUID,
        "appType": "1",
        "appTime": ceb(at),
        "appStatus": "2",
        "customsCode": "4300",
        "orderNo": order_no,
        "ebpCode": "4403169D3W",
        "ebpName": "跨境平台",
        "ebcCode": EBC_CODE,
        "ebcName": "济南美妆电商",
        "logisticsNo": logistics_no,
        "logisticsCode": LOGISTICS_CODE,
        "logisticsName": "济南跨境物流有限公司",
        "copNo": cop_no,
        "invtNo": invt_no,
        "buyerIdType": "1",
        "buyerIdNumber": "370102199001011234",
        "buyerName": "Zhang San",
        "buyerTelephone": "13800000000",
        "agentCode": EBC_CODE,
        "agentName": "济南报关行",
        "reason": "quality problem",
    }
    line = {"gnum": 1, "gcode": "3304990099", "gname": "face cream", "qty": qty, "unit": "007"}
    return {"InvtRefundHead": head, "InvtRefundList": [line]}
