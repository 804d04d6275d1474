"""Waybills through the logistics service: receipts per document, changes, deletes, events."""

from __future__ import annotations

import pytest

from cbec.logistics.app import create_app
from cbec.logistics.settings import Settings
from tests.integration.logistics.logistics_flow import (
    LOGISTICS_CODE,
    collect,
    export_waybill,
    of_type,
)
from tests.support.apps import running, service_settings
from tests.support.tokens import vouch

pytestmark = [pytest.mark.integration, pytest.mark.postgres]


async def test_waybills_get_a_receipt_each_and_changes_and_deletes_are_published(
    kafka_bootstrap: str, database_url: str, unique: str
) -> None:
    kept, gone = f"L{unique}K", f"L{unique}G"
    settings = service_settings(
        Settings, kafka_bootstrap_servers=kafka_bootstrap, database_url=database_url
    )
    async with running(create_app(settings), headers=vouch(LOGISTICS_CODE, "logistics")) as (
        _app,
        client,
    ):
        invalid = await client.post(
            "/v1/export/waybills", json=[export_waybill(kept, grossWeight="1.123456")]
        )
        first = await client.post(
            "/v1/export/waybills",
            json=[export_waybill(kept), export_waybill(gone), export_waybill(kept, packNo=0)],
        )
        resent = await client.post("/v1/export/waybills", json=export_waybill(kept))
        duplicate = await client.post(
            "/v1/export/waybills", json=export_waybill(kept, guid=f"{'A' * 35}B")
        )
        changed = await client.post(
            "/v1/export/waybills", json=export_waybill(kept, appType="2", freight="12.50")
        )
        deleted = await client.post("/v1/export/waybills", json=export_waybill(gone, appType="3"))
        timeline = (await client.get(f"/v1/parcels/{LOGISTICS_CODE}/{gone}")).json()
        unknown = await client.get(f"/v1/parcels/{LOGISTICS_CODE}/L{unique}none")

    assert invalid.status_code == 422
    assert [v["field"] for v in invalid.json()["violations"]] == ["[0].grossWeight"]
    statuses = [(r["logisticsNo"], r["returnStatus"]) for r in first.json()["receipts"]]
    assert statuses == [(kept, "2"), (gone, "2"), (kept, "100")]
    assert "packNo must be >= 1" in first.json()["receipts"][2]["returnInfo"]
    assert resent.json()["receipts"][0] == first.json()["receipts"][0]
    assert duplicate.json()["receipts"][0]["returnStatus"] == "100"
    assert "already on file" in duplicate.json()["receipts"][0]["returnInfo"]
    assert changed.json()["receipts"][0]["returnStatus"] == "2"
    assert deleted.json()["receipts"][0]["returnStatus"] == "2"
    assert timeline["state"] == "waybill_deleted"
    assert unknown.status_code == 404

    events = await collect(
        kafka_bootstrap,
        keep=lambda _t, data: data.get("logisticsNo") in {kept, gone},
        done=lambda found: len(of_type(found, "waybill.deleted")) >= 1,
    )
    accepted = of_type(events, "waybill.accepted")
    # Order is kept per waybill (the message key), not across waybills: a stable sort by key.
    per_waybill = sorted(
        ((e["logisticsNo"], e["appType"], e["freight"]) for e in accepted), key=lambda e: e[0]
    )
    assert per_waybill == [(gone, "1", "10.00"), (kept, "1", "10.00"), (kept, "2", "12.50")]
    assert [e["logisticsNo"] for e in of_type(events, "waybill.deleted")] == [gone]
