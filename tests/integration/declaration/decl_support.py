"""Documents, events and a running declaration app for the declaration service's integration tests.

The documents are the customs standard's entities as JSON (CEB303/CEB311 ``Order``, CEB603/CEB621
``Inventory``); the funds documents and waybills are the payments and logistics services' real
events, published on their topics. The real tax service answers the quota reservations
(``POST /v1/import/quota/reservations``, ``DELETE .../{invtNo}``) with the limits of DOMAIN.md §6.4.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI

from cbec.declaration.app import create_app
from cbec.declaration.settings import Settings
from cbec.logistics.events import ParcelMoved, WaybillAccepted
from cbec.payments.events import PaymentAccepted, ReceiptAccepted
from cbec.shared.bus import ensure_topics
from cbec.shared.envelope import Event
from tests.support import builders
from tests.support.apps import running, service_settings
from tests.support.signing import genuine, publish_as
from tests.support.tokens import as_caller, as_service

D = Decimal
TOPICS = ("cbec.declaration.v1", "cbec.payments.v1", "cbec.logistics.v1")
EBP = "3701960001"
AGENT = "3701980003"
LOGISTICS = "3701970004"
PAY = "4403169D3W"
APP_TIME = "20260305120000"

RULES = """
[three_document]
amount_tolerance = "0"
document_wait = "P3D"

[import_limits]
per_transaction = "5000"
annual = "26000"

[risk]
negative_list = ["3799999999"]
usual_prices = []
price_tolerance_factor = "3"
split_order_limit = "5000"
repeated_mismatch_threshold = 100000
inspection_rate = "0"
selection_seed = "integration-tests"

