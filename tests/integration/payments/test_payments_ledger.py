"""The order ledger from the declaration service's events, and the periodic runs."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cbec.declaration.events import TOPIC as DECLARATION_TOPIC
from cbec.declaration.events import ListReleased
from cbec.shared.contracts import examples
from cbec.shared.envelope import Envelope
from tests.integration.payments.payments_support import (
    EBP,
    OFFICER,
    import_order,
    payments_service,
    publish_orders,
    receipt,
    statuses,
    voucher,
)
from tests.support.signing import publish_as
from tests.support.waiting import eventually

pytestmark = [pytest.mark.integration, pytest.mark.postgres]


def released_import_list(order_no: str, invt_no: str) -> ListReleased:
    example = next(e for e in examples(ListReleased) if e.ieFlag == "I")
    return example.model_copy(update={"orderNo": order_no, "ebpCode": EBP, "invtNo": invt_no})


async def test_the_ledger_joins_the_order_its_released_list_and_its_payment(
    kafka_bootstrap: str, database_url: str, unique: str
) -> None:
    order_no, invt_no = f"IO{unique}", "43002026I000000001"
    now = datetime.now(UTC).isoformat()
    async with payments_service(kafka_bootstrap, database_url) as (app, client):
        await publish_orders(app, [import_order(order_no, "135.37", accepted_at=now)])
        released = Envelope.of(released_import_list(order_no, invt_no), source="/cbec/declaration")
        await publish_as(
            app.state.runtime.publisher, released, topic=DECLARATION_TOPIC, key=order_no
        )
        await eventually(
            lambda: client.get(
                f"/v1/reconciliation/orders/{order_no}", params={"party": EBP}, headers=OFFICER
            ),
            until=lambda r: (
                r.status_code == 200 and r.json()["ledgers"][0]["order"]["invtNo"] == invt_no
            ),
            what="the released list on the ledger",
        )
        paid = await client.post("/v1/import/payments", json=voucher(order_no, "135.37"))
        ledger = (await client.get(f"/v1/reconciliation/orders/{order_no}")).json()
        unknown = await client.get(f"/v1/reconciliation/orders/NO{unique}")

    assert statuses(paid) == ["2"]
    [entry] = ledger["ledgers"]
    assert entry["order"]["amountDue"] == "135.37"
    assert entry["funded"] == "135.37"
    assert entry["flags"] == []
    assert [f["documentId"] for f in entry["funds"]] == [f"CEB411:4403169D3W:T{order_no}"]
    assert unknown.status_code == 404


async def test_the_periodic_runs_settle_past_days_and_flag_without_being_asked(
    kafka_bootstrap: str, database_url: str, unique: str
) -> None:
    seller, underpaid = f"{unique}P", f"IO{unique}"
    async with payments_service(
        kafka_bootstrap,
        database_url,
        settlement_interval_seconds=0.2,
        reconciliation_interval_seconds=0.2,
    ) as (app, client):
        await publish_orders(app, [import_order(underpaid, "100.00")])
        await eventually(
            lambda: client.get(f"/v1/reconciliation/orders/{underpaid}", headers=OFFICER),
            until=lambda r: r.status_code == 200 and r.json()["ledgers"][0]["order"] is not None,
        )
        await client.post("/v1/import/payments", json=voucher(underpaid, "99.00"))
        await client.post("/v1/export/receipts", json=receipt(f"EO{unique}", seller, "50"))
        settlements = await eventually(
            lambda: client.get("/v1/settlements", params={"ebcCode": seller}),
            until=lambda r: r.json()["settlements"] != [],
            what="a settlement by the periodic run",
        )
        flags = await eventually(
            lambda: client.get(
                "/v1/reconciliation/flags", params={"ebcCode": "3702960001"}, headers=OFFICER
            ),
            until=lambda r: any(
                f["orderNo"] == underpaid and f["flag"] == "underpaid" for f in r.json()["flags"]
            ),
            what="an underpayment flag by the periodic run",
        )

    [settlement] = settlements.json()["settlements"]
    assert (settlement["day"], settlement["gross"]) == ("2024-05-07", "356.13")  # 50 × 7.1225
    raised = [f for f in flags.json()["flags"] if f["orderNo"] == underpaid]
    # A run between the order and its voucher may also flag the order as unfunded (its deadline
    # is long past); the voucher resolves that flag, so the only open one is the underpayment.
    [flag] = [f for f in raised if f["resolvedAt"] is None]
    assert (flag["flag"], flag["actual"], flag["expected"]) == ("underpaid", "99.00", "100.00")
