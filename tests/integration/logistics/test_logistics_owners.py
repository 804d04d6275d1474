"""A waybill is filed, changed and deleted only by its logistics enterprise (the one that filed
it), and a parcel or a warehouse is read only by the enterprises its documents name (and
customs officers and operators): whatever the gateway checked before."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import update
from sqlmodel import col

from cbec.logistics.app import create_app
from cbec.logistics.models import WaybillRow
from cbec.logistics.settings import Settings
from tests.integration.logistics.logistics_flow import (
    CARRIER,
    EBC_CODE,
    LOGISTICS_CODE,
    SELLER,
    collect,
    export_waybill,
    of_type,
)
from tests.support.apps import running, service_settings
from tests.support.tokens import vouch

pytestmark = pytest.mark.integration

OTHER_CARRIER = vouch("3702989999", "logistics")
OTHER_SELLER = vouch("3702969999", "ecommerce")
OFFICER = vouch("4300000002", "customs-officer")
NO_ONE = vouch("3702999999")  # an enterprise of no role


def _settings(kafka_bootstrap: str, database_url: str) -> Settings:
    return service_settings(
        Settings, kafka_bootstrap_servers=kafka_bootstrap, database_url=database_url
    )


def _answer(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    [answer] = response.json()["receipts"]
    return answer


NOT_NAMED = "logisticsCode: must be the code of the filing enterprise"
AS_A_CARRIER = {"appType": "2", "logisticsCode": "3702969999"}
# (name, headers, what the later document changes, its returnStatus, its returnInfo, applies)
ATTEMPTS: list[tuple[str, dict[str, str], dict[str, Any], str, str, bool]] = [
    ("another carrier changes it", OTHER_CARRIER, {"appType": "2"}, "100", NOT_NAMED, False),
    ("another carrier deletes it", OTHER_CARRIER, {"appType": "3"}, "100", NOT_NAMED, False),
    ("a seller files as a carrier", OTHER_SELLER, AS_A_CARRIER, "100", "role logistics", False),
    ("its seller changes it", SELLER, {"appType": "2"}, "100", "logisticsCode", False),
    ("its carrier changes it", CARRIER, {"appType": "2"}, "2", "changed", True),
    ("its carrier deletes it", CARRIER, {"appType": "3"}, "2", "deleted", True),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "headers", "change", "status", "info", "applies"),
    ATTEMPTS,
    ids=[a[0] for a in ATTEMPTS],
)
async def test_a_waybill_is_changed_only_by_the_logistics_enterprise_that_filed_it(
    kafka_bootstrap: str,
    database_url: str,
    unique: str,
    name: str,
    headers: dict[str, str],
    change: dict[str, Any],
    status: str,
    info: str,
    applies: bool,
) -> None:
    number = f"LO{unique}"
    async with running(create_app(_settings(kafka_bootstrap, database_url)), headers=CARRIER) as (
        _app,
        client,
    ):
        assert (
            _answer(await client.post("/v1/export/waybills", json=export_waybill(number)))[
                "returnStatus"
            ]
            == "2"
        )
        later = export_waybill(number, freight="99.00", **change)
        answer = _answer(await client.post("/v1/export/waybills", json=later, headers=headers))
        timeline = await client.get(f"/v1/parcels/{LOGISTICS_CODE}/{number}")
        events = await collect(
            kafka_bootstrap,
            lambda _t, d: d.get("logisticsNo") == number,
            lambda kept: len(kept) >= (2 if applies else 1),
        )

    assert answer["returnStatus"] == status, answer
    assert info in answer["returnInfo"]
    if applies:
        assert len(events) == 2
        return
    assert timeline.json()["state"] == "waybill_registered"
    assert [t for t, _d in events] == ["cbec.logistics.waybill.accepted.v1"]


async def test_a_waybill_on_file_by_another_enterprise_is_refused_its_filer_code_and_unchanged(
    kafka_bootstrap: str, database_url: str, unique: str
) -> None:
    number = f"LF{unique}"
    async with running(create_app(_settings(kafka_bootstrap, database_url)), headers=CARRIER) as (
        app,
        client,
    ):
        await client.post("/v1/export/waybills", json=export_waybill(number))
        # A row stored before the filer was recorded took the code it is stored under; here,
        # one whose filer is not the logistics enterprise the document now names.
        async with app.state.runtime.transaction() as session:
            await session.execute(
                update(WaybillRow)
                .where(col(WaybillRow.logistics_no) == number)
                .values(filed_by="3702989999")
            )
        changed = _answer(
            await client.post(
                "/v1/export/waybills", json=export_waybill(number, appType="2", freight="9")
            )
        )
        deleted = _answer(
            await client.post("/v1/export/waybills", json=export_waybill(number, appType="3"))
        )
        timeline = (await client.get(f"/v1/parcels/{LOGISTICS_CODE}/{number}")).json()
        events = await collect(
            kafka_bootstrap, lambda _t, d: d.get("logisticsNo") == number, lambda kept: bool(kept)
        )

    for answer in (changed, deleted):
        assert answer["returnStatus"] == "-501010", answer
        assert (
            "logisticsNo: a document on file is changed or deleted only by the enterprise"
            in (answer["returnInfo"])
        )
    assert timeline["state"] == "waybill_registered"
    assert len(of_type(events, "waybill.accepted")) == 1
    assert of_type(events, "waybill.deleted") == []


async def test_a_parcel_and_a_warehouse_are_read_by_the_enterprises_their_documents_name(
    kafka_bootstrap: str, database_url: str, unique: str
) -> None:
    number = f"LR{unique}"
    parcel_path = f"/v1/parcels/{LOGISTICS_CODE}/{number}"
    stock_path = f"/v1/warehouses/{EBC_CODE}/W{unique}/stock"
    readers = {"its carrier": CARRIER, "its seller": SELLER, "an officer": OFFICER}
    strangers = {"another carrier": OTHER_CARRIER, "another seller": OTHER_SELLER, "none": NO_ONE}
    async with running(create_app(_settings(kafka_bootstrap, database_url)), headers=CARRIER) as (
        _app,
        client,
    ):
        await client.post("/v1/export/waybills", json=export_waybill(number))
        parcels = {
            who: await client.get(parcel_path, headers=h)
            for who, h in {**readers, **strangers}.items()
        }
        stocks = {
            who: await client.get(stock_path, headers=h)
            for who, h in {**readers, **strangers}.items()
        }
        unknown = await client.get(f"/v1/parcels/{LOGISTICS_CODE}/LX{unique}", headers=CARRIER)
        booking = await client.post(
            f"/v1/warehouses/{EBC_CODE}/W{unique}/bookings",
            json={"orderNo": f"W{unique}"},
            headers=OTHER_SELLER,
        )

    for who in readers:
        assert parcels[who].status_code == 200, who
        assert parcels[who].json()["state"] == "waybill_registered"
    for who in strangers:
        assert parcels[who].status_code == 404, who
        # the same answer as for a parcel that is not on file at all
        assert parcels[who].json()["title"] == unknown.json()["title"]
    for who in ("its seller", "an officer"):
        assert stocks[who].status_code == 200, who
    for who in ("its carrier", *strangers):
        assert stocks[who].status_code == 404, who
    assert booking.status_code == 404
