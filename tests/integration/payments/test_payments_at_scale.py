"""A thousand orders and their funds: settlements to the fen, each flag once (DOMAIN.md §7).

The orders arrive as the declaration service publishes them; the funds documents come through
the API, as payment institutions and enterprises send them: some split over two orders, some
sent twice, some over- or under-paid, some in foreign currencies, some without an order.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest

from cbec.declaration.events import OrderAccepted
from cbec.payments.data import load_fee_table, load_rate_table
from cbec.payments.events import TOPIC, FundsFlagged, SettlementCompleted
from cbec.shared.envelope import Envelope
from tests.integration.payments.payments_support import (
    INSTITUTION,
    OFFICER,
    OPERATOR,
    OTHER_INSTITUTION,
    PLATFORM,
    TENPAY,
    export_order,
    import_order,
    operator,
    payments_service,
    publish_orders,
    read_all,
    receipt,
    statuses,
    voucher,
)
from tests.support.tokens import vouch
from tests.support.waiting import eventually

pytestmark = [pytest.mark.integration, pytest.mark.postgres]

D = Decimal
RATES = load_rate_table()  # the shipped example table: the service's initial one
FEES = load_fee_table()
FIRST_DAY, SECOND_DAY = date(2024, 5, 6), date(2024, 5, 7)


@dataclass
class Scenario:
    """What was sent, and what the platform must make of it."""

    orders: list[OrderAccepted] = field(default_factory=list)
    vouchers: list[dict[str, Any]] = field(default_factory=list)
    receipts: list[dict[str, Any]] = field(default_factory=list)
    duplicates: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    settled: list[dict[str, Any]] = field(default_factory=list)
    flags: set[tuple[str, str]] = field(default_factory=set)


def due(i: int) -> Decimal:
    return D(20 + i % 50) + D(i % 100) / 100


def build(unique: str) -> Scenario:
    s = Scenario()
    sellers = (f"{unique}A", f"{unique}B")
    for i in range(700):  # export orders
        order_no, seller = f"EO{unique}{i:04d}", sellers[i % 4 // 2]
        currency = ("502", "300")[i % 2]
        if 600 <= i < 620 or 680 <= i < 685:
            currency = "142"
        elif 620 <= i < 660:
            currency = "502"  # both parts of one payment are in its currency
        goods_value = str(due(i) - D("3.50"))
        s.orders.append(export_order(order_no, seller, goods_value, "3.50", currency=currency))
        day = "20240506" if i % 3 == 0 else "20240507"
        pay_code = OTHER_INSTITUTION if i % 5 == 0 else TENPAY
        charge, extra = due(i), {}
        if 500 <= i < 550:
            charge += 1
            s.flags.add((order_no, "overpaid"))
        elif 550 <= i < 600:
            charge -= D("0.01")
            s.flags.add((order_no, "underpaid"))
        elif 600 <= i < 620:
            s.flags.add((order_no, "currency-mismatch"))
        elif 620 <= i < 660:
            # one payment of two orders: the parts name it and its total (DOMAIN.md §7)
            first = i - i % 2
            total = due(first) + due(first + 1)
            if first == 656 and i == 657:
                charge -= 1
                s.flags.add((order_no, "split-share-mismatch"))
            if first == 656:
                total -= 1
            if first == 658:
                total += 1
                s.flags.add((order_no, "split-shares-do-not-add-up"))
            extra = {"splitPayment": {"paymentId": f"SP{unique}{first}", "total": str(total)}}
        elif 690 <= i < 700:
            s.flags.add((order_no, "order-without-funds"))
            continue
        sent_currency = "502" if 600 <= i < 620 else currency
        cash = 685 <= i < 690
        document = receipt(
            order_no,
            seller,
            charge,
            currency=sent_currency,
            pay_code=None if cash else pay_code,
            day=day,
            **extra,
        )
        s.receipts.append(document)
        if 660 <= i < 680:
            s.duplicates.append(("/v1/export/receipts", document))
        if sent_currency != "142" and not cash:
            s.settled.append(document)
    for i in range(700, 1000):  # import orders
        order_no = f"IO{unique}{i:04d}"
        s.orders.append(import_order(order_no, str(due(i))))
        head: dict[str, Any] = {}
        extension: dict[str, Any] = {"payerIsBuyer": True} if i % 2 else {}
        amount = due(i)
        if 950 <= i < 960:
            extension = {"payerIsBuyer": False}
            s.flags.add((order_no, "payer-not-buyer"))
        elif 960 <= i < 970:  # the institution does not say: the identities are compared
            head = {"payerIdNumber": "110101199003071234", "payerName": "李四"}
            extension = {}
            s.flags.add((order_no, "payer-not-buyer"))
        elif 970 <= i < 980:
            amount -= 1
            s.flags.add((order_no, "underpaid"))
        elif 990 <= i < 1000:
            s.flags.add((order_no, "order-without-funds"))
            continue
        document = voucher(order_no, amount, head=head, **extension)
        s.vouchers.append(document)
        if 980 <= i < 990:
            s.duplicates.append(("/v1/import/payments", document))
    for i in range(15):  # receipts of orders nobody declared
        order_no = f"EO{unique}X{i:02d}"
        document = receipt(order_no, sellers[i % 2], D("9.99") + i, currency="502", day="20240507")
        s.receipts.append(document)
        s.settled.append(document)
        s.flags.add((order_no, "funds-without-order"))
    for i in range(10):  # vouchers of orders nobody declared
        order_no = f"IO{unique}X{i:02d}"
        s.vouchers.append(voucher(order_no, D("19.90") + i))
        s.flags.add((order_no, "funds-without-order"))
    return s


def cny(amount: Decimal) -> Decimal:
    return amount.quantize(D("0.01"), rounding=ROUND_HALF_UP)


def expected_settlements(documents: list[dict[str, Any]]) -> dict[tuple[str, str, str], dict]:
    """Per institution, payee and day: each receipt converted exactly at its day's rate, summed,
    the fee on the exact sum (at least the minimum), then each rounded to the fen."""
    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for d in documents:
        groups[(d["payCode"], d["ebcCode"], d["accountingDate"][:8])].append(d)
    out = {}
    for (pay_code, ebc_code, day), docs in groups.items():
        moment = date(int(day[:4]), int(day[4:6]), int(day[6:]))
        gross = sum(D(d["charge"]) * RATES.rates[(moment, d["currency"])] for d in docs)
        schedule = FEES.schedules[pay_code]
        fee = min(max(gross * schedule.basis_points / 10000, schedule.minimum_fee), gross)
        out[(pay_code, ebc_code, moment.isoformat())] = {
            "gross": str(cny(gross)),
            "fee": str(cny(fee)),
            "net": str(cny(gross) - cny(fee)),
            "documents": sorted(f"CEB403:{ebc_code}:{d['orderNo']}" for d in docs),
        }
    return out


def settled_view(settlements: list[dict[str, Any]]) -> dict[tuple[str, str, str], dict]:
    return {
        (s["payCode"], s["ebcCode"], s["day"]): {
            "gross": s["gross"],
            "fee": s["fee"],
            "net": s["net"],
            "documents": [d["documentId"] for d in s["documents"]],
        }
        for s in settlements
    }


async def post_in_batches(
    client: Any, path: str, documents: list[dict[str, Any]], headers: dict[str, str]
) -> list[str]:
    answers: list[str] = []
    for start in range(0, len(documents), 100):
        response = await client.post(path, json=documents[start : start + 100], headers=headers)
        answers += statuses(response)
    return answers


async def events_of(bootstrap: str, event_type: str, keep: Any) -> list[Envelope]:
    records = await read_all(bootstrap, TOPIC)
    envelopes = [Envelope.from_kafka(r.headers, r.value) for r in records]
    return [e for e in envelopes if e.type == event_type and keep(e.data)]


async def _our_orders(app: Any, unique: str) -> int:
    """This test's orders on the ledger (the shared topics may hold other tests' orders)."""
    from sqlalchemy import func
    from sqlmodel import col, select

    from cbec.payments.models import OrderLedgerRow

    async with app.state.runtime.sessions() as session:
        result = await session.exec(
            select(func.count())
            .select_from(OrderLedgerRow)
            .where(col(OrderLedgerRow.order_no).contains(unique))
        )
        return int(result.one())


async def test_a_thousand_orders_settle_to_the_fen_and_each_flag_is_raised_once(
    kafka_bootstrap: str, database_url: str, unique: str
) -> None:
    s = build(unique)
    sellers = {f"{unique}A", f"{unique}B"}
    async with payments_service(kafka_bootstrap, database_url) as (app, client):
        await publish_orders(app, s.orders)
        await eventually(
            lambda: _our_orders(app, unique),
            until=lambda n: n == 1000,
            what="1000 orders on the ledger",
        )
        # Receipts of several institutions and cash: the platform they all name files them.
        receipt_answers = await post_in_batches(client, "/v1/export/receipts", s.receipts, PLATFORM)
        voucher_answers = await post_in_batches(
            client, "/v1/import/payments", s.vouchers, INSTITUTION
        )
        duplicate_answers = [
            statuses(
                await client.post(
                    path,
                    json=document,
                    headers=PLATFORM if path == "/v1/export/receipts" else INSTITUTION,
                )
            )[0]
            for path, document in s.duplicates
        ]

        first_day = await client.post(
            "/v1/settlements/run", json={"through": "2024-05-06"}, headers=operator()
        )
        both_days = await client.post(
            "/v1/settlements/run", json={"through": "2024-05-07"}, headers=operator()
        )
        again = await client.post(
            "/v1/settlements/run", json={"through": "2024-05-07"}, headers=operator()
        )
        settlements = [
            settlement
            for seller in sorted(sellers)
            for settlement in (
                await client.get("/v1/settlements", params={"ebcCode": seller}, headers=OFFICER)
            ).json()["settlements"]
        ]

        reconciled = await client.post("/v1/reconciliation/run", headers=OPERATOR)
        reconciled_again = await client.post("/v1/reconciliation/run", headers=OPERATOR)
        listed = (await client.get("/v1/reconciliation/flags", headers=OFFICER)).json()["flags"]
        split_ledger = (
            await client.get(f"/v1/reconciliation/orders/EO{unique}0658", headers=OFFICER)
        ).json()

        expected = expected_settlements(s.settled)
        settlement_events = await eventually(
            lambda: events_of(
                kafka_bootstrap, SettlementCompleted.event_type, lambda d: d["ebcCode"] in sellers
            ),
            until=lambda found: len(found) >= len(expected),
            what="SettlementCompleted events",
        )
        flag_events = await eventually(
            lambda: events_of(
                kafka_bootstrap, FundsFlagged.event_type, lambda d: unique in d["orderNo"]
            ),
            until=lambda found: len(found) >= len(s.flags),
            what="FundsFlagged events",
        )

    assert receipt_answers == ["2"] * len(s.receipts)
    assert voucher_answers == ["2"] * len(s.vouchers)
    assert duplicate_answers == ["2"] * len(s.duplicates)  # sent again: the first answer

    assert {s["day"] for s in first_day.json()["settlements"]} == {"2024-05-06"}
    assert {s["day"] for s in both_days.json()["settlements"]} == {"2024-05-07"}
    assert again.json()["settlements"] == []
    assert first_day.json()["notApplicable"] > 0
    assert settled_view(settlements) == expected
    assert sum(D(s["net"]) for s in settlements) == sum(D(e["net"]) for e in expected.values())
    assert len(settlement_events) == len(expected)
    assert {e.data["settlementId"] for e in settlement_events} == {
        s["settlementId"] for s in settlements
    }

    # Only this test's orders: the shared topics may still hold other tests' orders.
    ours = [f for f in reconciled.json()["raised"] if unique in f["orderNo"]]
    raised = {(f["orderNo"], f["flag"]) for f in ours}
    assert raised == s.flags
    assert len(ours) == len(s.flags)
    assert reconciled_again.json()["raised"] == []
    assert {(f["orderNo"], f["flag"]) for f in listed if unique in f["orderNo"]} == s.flags
    assert sorted((e.data["orderNo"], e.data["flag"]) for e in flag_events) == sorted(s.flags)
    [ledger] = split_ledger["ledgers"]
    assert [f["flag"] for f in ledger["flags"]] == ["split-shares-do-not-add-up"]
    assert all(entry["split"] and entry["settlementId"] for entry in ledger["funds"])


async def test_a_late_receipt_for_a_settled_day_is_settled_by_the_next_run_on_its_own(
    kafka_bootstrap: str, database_url: str, unique: str
) -> None:
    seller = f"{unique}L"
    on_time = receipt(f"EO{unique}1", seller, "100.00", day="20240506")
    late = receipt(f"EO{unique}2", seller, "1.00", day="20240506")
    async with payments_service(kafka_bootstrap, database_url) as (_app, client):
        assert statuses(await client.post("/v1/export/receipts", json=on_time)) == ["2"]
        first = await client.post(
            "/v1/settlements/run", json={"through": "2024-05-07"}, headers=operator()
        )
        assert statuses(await client.post("/v1/export/receipts", json=late)) == ["2"]
        second = await client.post(
            "/v1/settlements/run", json={"through": "2024-05-07"}, headers=operator()
        )
        changed = receipt(f"EO{unique}1", seller, "99.00", day="20240506", appType="2")
        refused_change = await client.post("/v1/export/receipts", json=changed)
        listed = (
            await client.get(
                "/v1/settlements",
                params={"ebcCode": seller, "day": "2024-05-06"},
                headers=vouch(seller, "ecommerce"),
            )
        ).json()["settlements"]

    [settled_first] = first.json()["settlements"]
    [settled_late] = second.json()["settlements"]
    assert settled_first["documents"] == [f"CEB403:{seller}:EO{unique}1"]
    assert (settled_first["gross"], settled_first["fee"], settled_first["net"]) == (
        "711.90",  # 100.00 USD × 7.1190
        "5.00",  # 10 bp is 0.71: the minimum fee applies
        "706.90",
    )
    assert settled_late["documents"] == [f"CEB403:{seller}:EO{unique}2"]
    assert settled_late["day"] == "2024-05-06"
    assert (settled_late["gross"], settled_late["fee"], settled_late["net"]) == (
        "7.12",  # 1.00 USD × 7.1190 = 7.119, half up
        "5.00",
        "2.12",
    )
    assert settled_late["settlementId"] != settled_first["settlementId"]
    assert statuses(refused_change) == ["100"]
    assert "cannot change" in refused_change.json()["receipts"][0]["returnInfo"]
    assert len(listed) == 2