[summary]
max_items_per_form = 50
deadline_day = 15
"""


def guid() -> str:
    return builders.new_guid()


def with_head(document: dict[str, Any], name: str, head: dict[str, Any]) -> dict[str, Any]:
    """The document with ``head`` adding to or replacing fields of its head ``name``."""
    document[name] |= head
    return document


def export_order(
    order_no: str, ebc: str, lines: list[dict[str, Any]], **head: Any
) -> dict[str, Any]:
    goods = sum((D(line["totalPrice"]) for line in lines), D(0))
    document = builders.export_order(
        order_no=order_no,
        ebp_code=EBP,
        ebc_code=ebc,
        goods_value=str(goods),
        freight="10",
        currency=lines[0]["currency"],
        app_time=APP_TIME,
        lines=[
            builders.order_line(
                line["gnum"],
                item_no=f"SKU{line['gnum']}",
                item_name=line["itemName"],
                unit=line["unit"],
                currency=line["currency"],
                qty=line["qty"],
                price=line["price"],
                total_price=line["totalPrice"],
            )
            for line in lines
        ],
    )
    return with_head(document, "OrderHead", head)


def export_line(gnum: int = 1, **values: Any) -> dict[str, Any]:
    line = {
        "gnum": gnum,
        "itemName": f"goods {gnum}",
        "gcode": "6109100022",
        "gname": "cotton T-shirt",
        "country": "502",
        "currency": "502",
        "unit": "011",
        "qty": "10",
        "price": "8",
        "totalPrice": "80",
    }
    line.update(values)
    return line


def export_inventory(
    cop_no: str,
    order_no: str,
    ebc: str,
    logistics_no: str,
    lines: list[dict[str, Any]],
    **head: Any,
) -> dict[str, Any]:
    document = builders.export_inventory(
        order_no=order_no,
        cop_no=cop_no,
        ebp_code=EBP,
        ebc_code=ebc,
        agent_code=AGENT,
        logistics_code=LOGISTICS,
        logistics_no=logistics_no,
        app_time=APP_TIME,
        ie_date="20260305",
        lines=[
            builders.inventory_line(
                line["gnum"],
                item_no=f"SKU{line['gnum']}",
                item_name=line["itemName"],
                gcode=line["gcode"],
                gname=line["gname"],
                country=line["country"],
                currency=line["currency"],
                qty=line["qty"],
                qty1=line.get("qty1"),
                unit=line["unit"],
                unit1=line.get("unit1"),
                price=line["price"],
                total_price=line["totalPrice"],
                qty2=line.get("qty2"),
            )
            for line in lines
        ],
    )
    return with_head(document, "InventoryHead", head)


def receipt_of_funds(
    order_no: str, ebc: str, charge: str, currency: str = "502"
) -> ReceiptAccepted:
    return ReceiptAccepted(
        orderNo=order_no,
        ebcCode=ebc,
        ebpCode=EBP,
        payCode=PAY,
        payNo=f"PN{order_no}",
        charge=D(charge),
        currency=currency,
        accountingDate=APP_TIME,
        acceptedAt="2026-03-05T12:00:00+08:00",
    )


def export_waybill(logistics_no: str, ebc: str, **values: Any) -> WaybillAccepted:
    fields: dict[str, Any] = {
        "logisticsCode": LOGISTICS,
        "logisticsNo": logistics_no,
        "ieFlag": "E",
        "currency": "502",
        "freight": D(10),
        "insuredFee": D(0),
        "grossWeight": D("2.5"),
        "packNo": 1,
        "ebcCode": ebc,
        "acceptedAt": "2026-03-05T12:00:00+08:00",
    }
    fields.update(values)
    return WaybillAccepted(**fields)


def departed(logistics_no: str, invt_no: str | None = None) -> ParcelMoved:
    return ParcelMoved(
        logisticsCode=LOGISTICS,
        logisticsNo=logistics_no,
        ieFlag="E",
        movement="departed",
        invtNo=invt_no,
        at="2026-03-06T10:00:00+08:00",
        leaveTime="20260306100000",
    )


# Import


def import_order(
    order_no: str, buyer: str, price: str, qty: str = "1", **head: Any
) -> dict[str, Any]:
    total = D(price) * D(qty)
    freight = D(10)
    document = builders.import_order(
        order_no=order_no,
        ebp_code=EBP,
        ebc_code="3701960002",
        buyer=buyer,
        goods_value=str(total),
        freight=str(freight),
        paid=str(total + freight),
        app_time=APP_TIME,
        lines=[
            builders.import_order_line(
                1,
                item_name="face cream",
                gmodel="50ml",
                unit="011",
                qty=qty,
                price=price,
                total_price=str(total),
            )
        ],
    )
    return with_head(document, "OrderHead", head)


def import_inventory(
    cop_no: str,
    order_no: str,
    buyer: str,
    logistics_no: str,
    price: str,
    qty: str = "1",
    **head: Any,
) -> dict[str, Any]:
    document = builders.import_inventory(
        order_no=order_no,
        cop_no=cop_no,
        ebp_code=EBP,
        ebc_code="3701960002",
        agent_code=AGENT,
        logistics_code=LOGISTICS,
        logistics_no=logistics_no,
        buyer=buyer,
        app_time=APP_TIME,
        decl_time="20260305",
        lines=[
            builders.inventory_line(
                1,
                gcode="3304990099",
                gname="face cream",
                gmodel="50ml",
                bar_code=None,
                country="502",
                currency="142",
                qty=qty,
                unit="011",
                price=price,
                total_price=str(D(price) * D(qty)),
            )
        ],
    )
    return with_head(document, "InventoryHead", head)


def payment(order_no: str, buyer: str, amount: str, **values: Any) -> PaymentAccepted:
    fields: dict[str, Any] = {
        "orderNo": order_no,
        "ebpCode": EBP,
        "payCode": PAY,
        "payTransactionId": f"TX{order_no}",
        "payerIdType": "1",
        "payerIdNumber": buyer,
        "payerName": f"Buyer {buyer}",
        "payerIsBuyer": True,
        "amountPaid": D(amount),
        "currency": "142",
        "payTime": APP_TIME,
        "acceptedAt": "2026-03-05T12:00:00+08:00",
    }
    fields.update(values)
    return PaymentAccepted(**fields)


def import_waybill(logistics_no: str, order_no: str, buyer: str, **values: Any) -> WaybillAccepted:
    fields: dict[str, Any] = {
        "logisticsCode": LOGISTICS,
        "logisticsNo": logistics_no,
        "ieFlag": "I",
        "orderNo": order_no,
        "currency": "142",
        "freight": D(10),
        "insuredFee": D(0),
        "grossWeight": D("0.5"),
        "packNo": 1,
        "consignee": f"Buyer {buyer}",
        "consigneeTelephone": "13800000000",
        "consigneeAddress": "1 Quancheng Road, Jinan",
        "acceptedAt": "2026-03-05T12:00:00+08:00",
    }
    fields.update(values)
    return WaybillAccepted(**fields)


class TaxService:
    """The real tax service (cbec.tax_refund) running in the test, with its own database: the
    declaration service reserves the buyers' annual quota through its HTTP API."""

    def __init__(self, app: FastAPI, client: httpx.AsyncClient) -> None:
        self.app = app
        self.client = client

    def transport(self) -> httpx.AsyncBaseTransport:
        return httpx.ASGITransport(app=self.app)

    async def reserve(self, invt_no: str, buyer: str, amount: str, date: str) -> None:
        """A reservation made earlier in the year (another list of the buyer's)."""
        response = await self.client.post(
            "/v1/import/quota/reservations",
            json={
                "invtNo": invt_no,
                "orderNo": f"PRIOR-{invt_no}",
                "buyerIdNumber": buyer,
                "amount": amount,
                "singleItem": False,
                "date": date,
            },
            headers=as_service("tax-refund", "declaration"),
        )
        assert response.status_code == 201, response.text

    async def quota(self, buyer: str, year: int) -> dict[str, Any]:
        # A buyer's quota names no enterprise: it is read by tax officers.
        response = await self.client.get(
            f"/v1/import/quota/{buyer}/{year}",
            headers=as_caller("tax-refund", "TAXOFFICER", "tax-officer"),
        )
        assert response.status_code == 200, response.text
        quota: dict[str, Any] = response.json()
        return quota


