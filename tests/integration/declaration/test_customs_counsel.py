"""Customs keeps its own counsel (DESIGN.md, Security): lists held by each risk rule and decided
by an officer with a note, through the real declaration service and the real gateway.

The declarant's receipts (the declaration service's own, the gateway's poll and webhooks) and
its one-stop view say the status and a neutral text; none carries a rule, its parameters, a
usual price, a threshold, the officer's code or note. The officer's case view, the officer's
one-stop view and the customs feed carry them all.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from cbec.declaration.domain.risk import list_key, selection_draw
from tests.integration.declaration.decl_support import (
    AGENT,
    RULES,
    declaration_app,
    export_inventory,
    export_line,
    export_order,
    export_waybill,
    import_inventory,
    import_order,
    import_waybill,
    payment,
    publish,
    receipt_of_funds,
)
from tests.integration.gateway.test_onestop_receipts_feeds import (
    Projection,
    _sse,
    projection,
    webhook_server,
)
from tests.support.tokens import as_caller
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

RATE = Decimal("0.2")
TOLD = {
    "2": "accepted",
    "120": "stored by customs, logic check passed",
    "300": "held for manual review",
    "500": "selected for inspection",
    "399": "review concluded",
    "800": "released",
    "100": "rejected after customs review",
}
"""What the declarant's receipts may say (a rejection may also say ``rejected: <reason>``)."""
DECLARANT_REASON = "inventoryList[1].gname: the goods inspected are wool, not cotton"


@dataclass
class Case:
    """One list held by one risk rule, and what the officer does with it."""

    rule: str
    seller: str
    order_no: str
    cop_no: str
    held: str
    secrets: list[str]
    actions: list[dict[str, Any]]
    final: str
    invt_no: str = ""
    shown: list[str] = field(default_factory=list)


def _cop_no(prefix: str, selected: bool, seed: str) -> str:
    """A copNo whose list random selection picks (or not) under the test's seed and rate."""
    for n in range(10_000):
        cop_no = f"{prefix}{n:04d}"
        if (selection_draw(list_key(AGENT, cop_no), seed) < RATE) == selected:
            return cop_no
    raise AssertionError("no copNo found")


def _rules(negative: str, seed: str) -> str:
    risk = f"""
[risk]
negative_list = ["{negative}"]
usual_prices = [{{ gcode = "6109100022", currency = "502", unit = "011", price = "7.5" }}]
price_tolerance_factor = "3"
split_order_limit = "4321"
repeated_mismatch_threshold = 2
inspection_rate = "{RATE}"
selection_seed = "{seed}"
"""
    head, _, rest = RULES.partition("[risk]")
    return head + risk + "\n[summary]" + rest.partition("[summary]")[2]


async def _export(
    app: Any, client: httpx.AsyncClient, case: Case, line: dict[str, Any], **head: Any
) -> dict[str, Any]:
    waybill_no = f"W{case.cop_no}"
    await publish(app, export_waybill(waybill_no, case.seller))
    total = sum(Decimal(str(line["totalPrice"])) for line in [line])
    await publish(app, receipt_of_funds(case.order_no, case.seller, str(total + 10)))
    order = await client.post(
        "/v1/export/orders",
        json=export_order(case.order_no, case.seller, [line]),
        headers=_seller(case.seller),
    )
    assert order.json()["receipts"][0]["returnStatus"] == "2", order.text
    listed = await client.post(
        "/v1/export/inventories",
        json=export_inventory(case.cop_no, case.order_no, case.seller, waybill_no, [line], **head),
        headers=_seller(case.seller),
    )
    receipt: dict[str, Any] = listed.json()["receipts"][0]
    return receipt


async def _list(client: httpx.AsyncClient, cop_no: str) -> dict[str, Any]:
    view: dict[str, Any] = (await client.get(f"/v1/lists/{cop_no}")).json()
    return view


async def _wait_status(client: httpx.AsyncClient, cop_no: str, status: str) -> dict[str, Any]:
    return await eventually(
        lambda: _list(client, cop_no),
        until=lambda v: v.get("status") == status,
        timeout=60,
        what=f"{cop_no} in {status}",
    )


