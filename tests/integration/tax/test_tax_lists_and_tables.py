"""Rejected and revoked import lists give their amount back; the data tables reload safely."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from cbec.declaration.events import ListLine, ListRejected, ListReleased, ListRevoked
from cbec.shared.envelope import Envelope
from cbec.tax_refund.app import create_app
from cbec.tax_refund.data import EXAMPLES
from cbec.tax_refund.settings import Settings
from tests.support.apps import running, service_settings
from tests.support.signing import publish_as, publish_events
from tests.support.tokens import as_caller, as_service, vouch
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

OFFICER = vouch("4300000003", "tax-officer")

D = Decimal


def operator() -> dict[str, str]:
    return as_caller("tax-refund", "OPS", "operator")


async def test_a_rejected_list_frees_its_reservation_and_a_revoked_one_voids_its_bill(
    kafka_bootstrap: str, database_url: str, unique: str
) -> None:
    settings = service_settings(
        Settings, kafka_bootstrap_servers=kafka_bootstrap, database_url=database_url
    )
    buyer = f"37{unique[1:]}"
    invt = [f"43002026I{unique[-6:]}{n:03d}" for n in (1, 2)]
    async with running(create_app(settings)) as (app, client):  # type: ignore[arg-type]
        for n, invt_no in enumerate(invt, start=1):
            answer = await client.post(
                "/v1/import/quota/reservations",
                json={
                    "invtNo": invt_no,
                    "orderNo": f"IO{unique}{n}",
                    "buyerIdNumber": buyer,
                    "amount": "110.00",
                    "singleItem": True,
                    "date": "2026-05-01",
                },
                headers=as_service("tax-refund", "declaration"),
            )
            assert answer.status_code == 201
        events = [
            ListRejected(
                orderNo=f"IO{unique}1",
                ieFlag="I",
                copNo="C1",
                ebcCode="3702960001",
                rules=["payment differs"],
                returnInfo="payment differs",
                rejectedAt="2026-05-01T10:00:00+08:00",
            ),
            ListReleased(
                orderNo=f"IO{unique}2",
                ieFlag="I",
                copNo="C2",
                invtNo=invt[1],
                tradeMode="9610",
                ebpCode="4403169D3W",
                ebcCode="3702960001",
                agentCode="3702960001",
                logisticsCode="3702980002",
                logisticsNo=f"SF{unique}",
                customsCode="4300",
                portCode="4300",
                trafMode="5",
                country="502",
                currency="142",
                freight=D("10.00"),
                insuredFee=D(0),
                buyerIdNumber=buyer,
                lines=(
                    ListLine(
                        gnum=1,
                        gcode="3304990099",
                        gname="face cream",
                        country="502",
                        currency="142",
                        unit="011",
                        qty=D(1),
                        price=D("100.00"),
                        totalPrice=D("100.00"),
                    ),
                ),
                releasedAt="2026-05-02T09:00:00+08:00",
            ),
        ]
        publisher = app.state.runtime.publisher
        for event in events:
            envelope = Envelope.of(event, source="/cbec/declaration")
            await publish_as(publisher, envelope, topic=event.topic, key=event.key())

        async def bill() -> dict:  # type: ignore[type-arg]
            answer = await client.get(f"/v1/import/tax-bills/{invt[1]}", headers=OFFICER)
            return answer.json() if answer.status_code == 200 else {}

        issued = await eventually(bill, what="the tax bill")
        # The worked example of DOMAIN.md §6.4: 100 + 10 freight → 13.59 + 11.78 = 25.37.
        assert (issued["totalTax"], issued["status"]) == ("25.37", "1")
        quota = await eventually(
            lambda: client.get(f"/v1/import/quota/{buyer}/2026", headers=OFFICER),
            until=lambda r: r.json()["counted"] == "110.00",
            what="the rejected list's reservation cancelled",
        )
        states = {e["invtNo"]: e["state"] for e in quota.json()["entries"]}
        assert states == {invt[0]: "cancelled", invt[1]: "used"}

        revoked = ListRevoked(
            orderNo=f"IO{unique}2",
            ieFlag="I",
            copNo="C2",
            invtNo=invt[1],
            ebcCode="3702960001",
            reason="order cancelled by the buyer",
            revokedAt="2026-05-03T09:00:00+08:00",
        )
        await publish_events(publisher, [revoked])
        voided = await eventually(bill, until=lambda b: b.get("status") == "3", what="void")
        assert voided["voidReason"] == "list revoked"
        after = await client.get(f"/v1/import/quota/{buyer}/2026", headers=OFFICER)
        assert after.json()["counted"] == "0.00"


async def test_a_malformed_table_is_refused_with_its_line_and_the_last_good_tables_stay(
    kafka_bootstrap: str, database_url: str, tmp_path: Path
) -> None:
    folder = tmp_path / "tables"
    shutil.copytree(EXAMPLES, folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    settings = service_settings(
        Settings,
        kafka_bootstrap_servers=kafka_bootstrap,
        database_url=database_url,
        consumer_enabled=False,
        tax_tables_dir=str(folder),
    )
    async with running(create_app(settings)) as (_, client):  # type: ignore[arg-type]
        before = (await client.get("/v1/tables")).json()["tables"]
        rates = folder / "hs_rates.csv"
        good = rates.read_text(encoding="utf-8")
        lines = good.splitlines()
        rates.write_text("\n".join([*lines, "9503,0.13,0,abc,0.13,toys"]) + "\n", encoding="utf-8")

        forbidden = await client.post("/v1/tables/reload")
        refused = await client.post("/v1/tables/reload", headers=operator())

        assert forbidden.status_code == 403
        assert refused.status_code == 422
        assert refused.json()["violations"][0]["field"] == f"{rates}:{len(lines) + 1}"
        assert "tariff_rate 'abc'" in refused.json()["detail"]
        assert (await client.get("/v1/tables")).json()["tables"] == before

        rates.write_text(good + "9503,0.13,0,0.05,0.13,toys\n", encoding="utf-8")
        enterprises = folder / "zone_enterprises.csv"
        enterprises.write_text(
            enterprises.read_text(encoding="utf-8") + "3702960009,new,no\n", encoding="utf-8"
        )
        reloaded = await client.post("/v1/tables/reload", headers=operator())

        assert reloaded.status_code == 200
        tables = reloaded.json()["tables"]
        assert tables["hs_rates"]["entries"] == before["hs_rates"]["entries"] + 1
        assert tables["zone_enterprises"]["entries"] == before["zone_enterprises"]["entries"] + 1
