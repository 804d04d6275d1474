"""Bonded imports (1210) through the logistics service: the goods already lie in the special
customs zone, so their parcel takes the list's release with no site entry (CEB711) and is then
delivered; a direct purchase (9610) still waits for its site entry. And the goods of an import
return are reported back only by the list's logistics enterprise."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cbec.logistics.app import create_app
from cbec.logistics.settings import Settings
from tests.integration.logistics.logistics_flow import (
    GUID,
    IMPORT_LINES,
    LOGISTICS_CODE,
    SELLER,
    ceb,
    count_parcels,
    import_return,
    import_waybill,
    list_released,
    now,
    publish,
    serial,
)
from tests.support import builders
from tests.support.apps import running, service_settings
from tests.support.tokens import as_caller
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

OTHER_CARRIER = "3702989999"


def settings(kafka_bootstrap: str, database_url: str) -> Settings:
    made = service_settings(
        Settings, kafka_bootstrap_servers=kafka_bootstrap, database_url=database_url
    )
    assert isinstance(made, Settings)
    return made


def signed_for(logistics_no: str) -> dict[str, object]:
    """CEB513: the buyer signed for the parcel."""
    at = ceb(now())
    return builders.logistics_status(
        guid=GUID,
        app_time=at,
        logistics_code=LOGISTICS_CODE,
        logistics_name="济南跨境物流有限公司",
        logistics_no=logistics_no,
        logistics_time=at,
    )


def receipt(answer: object) -> tuple[str, str]:
    found = answer.json()["receipts"][0]  # type: ignore[attr-defined]
    return found["returnStatus"], found["returnInfo"]


async def test_a_bonded_parcel_is_released_and_delivered_without_a_site_entry(
    kafka_bootstrap: str, database_url: str, unique: str
) -> None:
    bonded, direct = f"B{unique}1", f"D{unique}2"
    invts = {bonded: f"43002026I{serial(unique)}01", direct: f"43002026I{serial(unique)}02"}
    orders = {bonded: f"IO{unique}1", direct: f"IO{unique}2"}
    released_at = now() - timedelta(minutes=5)
    async with running(
        create_app(settings(kafka_bootstrap, database_url)),
        party=LOGISTICS_CODE,
        roles=["logistics"],
    ) as (
        app,
        client,
    ):
        filed = await client.post(
            "/v1/import/waybills",
            json=[import_waybill(no, orders[no]) for no in (bonded, direct)],
        )
        assert {r["returnStatus"] for r in filed.json()["receipts"]} == {"2"}
        releases = [
            list_released(orders[no], invts[no], no, released_at, ie_flag="I", lines=IMPORT_LINES)
            for no in (bonded, direct)
        ]
        releases[0] = releases[0].model_copy(update={"tradeMode": "1210"})
        await publish(app, releases)
        await eventually(
            lambda: count_parcels(app, [bonded], "list_released"),
            until=lambda n: n == 1,
            what="the bonded parcel released",
        )
        delivered = await client.post(
            "/v1/import/waybill-statuses", json=[signed_for(bonded), signed_for(direct)]
        )
        bonded_timeline = (await client.get(f"/v1/parcels/{LOGISTICS_CODE}/{bonded}")).json()
        direct_timeline = (await client.get(f"/v1/parcels/{LOGISTICS_CODE}/{direct}")).json()

    bonded_receipt, direct_receipt = delivered.json()["receipts"]
    assert bonded_receipt["returnStatus"] == "2", bonded_receipt
    assert bonded_timeline["state"] == "delivered"
    # The direct purchase's parcel never entered the site: it cannot take its release.
    assert direct_receipt["returnStatus"] == "100"
    assert "not released" in direct_receipt["returnInfo"]
    assert direct_timeline["state"] == "waybill_registered"


async def test_the_goods_of_an_import_return_are_reported_back_by_the_lists_carrier(
    kafka_bootstrap: str, database_url: str, unique: str
) -> None:
    parcel, order = f"R{unique}1", f"IO{unique}R"
    invt = f"43002026I{serial(unique)}03"
    released_at = now() - timedelta(days=3)
    async with running(
        create_app(settings(kafka_bootstrap, database_url)),
        party=LOGISTICS_CODE,
        roles=["logistics"],
    ) as (
        app,
        client,
    ):
        await client.post("/v1/import/waybills", json=[import_waybill(parcel, order)])
        released = list_released(order, invt, parcel, released_at, ie_flag="I", lines=IMPORT_LINES)
        await publish(app, [released.model_copy(update={"tradeMode": "1210"})])
        await eventually(
            lambda: count_parcels(app, [parcel], "list_released"),
            until=lambda n: n == 1,
            what="released",
        )
        applied = await client.post(
            "/v1/import/returns",
            headers=SELLER,
            json=import_return(f"IR{unique}", order, invt, parcel, now() - timedelta(hours=1), "3"),
        )
        assert receipt(applied)[0] == "2", receipt(applied)
        back = {"invtNo": invt, "copNo": f"IR{unique}", "receivedAt": ceb(now())}
        stranger = await client.post(
            "/v1/import/return-receipts",
            json=back,
            headers=as_caller("logistics", OTHER_CARRIER, "logistics"),
        )
        carrier = await client.post("/v1/import/return-receipts", json=back)

    code, info = receipt(stranger)
    assert code == "100"
    assert "reported back by the list's logistics enterprise" in info
    assert LOGISTICS_CODE in info
    assert receipt(carrier)[0] == "2", receipt(carrier)
