"""Many orders, lists, funds documents and waybills in shuffled order, some duplicated, some
mismatched (each rule of DOMAIN.md §4 at least once), some missing: exactly the right lists are
released, rejected with the right reasons, or reported incomplete; none is decided twice and no
event is published twice.

The default size keeps the suite fast; ``-m slow`` runs 1,000 export and 200 import orders.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select

from cbec.declaration.models import ListRow
from cbec.shared.envelope import Event
from tests.integration.declaration.decl_support import (
    APP_TIME,
    EBP,
    TaxService,
    declaration_app,
    export_inventory,
    export_line,
    export_order,
    export_waybill,
    import_inventory,
    import_order,
    import_waybill,
    payment,
    receipt_of_funds,
    tax_service,
)
from tests.support.kafka import headers_of, read_topic
from tests.support.signing import genuine, publish_as
from tests.support.tokens import DEFAULT_PARTY, as_caller
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration
log = logging.getLogger(__name__)

NEGATIVE = "3799999999"

# Export cases: what differs, and the field the rejection must name (None: released).
EXPORT_CASES: dict[str, str | None] = {
    "ok": None,
    "charge": "receipts.charge",
    "funds_currency": "receipts.currency",
    "ebp": "order.ebpCode",
    "goods_name": "itemName",
    "order_line_missing": "orderList[2].gnum",
    "net_over_gross": "netWeight",
    "line_total": "totalPrice",
    "legal_qty": "qty1",
    "second_qty": "qty2",
    "hs_code": "gcode",
    "order_sender": "order.copCode",
    "line_currency": "inventoryList[1].currency",
}
EXPORT_MISSING = ("no_funds", "no_waybill", "no_order")
IMPORT_CASES: dict[str, str | None] = {
    "ok": None,
    "amount_paid": "payment.amountPaid",
    "actural_paid": "order.acturalPaid",
    "consignee": "logistics.consignee",
    "payer": "payment.payerIdNumber",
    "pack_no": "logistics.packNo",
    "waybill_order": "logistics.orderNo",
    "transaction_limit": "goodsValue: -621005",
    "annual_limit": "-621018",
}
IMPORT_MISSING = ("no_payment", "no_waybill")


def _case(index: int, cases: dict[str, str | None], missing: tuple[str, ...]) -> str:
    """Every case at least once, then mostly good ones."""
    names = [*cases, *missing]
    if index < len(names):
        return names[index]
    return random.Random(index).choice(["ok"] * 6 + names)


def _export(unique: str, i: int) -> dict[str, Any]:
    case = _case(i, EXPORT_CASES, EXPORT_MISSING)
    ebc = NEGATIVE if case == "ok" and i % 25 == 7 else f"37{i % 3}1960002"
    order_no, cop_no, waybill_no = f"EO{unique}{i:05d}", f"C{unique}{i:05d}", f"W{unique}{i:05d}"
    line = export_line(1)
    order_lines = [line]
    list_line = dict(line)
    head: dict[str, Any] = {}
    order_head: dict[str, Any] = {}
    charge, funds_currency = "90", "502"
    party = ebc
    if case == "charge":
        charge = "89.5"
    elif case == "funds_currency":
        funds_currency = "142"
    elif case == "ebp":
        head["ebpCode"] = "3701969999"
    elif case == "goods_name":
        list_line["itemName"] = "something else"
    elif case == "order_line_missing":
        order_lines = [line, export_line(2, qty="1", price="5", totalPrice="5")]
        charge = "95"
    elif case == "net_over_gross":
        head["netWeight"] = "3"
    elif case == "line_total":
        list_line["totalPrice"] = "81"
    elif case == "legal_qty":
        list_line["qty1"] = "9"
    elif case == "second_qty":
        list_line["qty2"] = "3"
    elif case == "hs_code":
        list_line["gcode"] = "61091000AB"
    elif case == "order_sender":
        party = "3709999999"
    elif case == "line_currency":
        list_line["currency"] = "142"
    order = export_order(order_no, ebc, order_lines, **order_head)
    events: list[Event] = []
    if case != "no_funds":
        events.append(receipt_of_funds(order_no, ebc, charge, funds_currency))
    if case != "no_waybill":
        events.append(export_waybill(waybill_no, ebc))
    expected = "500" if ebc == NEGATIVE else ("800" if EXPORT_CASES.get(case) is None else "100")
    if case in EXPORT_MISSING:
        expected = "2"
    return {
        "case": case,
        "cop_no": cop_no,
        "order": None if case == "no_order" else order,
        "party": party,
        "list": export_inventory(cop_no, order_no, ebc, waybill_no, [list_line], **head),
        "events": events,
        "expected": expected,
        "rule": EXPORT_CASES.get(case),
        "missing": {
            "no_funds": "receipt of funds (CEB403)",
            "no_waybill": "waybill (CEB505)",
            "no_order": "order (CEB303)",
        }.get(case),
    }


def _import(unique: str, i: int) -> dict[str, Any]:
    case = _case(i, IMPORT_CASES, IMPORT_MISSING)
    prior: list[tuple[str, str, str]] = []
    buyer = f"B{unique}{i:05d}"
    order_no, cop_no, waybill_no = f"IO{unique}{i:05d}", f"I{unique}{i:05d}", f"Y{unique}{i:05d}"
    price, qty = "100", "1"
    order_head: dict[str, Any] = {}
    paid = "110"
    pay_values: dict[str, Any] = {}
    waybill_values: dict[str, Any] = {}
    if case == "amount_paid":
        paid = "109"
    elif case == "actural_paid":
        order_head["acturalPaid"] = "111"
        paid = "111"
    elif case == "consignee":
        waybill_values["consignee"] = "Someone Else"
    elif case == "payer":
        pay_values = {"payerIdNumber": "X999", "payerName": "Li Si", "payerIsBuyer": False}
    elif case == "pack_no":
        waybill_values["packNo"] = 2
    elif case == "waybill_order":
        waybill_values["orderNo"] = f"IO{unique}other"
    elif case == "transaction_limit":
        price, qty, paid = "3000", "2", "6010"
    elif case == "annual_limit":
        # 25,950.00 of the year already used, over six earlier lists within the 5,000 limit.
        amounts = ["4990"] * 5 + ["1000"]
        prior = [(f"P{j}{unique}{i}", buyer, amount) for j, amount in enumerate(amounts)]
    events: list[Event] = []
    if case != "no_payment":
        events.append(payment(order_no, buyer, paid, **pay_values))
    if case != "no_waybill":
        events.append(import_waybill(waybill_no, order_no, buyer, **waybill_values))
    rule = IMPORT_CASES.get(case)
    expected = "2" if case in IMPORT_MISSING else ("800" if rule is None else "100")
    if case == "annual_limit":
        expected = "-621018"
    return {
        "case": case,
        "cop_no": cop_no,
        "order": import_order(order_no, buyer, price, qty, **order_head),
        "party": EBP,  # import orders are filed by the platform
        "list": import_inventory(cop_no, order_no, buyer, waybill_no, price, qty),
        "events": events,
        "expected": expected,
        "rule": rule,
        "missing": {"no_payment": "payment (CEB411)", "no_waybill": "waybill (CEB511)"}.get(case),
        "prior": prior,
    }


async def _reserve_prior_amounts(tax: TaxService, cases: list[dict[str, Any]]) -> None:
    """Buyers of the annual-limit case already used most of their year on other lists."""
    for case in cases:
        for invt_no, buyer, amount in case.get("prior", []):
            await tax.reserve(invt_no, buyer, amount, f"{APP_TIME[:4]}-01-02")


async def _statuses(app: Any, unique: str) -> dict[str, str]:
    async with app.state.runtime.sessions() as session:
        rows = await session.exec(
            select(ListRow.cop_no, ListRow.status).where(col(ListRow.cop_no).contains(unique))
        )
        return dict(rows.all())


async def _post_batches(client: Any, path: str, documents: list[Any], party: str | None) -> None:
    for start in range(0, len(documents), 100):
        headers = as_caller("declaration", party) if party else {}
        response = await client.post(path, json=documents[start : start + 100], headers=headers)
        assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("exports", "imports"),
    [
        pytest.param(60, 24, id="small"),
        pytest.param(1000, 200, id="full", marks=[pytest.mark.slow, pytest.mark.bench]),
    ],
)
async def test_lists_are_released_rejected_or_reported_incomplete_exactly_once(
    kafka_bootstrap: str,
    database_url: str,
    unique: str,
    tmp_path: Path,
    exports: int,
    imports: int,
) -> None:
    started = time.monotonic()
    cases = [_export(unique, i) for i in range(exports)] + [
        _import(unique, i) for i in range(imports)
    ]
    envelopes = [(genuine(event), event) for c in cases for event in c["events"]]
    shuffler = random.Random(unique)
    # Some events twice: once redelivered as is (same id), once re-sent (a new id, same data).
    duplicates = shuffler.sample(envelopes, len(envelopes) // 10)
    duplicates += [(genuine(e), e) for _, e in duplicates[::2]]
    deliveries = envelopes + duplicates
    shuffler.shuffle(deliveries)
    early, late = deliveries[: len(deliveries) // 2], deliveries[len(deliveries) // 2 :]

    async with (
        tax_service(kafka_bootstrap, tmp_path) as tax,
        declaration_app(kafka_bootstrap, database_url, tmp_path, tax) as (app, client),
    ):
        await _reserve_prior_amounts(tax, cases)
        publisher = app.state.runtime.publisher
        for envelope, event in early:
            await publish_as(publisher, envelope, topic=event.topic, key=event.key())
        by_party: dict[tuple[str, str | None], list[Any]] = defaultdict(list)
        for c in cases:
            if c["order"] is not None:
                kind = "export" if c["cop_no"].startswith("C") else "import"
                by_party[(f"/v1/{kind}/orders", c["party"])].append(c["order"])
        for (path, party), orders in by_party.items():
            await _post_batches(client, path, orders, party)
        exported = [c["list"] for c in cases if c["cop_no"].startswith("C")]
        imported = [c["list"] for c in cases if c["cop_no"].startswith("I")]
        await _post_batches(client, "/v1/export/inventories", exported, None)
        await _post_batches(client, "/v1/import/inventories", imported, None)
        for envelope, event in late:
            await publish_as(publisher, envelope, topic=event.topic, key=event.key())

        final = {c["cop_no"]: c["expected"] for c in cases}
        decided = {k: v for k, v in final.items() if v != "2"}

        def settled(found: dict[str, str]) -> bool:
            # The list's own status: a quota refusal is a rejection (100) with its own receipt.
            return all(
                found.get(k) == ("100" if v.startswith("-") else v) for k, v in decided.items()
            )

        statuses = await eventually(
            lambda: _statuses(app, unique), until=settled, timeout=240, what="decisions"
        )
        at = (datetime.now(UTC) + timedelta(days=4)).isoformat()
        first_report = (
            await client.post("/v1/maintenance/incomplete-lists", params={"at": at})
        ).json()
        second_report = (
            await client.post("/v1/maintenance/incomplete-lists", params={"at": at})
        ).json()
        cases_view = (await client.get("/v1/officer/cases")).json()["cases"]
        mine = [c for c in cases_view if unique in c["copNo"]]
        forbidden = await client.get(
            "/v1/officer/cases", headers=as_caller("declaration", DEFAULT_PARTY, "ecommerce")
        )
        officer = as_caller("declaration", "OFFICER01", "customs-officer")
        released_by_officer = await client.post(
            f"/v1/officer/cases/{mine[0]['invtNo']}/decision",
            json={"action": "release", "reason": "documents checked"},
            headers=officer,
        )
        receipts = {
            c["cop_no"]: (await client.get(f"/v1/lists/{c['cop_no']}")).json()["receipts"]
            for c in cases
            if c["expected"] not in ("800", "2")
        }
        incomplete_count = sum(1 for c in cases if c["expected"] == "2")
        decided_count = len(decided)

        def mine_only(records: list[Any]) -> list[Any]:
            return [r for r in records if unique in (r.key or b"").decode()]

        async def declaration_events() -> list[Any]:
            records = await read_topic(kafka_bootstrap, "cbec.declaration.v1", expected=1)
            return mine_only(records)

        def complete(records: list[Any]) -> bool:
            types = Counter(headers_of(r)["ce_type"] for r in records)
            return (
                types["cbec.declaration.list.incomplete.v1"] >= incomplete_count
                and types["cbec.declaration.list.released.v1"]
                + types["cbec.declaration.list.rejected.v1"]
                >= decided_count - len(mine) + 1
            )

        records = await eventually(declaration_events, until=complete, timeout=120, what="events")
    elapsed = time.monotonic() - started

    # Every list is where its documents put it.
    for c in cases:
        expected = c["expected"]
        want = "100" if expected.startswith("-") else expected
        assert statuses[c["cop_no"]] == want, (c["case"], c["cop_no"], statuses[c["cop_no"]])
    # Rejections name their rule; quota refusals carry the tax service's status.
    for c in cases:
        if c["rule"] is None or c["expected"] == "2":
            continue
        last = receipts[c["cop_no"]][-1]
        if c["rule"].startswith("-"):
            assert last["returnStatus"] == c["rule"], (c["case"], last)
        else:
            assert last["returnStatus"] == "100", (c["case"], last)
            assert c["rule"] in last["returnInfo"], (c["case"], last["returnInfo"])
    # Incomplete lists are reported once, naming what they lack.
    reported = {r["copNo"]: r["missing"] for r in first_report["reported"] if unique in r["copNo"]}
    assert reported == {c["cop_no"]: [c["missing"]] for c in cases if c["expected"] == "2"}
    assert [r for r in second_report["reported"] if unique in r["copNo"]] == []
    # Officers see the inspected lists; others may not.
    assert {c["copNo"] for c in mine} == {c["cop_no"] for c in cases if c["expected"] == "500"}
    assert forbidden.status_code == 403
    assert released_by_officer.json()["status"] == "800"
    # No list decided twice, no event published twice.
    ids = [headers_of(r)["ce_id"] for r in records]
    assert len(ids) == len(set(ids))
    per_list: dict[str, Counter[str]] = defaultdict(Counter)
    changes: Counter[tuple[str, str]] = Counter()
    for record in records:
        kind = headers_of(record)["ce_type"]
        data = json.loads(record.value)
        if "copNo" in data:
            per_list[data["copNo"]][kind] += 1
        if kind == "cbec.declaration.list.status_changed.v1":
            changes[(data["copNo"], data["returnStatus"])] += 1
    assert max(changes.values()) == 1
    for c in cases:
        kinds = per_list[c["cop_no"]]
        decisions = (
            kinds["cbec.declaration.list.released.v1"] + kinds["cbec.declaration.list.rejected.v1"]
        )
        if c["expected"] in ("100", "800") or c["expected"].startswith("-"):
            assert decisions == 1, (c["case"], kinds)
        elif c["expected"] == "2":
            assert decisions == 0
            assert kinds["cbec.declaration.list.incomplete.v1"] == 1
    log.info("%d export + %d import orders decided in %.1f s", exports, imports, elapsed)
