"""The benchmark's load generator: its enterprises and documents are what the gateway accepts from
the enterprise that files each one, and every order it makes is released by the declaration
rules (DOMAIN.md §4): the benchmark counts on it. Pure: no processes."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from cbec.declaration.domain.config import load_rules
from cbec.declaration.domain.decision import DecisionOutcome, decide_export
from cbec.declaration.domain.documents import (
    ExportInventory,
    ExportOrder,
    ExportWaybill,
    ReceiptOfFunds,
)
from cbec.declaration.domain.risk import RANDOM_INSPECTION
from cbec.declaration.domain.three_document import ExportDocumentsOnFile
from cbec.declaration.settings import EXAMPLE_RULES_FILE
from cbec.gateway.routing import MESSAGE_ROUTES, check_parties, route_for
from cbec.shared import codes
from cbec.shared.ceb import MESSAGES
from cbec.tools import loadgen
from cbec.tools.bench import BENCH_RULES, knee, percentile, schedule, top_of_profile
from cbec.tools.loadgen import (
    INVENTORIES_PATH,
    ORDERS_PATH,
    PATHS,
    RECEIPTS_PATH,
    WAYBILLS_PATH,
    OrderGenerator,
    Population,
)

ORDERS = 400


@pytest.fixture(scope="module")
def population() -> Population:
    return Population.generate(seed=7, sellers=12)


@pytest.fixture(scope="module")
def orders(population: Population) -> list[loadgen.ExportOrder]:
    return OrderGenerator(population, seed=7, tag="T1").take(ORDERS)


def _entity(path: str) -> Any:
    route = route_for(path)
    assert route is not None
    assert route.message is not None
    message = MESSAGES[route.message]
    field = next(
        name
        for name in message.xml_spec.children
        if name not in ("BaseTransfer", "BaseSubscribe", "ExtendMessage")
    )
    return message.xml_spec.children[field]


def _on_file(order: loadgen.ExportOrder) -> tuple[ExportInventory, ExportDocumentsOnFile]:
    docs = {d.path: d for d in order.documents}
    sent, funds, waybill, listed = (
        docs[ORDERS_PATH],
        docs[RECEIPTS_PATH],
        docs[WAYBILLS_PATH],
        docs[INVENTORIES_PATH],
    )
    invt = ExportInventory.model_validate(
        {**listed.body["InventoryHead"], "inventoryList": listed.body["InventoryList"]}
    )
    on_file = ExportDocumentsOnFile(
        order=ExportOrder.model_validate(
            {
                **sent.body["OrderHead"],
                "orderList": sent.body["OrderList"],
                "copCode": sent.submitter,
            }
        ),
        funds=ReceiptOfFunds.model_validate({**funds.body, "copCode": funds.submitter}),
        waybill=ExportWaybill.model_validate({**waybill.body, "copCode": waybill.submitter}),
    )
    return invt, on_file


def test_the_same_seed_makes_the_same_enterprises_and_documents(population: Population) -> None:
    again = Population.generate(seed=7, sellers=12)
    assert [p.code for p in again.parties()] == [p.code for p in population.parties()]
    at = datetime(2026, 11, 22, 1, 0, tzinfo=UTC)
    first = OrderGenerator(population, seed=7, tag="T1").take(20, at)
    second = OrderGenerator(again, seed=7, tag="T1").take(20, at)
    assert first == second
    other = OrderGenerator(population, seed=8, tag="T1").take(20, at)
    assert [o.documents for o in other] != [o.documents for o in first]
    assert Population.generate(seed=8).parties() != population.parties()


def test_another_tag_makes_the_same_orders_under_other_numbers(population: Population) -> None:
    at = datetime(2026, 11, 22, 1, 0, tzinfo=UTC)
    first = OrderGenerator(population, seed=7, tag="B").take(20, at)
    second = OrderGenerator(population, seed=7, tag="K").take(20, at)
    renumbered = []
    for a, b in zip(first, second, strict=True):
        assert not set(a.numbers()) & set(b.numbers())
        assert all("K" in number for number in b.numbers())
        body = json.dumps([d.body for d in b.documents])
        for theirs, ours in zip(b.numbers(), a.numbers(), strict=True):
            body = body.replace(theirs, ours)
        renumbered.append(json.loads(body))
    assert renumbered == [[d.body for d in a.documents] for a in first]


def test_enterprises_have_unique_codes_and_the_roles_of_what_they_file(
    population: Population, orders: list[loadgen.ExportOrder]
) -> None:
    parties = population.parties()
    assert len({p.code for p in parties}) == len(parties)
    assert all(len(p.code) == 10 and p.code.isdigit() for p in parties)
    roles = {p.code: p.roles for p in parties}
    for order in orders:
        for doc in order.documents:
            route = route_for(doc.path)
            assert route is not None
            assert route.roles & set(roles[doc.submitter]), (doc.path, roles[doc.submitter])
            # The gateway's party check: the document names its submitter.
            check_parties(route, doc.submitter, roles[doc.submitter], [doc.body])


def test_every_document_passes_the_standards_model(orders: list[loadgen.ExportOrder]) -> None:
    entities = {path: _entity(path) for path in PATHS}
    for order in orders:
        assert [d.path for d in order.documents] == list(PATHS)
        for doc in order.documents:
            entities[doc.path].model_validate(doc.body)
    assert set(MESSAGE_ROUTES) >= {"CEB303Message", "CEB403Message", "CEB505Message"}


def test_goods_come_from_the_code_tables_and_vary(orders: list[loadgen.ExportOrder]) -> None:
    lines = [
        line
        for o in orders
        for line in o.documents[3].body["InventoryList"]  # the inventory list
    ]
    assert all(line["gcode"][:8] in codes.hs8 for line in lines)
    assert all(codes.unit.is_valid(line["unit"]) for line in lines)
    assert all(codes.country.is_valid(line["country"]) for line in lines)
    assert all(codes.currency.is_valid(line["currency"]) for line in lines)
    assert len({line["gcode"][:2] for line in lines}) >= 4
    assert len({line["currency"] for line in lines}) >= 4
    per_order = Counter(len(o.documents[3].body["InventoryList"]) for o in orders)
    assert per_order[1] > ORDERS // 3
    assert max(per_order) > 2
    assert len({o.seller for o in orders}) == 12


def test_every_order_is_released_by_the_benchmarks_rules(orders: list[loadgen.ExportOrder]) -> None:
    rules = load_rules(BENCH_RULES)
    for order in orders:
        invt, on_file = _on_file(order)
        decision = decide_export(invt, on_file, rules)
        assert decision.outcome is DecisionOutcome.RELEASE, (order.order_no, decision)


def test_with_the_example_rules_only_random_inspection_holds_a_list(
    orders: list[loadgen.ExportOrder],
) -> None:
    rules = load_rules(Path(EXAMPLE_RULES_FILE).read_text(encoding="utf-8"))
    outcomes: Counter[DecisionOutcome] = Counter()
    for order in orders:
        invt, on_file = _on_file(order)
        decision = decide_export(invt, on_file, rules)
        outcomes[decision.outcome] += 1
        if decision.outcome is not DecisionOutcome.RELEASE:
            assert [hit.rule for hit in decision.risk_hits] == [RANDOM_INSPECTION]
    assert outcomes[DecisionOutcome.RELEASE] > ORDERS * 0.9


def test_funds_received_equal_goods_value_and_freight(orders: list[loadgen.ExportOrder]) -> None:
    for order in orders:
        head = order.documents[0].body["OrderHead"]
        funds = order.documents[1].body
        assert Decimal(funds["charge"]) == Decimal(head["goodsValue"]) + Decimal(head["freight"])


def test_a_step_is_sent_in_batches_of_at_most_one_hundred_per_enterprise_and_kind(
    orders: list[loadgen.ExportOrder],
) -> None:
    import random

    batches = schedule(orders, rate=400, tick=1.0, rng=random.Random(1), label="s0")
    assert all(len(b.order_nos) <= 100 for b in batches)
    assert sum(len(b.order_nos) for b in batches) == 4 * ORDERS
    assert all(0 <= b.offset < 1.0 for b in batches)
    assert len({b.key for b in batches}) == len(batches)
    slower = schedule(orders, rate=100, tick=1.0, rng=random.Random(1), label="s1")
    assert max(b.offset for b in slower) < 4.0 < max(b.offset for b in slower) + 1.0


def test_percentiles_and_the_knee() -> None:
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5
    assert percentile([5.0], 99) == 5.0

    def step(offered: float, achieved: float, p99: float, released: int = 10) -> dict[str, Any]:
        return {
            "offered_rate": offered,
            "achieved_rate": achieved,
            "released": released,
            "orders": 10,
            "latency_ms": {"p50": p99 / 2, "p95": p99, "p99": p99},
        }

    steps = [step(25, 25, 300), step(50, 49, 400), step(100, 80, 2500), step(200, 90, 9000)]
    found = knee(steps, 1.0)
    assert found is not None
    assert found["offered_rate"] == 50
    assert knee([step(25, 25, 300, released=9)], 1.0) is None


def test_the_profile_is_summed_by_function_and_package() -> None:
    lib, src = "/usr/lib/python3.11", "/work/main/gateway/src/cbec/gateway"
    raw = "\n".join(
        [
            f"run ({lib}/asyncio/runners.py);handle ({src}/api.py);"
            f"execute ({lib}/site-packages/sqlalchemy/engine/base.py) 30",
            f"run ({lib}/asyncio/runners.py);handle ({src}/api.py);"
            f"dumps ({lib}/json/__init__.py) 10",
            f"run ({lib}/asyncio/runners.py);select ({lib}/selectors.py) 60",
        ]
    )
    top = top_of_profile(raw)
    assert top["samples"] == 100
    assert top["self"][0] == {"name": "select (selectors.py)", "pct": 60.0}
    packages = {p["name"]: p["pct"] for p in top["packages"]}
    assert packages == {"selectors": 60.0, "sqlalchemy": 30.0, "json": 10.0}
    assert top["platform_inclusive"] == [{"name": "handle (cbec/gateway/api.py)", "pct": 40.0}]


def test_the_bench_counts_statements_and_events_per_order_from_each_process_metrics() -> None:
    from prometheus_client import CollectorRegistry, Counter, generate_latest

    from cbec.tools.bench.resources import _counts_of, counts_per_order

    def exposition(statements: int, published: int, applied: int, skipped: int) -> str:
        registry = CollectorRegistry()
        Counter("cbec_db_statements_total", "", ["service"], registry=registry).labels(
            "declaration"
        ).inc(statements)
        Counter("cbec_outbox_published_total", "", ["service", "topic"], registry=registry).labels(
            "declaration", "cbec.declaration.v1"
        ).inc(published)
        consumed = Counter(
            "cbec_consumer_events_total", "", ["service", "outcome"], registry=registry
        )
        consumed.labels("declaration", "applied").inc(applied)
        consumed.labels("declaration", "ignored").inc(skipped)
        consumed.labels("declaration", "duplicate").inc(99)
        return generate_latest(registry).decode()

    before = {"declaration": _counts_of(exposition(100, 10, 5, 1))}
    after = {"declaration": _counts_of(exposition(300, 50, 25, 11)), "gateway": {"statements": 4}}
    assert before["declaration"] == {
        "statements": 100,
        "published": 10,
        "applied": 5,
        "skipped": 1,
    }
    assert counts_per_order(before, after, orders=20) == {
        "statements": {"declaration": 10.0, "gateway": 0.2},
        "published": {"declaration": 2.0},
        "applied": {"declaration": 1.0},
        "skipped": {"declaration": 0.5},
    }
