"""A funds document is changed or deleted only by the enterprise that filed it, and read only by
the enterprises it names (and officers): whatever the gateway checked before."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from cbec.payments.events import TOPIC, ReceiptAccepted
from cbec.shared.envelope import Envelope
from tests.integration.payments.payments_support import (
    EBP,
    INSTITUTION,
    OFFICER,
    OPERATOR,
    OTHER_INSTITUTION,
    PLATFORM,
    TENPAY,
    export_order,
    payments_service,
    publish_orders,
    read_all,
    receipt,
    statuses,
    voucher,
)
from tests.support.tokens import vouch
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration


def _as(code: str, role: str) -> dict[str, str]:
    return vouch(code, role)


OTHER_PAYMENT = _as(OTHER_INSTITUTION, "payment")
STRANGER_SELLER = _as("3702969999", "ecommerce")


def _officer_funds(ledger: httpx.Response) -> list[tuple[str, str]]:
    assert ledger.status_code == 200, ledger.text
    return [(f["documentId"], f["amount"]) for e in ledger.json()["ledgers"] for f in e["funds"]]


async def _receipt_events(bootstrap: str, order_no: str) -> list[Envelope]:
    records = await read_all(bootstrap, TOPIC)
    envelopes = [Envelope.from_kafka(r.headers, r.value) for r in records]
    return [
        e
        for e in envelopes
        if e.type == ReceiptAccepted.event_type and e.data.get("orderNo") == order_no
    ]


# Who sends what under the key of a receipt of funds Tenpay filed (seller S, platform EBP):
# (name, headers, what the document changes, returnStatus, returnInfo names, whether it applies).
NOT_THE_FILER = (
    "orderNo: a document on file is changed or deleted only by the enterprise that filed"
)
NOT_NAMED = "ebcCode: must be the code of the filing enterprise"
DUPLICATE = "-401007"
OTHER = {"payCode": OTHER_INSTITUTION}
OTHER_DELETES = {**OTHER, "appType": "3"}
OTHER_RESENDS = {**OTHER, "charge": "50.00", "appType": "1"}
ATTEMPTS: list[tuple[str, dict[str, str], dict[str, Any], str, str, bool]] = [
    ("another institution changes it", OTHER_PAYMENT, OTHER, "-401007", NOT_THE_FILER, False),
    ("another one deletes it", OTHER_PAYMENT, OTHER_DELETES, DUPLICATE, NOT_THE_FILER, False),
    ("another one sends it again", OTHER_PAYMENT, OTHER_RESENDS, "-401007", NOT_THE_FILER, False),
    ("the platform it names changes it", PLATFORM, {}, "-401007", NOT_THE_FILER, False),
    ("a seller it does not name changes it", STRANGER_SELLER, {}, "100", NOT_NAMED, False),
    ("the institution that filed it changes it", INSTITUTION, {}, "2", "is changed", True),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "headers", "change", "status", "info", "applies"),
    ATTEMPTS,
    ids=[a[0] for a in ATTEMPTS],
)
async def test_a_receipt_of_funds_is_changed_only_by_the_enterprise_that_filed_it(
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
    seller, order_no = f"{unique}S", f"EO{unique}"
    filed = receipt(order_no, seller, "50.00")
    changed = receipt(order_no, seller, "60.00", appType="2")
    changed.update(change)
    async with payments_service(kafka_bootstrap, database_url) as (_app, client):
        assert statuses(await client.post("/v1/export/receipts", json=filed)) == ["2"]
        answer = await client.post("/v1/export/receipts", json=changed, headers=headers)
        ledger = await client.get(f"/v1/reconciliation/orders/{order_no}", headers=OFFICER)
        events = await eventually(
            lambda: _receipt_events(kafka_bootstrap, order_no),
            until=lambda found: len(found) >= (2 if applies else 1),
            what="ReceiptAccepted events",
        )

    [receipt_answer] = answer.json()["receipts"]
    assert receipt_answer["returnStatus"] == status, receipt_answer
    assert info in receipt_answer["returnInfo"]
    document_id = f"CEB403:{seller}:{order_no}"
    assert _officer_funds(ledger) == [(document_id, "60.00" if applies else "50.00")]
    assert len(events) == (2 if applies else 1)


async def test_the_filer_deletes_its_receipt_and_files_its_voucher_but_not_another_institutions(
    kafka_bootstrap: str, database_url: str, unique: str
) -> None:
    seller, order_no = f"{unique}D", f"EO{unique}"
    async with payments_service(kafka_bootstrap, database_url) as (_app, client):
        assert statuses(
            await client.post("/v1/export/receipts", json=receipt(order_no, seller, "5"))
        ) == ["2"]
        deleted = await client.post(
            "/v1/export/receipts", json=receipt(order_no, seller, "5", appType="3")
        )
        after_delete = await client.get(f"/v1/reconciliation/orders/{order_no}", headers=OFFICER)
        # A voucher names its institution in its key: another one cannot file it as Tenpay's.
        as_tenpay = await client.post(
            "/v1/import/payments", json=voucher(f"IO{unique}", "10"), headers=OTHER_PAYMENT
        )
        no_roles = await client.post(
            "/v1/import/payments",
            json=voucher(f"IO{unique}", "10"),
            headers=vouch(TENPAY, ""),
        )
        nobody = await client.post(
            "/v1/import/payments",
            json=voucher(f"IO{unique}", "10"),
            headers={"Authorization": ""},
        )

    assert statuses(deleted) == ["2"]
    assert after_delete.status_code == 404
    assert statuses(as_tenpay) == ["100"]
    assert "payCode" in as_tenpay.json()["receipts"][0]["returnInfo"]
    assert statuses(no_roles) == ["100"]
    assert nobody.status_code == 401
    assert nobody.json()["violations"][0]["field"] == "Authorization"


async def test_ledgers_settlements_and_flags_are_read_by_the_enterprises_they_name(
    kafka_bootstrap: str, database_url: str, unique: str
) -> None:
    seller, order_no = f"{unique}R", f"EO{unique}"
    named = {
        "the seller": _as(seller, "ecommerce"),
        "the platform": PLATFORM,
        "the institution": INSTITUTION,
        "an officer": OFFICER,
    }
    strangers = {
        "another seller": STRANGER_SELLER,
        "another institution": OTHER_PAYMENT,
        "no one": vouch("3702999999"),
    }
    async with payments_service(kafka_bootstrap, database_url) as (app, client):
        await publish_orders(app, [export_order(order_no, seller, "40.00", "1.00")])
        await eventually(
            lambda: client.get(f"/v1/reconciliation/orders/{order_no}", headers=OFFICER),
            until=lambda r: r.status_code == 200,
            what="the order on the ledger",
        )
        assert statuses(
            await client.post("/v1/export/receipts", json=receipt(order_no, seller, "42.00"))
        ) == ["2"]
        await client.post("/v1/settlements/run", json={"through": "2024-05-07"}, headers=OPERATOR)
        await client.post("/v1/reconciliation/run", headers=OPERATOR)
        ledgers, settlements, flags = {}, {}, {}
        for who, headers in {**named, **strangers}.items():
            ledgers[who] = await client.get(
                f"/v1/reconciliation/orders/{order_no}", headers=headers
            )
            settlements[who] = await client.get(
                "/v1/settlements", params={"ebcCode": seller}, headers=headers
            )
            flags[who] = await client.get(
                "/v1/reconciliation/flags", params={"ebcCode": seller}, headers=headers
            )
        report = await client.get("/v1/reconciliation/report", headers=STRANGER_SELLER)
        with_party = await client.get(
            f"/v1/reconciliation/orders/{order_no}", params={"party": seller}, headers=OTHER_PAYMENT
        )

    for who in named:
        assert ledgers[who].status_code == 200, who
        [ledger] = ledgers[who].json()["ledgers"]
        assert ledger["funded"] == "42.00", who
    for who in ["the seller", "the platform", "an officer"]:  # flags name seller and platform
        assert [f["flag"] for f in flags[who].json()["flags"]] == ["overpaid"], who
    for who in ["the seller", "the institution", "an officer"]:
        assert len(settlements[who].json()["settlements"]) == 1, who
    for who in strangers:
        assert ledgers[who].status_code == 404, who
        assert settlements[who].json()["settlements"] == [], who
        assert flags[who].json()["flags"] == [], who
    assert with_party.status_code == 404
    assert report.status_code == 403
    assert EBP in {f["ebpCode"] for f in flags["the platform"].json()["flags"]}