def _absent(secrets: list[str], document: Any, where: str) -> None:
    text = json.dumps(document, ensure_ascii=False)
    for secret in secrets:
        assert secret not in text, f"{secret!r} reached the declarant in {where}: {text[:2000]}"


def _neutral(info: str, where: str) -> None:
    assert info in TOLD.values() or info == f"rejected: {DECLARANT_REASON}", (where, info)


async def test_the_declarant_is_told_the_status_and_customs_keeps_the_rules_and_the_notes(
    kafka_bootstrap: str, database_url: str, unique: str, tmp_path: Path
) -> None:
    tail = unique[-9:].upper()
    seed = f"counsel-{unique}"
    negative = f"N{tail}"
    async with projection(
        kafka_bootstrap, database_url, unique, webhook_allowed_networks="127.0.0.1/32"
    ) as stack:
        seller, other, officer = stack.codes["seller"], stack.codes["other"], stack.codes["customs"]
        a_split_order = f"IA{unique}"

        def note(rule: str) -> str:
            return f"note on {rule} {unique}"

        def case(rule: str, prefix: str, **values: Any) -> Case:
            selected = rule == "random-inspection"
            return Case(
                rule=rule,
                order_no=f"{prefix}O{unique}",
                cop_no=_cop_no(f"{prefix}{tail}", selected, seed),
                **values,
            )

        cases = [
            case(
                "price-far-from-usual",
                "P",
                seller=seller,
                held="300",
                secrets=["usual 7.5", "factor 3"],
                actions=[
                    {"action": "inspect", "reason": note("price-far-from-usual")},
                    {"action": "release", "reason": note("price-far-from-usual") + " again"},
                ],
                final="800",
            ),
            case(
                "negative-list",
                "G",
                seller=seller,
                held="500",
                secrets=["negative"],
                actions=[
                    {
                        "action": "reject",
                        "reason": note("negative-list"),
                        "returnInfo": DECLARANT_REASON,
                    }
                ],
                final="100",
            ),
            case(
                "split-orders",
                "S",
                seller=seller,
                held="300",
                secrets=["4321", a_split_order],
                actions=[{"action": "reject", "reason": note("split-orders")}],
                final="100",
            ),
            case(
                "repeated-mismatches",
                "M",
                seller=other,
                held="300",
                secrets=["recent mismatches", "threshold 2"],
                actions=[{"action": "release", "reason": note("repeated-mismatches")}],
                final="800",
            ),
            case(
                "random-inspection",
                "R",
                seller=seller,
                held="500",
                secrets=["selected at rate", f"rate {RATE}", "(grade none)"],
                actions=[{"action": "release", "reason": note("random-inspection")}],
                final="800",
            ),
        ]
        for c in cases:
            c.secrets += [c.rule, officer, *(a["reason"] for a in c.actions)]
        by_rule = {c.rule: c for c in cases}

        with webhook_server(fail=0) as hook:
            for who in ("seller", "other"):
                async with stack.client(who) as enterprise:
                    put = await enterprise.put("/v1/webhooks", json={"url": hook.url})
                    assert put.status_code == 200, put.text
            async with declaration_app(
                kafka_bootstrap,
                f"sqlite+aiosqlite:///{tmp_path / 'declaration.db'}",
                tmp_path,
                rules=_rules(negative, seed),
            ) as (app, client):
                answers = await _file_every_case(app, client, by_rule, unique, negative)
                for c in cases:
                    held = await _wait_status(client, c.cop_no, c.held)
                    c.invt_no = held["invtNo"]
                officer_headers = as_caller("declaration", officer, "customs-officer")
                for c in cases:
                    for action in c.actions:
                        decided = await client.post(
                            f"/v1/officer/cases/{c.invt_no}/decision",
                            json=action,
                            headers=officer_headers,
                        )
                        assert decided.status_code == 200, decided.text
                lists = {c.rule: await _wait_status(client, c.cop_no, c.final) for c in cases}
                case_views = {
                    c.rule: (
                        await client.get(f"/v1/officer/cases/{c.invt_no}", headers=officer_headers)
                    ).json()
                    for c in cases
                }
                refused = await client.get(
                    f"/v1/officer/cases/{cases[0].invt_no}",
                    headers=as_caller("declaration", seller, "ecommerce"),
                )
                views = await _gateway_views(stack, cases)
                await _deliver_every_receipt(stack)
            delivered = [json.loads(body) for _headers, body, _status in hook.requests]

    assert refused.status_code == 403
    for c in cases:
        where = f"{c.rule}:"
        # The declaration service's receipts: its answers and the list's history.
        for answer in answers[c.rule]:
            _absent(c.secrets, answer, f"{where} the answer to a submission")
            _neutral(answer["returnInfo"], where)
        history = lists[c.rule]["receipts"]
        _absent(c.secrets, lists[c.rule], f"{where} the list's receipts")
        for receipt in history:
            _neutral(receipt["returnInfo"], where)
        assert c.held in [r["returnStatus"] for r in history]
        assert TOLD[c.held] in [r["returnInfo"] for r in history]
        # The gateway: the declarant's one-stop view, receipts poll and webhooks.
        view = views[c.rule]
        _absent(c.secrets, view["seller_view"], f"{where} the one-stop view")
        assert "customs" not in view["seller_view"]
        assert view["seller_view"]["status"] == c.final
        told = [r["returnInfo"] for r in view["seller_view"]["list"]["receipts"]]
        assert TOLD[c.held] in told
        for receipt in view["seller_receipts"]:
            _absent(c.secrets, receipt, f"{where} a polled receipt")
            assert receipt["type"] != "cbec.declaration.list.assessed.v1"
        mine = [d for d in delivered if d["orderNo"] == c.order_no]
        assert len(mine) == len(view["seller_receipts"])
        _absent(c.secrets, mine, f"{where} webhook payloads")
        # Customs: the officer's case view, one-stop view and feed have the rule and the note.
        customs = case_views[c.rule]["customs"]
        risk = [r for r in customs if r["kind"] == "risk-rule"]
        notes = [r for r in customs if r["kind"] == "officer-decision"]
        assert [r["rule"] for r in risk] == [c.rule]
        assert risk[0]["returnStatus"] == c.held
        assert [(n["officer"], n["action"], n["detail"]) for n in notes] == [
            (officer, a["action"], a["reason"]) for a in c.actions
        ]
        text = json.dumps(customs)
        officer_view = json.dumps(view["officer_view"]["customs"])
        feed = json.dumps(view["feed"])
        for secret in c.secrets:
            assert secret in text, (c.rule, secret)
            assert secret in officer_view, (c.rule, secret)
            assert secret in feed, (c.rule, secret)
    # The officer's rejection gives the declarant the reason the officer wrote for it, or none.
    rejected = views["negative-list"]["seller_view"]["discrepancies"]
    assert [d["returnInfo"] for d in rejected] == [f"rejected: {DECLARANT_REASON}"]
    assert [d["rules"] for d in rejected] == [[f"rejected: {DECLARANT_REASON}"]]
    split = views["split-orders"]["seller_view"]["discrepancies"]
    assert [d["returnInfo"] for d in split] == ["rejected after customs review"]


