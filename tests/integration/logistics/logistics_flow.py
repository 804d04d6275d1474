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
from tests.support import builders
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


CARRIER_NAME = "济南跨境物流有限公司"
SITE_NAME = "济南机场监管场所"
BROKER_NAME = "济南报关行"
PLATFORM_CODE = "4403169D3W"


def export_waybill(logistics_no: str, **overrides: Any) -> dict[str, Any]:
    waybill = builders.export_waybill(
        guid=GUID,
        app_time=ceb(now() - timedelta(days=1)),
        logistics_code=LOGISTICS_CODE,
        logistics_name=CARRIER_NAME,
        logistics_no=logistics_no,
        freight="10.00",
        goods_info="ceramic teapot",
        ebc_code=EBC_CODE,
        ebc_name="济南陶瓷电商",
    )
    return waybill | overrides


def import_waybill(logistics_no: str, order_no: str) -> dict[str, Any]:
    waybill = builders.import_waybill(
        guid=GUID,
        app_time=ceb(now() - timedelta(days=60)),
        logistics_code=LOGISTICS_CODE,
        logistics_name=CARRIER_NAME,
        logistics_no=logistics_no,
        order_no=order_no,
    )
    return {"LogisticsHead": waybill}


def _split_head(cop_no: str, app_time: datetime, msg: tuple[int, int]) -> dict[str, Any]:
    return builders.movement_head(
        guid=GUID,
        cop_no=cop_no,
        app_time=ceb(app_time),
        logistics_code=LOGISTICS_CODE,
        logistics_name=CARRIER_NAME,
        msg=msg,
    )


def arrival(
    cop_no: str, numbers: Iterable[str], at: datetime, msg: tuple[int, int] = (1, 1)
) -> dict[str, Any]:
    head = _split_head(cop_no, at, msg)
    return builders.arrival(head, numbers, operator_code=LOGISTICS_CODE, operator_name=SITE_NAME)


def master_bill(
    cop_no: str, bill_no: str, numbers: Iterable[str], at: datetime, msg: tuple[int, int]
) -> dict[str, Any]:
    head = _split_head(cop_no, at, msg)
    return builders.master_bill(
        head,
        numbers,
        agent_code=EBC_CODE,
        agent_name=BROKER_NAME,
        bill_no=bill_no,
        gross_weight="750.5",
    )


def departure(
    cop_no: str, numbers: Iterable[str], leave: datetime, msg: tuple[int, int] = (1, 1)
) -> dict[str, Any]:
    return builders.departure(_split_head(cop_no, leave, msg), numbers, leave_time=ceb(leave))


def site_entry(cop_no: str, numbers: Iterable[str], at: datetime) -> dict[str, Any]:
    return builders.site_entry(
        guid=GUID,
        cop_no=cop_no,
        numbers=numbers,
        app_time=ceb(at),
        operator_code=LOGISTICS_CODE,
        operator_name="济南综保区监管场所",
        logistics_code=LOGISTICS_CODE,
        logistics_name=CARRIER_NAME,
    )


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
    beginning until ``done`` holds, plus whatever else is already there (to catch duplicates).
    Each event counts once: a record repeating an event id already read is the at-least-once
    relay publishing it again (its consumers apply it once), not a second event."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    kept: list[tuple[str, dict[str, Any]]] = []
    ids: set[str] = set()
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
                    event_id = headers.get("ce_id", "")
                    if event_id and event_id in ids:
                        continue
                    ids.add(event_id)
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
    return builders.export_return(
        guid=GUID,
        app_time=ceb(at),
        co_el_no=co_el_no,
        invt_no=invt_no,
        return_no=return_no,
        ebp_code=PLATFORM_CODE,
        ebp_name="跨境平台",
        ebc_code=EBC_CODE,
        ebc_name="济南陶瓷电商",
        logistics_code=LOGISTICS_CODE,
        logistics_name=CARRIER_NAME,
        agent_code=EBC_CODE,
        agent_name=BROKER_NAME,
        lines=lines,
    )


def export_return_line(gnum: int, qty: str) -> dict[str, Any]:
    names = {1: ("6911101900", "ceramic teapot"), 2: ("6912001000", "ceramic cup")}
    gcode, gname = names[gnum]
    return builders.export_return_line(gnum, gcode=gcode, gname=gname, qty=qty, unit="011")


def return_tally(co_el_no: str, invt_no: str, return_no: str, at: datetime) -> dict[str, Any]:
    """CEB215: the returned parcel tallied in at the supervised site."""
    return builders.return_tally(
        guid=GUID,
        app_time=ceb(at),
        co_el_no=co_el_no,
        invt_no=invt_no,
        return_no=return_no,
        operator_code=LOGISTICS_CODE,
        operator_name=SITE_NAME,
        logistics_code=LOGISTICS_CODE,
        logistics_name=CARRIER_NAME,
    )


def import_return(
    cop_no: str, order_no: str, invt_no: str, logistics_no: str, at: datetime, qty: str
) -> dict[str, Any]:
    """CEB625: return of an import list's goods."""
    line = builders.import_return_line(
        1, gcode="3304990099", gname="face cream", qty=qty, unit="007"
    )
    return builders.import_return(
        guid=GUID,
        app_time=ceb(at),
        cop_no=cop_no,
        order_no=order_no,
        invt_no=invt_no,
        logistics_no=logistics_no,
        ebp_code=PLATFORM_CODE,
        ebp_name="跨境平台",
        ebc_code=EBC_CODE,
        ebc_name="济南美妆电商",
        logistics_code=LOGISTICS_CODE,
        logistics_name=CARRIER_NAME,
        buyer="370102199001011234",
        buyer_name="Zhang San",
        agent_code=EBC_CODE,
        agent_name=BROKER_NAME,
        lines=[line],
    )
