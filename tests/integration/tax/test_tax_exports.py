"""Exports through the tax service: closed lists (as the declaration service publishes them)
→ exemption per line (财税〔2018〕103号), refunds of invoiced lines, deemed income tax."""

from __future__ import annotations

import json
from decimal import Decimal

import httpx
import pytest

from cbec.declaration.events import ListClosed, ListLine
from cbec.shared.envelope import Envelope
from cbec.tax_refund.app import create_app
from cbec.tax_refund.settings import Settings
from tests.support.apps import running, service_settings
from tests.support.kafka import read_topic
from tests.support.signing import publish_as
from tests.support.tokens import as_caller, vouch
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

OFFICER = vouch("4300000003", "tax-officer")

D = Decimal
REGISTERED, SMALL, STRANGER = "3702960001", "3702960002", "9999999999"


def line(gnum: int, gcode: str, total: str, currency: str = "142") -> ListLine:
    return ListLine(
        gnum=gnum,
        gcode=gcode,
        gname=f"goods {gnum}",
        country="502",
        currency=currency,
        unit="011",
        qty=D(1),
        price=D(total),
        totalPrice=D(total),
    )


def closed(
    unique: str,
    n: int,
    lines: tuple[ListLine, ...],
    *,
    ebc: str = REGISTERED,
    customs: str = "4300",
    flag: str = "B",
) -> ListClosed:
    return ListClosed(
        orderNo=f"EO{unique}{n}",
        ieFlag="E",
        copNo=f"C{unique}{n}",
        invtNo=f"43002026E{unique[-6:]}{n:03d}",
        tradeMode="9610",
        ebpCode="4403169D3W",
        ebcCode=ebc,
        agentCode=ebc,
        ownerCode=ebc,
        logisticsCode="3702980002",
        logisticsNo=f"SF{unique}{n}",
        customsCode=customs,
        portCode=customs,
        trafMode="5",
        country="502",
        statisticsFlag=flag,
        currency="142",
        freight=D("10.00"),
        insuredFee=D(0),
        lines=lines,
        releasedAt="2026-01-15T09:00:00+08:00",
        closedAt="2026-01-16T10:00:00+08:00",
        leaveTime="20260116100000",
    )


