"""Funds documents through the payments API: receipts, duplicates, events, the rate table."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from cbec.payments.events import TOPIC, PaymentAccepted, ReceiptAccepted
from cbec.shared.envelope import Envelope
from tests.integration.payments.payments_support import (
    operator,
    payments_service,
    read_all,
    receipt,
    statuses,
    voucher,
)
from tests.support.tokens import DEFAULT_PARTY, as_caller
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration


async def published(bootstrap: str, order_nos: set[str]) -> list[Envelope]:
    """The payments events about these orders, in topic order per partition."""
    records = await read_all(bootstrap, TOPIC)
    envelopes = [Envelope.from_kafka(r.headers, r.value) for r in records]
    return [e for e in envelopes if e.data.get("orderNo") in order_nos]


async def test_a_voucher_sent_again_is_answered_as_accepted_and_changes_nothing(
    kafka_bootstrap: str, database_url: str, unique: str
) -> None:
    order_no = f"IO{unique}"
    document = voucher(order_no, "135.37", payerIsBuyer=True)
    async with payments_service(kafka_bootstrap, database_url) as (_app, client):
        first = await client.post("/v1/import/payments", json=document)
        again = await client.post("/v1/import/payments", json=[document])

        assert statuses(first) == ["2"]
        assert first.json()["receipts"][0]["payTransactionId"] == f"T{order_no}"
        # An ERP sends a document again when its answer was lost (a crash, a timeout): the
        # same answer, and nothing more is published (found by killing the gateway under load).
        assert statuses(again) == ["2"]
        events = await eventually(
            lambda: published(kafka_bootstrap, {order_no}), what="PaymentAccepted"
        )
        ledger = await client.get(f"/v1/reconciliation/orders/{order_no}")

    assert [e.type for e in events] == [PaymentAccepted.event_type]
    event = events[0].parse(PaymentAccepted)
    assert (event.amountPaid, event.payerIsBuyer) == (Decimal("135.37"), True)
    [entry] = ledger.json()["ledgers"]
    assert entry["order"] is None
    assert [f["documentId"] for f in entry["funds"]] == [f"CEB411:4403169D3W:T{order_no}"]


async def test_a_json_number_keeps_every_digit_of_the_amount(
    kafka_bootstrap: str, database_url: str, unique: str
) -> None:
    order_no = f"EO{unique}"
    text = json.dumps(receipt(order_no, "3702960001", "0")).replace(
        '"charge": "0"', '"charge": 12345678901234.12345'
    )
    async with payments_service(kafka_bootstrap, database_url) as (_app, client):
        response = await client.post(
            "/v1/export/receipts", content=text, headers={"content-type": "application/json"}
        )
        assert statuses(response) == ["2"]
        [event] = await eventually(lambda: published(kafka_bootstrap, {order_no}))

    assert event.type == ReceiptAccepted.event_type
    assert event.data["charge"] == "12345678901234.12345"


async def test_a_document_that_breaks_a_rule_is_refused_and_the_rest_of_the_batch_accepted(
    kafka_bootstrap: str, database_url: str, unique: str
) -> None:
    good, bad = f"EO{unique}A", f"EO{unique}B"
    batch = [
        receipt(good, "3702960001", "10"),
        receipt(bad, "3702960001", "-5", guid="lower-case-guid-is-not-allowed-00000"),
    ]
    async with payments_service(kafka_bootstrap, database_url) as (_app, client):
        response = await client.post("/v1/export/receipts", json=batch)
        events = await eventually(lambda: published(kafka_bootstrap, {good, bad}))

    assert statuses(response) == ["2", "100"]
    refused = response.json()["receipts"][1]
    assert refused["orderNo"] == bad
    assert "charge: must be > 0" in refused["returnInfo"]
    assert "guid: must be a 36-character upper-case UUID" in refused["returnInfo"]
    assert [e.data["orderNo"] for e in events] == [good]


async def test_a_document_that_breaks_the_schema_is_answered_422_naming_the_field(
    kafka_bootstrap: str, database_url: str, unique: str
) -> None:
    wrong: dict[str, Any] = voucher(f"IO{unique}", "10")
    wrong["PaymentHead"]["currency"] = "502"
    del wrong["PaymentHead"]["payTime"]
    async with payments_service(kafka_bootstrap, database_url) as (_app, client):
        one = await client.post("/v1/import/payments", json=wrong)
        many = await client.post("/v1/import/payments", json=[voucher(f"IO{unique}X", "1"), wrong])
        too_many = await client.post("/v1/import/payments", json=[wrong] * 101)
        report = await client.get("/v1/reconciliation/report", headers=operator())

    assert one.status_code == 422
    assert one.headers["content-type"] == "application/problem+json"
    assert {v["field"] for v in one.json()["violations"]} == {
        "PaymentHead.currency",
        "PaymentHead.payTime",
    }
    assert many.status_code == 422
    assert {v["field"] for v in many.json()["violations"]} == {
        "1.PaymentHead.currency",
        "1.PaymentHead.payTime",
    }
    assert too_many.status_code == 422
    assert report.json()["paymentVouchers"] == 0


async def test_a_change_replaces_the_voucher_and_a_conflicting_new_one_is_a_duplicate(
    kafka_bootstrap: str, database_url: str, unique: str
) -> None:
    order_no = f"IO{unique}"
    original = voucher(order_no, "100.00")
    conflicting = voucher(order_no, "90.00")
    changed = voucher(order_no, "90.00", head={"appType": "2"})
    other_transaction = voucher(order_no, "100.00", transaction=f"T2{order_no}")
    async with payments_service(kafka_bootstrap, database_url) as (_app, client):
        answers = [
            statuses(await client.post("/v1/import/payments", json=doc))[0]
            for doc in (original, conflicting, changed, other_transaction)
        ]
        events = await eventually(
            lambda: published(kafka_bootstrap, {order_no}), until=lambda e: len(e) >= 2
        )

    assert answers == ["2", "-401007", "2", "-401007"]
    assert [e.data["amountPaid"] for e in events] == ["100.00", "90.00"]


async def test_only_an_operator_replaces_the_rate_table_and_a_malformed_one_is_refused(
    kafka_bootstrap: str, database_url: str
) -> None:
    good = "date,currency,cnyPerUnit\n2024-05-09,502,7.1400\n2024-05-09,300,7.7000\n"
    bad = "date,currency,cnyPerUnit\n2024-05-09,502,7.14\n2024/05/09,300,x\n2024-05-09,142,1\n"
    async with payments_service(kafka_bootstrap, database_url) as (_app, client):
        initial = (await client.get("/v1/rates")).json()
        forbidden = await client.put(
            "/v1/rates", content=good, headers=as_caller("payments", DEFAULT_PARTY, "ecommerce")
        )
        refused = await client.put("/v1/rates", content=bad, headers=operator())
        after_refusal = (await client.get("/v1/rates")).json()
        accepted = await client.put("/v1/rates", content=good, headers=operator())
        current = (await client.get("/v1/rates")).json()

    assert initial["source"].startswith("example")
    assert initial["rates"] == 8
    assert forbidden.status_code == 403
    assert refused.status_code == 422
    assert [v["field"] for v in refused.json()["violations"]] == ["line 3", "line 3", "line 4"]
    assert after_refusal == initial
    assert accepted.status_code == 200
    assert current["version"] == initial["version"] + 1
    assert (current["rates"], current["loadedBy"]) == (2, "4300000001")
