"""Export parcels through the real declaration, payments and logistics services together, each an
in-process app with its own database, against the real broker (DOMAIN.md §4, §8):

waybill (CEB505, logistics) → order and list (CEB303/CEB603, declaration) → receipt of funds
(CEB403, payments) → the three-document check on logistics' and payments' real events → list
released (800) → logistics moves the parcels: arrival (CEB507), master bill (CEB607), departure
(CEB509), split messages delivered out of order → declaration closes each list (899) on
logistics' departure events → logistics records the closing.

The topics are shared with the other tests: everything read from them is filtered by this
test's own business keys.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func
from sqlmodel import col, select

from cbec.declaration.models import ListRow
from cbec.logistics.app import create_app as create_logistics_app
from cbec.logistics.domain import Movement, ParcelKey, ParcelState
from cbec.logistics.models import ReleasedListRow
from cbec.logistics.repository import LoadedParcel, ParcelRepository
from cbec.logistics.settings import Settings as LogisticsSettings
from cbec.payments.app import create_app as create_payments_app
from cbec.payments.settings import Settings as PaymentsSettings
from tests.integration.declaration.decl_support import (
    EBP,
    declaration_app,
    export_inventory,
    export_line,
    export_order,
)
from tests.integration.logistics.logistics_flow import (
    DECLARATION_TOPIC,
    LOGISTICS_CODE,
    arrival,
    collect,
    count_parcels,
    departure,
    export_waybill,
    master_bill,
    now,
    serial,
)
from tests.integration.payments.payments_support import TENPAY, receipt
from tests.support.apps import running, service_settings
from tests.support.postgres import own_database
from tests.support.tokens import vouch
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

PART = 100  # a message carries up to 100 documents (DOMAIN.md §2)
# The carrier's and the payment institution's clients call as them; the declaration client
# calls as an operator, and the seller files its own orders and lists.
EBC_CODE = "3702960411"
"""A seller of this test's own: the lists it closes are the last events on the declaration topic,
which a consumer group of a later test may be given from (the embedded broker's "latest" is the
start of a partition's last batch), so they must not count in another test's seller's year."""
SELLER = vouch(EBC_CODE, "ecommerce")
# Every commit wakes a service's outbox relay; polling is only its fallback. The services'
# default interval (not the tests' 20 ms) keeps three idle relays from polling 150 times a second.
RELAY_POLL_MS = 200
RELEASED = "cbec.declaration.list.released.v1"
CLOSED = "cbec.declaration.list.closed.v1"
# A complete export timeline, as logistics keeps it and as its API shows it.
STEPS: list[Movement | None] = [
    None,  # the waybill filed
    Movement.LIST_RELEASED,
    Movement.ARRIVED,
    Movement.LINKED_TO_MASTER_BILL,
    Movement.DEPARTED,
]
SHOWN = ["waybill_filed", "list_released", "arrived", "linked_to_master_bill", "departed"]


@asynccontextmanager
async def logistics_service(
    kafka_bootstrap: str, database_url: str
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    settings = service_settings(
        LogisticsSettings,
        kafka_bootstrap_servers=kafka_bootstrap,
        database_url=database_url,
        outbox_poll_interval_ms=RELAY_POLL_MS,
    )
    assert isinstance(settings, LogisticsSettings)
    async with running(
        create_logistics_app(settings), party=LOGISTICS_CODE, roles=["logistics"]
    ) as started:
        yield started


@asynccontextmanager
async def payments_service(
    kafka_bootstrap: str, database_url: str
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """Only its funds-document API and its events take part: its ledger consumers, settlement
    and reconciliation stay off."""
    settings = service_settings(
        PaymentsSettings,
        kafka_bootstrap_servers=kafka_bootstrap,
        database_url=database_url,
        consumer_enabled=False,
        scheduler_enabled=False,
        outbox_poll_interval_ms=RELAY_POLL_MS,
    )
    assert isinstance(settings, PaymentsSettings)
    async with running(create_payments_app(settings), party=TENPAY, roles=["payment"]) as started:
        yield started


async def post_in_parts(
    client: httpx.AsyncClient, path: str, documents: list[Any], **kwargs: Any
) -> list[dict[str, Any]]:
    receipts: list[dict[str, Any]] = []
    for start in range(0, len(documents), PART):
        answer = await client.post(path, json=documents[start : start + PART], **kwargs)
        assert answer.status_code == 200, answer.text
        receipts += answer.json()["receipts"]
    return receipts


async def list_states(app: FastAPI, unique: str) -> dict[str, tuple[str, str | None, str]]:
    """copNo → (status, invtNo, logisticsNo) of this test's lists in the declaration service."""
    async with app.state.runtime.sessions() as session:
        rows = await session.exec(
            select(
                ListRow.cop_no,
                ListRow.status,
                ListRow.invt_no,
                ListRow.logistics_no,
            ).where(col(ListRow.cop_no).contains(unique))
        )
        return {cop: (status, invt, no) for cop, status, invt, no in rows.all()}


def all_at(status: str, count: int) -> Any:
    def check(found: dict[str, tuple[str, str | None, str]]) -> bool:
        return len(found) == count and all(s == status for s, _, _ in found.values())

    return check


async def closed_in_logistics(app: FastAPI, unique: str) -> int:
    """This test's released lists that logistics knows to be closed."""
    async with app.state.runtime.sessions() as session:
        result = await session.exec(
            select(func.count())
            .select_from(ReleasedListRow)
            .where(
                col(ReleasedListRow.order_no).contains(unique),
                col(ReleasedListRow.closed_at).is_not(None),
            )
        )
        return int(result.one())


async def timelines(app: FastAPI, numbers: list[str]) -> dict[str, LoadedParcel]:
    """The parcels' timelines as logistics keeps them, read in bulk (the API shows one)."""
    async with app.state.runtime.sessions() as session:
        found = await ParcelRepository(session).load(
            [ParcelKey(LOGISTICS_CODE, no) for no in numbers]
        )
    return {key.logistics_no: parcel for key, parcel in found.items()}


@pytest.mark.parametrize(
    ("parcels", "part"),
    [
        # Five split parts either way: the gate's run, and the full one of `make bench`.
        pytest.param(150, 30, id="small"),
        pytest.param(500, PART, id="full", marks=[pytest.mark.slow, pytest.mark.bench]),
    ],
)
async def test_export_lists_in_five_split_parts_are_released_move_and_close_once_across_services(
    kafka_bootstrap: str, database_url: str, unique: str, tmp_path: Path, parcels: int, part: int
) -> None:
    numbers = [f"L{unique}{i:04d}" for i in range(parcels)]
    orders = [f"EO{unique}{i:04d}" for i in range(parcels)]
    cop_nos = [f"C{unique}{i:04d}" for i in range(parcels)]
    line = export_line(1)  # 10 x 8 = 80, freight 10: 90 received
    shuffler = random.Random(unique)

    async with AsyncExitStack() as stack:
        logistics_db = await stack.enter_async_context(
            own_database(database_url, tmp_path, "logistics")
        )
        payments_db = await stack.enter_async_context(
            own_database(database_url, tmp_path, "payments")
        )
        declaration, decl_client = await stack.enter_async_context(
            declaration_app(
                kafka_bootstrap, database_url, tmp_path, outbox_poll_interval_ms=RELAY_POLL_MS
            )
        )
        logistics, carrier = await stack.enter_async_context(
            logistics_service(kafka_bootstrap, logistics_db)
        )
        _payments, payer = await stack.enter_async_context(
            payments_service(kafka_bootstrap, payments_db)
        )

        # The carrier files the waybills; the seller its orders and lists; the payment
        # institution the receipts of funds, half of them before the lists, half after.
        filed = await post_in_parts(
            carrier, "/v1/export/waybills", [export_waybill(no, ebcCode=EBC_CODE) for no in numbers]
        )
        assert {r["returnStatus"] for r in filed} == {"2"}
        receipts = {
            order_no: receipt(order_no, EBC_CODE, "90", day=f"{now():%Y%m%d}", ebpCode=EBP)
            for order_no in orders
        }
        late = set(shuffler.sample(orders, parcels // 2))
        early_answers = await post_in_parts(
            payer, "/v1/export/receipts", [receipts[o] for o in orders if o not in late]
        )
        assert {r["returnStatus"] for r in early_answers} == {"2"}
        accepted = await post_in_parts(
            decl_client,
            "/v1/export/orders",
            [export_order(order_no, EBC_CODE, [line]) for order_no in orders],
            headers=SELLER,
        )
        assert {r["returnStatus"] for r in accepted} == {"2"}
        listed = await post_in_parts(
            decl_client,
            "/v1/export/inventories",
            [
                export_inventory(cop, order_no, EBC_CODE, no, [line], logisticsCode=LOGISTICS_CODE)
                for cop, order_no, no in zip(cop_nos, orders, numbers, strict=True)
            ],
            headers=SELLER,
        )
        # A list whose funds are not yet on file waits for them; the others may already be
        # released (if declaration has consumed their waybill by then).
        answered = {r["copNo"]: r["returnStatus"] for r in listed}
        assert {answered[c] for c, o in zip(cop_nos, orders, strict=True) if o in late} == {"2"}
        assert set(answered.values()) <= {"2", "800"}
        late_answers = await post_in_parts(
            payer, "/v1/export/receipts", [receipts[o] for o in orders if o in late]
        )
        assert {r["returnStatus"] for r in late_answers} == {"2"}

        # Generous deadlines: a consumer applies a whole fetch in one transaction, so on a busy
        # machine hundreds of events can land at once after a long pause.
        released = await eventually(
            lambda: list_states(declaration, unique),
            until=all_at("800", parcels),
            timeout=120,
            what="every list released",
        )
        invt_of = {no: invt for _, invt, no in released.values() if invt is not None}
        assert len(set(invt_of.values())) == parcels
        await eventually(
            lambda: count_parcels(logistics, numbers, "list_released"),
            until=lambda n: n == parcels,
            timeout=120,
            what="every release known to logistics",
        )

        arrived_at = now()
        linked_at = arrived_at + timedelta(minutes=1)
        leave = arrived_at + timedelta(minutes=2)
        parts = [numbers[start : start + part] for start in range(0, parcels, part)]

        # Split arrival parts, delivered out of order: only the last one completes it.
        answers = []
        for seq in (4, 1, 5, 3, 2):
            answer = await carrier.post(
                "/v1/export/arrivals",
                json=arrival(f"ARR{unique}", parts[seq - 1], arrived_at, msg=(len(parts), seq)),
            )
            assert answer.status_code == 200, answer.text
            answers.append(answer.json()["receipts"][0])
        assert [a["returnStatus"] for a in answers] == ["2"] * len(parts)
        assert all("waiting for" in a["returnInfo"] for a in answers[:-1])
        assert f"{parcels} parcel(s)" in answers[-1]["returnInfo"]

        bill = f"999-{serial(unique)}"
        halves = [numbers[: parcels // 2], numbers[parcels // 2 :]]
        for seq in (2, 1):
            answer = await carrier.post(
                "/v1/export/master-bills",
                json=master_bill(f"WB{unique}", bill, halves[seq - 1], linked_at, (2, seq)),
            )
            assert answer.json()["receipts"][0]["returnStatus"] == "2", answer.text

        departures = [
            departure(f"DEP{unique}", part, leave, (len(parts), seq))
            for seq, part in enumerate(parts, start=1)
        ]
        answers, order = [], (3, 5, 1, 4, 2)
        for seq in order:
            answer = await carrier.post("/v1/export/departures", json=departures[seq - 1])
            assert answer.status_code == 200, answer.text
            answers.append(answer.json()["receipts"][0])
        assert [a["returnStatus"] for a in answers] == ["2"] * len(parts)
        assert f"{parcels} parcel(s) left" in answers[-1]["returnInfo"]
        # A part sent again gets its first receipt and changes nothing: no parcel departs twice.
        again = await carrier.post("/v1/export/departures", json=departures[0])
        assert again.json()["receipts"][0] == answers[order.index(1)]

        closed = await eventually(
            lambda: list_states(declaration, unique),
            until=all_at("899", parcels),
            timeout=120,
            what="every list closed",
        )
        await eventually(
            lambda: closed_in_logistics(logistics, unique),
            until=lambda n: n == parcels,
            timeout=120,
            what="every closing known to logistics",
        )
        sample = (await decl_client.get(f"/v1/lists/{cop_nos[shuffler.randrange(parcels)]}")).json()
        on_file = await timelines(logistics, numbers)
        shown = [
            (await carrier.get(f"/v1/parcels/{LOGISTICS_CODE}/{no}")).json()
            for no in numbers[::part]
        ]

    # Another test's declaration database numbers its lists the same way: the copNo tells ours.
    mine, invt_nos = set(cop_nos), set(invt_of.values())
    events = await collect(
        kafka_bootstrap,
        keep=lambda kind, data: kind in (RELEASED, CLOSED) and data.get("copNo") in mine,
        done=lambda kept: len({d["invtNo"] for k, d in kept if k == CLOSED}) == parcels,
        topic=DECLARATION_TOPIC,
    )

    # Every list released and closed in the declaration service, exactly once each.
    assert {status for status, _, _ in closed.values()} == {"899"}
    per_kind = {
        kind: Counter(d["invtNo"] for k, d in events if k == kind) for kind in (RELEASED, CLOSED)
    }
    assert set(per_kind[RELEASED]) == invt_nos
    assert set(per_kind[RELEASED].values()) == {1}
    assert set(per_kind[CLOSED]) == invt_nos
    assert set(per_kind[CLOSED].values()) == {1}
    closings = [d for k, d in events if k == CLOSED]
    assert {d["logisticsNo"]: d["invtNo"] for d in closings} == invt_of
    assert {d["leaveTime"] for d in closings} == {leave.strftime("%Y%m%d%H%M%S")}
    assert [r["returnStatus"] for r in sample["receipts"]][-2:] == ["800", "899"]
    assert "goods departed" in sample["receipts"][-1]["returnInfo"]

    # Every parcel's timeline in logistics is complete, under its own list and the master bill.
    order_of = dict(zip(numbers, orders, strict=True))
    assert set(on_file) == set(numbers)
    for no, parcel in on_file.items():
        assert parcel.timeline.state is ParcelState.DEPARTED, (no, parcel.timeline.state)
        assert [e.movement for e in parcel.timeline.entries] == STEPS, no
        assert parcel.timeline.invt_no == invt_of[no]
        assert parcel.timeline.bill_no == bill
        assert parcel.row.order_no == order_of[no]
    for view in shown:
        assert view["state"] == "departed"
        assert [e["movement"] for e in view["entries"]] == SHOWN
        assert view["invtNo"] == invt_of[view["logisticsNo"]]
        assert view["orderNo"] == order_of[view["logisticsNo"]]
