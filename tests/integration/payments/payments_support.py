"""Builders for the payments integration tests: funds documents as an ERP sends them (the CEB
entities as JSON), the declaration service's order events, and the running service."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from fastapi import FastAPI

from cbec.declaration.events import OrderAccepted, OrderLine
from cbec.payments.app import create_app
from cbec.payments.settings import Settings
from tests.support import builders
from tests.support.apps import running, service_settings
from tests.support.signing import publish_events
from tests.support.tokens import as_caller, vouch

OPERATOR_CODE = "4300000001"


def operator() -> dict[str, str]:
    """A platform operator, as the gateway vouches for it."""
    return as_caller("payments", OPERATOR_CODE, "operator")


OPERATOR = vouch("4300000001", "operator")
OFFICER = vouch("4300000002", "customs-officer")
TENPAY = "4403169D3W"  # in the example fee table: 10 bp, at least 5.00 CNY
OTHER_INSTITUTION = "1105910159"  # in the example fee table: 15 bp, at least 10.00 CNY
EBP = "1101110325"
INSTITUTION = vouch(TENPAY, "payment")
"""Tenpay filing: the service's client sends as it unless a request says otherwise."""
PLATFORM = vouch(EBP, "ecommerce")
"""The platform every test document names (``ebpCode``): it may file any of their receipts."""


guid = builders.new_guid
PAYER_ID = "130625021345225322"
TENPAY_NAME = "财付通支付科技有限公司"


def voucher(
    order_no: str, amount: str | Decimal, *, transaction: str | None = None, **extra: Any
) -> dict[str, Any]:
    """A CEB411 Payment entity (``{"PaymentHead": {...}}``) plus any extension."""
    document = builders.payment(
        app_time="20240507112745",
        pay_code=TENPAY,
        pay_name=TENPAY_NAME,
        pay_transaction_id=transaction or f"T{order_no}",
        order_no=order_no,
        ebp_code=EBP,
        ebp_name="测试平台",
        buyer=PAYER_ID,
        payer_name="支付人",
        telephone=None,
        amount_paid=str(amount),
        pay_time="20240507110000",
    )
    document["PaymentHead"].update(extra.pop("head", {}))
    return {**document, **extra}


def receipt(
    order_no: str,
    ebc_code: str,
    charge: str | Decimal,
    *,
    currency: str = "502",
    pay_code: str | None = TENPAY,
    day: str = "20240507",
    **extra: Any,
) -> dict[str, Any]:
    """A CEB403 Receipts entity plus any extension."""
    document = builders.receipt_of_funds(
        app_time=f"{day}153001",
        ebp_code=EBP,
        ebp_name="测试平台",
        ebc_code=ebc_code,
        ebc_name="测试电商企业",
        order_no=order_no,
        pay_code=pay_code or None,
        pay_name=TENPAY_NAME if pay_code else "现金支付",
        pay_no=f"P{order_no}",
        charge=str(charge),
        currency=currency,
        accounting_date=f"{day}120000",
    )
    document.update(extra)
    return document


def export_order(
    order_no: str,
    ebc_code: str,
    goods_value: str,
    freight: str = "0",
    *,
    currency: str = "502",
    accepted_at: str = "2024-05-07T09:00:00+08:00",
) -> OrderAccepted:
    return OrderAccepted(
        orderNo=order_no,
        ieFlag="E",
        orderType="E",
        ebpCode=EBP,
        ebcCode=ebc_code,
        currency=currency,
        goodsValue=Decimal(goods_value),
        freight=Decimal(freight),
        lines=(
            OrderLine(
                gnum=1,
                itemName="ceramic teapot",
                unit="011",
                qty=Decimal(1),
                price=Decimal(goods_value),
                totalPrice=Decimal(goods_value),
                currency=currency,
            ),
        ),
        acceptedAt=accepted_at,
    )


def import_order(
    order_no: str,
    actural_paid: str,
    *,
    ebc_code: str = "3702960001",
    buyer_id: str = "130625021345225322",
    buyer_name: str = "支付人",
    accepted_at: str = "2024-05-07T09:00:00+08:00",
) -> OrderAccepted:
    paid = Decimal(actural_paid)
    return OrderAccepted(
        orderNo=order_no,
        ieFlag="I",
        orderType="I",
        ebpCode=EBP,
        ebcCode=ebc_code,
        currency="142",
        goodsValue=paid,
        freight=Decimal(0),
        discount=Decimal(0),
        taxTotal=Decimal(0),
        acturalPaid=paid,
        buyerIdType="1",
        buyerIdNumber=buyer_id,
        buyerName=buyer_name,
        lines=(
            OrderLine(
                gnum=1,
                itemName="face cream",
                unit="011",
                qty=Decimal(1),
                price=paid,
                totalPrice=paid,
            ),
        ),
        acceptedAt=accepted_at,
    )


async def publish_orders(app: FastAPI, orders: Sequence[OrderAccepted]) -> None:
    """Publish the orders as the declaration service does, and wait for every acknowledgement."""
    await publish_events(app.state.runtime.publisher, orders)


@asynccontextmanager
async def payments_service(
    kafka_bootstrap: str, database_url: str, **values: object
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    settings = service_settings(
        Settings, kafka_bootstrap_servers=kafka_bootstrap, database_url=database_url, **values
    )
    async with running(create_app(settings), headers=INSTITUTION) as (app, client):  # type: ignore[arg-type]
        yield app, client


def statuses(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [r["returnStatus"] for r in response.json()["receipts"]]


async def read_all(bootstrap: str, topic: str) -> list[ConsumerRecord[bytes, bytes]]:
    """Every record of ``topic`` up to its end at the time of the call, all partitions."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = consumer.partitions_for_topic(topic)
        if not partitions:
            await consumer.force_metadata_update()
            partitions = consumer.partitions_for_topic(topic) or set()
        tps = [TopicPartition(topic, p) for p in sorted(partitions)]
        if not tps:
            return []
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        ends = await consumer.end_offsets(tps)
        records: list[ConsumerRecord[bytes, bytes]] = []
        behind = [tp for tp in tps if ends[tp] > 0]
        while behind:
            batch = await consumer.getmany(*behind, timeout_ms=500)
            for recs in batch.values():
                records.extend(recs)
            behind = [tp for tp in behind if await consumer.position(tp) < ends[tp]]
        return records
    finally:
        await consumer.stop()