@asynccontextmanager
async def tax_service(kafka_bootstrap: str, folder: Path) -> AsyncIterator[TaxService]:
    """Only its quota API is exercised here, so its consumers stay off."""
    from cbec.tax_refund.app import create_app as create_tax_app
    from cbec.tax_refund.settings import Settings as TaxSettings

    settings = service_settings(
        TaxSettings,
        kafka_bootstrap_servers=kafka_bootstrap,
        database_url=f"sqlite+aiosqlite:///{folder / 'tax.db'}",
        consumer_enabled=False,
    )
    async with running(create_tax_app(settings)) as (app, client):
        yield TaxService(app, client)


def rules_file(folder: Path, rules: str = RULES) -> Path:
    path = folder / "rules.toml"
    path.write_text(rules, encoding="utf-8")
    return path


@asynccontextmanager
async def declaration_app(
    kafka_bootstrap: str,
    database_url: str,
    folder: Path,
    tax: TaxService | None = None,
    *,
    rules: str = RULES,
    **values: Any,
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """The declaration service with the rules of :data:`RULES` (or ``rules``, a TOML text)."""
    await ensure_topics(kafka_bootstrap, TOPICS, partitions=6)
    settings = service_settings(
        Settings,
        kafka_bootstrap_servers=kafka_bootstrap,
        database_url=database_url,
        declaration_rules_file=rules_file(folder, rules),
        scheduler_enabled=False,
        **values,
    )
    async with AsyncExitStack() as stack:
        if tax is None:
            tax = await stack.enter_async_context(tax_service(kafka_bootstrap, folder))
        app = create_app(settings, tax_transport=tax.transport())  # type: ignore[arg-type]
        async with running(app, roles=["operator", "customs-officer"]) as (
            a,
            client,
        ):
            yield a, client


async def publish(app: FastAPI, *events: Event) -> None:
    """Publish each event as its topic's owner would (its source, signed with its key)."""
    publisher = app.state.runtime.publisher
    for event in events:
        await publish_as(publisher, genuine(event), topic=event.topic, key=event.key())
