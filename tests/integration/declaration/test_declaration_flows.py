"""The declaration service end to end in-process: documents over HTTP, funds documents and
waybills as the other services' events, decisions as receipts and events."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.integration.declaration.decl_support import (
    EBP,
    declaration_app,
    departed,
    export_inventory,
    export_line,
    export_order,
    export_waybill,
    import_inventory,
    import_order,
    import_waybill,
    payment,
    publish,
    receipt_of_funds,
    tax_service,
)
from tests.support.kafka import read_topic
from tests.support.tokens import as_caller
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration


async def _status(client: httpx.AsyncClient, cop_no: str) -> str:
    response = await client.get(f"/v1/lists/{cop_no}")
    if response.status_code != 200:
        return f"http {response.status_code}"
    status: str = response.json()["status"]
    return status


async def _wait_status(client: httpx.AsyncClient, cop_no: str, status: str) -> dict[str, Any]:
    await eventually(
        lambda: _status(client, cop_no), until=lambda s: s == status, what=f"{cop_no} {status}"
    )
    view: dict[str, Any] = (await client.get(f"/v1/lists/{cop_no}")).json()
    return view


async def test_an_export_list_waits_for_its_documents_is_released_then_closed_on_departure(
    kafka_bootstrap: str, database_url: str, unique: str, tmp_path: Path
) -> None:
    ebc = "3701960002"
    order_no, cop_no, waybill_no = f"EO{unique}", f"C{unique}", f"W{unique}"
    line = export_line(1)
    async with declaration_app(kafka_bootstrap, database_url, tmp_path) as (app, client):
        order = await client.post(
            "/v1/export/orders",
            json=export_order(order_no, ebc, [line]),
            headers=as_caller("declaration", ebc),
        )
        listed = await client.post(
            "/v1/export/inventories",
            json=[export_inventory(cop_no, order_no, ebc, waybill_no, [line])],
        )
        again = await client.post(
            "/v1/export/inventories",
            json=[export_inventory(cop_no, order_no, ebc, waybill_no, [line])],
        )
        await publish(app, export_waybill(waybill_no, ebc))
        await publish(app, receipt_of_funds(order_no, ebc, "90"))
        released = await _wait_status(client, cop_no, "800")
        await publish(app, departed(waybill_no))
        closed = await _wait_status(client, cop_no, "899")
        by_order = await client.get(f"/v1/orders/{order_no}", params={"party": ebc})
        records = await read_topic(kafka_bootstrap, "cbec.declaration.v1", expected=1)

    assert order.status_code == 200
    assert order.json()["receipts"][0]["returnStatus"] == "2"
    receipt = listed.json()["receipts"][0]
    assert receipt["returnStatus"] == "2"
    assert receipt["preNo"].startswith("B")
    assert len(receipt["preNo"]) == 18
    # A second new list (a new guid: another document) under the same copNo is refused.
    assert again.json()["receipts"][0]["returnStatus"] == "100"
    assert "already on file" in again.json()["receipts"][0]["returnInfo"]
    assert [r["returnStatus"] for r in released["receipts"]] == ["2", "120", "399", "800"]
    assert len(released["invtNo"]) == 18
    assert released["invtNo"][8] == "E"
    assert [r["returnStatus"] for r in closed["receipts"]][-1] == "899"
    assert by_order.json()["orders"][0]["lists"][0]["copNo"] == cop_no
    mine = [json.loads(r.value) for r in records if r.key == order_no.encode()]
    types = [dict(r.headers)["ce_type"].decode() for r in records if r.key == order_no.encode()]
    assert types.count("cbec.declaration.list.released.v1") == 1
    assert types.count("cbec.declaration.list.closed.v1") == 1
    assert types.count("cbec.declaration.order.accepted.v1") == 1
    assert any(m.get("returnStatus") == "800" for m in mine)


async def test_a_document_resent_unchanged_gets_the_same_receipt_and_changes_nothing(
    kafka_bootstrap: str, database_url: str, unique: str, tmp_path: Path
) -> None:
    ebc = "3701960002"
    order_no, cop_no = f"EO{unique}", f"C{unique}"
    line = export_line(1)
    order = export_order(order_no, ebc, [line])
    invt = export_inventory(cop_no, order_no, ebc, f"W{unique}", [line])
    async with declaration_app(kafka_bootstrap, database_url, tmp_path) as (_app, client):
        first = (
            await client.post(
                "/v1/export/orders", json=order, headers=as_caller("declaration", ebc)
            )
        ).json()
        second = (
            await client.post(
                "/v1/export/orders", json=[order], headers=as_caller("declaration", ebc)
            )
        ).json()
        new_again = {**order, "OrderHead": {**order["OrderHead"], "goodsValue": "81"}}
        duplicate = (
            await client.post(
                "/v1/export/orders", json=new_again, headers=as_caller("declaration", ebc)
            )
        ).json()
        listed = (await client.post("/v1/export/inventories", json=invt)).json()
        listed_again = (await client.post("/v1/export/inventories", json=invt)).json()
        view = (await client.get(f"/v1/lists/{cop_no}")).json()

    assert first == second
    assert duplicate["receipts"][0]["returnStatus"] == "-301010"
    assert listed == listed_again
    assert [r["returnStatus"] for r in view["receipts"]] == ["2"]


async def test_a_mismatch_rejects_the_list_naming_each_rule_and_a_correction_releases_it(
    kafka_bootstrap: str, database_url: str, unique: str, tmp_path: Path
) -> None:
    ebc = "3701960002"
    order_no, cop_no, waybill_no = f"EO{unique}", f"C{unique}", f"W{unique}"
    line = export_line(1)
    async with declaration_app(kafka_bootstrap, database_url, tmp_path) as (app, client):
        await client.post(
            "/v1/export/orders",
            json=export_order(order_no, ebc, [line]),
            headers=as_caller("declaration", ebc),
        )
        await client.post(
            "/v1/export/inventories",
            json=export_inventory(cop_no, order_no, ebc, waybill_no, [line]),
        )
        await publish(app, export_waybill(waybill_no, ebc), receipt_of_funds(order_no, ebc, "85"))
        rejected = await _wait_status(client, cop_no, "100")
        await publish(app, receipt_of_funds(order_no, ebc, "90"))
        released = await _wait_status(client, cop_no, "800")

    info = rejected["receipts"][-1]["returnInfo"]
    assert "receipts.charge" in info
    assert "85" in info
    assert "90" in info
    assert [r["returnStatus"] for r in released["receipts"]][-4:] == ["2", "120", "399", "800"]


async def test_an_import_list_reserves_the_buyers_quota_and_is_refused_over_the_annual_limit(
    kafka_bootstrap: str, database_url: str, unique: str, tmp_path: Path
) -> None:
    buyer = f"37010219900101{unique[-4:]}"
    async with (
        tax_service(kafka_bootstrap, tmp_path) as tax,
        declaration_app(kafka_bootstrap, database_url, tmp_path, tax) as (app, client),
    ):
        for n, price in enumerate(("4900", "4900", "4900", "4900", "4900", "4900")):
            order_no, cop_no, waybill_no = f"IO{unique}{n}", f"I{unique}{n}", f"Y{unique}{n}"
            # One order a day: orders of one buyer on one day would be split orders (§9).
            day = f"202603{n + 1:02d}120000"
            await client.post(
                "/v1/import/orders",
                json=import_order(order_no, buyer, price, appTime=day),
                headers=as_caller("declaration", EBP),
            )
            await client.post(
                "/v1/import/inventories",
                json=import_inventory(cop_no, order_no, buyer, waybill_no, price),
            )
            await publish(
                app,
                payment(order_no, buyer, str(int(price) + 10)),
                import_waybill(waybill_no, order_no, buyer),
            )
            expected = "800" if n < 5 else "100"
            view = await _wait_status(client, cop_no, expected)
        revoked = await client.post(
            "/v1/import/revocations",
            json={
                "guid": "A" * 8 + "-" + "B" * 4 + "-" + "C" * 4 + "-" + "D" * 4 + "-" + "E" * 12,
                "appType": "1",
                "appTime": "20260305120000",
                "appStatus": "2",
                "customsCode": "4300",
                "orderNo": f"IO{unique}0",
                "ebpCode": "3701960001",
                "ebpName": "platform",
                "ebcCode": "3701960002",
                "ebcName": "seller",
                "logisticsNo": f"Y{unique}0",
                "logisticsCode": "3701970004",
                "logisticsName": "carrier",
                "copNo": f"I{unique}0",
                "invtNo": (await client.get(f"/v1/lists/I{unique}0")).json()["invtNo"],
                "buyerIdType": "1",
                "buyerIdNumber": buyer,
                "buyerName": f"Buyer {buyer}",
                "buyerTelephone": "13800000000",
                "agentCode": "3701980003",
                "agentName": "broker",
                "reason": "order cancelled by the buyer",
            },
        )
        quota = await tax.quota(buyer, 2026)

    assert view["receipts"][-1]["returnStatus"] == "-621018"
    assert "annual" in view["receipts"][-1]["returnInfo"]
    assert revoked.json()["receipts"][0]["returnStatus"] == "revoked"
    states = sorted(e["state"] for e in quota["entries"])
    # Five released lists reserved their amount; the sixth was refused; the revoked one is
    # withdrawn, so four count towards the year.
    assert len(quota["entries"]) == 5
    assert states.count("withdrawn") + states.count("cancelled") == 1
    assert len([s for s in states if s not in ("withdrawn", "cancelled")]) == 4