def _seller(code: str) -> dict[str, str]:
    """The seller files its own documents, as the gateway vouches for it."""
    return as_caller("declaration", code, "ecommerce", "agent")


async def _file_every_case(
    app: Any, client: httpx.AsyncClient, cases: dict[str, Case], unique: str, negative: str
) -> dict[str, list[dict[str, Any]]]:
    """File each case's documents; the answers the declarant got."""
    answers: dict[str, list[dict[str, Any]]] = {rule: [] for rule in cases}
    usual = export_line(1)
    # Price far from usual: 30 against a usual 7.5 (factor 3).
    far = export_line(1, price="30", totalPrice="300")
    c = cases["price-far-from-usual"]
    answers[c.rule].append(await _export(app, client, c, far))
    # An enterprise on the negative list (the goods' owner).
    c = cases["negative-list"]
    answers[c.rule].append(await _export(app, client, c, usual, ownerCode=negative))
    # Random selection of a consistent list.
    c = cases["random-inspection"]
    answers[c.rule].append(await _export(app, client, c, usual))
    # Repeated mismatches: the enterprise's two earlier lists were rejected.
    c = cases["repeated-mismatches"]
    for n in (1, 2):
        order_no, cop_no = f"MX{n}{unique}", f"MX{n}{c.cop_no}"
        await publish(
            app,
            export_waybill(f"W{cop_no}", c.seller),
            receipt_of_funds(order_no, c.seller, "1"),
        )
        await client.post(
            "/v1/export/orders",
            json=export_order(order_no, c.seller, [usual]),
            headers=_seller(c.seller),
        )
        await client.post(
            "/v1/export/inventories",
            json=export_inventory(cop_no, order_no, c.seller, f"W{cop_no}", [usual]),
            headers=_seller(c.seller),
        )
        await _wait_status(client, cop_no, "100")
    answers[c.rule].append(await _export(app, client, c, usual))
    # Split orders: the buyer's two orders of the day sum over the limit, each under it.
    c = cases["split-orders"]
    buyer = f"37010219900101{unique[-4:]}"
    first = import_order(f"IA{unique}", buyer, "3000", ebcCode=c.seller)
    assert (
        await client.post("/v1/import/orders", json=first, headers=_seller(c.seller))
    ).status_code == 200
    waybill_no = f"W{c.cop_no}"
    await publish(
        app,
        payment(c.order_no, buyer, "2010"),
        import_waybill(waybill_no, c.order_no, buyer),
    )
    second = import_order(c.order_no, buyer, "2000", ebcCode=c.seller)
    answers[c.rule].append(
        (await client.post("/v1/import/orders", json=second, headers=_seller(c.seller))).json()[
            "receipts"
        ][0]
    )
    listed = await client.post(
        "/v1/import/inventories",
        json=import_inventory(c.cop_no, c.order_no, buyer, waybill_no, "2000", ebcCode=c.seller),
        headers=_seller(c.seller),
    )
    answers[c.rule].append(listed.json()["receipts"][0])
    return answers


