"""A tax record is read by the enterprises it names (and officers), an invoice registered once
and only by its enterprise: whatever the gateway checked before."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest

from cbec.declaration.events import ListLine, ListReleased
from cbec.shared.envelope import Envelope
from cbec.tax_refund.app import create_app
from cbec.tax_refund.settings import Settings
from tests.integration.tax.test_tax_exports import REGISTERED, SMALL, closed, line
from tests.support.apps import running, service_settings
from tests.support.signing import publish_as
from tests.support.tokens import as_service, vouch
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

D = Decimal
OFFICER = vouch("4300000003", "tax-officer")
CUSTOMS = vouch("4300000004", "customs-officer")
SELLER = vouch(REGISTERED, "ecommerce")
OTHER_SELLER = vouch(SMALL, "ecommerce")
CARRIER = vouch("3702980002", "logistics")
NO_ONE = vouch("3702999999")  # an enterprise of no role
READERS = {"the seller": SELLER, "a tax officer": OFFICER, "a customs officer": CUSTOMS}
STRANGERS = {"another seller": OTHER_SELLER, "a carrier": CARRIER, "no one": NO_ONE}


def _released_import(unique: str, invt_no: str, buyer: str) -> ListReleased:
    return ListReleased(
        orderNo=f"IO{unique}",
        ieFlag="I",
        copNo="C1",
        invtNo=invt_no,
        tradeMode="9610",
        ebpCode="4403169D3W",
        ebcCode=REGISTERED,
        agentCode=REGISTERED,
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
    )


async def test_bills_outcomes_statements_and_quotas_are_read_by_whom_they_name(
    kafka_bootstrap: str, database_url: str, unique: str
) -> None:
    settings = service_settings(
        Settings, kafka_bootstrap_servers=kafka_bootstrap, database_url=database_url
    )
    buyer, import_list = f"37{unique[1:]}", f"43002026I{unique[-6:]}001"
    export = closed(unique, 1, (line(1, "6109100010", "200.00"),))
    async with running(create_app(settings)) as (app, client):  # type: ignore[arg-type]
        reserved = await client.post(
            "/v1/import/quota/reservations",
            json={
                "invtNo": import_list,
                "orderNo": f"IO{unique}",
                "buyerIdNumber": buyer,
                "amount": "110.00",
                "singleItem": True,
                "date": "2026-05-01",
            },
            headers=as_service("tax-refund", "declaration"),  # the declaration service's call
        )
        assert reserved.status_code == 201, reserved.text
        publisher = app.state.runtime.publisher
        for event in (_released_import(unique, import_list, buyer), export):
            envelope = Envelope.of(event, source="/cbec/declaration")
            await publish_as(publisher, envelope, topic=event.topic, key=event.key())
        paths = {
            "tax bill": f"/v1/import/tax-bills/{import_list}",
            "export outcome": f"/v1/export/lists/{export.invtNo}",
            "income tax": f"/v1/export/income-tax/{REGISTERED}/2026",
        }
        for path in paths.values():
            await eventually(
                lambda p=path: client.get(p, headers=OFFICER),
                until=lambda r: r.status_code == 200,
                what=path,
            )
        answers: dict[tuple[str, str], httpx.Response] = {
            (what, who): await client.get(path, headers=headers)
            for what, path in paths.items()
            for who, headers in {**READERS, **STRANGERS}.items()
        }
        quotas = {
            who: await client.get(f"/v1/import/quota/{buyer}/2026", headers=headers)
            for who, headers in {**READERS, **STRANGERS}.items()
        }

    for (what, who), answer in answers.items():
        assert answer.status_code == (200 if who in READERS else 404), (what, who)
    assert answers[("tax bill", "the seller")].json()["invtNo"] == import_list
    assert answers[("export outcome", "the seller")].json()["closed"] is True
    for who, answer in quotas.items():
        assert answer.status_code == (403 if who in ("the seller", *STRANGERS) else 200), who


async def test_an_invoice_is_registered_once_and_each_enterprise_sees_only_its_own(
    kafka_bootstrap: str, database_url: str, unique: str
) -> None:
    settings = service_settings(
        Settings, kafka_bootstrap_servers=kafka_bootstrap, database_url=database_url
    )
    invt_no = closed(unique, 1, (line(1, "6109100010", "200.00"),)).invtNo

    def invoices(*pairs: tuple[int, str]) -> dict[str, object]:
        return {"invtNo": invt_no, "lines": [{"gnum": g, "invoiceNo": n} for g, n in pairs]}

    async with running(create_app(settings)) as (_app, client):  # type: ignore[arg-type]
        first = await client.post("/v1/export/invoices", json=invoices((1, "A1")), headers=SELLER)
        again = await client.post("/v1/export/invoices", json=invoices((1, "A1")), headers=SELLER)
        taken = await client.post(
            "/v1/export/invoices", json=invoices((1, "B1"), (1, "A1")), headers=OTHER_SELLER
        )
        own = await client.post(
            "/v1/export/invoices", json=invoices((1, "B2")), headers=OTHER_SELLER
        )
        seen = {
            who: await client.get(f"/v1/export/lists/{invt_no}", headers=headers)
            for who, headers in {
                "seller": SELLER,
                "other": OTHER_SELLER,
                "officer": OFFICER,
            }.items()
        }

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json()["invoices"] == first.json()["invoices"]
    assert taken.status_code == 409
    assert [v["field"] for v in taken.json()["violations"]] == ["lines[1].invoiceNo"]
    assert own.status_code == 201
    assert [i["invoiceNo"] for i in own.json()["invoices"]] == ["B2"]  # B1 was not filed
    assert [i["invoiceNo"] for i in seen["seller"].json()["invoices"]] == ["A1"]
    assert [i["invoiceNo"] for i in seen["other"].json()["invoices"]] == ["B2"]
    assert [i["invoiceNo"] for i in seen["officer"].json()["invoices"]] == ["A1", "B2"]
