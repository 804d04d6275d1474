"""The projection keeps a consumer's fetch of events as one unit of work, with a few statements per
table: recorded in batches, its tables end exactly as when each event is recorded on its own
(the events' and receipts' order, the joins made through links, even those an event of the same
batch makes, receipts of earlier events that waited for their order, views, parties, webhook
deliveries)."""

from __future__ import annotations

import dataclasses
import random
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select

from cbec.declaration.events import ListAssessed
from cbec.gateway.domain import WAYBILL_ACCEPTED
from cbec.gateway.models import WebhookRow
from cbec.gateway.use_cases.projection import (
    DELIVERIES,
    EVENT_ORDERS,
    EVENTS,
    LINKS,
    PARTIES,
    RECEIPTS,
    VIEWS,
    record_events,
)
from cbec.shared.contracts import examples
from cbec.shared.db import create_engine, session_factory
from cbec.shared.envelope import Envelope, Event
from cbec.shared.migrations import upgrade
from tests.support.postgres import own_database
from tests.unit.gateway.flows import ExportOrder

pytestmark = [pytest.mark.integration, pytest.mark.postgres]

START = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)
HOOKED = "4403169D3W"
"""The platform: it has a webhook, so its receipts are delivered too."""


def _assessed(order: ExportOrder) -> Event:
    """Customs' own reasons on the list: officers' feed and views only."""
    example = examples(ListAssessed)[0].to_data()
    keys = {k: v for k, v in order.parties().items() if k in example or k == "copNo"}
    return ListAssessed.model_validate({**example, **keys})


def _life(order: ExportOrder) -> list[Event]:
    """One order's events as the gateway may see them: the waybill and the arrival before the
    list that says whose they are, customs' reasons, funds, tax, settlement."""
    declaration = order.declaration()
    return [
        order.waybill(),
        order.arrival(),
        declaration[0],
        declaration[1],
        _assessed(order),
        declaration[2],
        order.funds()[0],
        declaration[3],
        order.departure(),
        declaration[4],
        order.exemption(),
        *order.funds()[1:],
    ]


def _stream(unique: str) -> list[Envelope]:
    """Five orders' lives interleaved (each in its own order); two sellers share an order number."""
    parties = {"platform": HOOKED, "carrier": "3702980002", "payer": "4403169PAY"}
    orders = [
        ExportOrder.of(f"{unique}{i}", seller=f"37029600{i:02d}", **parties) for i in range(4)
    ]
    orders.append(dataclasses.replace(orders[0], seller="3702969999", logistics_no="SFOTHER1"))
    lives = [_life(o) for o in orders]
    rng = random.Random(unique)
    events: list[Event] = []
    while any(lives):
        events.append(rng.choice([life for life in lives if life]).pop(0))
    return [
        Envelope.of(
            e,
            source="/tests",
            id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"{unique}/{i}")),
            time=START + timedelta(seconds=i),
        )
        for i, e in enumerate(events)
    ]


async def _recorded(url: str, batches: Sequence[Sequence[Envelope]]) -> tuple[dict[str, Any], int]:
    """The projection's tables after recording the batches (each in a transaction of its own),
    with the numbers written as the event ids they stand for; and the statements it took."""
    engine = create_engine(url)
    await upgrade(engine, "cbec.gateway:migrations")
    sessions = session_factory(engine)
    async with sessions() as session, session.begin():
        session.add(WebhookRow(party=HOOKED, url="https://erp.example/hooks"))
    statements = 0

    def count(*_: object) -> None:
        nonlocal statements
        statements += 1

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    for batch in batches:
        async with sessions() as session, session.begin():
            await record_events(session, [(e, "cbec.tests.v1") for e in batch])
    event.remove(engine.sync_engine, "before_cursor_execute", count)
    async with engine.connect() as conn:
        events = (await conn.execute(select(EVENTS).order_by(EVENTS.c.seq))).mappings().all()
        ids = {row["seq"]: row["event_id"] for row in events}
        receipts = (await conn.execute(select(RECEIPTS).order_by(RECEIPTS.c.seq))).mappings().all()
        receipt_ids = {row["seq"]: row["receipt_id"] for row in receipts}
        tables = {
            "events": [(r["event_id"], r["type"], r["link_key"]) for r in events],
            "event orders": sorted(
                (r["order_no"], r["ebc_code"], ids[r["seq"]])
                for r in (await conn.execute(select(EVENT_ORDERS))).mappings()
            ),
            "links": sorted(tuple(r) for r in await conn.execute(select(LINKS))),
            "views": sorted(
                (r["order_no"], r["ebc_code"], r["ie_flag"], r["status"])
                for r in (await conn.execute(select(VIEWS))).mappings()
            ),
            "parties": sorted(tuple(r) for r in await conn.execute(select(PARTIES))),
            "receipts": [
                (
                    r["receipt_id"],
                    r["party"],
                    ids[r["event_seq"]],
                    r["type"],
                    r["order_no"],
                    r["return_status"],
                    r["return_info"],
                    r["time"],
                )
                for r in receipts
            ],
            "deliveries": sorted(
                (receipt_ids[r["receipt_seq"]], r["party"], r["attempts"], r["delivered_at"])
                for r in (await conn.execute(select(DELIVERIES))).mappings()
            ),
        }
    await engine.dispose()
    return tables, statements


async def test_batches_leave_the_tables_as_events_recorded_one_by_one(
    database_url: str, unique: str, tmp_path: Path
) -> None:
    stream = _stream(unique)
    rng = random.Random(f"cuts{unique}")
    batches: list[list[Envelope]] = []
    rest = list(stream)
    while rest:
        size = rng.choice([1, 2, 5, 9, 17])
        batches.append(rest[:size])
        rest = rest[size:]
    # A fetch may carry an event already recorded (redelivered): it is left as it is.
    batches[3] = [*batches[3], stream[0]]

    async with (
        own_database(database_url, tmp_path, "single") as single_url,
        own_database(database_url, tmp_path, "batched") as batched_url,
    ):
        one_by_one, single_statements = await _recorded(single_url, [[e] for e in stream])
        batched, batched_statements = await _recorded(batched_url, batches)
        # The test's own database is empty too.
        whole, whole_statements = await _recorded(database_url, [stream])

    assert len(one_by_one["events"]) == len(stream)
    # The waybills came before the lists that say whose they are: they joined their orders later.
    waybills = {eid for eid, kind, _ in one_by_one["events"] if kind == WAYBILL_ACCEPTED}
    assert len(waybills) == 5
    assert waybills <= {eid for _, _, eid in one_by_one["event orders"]}
    assert len(one_by_one["deliveries"]) > 0
    for name, rows in one_by_one.items():
        assert batched[name] == rows, name
        assert whole[name] == rows, name
    # The whole stream in one unit of work: a handful of statements, not a dozen per event.
    assert whole_statements <= 18, whole_statements
    assert batched_statements < single_statements
