"""Export parcels through the logistics service, against the real broker and database:
waybill → list released (the declaration service's event) → arrival → master bill → departure."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest

from cbec.logistics.app import create_app
from cbec.logistics.settings import Settings
from tests.integration.logistics.logistics_flow import (
    LOGISTICS_CODE,
    arrival,
    collect,
    count_parcels,
    departure,
    export_waybill,
    list_released,
    master_bill,
    now,
    of_type,
    publish,
    serial,
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


@pytest.mark.parametrize(
    ("parcels", "part_size"),
    [
        # Five split parts either way: the gate's run, and the full one of `make bench`.
        pytest.param(150, 30, id="small"),
        pytest.param(500, 100, id="full", marks=[pytest.mark.slow, pytest.mark.bench]),
    ],
)
async def test_export_parcels_in_five_split_parts_depart_once_each_with_complete_timelines(
    kafka_bootstrap: str, database_url: str, unique: str, parcels: int, part_size: int
) -> None:
    numbers = [f"L{unique}{i:04d}" for i in range(parcels)]
    unreleased, unarrived = f"L{unique}X", f"L{unique}Y"
    invt = f"43002026E{serial(unique)[:5]}"
    released_at = now() - timedelta(days=2)
    arrived_at = now() - timedelta(days=1)
    linked_at = arrived_at + timedelta(hours=2)
    leave = arrived_at + timedelta(hours=6)

    async with running(
        create_app(settings(kafka_bootstrap, database_url)),
        party=LOGISTICS_CODE,
        roles=["logistics"],
    ) as (
        app,
        client,
    ):
        for start in range(0, parcels, part_size):
            answer = await client.post(
                "/v1/export/waybills",
                json=[export_waybill(no) for no in numbers[start : start + part_size]],
            )
            assert answer.status_code == 200, answer.text
            assert {r["returnStatus"] for r in answer.json()["receipts"]} == {"2"}
        extra = await client.post(
            "/v1/export/waybills", json=[export_waybill(unreleased), export_waybill(unarrived)]
        )
        assert [r["returnStatus"] for r in extra.json()["receipts"]] == ["2", "2"]

        await publish(
            app,
            [
                list_released(f"EO{unique}{i:04d}", f"{invt}{i:04d}", no, released_at)
                for i, no in enumerate(numbers)
            ]
            + [list_released(f"EO{unique}Y", f"{invt}Y", unarrived, released_at)],
        )
        await eventually(
            lambda: count_parcels(app, [*numbers, unarrived], "list_released"),
            until=lambda n: n == parcels + 1,
            what="every list released",
        )

        # Split arrival parts, delivered out of order: only the last one completes it.
        order = [3, 1, 5, 2, 4]
        receipts = []
        for seq in order:
            part = numbers[(seq - 1) * part_size : seq * part_size]
            answer = await client.post(
                "/v1/export/arrivals",
                json=arrival(f"ARR{unique}", part, arrived_at, msg=(len(order), seq)),
            )
            receipts.append(answer.json()["receipts"][0])
        assert all(r["returnStatus"] == "2" for r in receipts)
        assert all("waiting for" in r["returnInfo"] for r in receipts[:-1])
        assert f"{parcels} parcel(s)" in receipts[-1]["returnInfo"]
        other = await client.post(
            "/v1/export/arrivals", json=arrival(f"ARX{unique}", [unreleased], arrived_at)
        )
        assert other.json()["receipts"][0]["returnStatus"] == "2"

        bill = f"999-{serial(unique)}"
        halves = [numbers[: parcels // 2], numbers[parcels // 2 :]]
        for seq in (2, 1):
            answer = await client.post(
                "/v1/export/master-bills",
                json=master_bill(f"WB{unique}", bill, halves[seq - 1], linked_at, (2, seq)),
            )
            assert answer.json()["receipts"][0]["returnStatus"] == "2", answer.text

        refused = await client.post(
            "/v1/export/departures",
            json=[
                departure(f"DEX{unique}", [unreleased], leave),
                departure(f"DEY{unique}", [unarrived], leave),
            ],
        )
        not_released, not_arrived = refused.json()["receipts"]
        assert not_released["returnStatus"] == "100"
        assert "inventory list is not released" in not_released["returnInfo"]
        assert not_arrived["returnStatus"] == "100"
        assert "never arrived at the supervised site" in not_arrived["returnInfo"]

        departure_parts = [
            departure(f"DEP{unique}", numbers[(s - 1) * part_size : s * part_size], leave, (5, s))
            for s in range(1, 6)
        ]
        answers = []
        for seq in (5, 2, 4, 1, 3):
            answer = await client.post("/v1/export/departures", json=departure_parts[seq - 1])
            answers.append(answer.json()["receipts"][0])
        assert [a["returnStatus"] for a in answers] == ["2"] * 5
        assert f"{parcels} parcel(s) left" in answers[-1]["returnInfo"]
        again = await client.post("/v1/export/departures", json=departure_parts[2])
        assert again.json()["receipts"][0] == answers[-1]

        assert await count_parcels(app, numbers, "departed") == parcels
        timeline = (await client.get(f"/v1/parcels/{LOGISTICS_CODE}/{numbers[123]}")).json()

    wanted = set(numbers) | {unreleased, unarrived}
    events = await collect(
        kafka_bootstrap,
        keep=lambda _type, data: data.get("logisticsNo") in wanted,
        done=lambda kept: len(of_type(kept, "parcel.moved")) >= 3 * parcels + 1,
    )
    moves = of_type(events, "parcel.moved")
    per_movement = Counter(m["movement"] for m in moves)
    assert per_movement == {"arrived": parcels + 1, "linked": parcels, "departed": parcels}
    departed = Counter(m["logisticsNo"] for m in moves if m["movement"] == "departed")
    assert set(departed) == set(numbers)
    assert set(departed.values()) == {1}
    sample = next(m for m in moves if m["movement"] == "departed")
    assert sample["billNo"] == bill
    assert sample["invtNo"].startswith(invt)
    assert sample["leaveTime"] == leave.strftime("%Y%m%d%H%M%S")
    assert len(of_type(events, "waybill.accepted")) == parcels + 2

    assert timeline["state"] == "departed"
    assert [e["movement"] for e in timeline["entries"]] == [
        "waybill_filed",
        "list_released",
        "arrived",
        "linked_to_master_bill",
        "departed",
    ]
