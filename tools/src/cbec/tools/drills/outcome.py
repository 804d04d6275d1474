"""What a drill leaves behind: each order's final state, the receipts polled, the events on the
topics, the inboxes and outboxes."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition

from cbec.gateway.schemas import IssuedCredentials
from cbec.shared.envelope import Envelope, MalformedEvent
from cbec.tools.drills.driver import Run, database_counts
from cbec.tools.drills.workload import (
    RETRIED,
    TOPICS,
    CallerHeaders,
    Platform,
    Renumbering,
    Workload,
)
from cbec.tools.loadgen import (
    ExportOrder,
)

# -- the outcome ---------------------------------------------------------------------------------

VOLATILE = frozenset(
    {
        "invtNo",
        "preNo",
        "receiptId",
        "eventId",
        "id",
        "seq",
        "source",
        "traceContext",
        "trace_context",
        "firstSeen",
        "updatedAt",
    }
)
"""Fields that differ between two runs of the same input: numbers the platform gives in the
order it processes things, ids, times."""


def _volatile(key: str) -> bool:
    return key in VOLATILE or key in ("at", "time") or key.endswith(("At", "Time", "_at", "_time"))


def normalise(
    value: Any,
    numbers: dict[str, str] | None = None,
    renumber: Callable[[str], str] | None = None,
) -> Any:
    """The value without the fields that legitimately differ between runs; ``numbers`` names
    values given by the platform (a list's invtNo ...), and ``renumber`` writes the run's own
    document numbers as placeholders, wherever they are quoted."""
    numbers = numbers or {}
    if isinstance(value, dict):
        return {
            k: normalise(v, numbers, renumber) for k, v in sorted(value.items()) if not _volatile(k)
        }
    if isinstance(value, list):
        return [normalise(v, numbers, renumber) for v in value]
    if isinstance(value, str):
        if value in numbers:
            return numbers[value]
        return renumber(value) if renumber is not None else value
    return value


def _platform_numbers(declaration: Any) -> dict[str, str]:
    """The numbers the declaration service gave an order's lists (in the order it took them)."""
    numbers: dict[str, str] = {}
    if isinstance(declaration, dict):
        for order in declaration.get("orders", []):
            for index, found in enumerate(order.get("lists", [])):
                for key in ("invtNo", "preNo"):
                    if found.get(key):
                        numbers[found[key]] = f"<{key} of list {index}>"
    return numbers


@dataclass
class Outcome:
    states: dict[str, dict[str, Any]]
    """orderNo → its final state as the services and the one-stop view show it (normalised)."""
    receipts: dict[str, Counter[tuple[str, str, str]]]
    """Enterprise → its receipts by (type, order or waybill, returnStatus)."""
    duplicate_receipts: dict[str, int]
    events: Counter[tuple[str, str]]
    """Distinct events on the topics by (type, business key)."""
    republished: int
    """Records of an event id already seen (at-least-once delivery: allowed)."""
    dead_letters: dict[str, int]
    inbox: dict[str, Counter[tuple[str, str]]]
    """Service → rows of its inbox by (consumer, event type)."""
    outbox_unsent: dict[str, int]


async def collect(
    platform: Platform, workload: Workload, run: Run, *, caller: CallerHeaders
) -> Outcome:
    """The run's outcome, with its document numbers as placeholders (comparable with another
    run of the seed), and of the topics and inboxes only what the run added."""
    renumber = workload.renumbering()
    states = await order_states(platform, workload, run.officer, caller)
    receipts: dict[str, Counter[tuple[str, str, str]]] = {}
    duplicates: dict[str, int] = {}
    for party, polled in run.receipts.items():
        receipts[party] = Counter(
            (r.get("type", ""), renumber(_subject(r)), r.get("returnStatus") or "") for r in polled
        )
        ids = [r.get("receiptId") for r in polled]
        duplicates[party] = len(ids) - len(set(ids))
    events, republished, dead = await topic_events(platform.bootstrap_servers, renumber)
    tables = await database_counts(platform)
    return Outcome(
        states=states,
        receipts=receipts,
        duplicate_receipts=duplicates,
        events=events,
        republished=republished,
        dead_letters=dead,
        inbox={
            name: t["inbox"] - run.applied_before.get(name, Counter()) for name, t in tables.items()
        },
        outbox_unsent={name: t["outbox_unsent"] for name, t in tables.items()},
    )


def _subject(receipt: dict[str, Any]) -> str:
    """What a receipt is about: its order, or the waybill (an export waybill names no order,
    and its receipt only carries the order when the list linking them came first)."""
    data = receipt.get("data") or {}
    if receipt.get("type", "").startswith("cbec.logistics.waybill."):
        return f"{data.get('logisticsCode')}/{data.get('logisticsNo')}"
    return str(receipt.get("orderNo") or data.get("orderNo") or "")


async def order_states(
    platform: Platform, workload: Workload, officer: IssuedCredentials, caller: CallerHeaders
) -> dict[str, dict[str, Any]]:
    """Each order as the declaration, payments and logistics services and the one-stop view show
    it, read from their APIs."""
    urls = {p.descriptor.name: p.url for p in platform.stack.procs}
    gate = asyncio.Semaphore(8)
    states: dict[str, dict[str, Any]] = {}
    renumber = workload.renumbering()

    async with (
        # The services answer their documents only to the parties they name and to officers.
        httpx.AsyncClient(timeout=60) as http,
        platform.async_client(officer, timeout=60) as gateway,
    ):

        def vouched(url: str) -> dict[str, str]:
            """A service is read as the gateway would let the officer read it."""
            for name, base in urls.items():
                if name != "gateway" and url.startswith(base + "/"):
                    return caller(name, officer.code, *officer.roles)
            raise AssertionError(f"no service at {url}")

        async def get(url: str) -> Any:
            direct = not url.startswith(urls["gateway"])
            client = http if direct else gateway
            for _ in range(20):
                answer = await client.get(url, headers=vouched(url) if direct else None)
                if answer.status_code == 200:
                    return answer.json()
                if answer.status_code not in RETRIED:
                    return {"HTTP": answer.status_code, "body": answer.text[:300]}
                await asyncio.sleep(0.5)
            return {"HTTP": answer.status_code}

        async def one(order: ExportOrder) -> None:
            async with gate:
                no = order.order_no
                declaration = await get(
                    f"{urls['declaration']}/v1/orders/{no}?party={order.seller}"
                )
                ledger = await get(f"{urls['payments']}/v1/reconciliation/orders/{no}")
                parcel = await get(
                    f"{urls['logistics']}/v1/parcels/{order.logistics_code}/{order.logistics_no}"
                )
                view = await get(f"{urls['gateway']}/v1/orders/{no}")
            states[renumber(no)] = normalise(
                {
                    "declaration": declaration,
                    "payments": ledger,
                    "logistics": parcel,
                    "one-stop": _view_summary(view),
                },
                _platform_numbers(declaration),
                renumber,
            )

        await asyncio.gather(*(one(o) for o in workload.orders))
    return states


def _view_summary(view: Any) -> Any:
    """The one-stop view with its event timeline as counts by type (two runs interleave the
    four topics differently; the same events must be there, each once)."""
    if not isinstance(view, dict) or "events" not in view:
        return view
    timeline = Counter(e["type"] for e in view["events"])
    return {**view, "events": dict(sorted(timeline.items()))}


async def topic_events(
    bootstrap: str, renumber: Renumbering | None = None
) -> tuple[Counter[tuple[str, str]], int, dict[str, int]]:
    """Every event on the four topics, counted once per id by (type, key), how many records
    repeated an id, and how many records each dead-letter topic holds. With ``renumber``, only
    the events whose key is a number of that run, the key as its placeholder."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        await consumer.topics()  # the metadata of every topic, before any assignment narrows it
        partitions = {
            topic: [
                TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())
            ]
            for topic in (*TOPICS, *(t + ".dlq" for t in TOPICS))
        }
        missing = [topic for topic, tps in partitions.items() if not tps]
        assert not missing, f"no such topics: {missing}"
        every = [tp for tps in partitions.values() for tp in tps]
        ends = await consumer.end_offsets(every)
        beginnings = await consumer.beginning_offsets(every)
        dead = {
            topic: sum(ends[tp] - beginnings[tp] for tp in tps)
            for topic, tps in partitions.items()
            if topic.endswith(".dlq")
        }
        live = [tp for topic in TOPICS for tp in partitions[topic]]
        consumer.assign(live)
        await consumer.seek_to_beginning(*live)
        remaining = {tp for tp in live if ends[tp] > beginnings[tp]}
        events: Counter[tuple[str, str]] = Counter()
        seen: set[str] = set()
        republished = 0
        deadline = time.monotonic() + 300
        while remaining and time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=500, max_records=5000)
            for tp, records in batch.items():
                for record in records:
                    try:
                        envelope = Envelope.from_kafka(record.headers, record.value)
                    except MalformedEvent:
                        events[("<malformed>", tp.topic)] += 1
                        continue
                    key = (record.key or b"").decode(errors="replace")
                    if renumber is not None:
                        if not renumber.mine(key):
                            continue
                        key = renumber(key)
                    if envelope.id in seen:
                        republished += 1
                        continue
                    seen.add(envelope.id)
                    events[(envelope.type, key)] += 1
                if records and records[-1].offset + 1 >= ends[tp]:
                    remaining.discard(tp)
        assert not remaining, f"could not read to the end of {sorted(map(str, remaining))}"
        return events, republished, dead
    finally:
        await consumer.stop()