async def _gateway_views(stack: Projection, cases: list[Case]) -> dict[str, dict[str, Any]]:
    """What the gateway shows of each case's order, once it has every event of it: to the
    declarant (view, receipts) and to the customs officer (view, feed)."""
    found: dict[str, dict[str, Any]] = {}
    for c in cases:
        who = "seller" if c.seller == stack.codes["seller"] else "other"
        assessments = len(c.actions) + 1

        async def officer_view(c: Case = c) -> dict[str, Any]:
            response = await stack.view("customs", c.order_no)
            return response.json() if response.status_code == 200 else {}

        officer = await eventually(
            officer_view,
            until=lambda v, c=c, n=assessments: (
                v.get("status") == c.final and len(v.get("customs", ())) == n
            ),
            timeout=60,
            what=f"{c.order_no} decided in the officer's view",
        )
        seller_view = (await stack.view(who, c.order_no)).json()
        async with stack.client(who) as enterprise:
            polled = (await enterprise.get("/v1/receipts?limit=1000")).json()["receipts"]
        async with stack.client("customs") as customs:
            feed = await customs.get(
                f"/v1/feeds/customs?enterprise={c.seller}&follow=false"
                "&type=cbec.declaration.list.assessed.v1"
            )
        found[c.rule] = {
            "officer_view": officer,
            "seller_view": seller_view,
            "seller_receipts": [r for r in polled if r["orderNo"] == c.order_no],
            "feed": [m for m in _sse(feed.text) if m["data"]["data"]["orderNo"] == c.order_no],
        }
    return found


async def _deliver_every_receipt(stack: Projection) -> None:
    """Run the webhook deliveries until neither declarant has one pending."""
    async with stack.client("operator") as operator:

        async def pending() -> int:
            assert (await operator.post("/v1/webhooks/deliver")).status_code == 200
            left = 0
            for who in ("seller", "other"):
                async with stack.client(who) as enterprise:
                    left += (await enterprise.get("/v1/webhooks")).json()["pending"]
            return left

        await eventually(pending, until=lambda n: n == 0, what="every webhook delivery")
