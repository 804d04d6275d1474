"""Overseas warehouses (9810) and the overdue check, against the real broker and database."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from cbec.logistics.app import create_app
from cbec.logistics.settings import Settings
from tests.integration.logistics.logistics_flow import (
    CARRIER,
    EBC_CODE,
    LOGISTICS_CODE,
    arrival,
    booking_accepted,
    collect,
    count_parcels,
    departure,
    export_waybill,
    list_released,
    now,
    publish,
    serial,
)
from tests.support.apps import running, service_settings
from tests.support.tokens import as_caller
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration


def settings(kafka_bootstrap: str, database_url: str, **values: object) -> Settings:
    made = service_settings(
        Settings, kafka_bootstrap_servers=kafka_bootstrap, database_url=database_url, **values
    )
    assert isinstance(made, Settings)
    return made


async def test_a_departed_booking_fills_its_warehouse_and_sales_take_stock_out_never_below_zero(
    kafka_bootstrap: str, database_url: str, unique: str
) -> None:
    booking, parcel = f"W{unique}", f"L{unique}W"
    invt = f"43002026E{serial(unique)}77"
    warehouse = f"DE-FRA-{unique[-4:]}"
    path = f"/v1/warehouses/{EBC_CODE}/{warehouse}"
    sku_a, sku_b = f"SKU-A-{unique}", f"SKU-B-{unique}"
    released_at = now() - timedelta(hours=5)

    async with running(
        create_app(settings(kafka_bootstrap, database_url)), party=EBC_CODE, roles=["ecommerce"]
    ) as (
        app,
        client,
    ):
        await publish(app, [booking_accepted(booking, {sku_a: Decimal(10), sku_b: Decimal(5)})])
        assigned = await eventually(
            lambda: client.post(f"{path}/bookings", json={"orderNo": booking}),
            until=lambda answer: answer.status_code == 200,
            what="the booking known to logistics",
        )
        assert assigned.json()["warehouseCode"] == warehouse
        await client.post("/v1/export/waybills", json=export_waybill(parcel), headers=CARRIER)
        await publish(app, [list_released(booking, invt, parcel, released_at)])
        await eventually(
            lambda: count_parcels(app, [parcel], "list_released"), until=lambda n: n == 1
        )
        before = (await client.get(f"{path}/stock")).json()
        await client.post(
            "/v1/export/arrivals",
            json=arrival(f"WA{unique}", [parcel], released_at + timedelta(hours=1)),
            headers=CARRIER,
        )
        left = await client.post(
            "/v1/export/departures",
            json=departure(f"WD{unique}", [parcel], released_at + timedelta(hours=2)),
            headers=CARRIER,
        )
        assert left.json()["receipts"][0]["returnStatus"] == "2"
        after_inbound = (await client.get(f"{path}/stock")).json()

        sale = {
            "saleNo": f"S{unique}1",
            "bookingNo": booking,
            "lines": [{"itemNo": sku_a, "qty": 3}],
        }
        sold = await client.post(f"{path}/sales", json=sale)
        too_much = await client.post(
            f"{path}/sales",
            json={
                "saleNo": f"S{unique}2",
                "bookingNo": booking,
                "lines": [{"itemNo": sku_a, "qty": "8"}, {"itemNo": sku_b, "qty": "0.5"}],
            },
        )
        resent = await client.post(f"{path}/sales", json=sale)
        invalid = await client.post(f"{path}/sales", json={"saleNo": "S", "lines": []})
        final = (await client.get(f"{path}/stock")).json()

    assert before["lines"] == []
    on_hand = {line["itemNo"]: line["onHand"] for line in after_inbound["lines"]}
    assert on_hand == {sku_a: "10", sku_b: "5"}
    assert sold.json()["receipts"][0]["returnStatus"] == "2"
    refusal = too_much.json()["receipts"][0]
    assert refusal["returnStatus"] == "100"
    assert f"stock of {sku_a} must not go below zero" in refusal["returnInfo"]
    assert resent.json() == sold.json()
    assert invalid.status_code == 422
    assert {v["field"] for v in invalid.json()["violations"]} == {"bookingNo", "lines"}
    assert {line["itemNo"]: line["onHand"] for line in final["lines"]} == {sku_a: "7", sku_b: "5"}
    assert final["bookings"][0]["orderNo"] == booking

    events = await collect(
        kafka_bootstrap,
        keep=lambda event_type, data: (
            event_type.endswith("stock_changed.v1") and data.get("warehouseCode") == warehouse
        ),
        done=lambda kept: len(kept) >= 3,
    )
    changes = [(e["itemNo"], e["reason"], e["change"], e["onHand"]) for _t, e in events]
    assert sorted(changes) == sorted(
        [(sku_a, "inbound", "10", "10"), (sku_b, "inbound", "5", "5"), (sku_a, "sale", "-3", "7")]
    )
    assert {e["orderNo"] for _t, e in events} == {booking}
    assert {e["warehouseKey"] for _t, e in events} == {f"{EBC_CODE}:{warehouse}"}


async def test_a_released_parcel_not_departed_in_time_is_reported_overdue_once(
    kafka_bootstrap: str, database_url: str, unique: str
) -> None:
    late, fresh = f"L{unique}O1", f"L{unique}O2"
    invt = f"43002026E{serial(unique)}"
    app = create_app(
        settings(
            kafka_bootstrap,
            database_url,
            parcel_departure_wait=timedelta(days=2),
            overdue_check_enabled=False,
        )
    )
    async with running(app, party=EBC_CODE, roles=["ecommerce"]) as (app, client):
        await client.post(
            "/v1/export/waybills",
            json=[export_waybill(late), export_waybill(fresh)],
            headers=CARRIER,
        )
        await publish(
            app,
            [
                list_released(f"EO{unique}O1", f"{invt}O1", late, now() - timedelta(days=3)),
                list_released(f"EO{unique}O2", f"{invt}O2", fresh, now() - timedelta(days=1)),
            ],
        )
        await eventually(
            lambda: count_parcels(app, [late, fresh], "list_released"), until=lambda n: n == 2
        )
        forbidden = await client.post("/v1/maintenance/overdue-parcels")
        operator = as_caller("logistics", EBC_CODE, "operator")
        first = await client.post("/v1/maintenance/overdue-parcels", headers=operator)
        second = await client.post("/v1/maintenance/overdue-parcels", headers=operator)

    assert forbidden.status_code == 403
    assert forbidden.headers["content-type"].startswith("application/problem+json")
    reported = [p["logisticsNo"] for p in first.json()["parcels"]]
    assert late in reported
    assert fresh not in reported
    assert late not in [p["logisticsNo"] for p in second.json()["parcels"]]

    events = await collect(
        kafka_bootstrap,
        keep=lambda event_type, data: (
            event_type.endswith("overdue.v1") and data.get("logisticsNo") in {late, fresh}
        ),
        done=lambda kept: len(kept) >= 1,
    )
    (overdue,) = [e for _t, e in events]
    assert overdue["logisticsCode"] == LOGISTICS_CODE
    assert overdue["invtNo"] == f"{invt}O1"
