"""Paths that name an enterprise, at the edge: a seller reads and sells from its own overseas
warehouses and reads its own income tax statement; another seller's are refused with 403 before
anything reaches the service; the warehouse's logistics operator and the tax officers may name
any. The goods of an import return reach the logistics service from logistics enterprises."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from cbec.gateway.app import create_app
from cbec.gateway.cli import add_enterprise
from cbec.gateway.client import AsyncGatewayClient
from cbec.gateway.schemas import IssuedCredentials
from cbec.gateway.settings import Settings
from tests.integration.gateway.upstream import Upstream
from tests.support.apps import running, service_settings

pytestmark = pytest.mark.integration

SELLER = "3702960001"
OTHER = "3702960002"
CARRIER = "3702980002"
TAX_OFFICER = "4300000002"
LOGISTICS = "http://logistics.test"
TAX = "http://tax.test"


@dataclass
class Edge:
    app: Any
    logistics: Upstream
    tax: Upstream
    credentials: dict[str, IssuedCredentials]

    def client(self, code: str) -> AsyncGatewayClient:
        issued = self.credentials[code]
        return AsyncGatewayClient(
            "http://gateway.test",
            issued.keyId,
            issued.secret,
            transport=httpx.ASGITransport(app=self.app),
        )


@asynccontextmanager
async def started(kafka_bootstrap: str, database_url: str) -> AsyncIterator[Edge]:
    settings = service_settings(
        Settings,
        kafka_bootstrap_servers=kafka_bootstrap,
        database_url=database_url,
        logistics_url=LOGISTICS,
        tax_refund_url=TAX,
        consumer_enabled=False,
    )
    assert isinstance(settings, Settings)
    credentials = {
        code: await add_enterprise(settings, code=code, name=code, roles=roles)
        for code, roles in (
            (SELLER, ["ecommerce"]),
            (OTHER, ["ecommerce"]),
            (CARRIER, ["logistics"]),
            (TAX_OFFICER, ["tax-officer"]),
        )
    }
    logistics, tax = Upstream("logistics"), Upstream("tax-refund")
    mounts = {
        LOGISTICS: httpx.ASGITransport(app=logistics.app),
        TAX: httpx.ASGITransport(app=tax.app),
    }
    app = create_app(settings, mounts=mounts)
    async with running(app):
        yield Edge(app, logistics, tax, credentials)


async def test_a_seller_uses_its_own_warehouses_and_income_tax_and_not_anothers(
    kafka_bootstrap: str, database_url: str, unique: str
) -> None:
    sale = {"saleNo": f"S{unique}", "bookingNo": "W1", "lines": [{"itemNo": "A", "qty": "1"}]}
    async with (
        started(kafka_bootstrap, database_url) as stack,
        stack.client(SELLER) as seller,
        stack.client(CARRIER) as carrier,
        stack.client(TAX_OFFICER) as officer,
    ):
        own = [
            await seller.get(f"/v1/warehouses/{SELLER}/LAX01/stock"),
            await seller.post(f"/v1/warehouses/{SELLER}/LAX01/sales", json=[sale]),
            await seller.get(f"/v1/export/income-tax/{SELLER}/2026"),
        ]
        others = [
            await seller.get(f"/v1/warehouses/{OTHER}/LAX01/stock"),
            await seller.post(f"/v1/warehouses/{OTHER}/LAX01/sales", json=[sale]),
            await seller.post(f"/v1/warehouses/{OTHER}/LAX01/bookings", json={"orderNo": "W1"}),
            await seller.get(f"/v1/export/income-tax/{OTHER}/2026"),
        ]
        operators = [
            await carrier.get(f"/v1/warehouses/{OTHER}/LAX01/stock"),
            await officer.get(f"/v1/export/income-tax/{OTHER}/2026"),
        ]
        carrier_tax = await carrier.get(f"/v1/export/income-tax/{OTHER}/2026")
        goods_back = await carrier.post(
            "/v1/import/return-receipts",
            json={"invtNo": "43002026I000000001", "copNo": "R1", "receivedAt": "20261130100000"},
        )
        seller_goods_back = await seller.post(
            "/v1/import/return-receipts",
            json={"invtNo": "43002026I000000001", "copNo": "R1", "receivedAt": "20261130100000"},
        )

    assert [r.status_code for r in own] == [200, 200, 200]
    assert [r.status_code for r in others] == [403, 403, 403, 403]
    for refused in others:
        (violation,) = refused.json()["violations"]
        assert (violation["field"], violation["value"]) == ("path", OTHER)
    assert [r.status_code for r in operators] == [200, 200]
    assert carrier_tax.status_code == 403
    assert goods_back.status_code == 200, goods_back.text
    assert seller_goods_back.status_code == 403

    # Nothing refused reached a service; what passed reached it as the caller.
    assert [(r.method, r.path) for r in stack.logistics.received] == [
        ("GET", f"/v1/warehouses/{SELLER}/LAX01/stock"),
        ("POST", f"/v1/warehouses/{SELLER}/LAX01/sales"),
        ("GET", f"/v1/warehouses/{OTHER}/LAX01/stock"),
        ("POST", "/v1/import/return-receipts"),
    ]
    assert [r.caller.party if r.caller else None for r in stack.logistics.received] == [
        SELLER,
        SELLER,
        CARRIER,
        CARRIER,
    ]
    assert [(r.path, r.caller.party if r.caller else None) for r in stack.tax.received] == [
        (f"/v1/export/income-tax/{SELLER}/2026", SELLER),
        (f"/v1/export/income-tax/{OTHER}/2026", TAX_OFFICER),
    ]
