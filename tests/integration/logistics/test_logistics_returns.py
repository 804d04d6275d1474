"""Returns through the logistics service: what the tax and declaration services read on the topic.

Export (海关总署公告2020年第44号): all or part of a list's goods within 1 year of release.
Import (财关税〔2018〕49号): applied for within 30 days of release, goods back within 45 days.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from cbec.logistics.app import create_app
from cbec.logistics.settings import Settings
from tests.integration.logistics.logistics_flow import (
    IMPORT_LINES,
    LOGISTICS_CODE,
    SELLER,
    arrival,
    ceb,
    collect,
    count_parcels,
    departure,
    export_return,
    export_return_line,
    export_waybill,
    import_return,
    import_waybill,
    list_released,
    now,
    of_type,
    publish,
    return_tally,
    serial,
    site_entry,
)
from tests.support.apps import running, service_settings
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration


def settings(kafka_bootstrap: str, database_url: str) -> Settings:
    made = service_settings(
        Settings, kafka_bootstrap_servers=kafka_bootstrap, database_url=database_url
    )
    assert isinstance(made, Settings)
    return made


def status(answer: object) -> tuple[str, str]:
    receipt = answer.json()["receipts"][0]  # type: ignore[attr-defined]
    return receipt["returnStatus"], receipt["returnInfo"]


async def test_an_export_return_within_a_year_completes_in_part_and_an_old_list_is_refused(
    kafka_bootstrap: str, database_url: str, unique: str
) -> None:
    parcel, old_parcel = f"L{unique}R1", f"L{unique}R2"
    invt, old_invt = f"43002026E{serial(unique)}01", f"43002025E{serial(unique)}02"
    order = f"EO{unique}R1"
    released_at = now() - timedelta(days=100)
    leave = released_at + timedelta(days=1, hours=2)

    async with running(
        create_app(settings(kafka_bootstrap, database_url)),
        party=LOGISTICS_CODE,
        roles=["logistics"],
    ) as (
        app,
        client,
    ):
        await client.post(
            "/v1/export/waybills", json=[export_waybill(parcel), export_waybill(old_parcel)]
        )
        await publish(
            app,
            [
                list_released(order, invt, parcel, released_at),
                list_released(f"EO{unique}R2", old_invt, old_parcel, now() - timedelta(days=400)),
            ],
        )
        await eventually(
            lambda: count_parcels(app, [parcel, old_parcel], "list_released"),
            until=lambda n: n == 2,
        )
        arrived = released_at + timedelta(days=1)
        await client.post("/v1/export/arrivals", json=arrival(f"RA{unique}", [parcel], arrived))
        left = await client.post(
            "/v1/export/departures", json=departure(f"RD{unique}", [parcel], leave)
        )
        assert status(left)[0] == "2"

        applied = await client.post(
            "/v1/export/returns",
            headers=SELLER,
            json=export_return(
                f"RET{unique}",
                invt,
                f"RL{unique}",
                now() - timedelta(hours=2),
                [export_return_line(1, "4")],
            ),
        )
        assert status(applied) == ("2", f"return RET{unique} of list {invt} accepted (partial)")
        tallied = await client.post(
            "/v1/export/return-tallies",
            json=return_tally(f"TAL{unique}", invt, f"RL{unique}", now() - timedelta(hours=1)),
        )
        assert status(tallied)[0] == "2"

        too_many = await client.post(
            "/v1/export/returns",
            headers=SELLER,
            json=export_return(
                f"RES{unique}", invt, f"RM{unique}", now(), [export_return_line(1, "7")]
            ),
        )
        too_old = await client.post(
            "/v1/export/returns",
            headers=SELLER,
            json=export_return(
                f"REO{unique}", old_invt, f"RO{unique}", now(), [export_return_line(2, "1")]
            ),
        )
        timeline = (await client.get(f"/v1/parcels/{LOGISTICS_CODE}/{parcel}")).json()

    code, info = status(too_many)
    assert code == "100"
    assert "returned qty over all returns must not exceed the original qty" in info
    code, info = status(too_old)
    assert code == "100"
    assert "within 1 year(s) of the list's release" in info
    assert timeline["state"] == "returned"

    events = await collect(
        kafka_bootstrap,
        keep=lambda _t, data: data.get("invtNo") in {invt, old_invt},
        done=lambda kept: len(of_type(kept, "return.completed")) >= 1,
    )
    (completed,) = of_type(events, "return.completed")
    exported_on = released_at.date()
    assert completed == {
        "orderNo": order,
        "invtNo": invt,
        "ieFlag": "E",
        "whole": False,
        # Goods exported 2026-2027 and back unchanged within 6 months re-enter duty-free.
        "withinWindow": date(2026, 1, 1) <= exported_on <= date(2027, 12, 31),
        "lines": [{"gnum": 1, "qty": "4", "amount": "200.00"}],
        "amount": "200.00",
        "releasedAt": completed["releasedAt"],
        "appliedAt": completed["appliedAt"],
        "receivedAt": completed["receivedAt"],
    }
    assert completed["releasedAt"].startswith(released_at.date().isoformat())
    returned = [m for m in of_type(events, "parcel.moved") if m["movement"] == "returned"]
    assert [m["logisticsNo"] for m in returned] == [parcel]


async def test_import_returns_in_time_restore_the_quota_and_late_ones_do_not(
    kafka_bootstrap: str, database_url: str, unique: str
) -> None:
    base = serial(unique)
    cases = {
        # name: (days since release when applied, days since release when the goods are back)
        "in_time": (19, 20),
        "goods_late": (10, 50),
        "applied_late": (40, None),
    }
    parcels = {name: f"I{unique}{n}" for n, name in enumerate(cases)}
    invts = {name: f"43002026I{base}{n:02d}" for n, name in enumerate(cases)}
    orders = {name: f"IO{unique}{n}" for n, name in enumerate(cases)}
    released = {
        name: now() - timedelta(days=(back or applied)) for name, (applied, back) in cases.items()
    }

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
            json=[import_waybill(parcels[name], orders[name]) for name in cases],
        )
        assert {r["returnStatus"] for r in filed.json()["receipts"]} == {"2"}
        entered = await client.post(
            "/v1/import/site-entries",
            json=site_entry(f"RK{unique}", parcels.values(), now() - timedelta(days=60)),
        )
        assert status(entered)[0] == "2"
        await publish(
            app,
            [
                list_released(
                    orders[name],
                    invts[name],
                    parcels[name],
                    released[name],
                    ie_flag="I",
                    lines=IMPORT_LINES,
                )
                for name in cases
            ],
        )
        await eventually(
            lambda: count_parcels(app, list(parcels.values()), "list_released"),
            until=lambda n: n == len(cases),
        )
        answers = {}
        for name, (applied, _back) in cases.items():
            answers[name] = await client.post(
                "/v1/import/returns",
                headers=SELLER,
                json=import_return(
                    f"IR{unique}{name[:2]}",
                    orders[name],
                    invts[name],
                    parcels[name],
                    released[name] + timedelta(days=applied),
                    "1",
                ),
            )
        received = {}
        for name, (_applied, back) in cases.items():
            if back is None:
                continue
            received[name] = await client.post(
                "/v1/import/return-receipts",
                json={
                    "invtNo": invts[name],
                    "copNo": f"IR{unique}{name[:2]}",
                    "receivedAt": ceb(released[name] + timedelta(days=back)),
                },
            )
        resent = await client.post(
            "/v1/import/return-receipts",
            json={
                "invtNo": invts["in_time"],
                "copNo": f"IR{unique}in",
                "receivedAt": ceb(released["in_time"] + timedelta(days=20)),
            },
        )

    assert status(answers["in_time"])[0] == "2"
    assert status(answers["goods_late"])[0] == "2"
    code, info = status(answers["applied_late"])
    assert code == "100"
    assert "an import return is applied for within 30 days of the list's release" in info
    assert status(received["in_time"]) == (
        "2",
        f"return IR{unique}in of list {invts['in_time']} received within the return window",
    )
    assert "outside the return window" in status(received["goods_late"])[1]
    assert resent.json() == received["in_time"].json()

    events = await collect(
        kafka_bootstrap,
        keep=lambda _t, data: data.get("invtNo") in set(invts.values()),
        done=lambda kept: len(of_type(kept, "return.completed")) >= 2,
    )
    completed = {e["invtNo"]: e for e in of_type(events, "return.completed")}
    assert set(completed) == {invts["in_time"], invts["goods_late"]}
    in_time, late = completed[invts["in_time"]], completed[invts["goods_late"]]
    for event, name in ((in_time, "in_time"), (late, "goods_late")):
        assert event["orderNo"] == orders[name]
        assert event["ieFlag"] == "I"
        assert event["buyerIdNumber"] == "370102199001011234"
        assert event["whole"] is False
        assert event["lines"] == [{"gnum": 1, "qty": "1", "amount": "100.00"}]
        assert Decimal(event["amount"]) == Decimal("100.00")
    assert in_time["withinWindow"] is True
    assert late["withinWindow"] is False