async def test_closed_export_lists_get_exemptions_refunds_and_the_deemed_income_tax(
    kafka_bootstrap: str, database_url: str, unique: str
) -> None:
    settings = service_settings(
        Settings, kafka_bootstrap_servers=kafka_bootstrap, database_url=database_url
    )
    lists = [
        # exempt; excluded HS code (原木, condition 3); invoiced → refund 1,000.00 × 13%
        closed(
            unique,
            1,
            (
                line(1, "6109100010", "200.00"),
                line(2, "4403990000", "300.00"),
                line(3, "8516500000", "1000.00"),
            ),
        ),
        closed(unique, 2, (line(1, "6109100010", "400.00"),), customs="5100"),  # condition 2
        closed(unique, 3, (line(1, "6109100010", "500.00"),), ebc=STRANGER),  # condition 1
        # in US dollars at the January 2026 rate 7.0000; line 2's invoice comes after closing
        closed(
            unique,
            4,
            (line(1, "6109100010", "100.00", "502"), line(2, "8509400000", "50.00", "502")),
        ),
        closed(unique, 5, (line(1, "8516500000", "800.00"),), flag="A"),  # simplified: no refund
        closed(unique, 6, (line(1, "6403990000", "50000.00"),), ebc=SMALL),
    ]
    async with running(create_app(settings)) as (app, client):  # type: ignore[arg-type]
        for invt_no, gnum in ((lists[0].invtNo, 3), (lists[4].invtNo, 1)):
            before = await client.post(
                "/v1/export/invoices",
                json={"invtNo": invt_no, "lines": [{"gnum": gnum, "invoiceNo": f"INV{gnum}"}]},
                headers=as_caller("tax-refund", REGISTERED, "ecommerce"),
            )
            assert before.status_code == 201, before.text
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://service.test"
        ) as nobody:
            anonymous = await nobody.post(
                "/v1/export/invoices",
                json={"invtNo": lists[0].invtNo, "lines": [{"gnum": 1, "invoiceNo": "X"}]},
            )
        assert anonymous.status_code == 401
        assert anonymous.json()["violations"][0]["field"] == "Authorization"

        publisher = app.state.runtime.publisher
        for event in lists:
            envelope = Envelope.of(event, source="/cbec/declaration")
            await publish_as(publisher, envelope, topic=event.topic, key=event.key())

        async def outcome(invt_no: str) -> dict:  # type: ignore[type-arg]
            answer = await client.get(f"/v1/export/lists/{invt_no}", headers=OFFICER)
            return answer.json() if answer.status_code == 200 else {}

        for event in lists:
            await eventually(
                lambda e=event: outcome(e.invtNo),
                until=lambda view: view.get("closed") is True,
                what=f"list {event.invtNo} handled",
            )

        first = await outcome(lists[0].invtNo)
        assert [(e["gnum"], e["exempt"]) for e in first["exemptions"]] == [(1, True), (2, False)]
        assert "condition 3" in first["exemptions"][1]["reasons"][0]
        assert first["refunds"] == [
            {
                "gnum": 3,
                "gcode": "8516500000",
                "claimable": True,
                "fobValue": "1000.00",
                "currency": "142",
                "exchangeRate": "1",
                "fobCny": "1000.00",
                "refundRate": "0.13",
                "refund": "130.00",
                "reasons": [],
            }
        ]
        second, third = await outcome(lists[1].invtNo), await outcome(lists[2].invtNo)
        assert "condition 2" in second["exemptions"][0]["reasons"][0]
        assert "condition 1" in third["exemptions"][0]["reasons"][0]
        fifth = await outcome(lists[4].invtNo)
        assert fifth["exemptions"] == []
        assert fifth["refunds"][0]["claimable"] is False
        assert "statisticsFlag" in fifth["refunds"][0]["reasons"][0]

        # Line 2 of list 4 gets its invoice after closing: refund instead of the exemption.
        late = await client.post(
            "/v1/export/invoices",
            json={"invtNo": lists[3].invtNo, "lines": [{"gnum": 2, "invoiceNo": "INV42"}]},
            headers=as_caller("tax-refund", REGISTERED, "ecommerce"),
        )
        assert late.status_code == 201, late.text
        assert late.json()["refunds"][0]["fobCny"] == "350.00"
        assert late.json()["refunds"][0]["refund"] == "45.50"
        fourth = await outcome(lists[3].invtNo)
        assert [(e["gnum"], e["superseded"]) for e in fourth["exemptions"]] == [
            (1, False),
            (2, True),
        ]
        wrong_line = await client.post(
            "/v1/export/invoices",
            json={"invtNo": lists[3].invtNo, "lines": [{"gnum": 9, "invoiceNo": "INV9"}]},
            headers=as_caller("tax-refund", REGISTERED, "ecommerce"),
        )
        assert wrong_line.status_code == 422

        # Deemed income tax: exempt revenue 200.00 + 100 USD × 7.0000 = 900.00 → 4% → 25%.
        statement = (
            await client.get(f"/v1/export/income-tax/{REGISTERED}/2026", headers=OFFICER)
        ).json()
        assert (statement["revenue"], statement["taxableIncome"], statement["tax"]) == (
            "900.00",
            "36.00",
            "9.00",
        )
        assert statement["reliefApplied"] is False
        small = (await client.get(f"/v1/export/income-tax/{SMALL}/2026", headers=OFFICER)).json()
        # 50,000.00 → taxable 2,000.00 → the example relief's 5% → 100.00
        assert (small["taxableIncome"], small["tax"], small["reliefApplied"]) == (
            "2000.00",
            "100.00",
            True,
        )
        too_early = await client.get(f"/v1/export/income-tax/{REGISTERED}/2019", headers=OFFICER)
        assert too_early.status_code == 422

        async def feed() -> dict[str, list[dict]]:  # type: ignore[type-arg]
            records = await read_topic(kafka_bootstrap, "cbec.tax.v1", expected=1)
            found: dict[str, list[dict]] = {}  # type: ignore[type-arg]
            for record in records:
                if record.key and record.key.decode().startswith(f"EO{unique}"):
                    kind = dict(record.headers)["ce_type"].decode()
                    found.setdefault(kind, []).append(json.loads(record.value or b"{}"))
            return found

        events = await eventually(
            feed,
            until=lambda f: (
                len(f.get("cbec.tax.export.exemption_decided.v1", [])) == 7
                and len(f.get("cbec.tax.export.refund_computed.v1", [])) == 2
            ),
            what="exemption and refund events",
        )
        refunds = sorted(D(e["refund"]) for e in events["cbec.tax.export.refund_computed.v1"])
        assert refunds == [D("45.50"), D("130.00")]
        exempt = sum(1 for e in events["cbec.tax.export.exemption_decided.v1"] if e["exempt"])
        # 1.1, 4.1, 4.2 (before its invoice came) and 6.1
        assert exempt == 4
