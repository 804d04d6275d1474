"""Fault drills on the whole platform: ERPs file generated export orders through the gateway while
processes are killed, the broker is paused or the database restarts; afterwards the outcome is
compared with a run of the same input without faults.

    workload = Workload.make(orders=300, seed=7)
    with started_platform(folder, env=drill_env(folder)) as platform:
        run = await Driver(platform, workload).run(kill_each_service(["declaration"], seed=7))
        outcome = await collect(platform, workload, run)       # final states, receipts, events
    problems = sanity(outcome, run, workload) + compare(baseline_outcome, outcome)   # [] if none

The input is :mod:`cbec.gateway.loadgen`'s (a seeded population of enterprises and their export
orders, each with its order, receipt of funds, waybill and inventory list), made once per test
session with one fixed time, so every run files exactly the same documents. The ERPs behave as
ERPs do: the documents of a round of orders go as one batch per enterprise and kind, each with an
Idempotency-Key, sent again with the same key after a 503, a 409 (first sending still running), a
429, or no answer at all; the sellers poll their receipts. Any other answer (a refusal, a 5xx
other than 503) is recorded and fails the drill. The filing is paced and keeps a window of orders
on their way, so a fault holds it back rather than piling orders up, on a fast machine and on a
busy one alike.

A fault strikes just after a randomly chosen round was sent, with requests in flight; the filing
goes on through it (up to the round of the next fault). Its *outage* runs from the fault to its
end (the killed service started again, the broker resumed, the database up again); *ready* from
there until every process answers /readyz 200; its *recovery* from its end until every order on
its way then has all its answers and its list released, as the ERPs see it.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from cbec.gateway.bench import BENCH_RULES, PLATFORM_ENV
from cbec.gateway.client import AsyncGatewayClient
from cbec.gateway.loadgen import (
    ExportOrder,
    OrderGenerator,
    Population,
    encode,
)
from cbec.gateway.schemas import IssuedCredentials
from cbec.shared.envelope import Envelope, MalformedEvent
from tests.support.platform import Platform
from tests.support.tokens import as_caller

SHORT_ORDERS = 150
"""Orders of the short version (CI, and by default); CBEC_FAULT_ORDERS=2000 for the full one."""
SELLERS = 6
ROUND = 10
"""Orders filed together: their documents go as one batch per enterprise and kind."""
RATE = float(os.environ.get("CBEC_FAULT_RATE", "20"))
"""Orders filed per second at most."""
WINDOW = int(os.environ.get("CBEC_FAULT_WINDOW", "60"))
"""Orders on their way at most (filed, their release not yet seen by the seller)."""
SETTLE_TIMEOUT = float(os.environ.get("CBEC_FAULT_SETTLE_TIMEOUT", "300"))
"""How long after the last filing every list must be released."""

TOPICS = ("cbec.declaration.v1", "cbec.logistics.v1", "cbec.payments.v1", "cbec.tax.v1")
LIST_RELEASED = "cbec.declaration.list.released.v1"
OFFICER = "4300000009"
"""A customs officer: sees every order's one-stop view."""
RETRIED = frozenset({409, 429, 503})
POLL_INTERVAL = 1.0
"""How often an ERP polls its receipts (each poll is a signed request the gateway records)."""
SEND_DEADLINE = 300.0
"""How long an ERP keeps sending a batch again before it reports it as failed."""

FIXED_NOW = datetime.now(UTC).replace(microsecond=0)
"""The time every document of the session is made at: the same input in every run."""


def order_count() -> int:
    given = os.environ.get("CBEC_FAULT_ORDERS", "").strip()
    return int(given) if given else SHORT_ORDERS


def drill_env(folder: Path) -> dict[str, str]:
    """The benchmark's settings: every well-formed list is released by the rules (no random
    selection for inspection), and the enterprises' rate limit is not what is tested."""
    rules = folder / "drill-rules.toml"
    folder.mkdir(parents=True, exist_ok=True)
    rules.write_text(BENCH_RULES, encoding="utf-8")
    return {**PLATFORM_ENV, "DECLARATION_RULES_FILE": str(rules), "LOG_LEVEL": "WARNING"}


# -- the input -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Batch:
    submitter: str
    path: str
    body: bytes
    order_nos: tuple[str, ...]
    key: str


@dataclass(frozen=True)
class Workload:
    seed: int
    population: Population
    orders: tuple[ExportOrder, ...]
    rounds: tuple[tuple[Batch, ...], ...]

    @classmethod
    def make(cls, orders: int, seed: int = 7) -> Workload:
        population = Population.generate(seed, sellers=SELLERS)
        made = tuple(OrderGenerator(population, seed, tag="F").take(orders, now=FIXED_NOW))
        rounds = []
        for start in range(0, len(made), ROUND):
            groups: dict[tuple[str, str], list[ExportOrder]] = defaultdict(list)
            for order in made[start : start + ROUND]:
                for doc in order.documents:
                    groups[(doc.submitter, doc.path)].append(order)
            batches = []
            for (submitter, path), members in groups.items():
                bodies = [d.body for o in members for d in o.documents if d.path == path]
                batches.append(
                    Batch(
                        submitter=submitter,
                        path=path,
                        body=encode(bodies),
                        order_nos=tuple(o.order_no for o in members),
                        key=f"drill-{seed}-{path.rsplit('/', 1)[1]}-{members[0].order_no}",
                    )
                )
            rounds.append(tuple(batches))
        return cls(seed, population, made, tuple(rounds))


# -- faults --------------------------------------------------------------------------------------


@dataclass
class Fault:
    name: str
    at_order: int
    """Orders filed when it was injected."""
    started: float
    ended: float = 0.0
    """When it ended: the service started again, the broker resumed, the database back up."""
    ready: float = 0.0
    """When every process answered /readyz 200 again."""
    pending: set[str] = field(default_factory=set)
    """Orders on their way when it ended: a document sent, and a document not answered yet or
    the list not released."""
    recovered: float | None = None
    """When the last of them had all its answers and its list released."""

    def report(self) -> dict[str, Any]:
        return {
            "fault": self.name,
            "at_order": self.at_order,
            "outage_s": round(self.ended - self.started, 2),
            "ready_s": round(self.ready - self.ended, 2),
            "pending_at_end": len(self.pending),
            "recovery_s": (
                round(self.recovered - self.ended, 2) if self.recovered is not None else None
            ),
        }


Chaos = Callable[["Driver"], Awaitable[None]]


def kill_each_service(
    names: Sequence[str], seed: int, *, down: tuple[float, float] = (0.5, 3.0)
) -> Chaos:
    """SIGKILL each service in turn, at a random round of its share of the run and a random
    moment just after that round's documents went out; leave it down for a random while, then
    start it again (as its supervisor would)."""

    async def chaos(driver: Driver) -> None:
        rng = random.Random(f"kill:{seed}")
        rounds = len(driver.workload.rounds)
        share = rounds / (len(names) + 1)
        points = [max(1, int(share * (i + rng.uniform(0.6, 1.0)))) for i in range(len(names))]
        for index, name in enumerate(names):
            # The filing goes up to this fault's round, on through it, up to the next fault's.
            following = points[index + 1] if index + 1 < len(points) else rounds
            fault = await driver.strike(f"SIGKILL {name}", points[index], following, rng)
            await asyncio.to_thread(driver.platform.kill, name)
            await asyncio.sleep(rng.uniform(*down))
            driver.end(fault)
            await asyncio.to_thread(driver.platform.restart, name, 180.0)
            await driver.wait_all_ready(fault)

    return chaos


def pause_broker(seconds: float = 10.0, at: float = 0.4) -> Chaos:
    """SIGSTOP the broker for ``seconds`` just after the round ``at`` into the run went out,
    then SIGCONT."""

    async def chaos(driver: Driver) -> None:
        broker = driver.platform.stack.broker
        assert broker is not None
        point = max(1, int(len(driver.workload.rounds) * at))
        fault = await driver.strike(f"broker paused {seconds:g} s", point)
        broker.pause()
        try:
            await asyncio.sleep(seconds)
        finally:
            broker.resume()
        driver.end(fault)
        await driver.wait_all_ready(fault)

    return chaos


def restart_database(restart: Callable[[], None], at: float = 0.4) -> Chaos:
    """Restart the PostgreSQL server under every service just after the round ``at`` into the
    run went out."""

    async def chaos(driver: Driver) -> None:
        point = max(1, int(len(driver.workload.rounds) * at))
        fault = await driver.strike("PostgreSQL restarted", point)
        await asyncio.to_thread(restart)
        driver.end(fault)
        await driver.wait_all_ready(fault)

    return chaos


# -- the ERPs ------------------------------------------------------------------------------------


@dataclass
class Run:
    """What the ERPs saw."""

    faults: list[Fault]
    officer: IssuedCredentials
    answers: dict[tuple[str, str], dict[str, Any]]
    """(orderNo, path) → the receipt the document got."""
    receipts: dict[str, list[dict[str, Any]]]
    """Enterprise code → every receipt it polled, in order."""
    sent: dict[str, float]
    released: dict[str, float]
    problems: list[str]
    retries: Counter[str]
    wall_s: float

    def latency_s(self) -> list[float]:
        return sorted(self.released[o] - self.sent[o] for o in self.released if o in self.sent)


class Driver:
    def __init__(
        self, platform: Platform, workload: Workload, *, rate: float = RATE, window: int = WINDOW
    ) -> None:
        self.platform = platform
        self.workload = workload
        self.rate = rate
        self.window = window
        self.clients: dict[str, AsyncGatewayClient] = {}
        self.answers: dict[tuple[str, str], dict[str, Any]] = {}
        self.receipts: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.sent: dict[str, float] = {}
        self.released: dict[str, float] = {}
        self.pending_docs: Counter[str] = Counter()
        self.filed_at: dict[str, float] = {}
        """When each order's last document was answered."""
        self.filed = 0
        """Orders whose four documents were all answered."""
        self.requests_in_flight = 0
        self.rounds_started = 0
        self.limit = len(workload.rounds)
        """Rounds the filing may start (a drill holds the rest back for its next fault)."""
        self.problems: list[str] = []
        self.retries: Counter[str] = Counter()
        self.faults: list[Fault] = []
        self.officer: IssuedCredentials | None = None
        self._progress = asyncio.Condition()
        self._stopping = asyncio.Event()

    # -- setup ---------------------------------------------------------------------------
    async def enroll(self) -> None:
        self.officer = await asyncio.to_thread(
            self.platform.enroll, OFFICER, "Customs officers of the drill", ["customs-officer"]
        )
        for party in self.workload.population.parties():
            issued = await asyncio.to_thread(
                self.platform.enroll, party.code, party.name, list(party.roles)
            )
            self.clients[party.code] = self.platform.async_client(
                issued,
                timeout=httpx.Timeout(60.0, connect=5.0),
                limits=httpx.Limits(max_connections=32, max_keepalive_connections=8),
            )

    async def close(self) -> None:
        for client in self.clients.values():
            await client.aclose()

    # -- faults --------------------------------------------------------------------------
    async def strike(
        self, name: str, at_round: int, hold_at: int | None = None, rng: random.Random | None = None
    ) -> Fault:
        """Let the filing reach round ``at_round`` and go on up to round ``hold_at`` (all of
        them by default); a fault begins a random moment after round ``at_round`` was sent."""
        rounds = len(self.workload.rounds)
        async with self._progress:
            # A round that is yet to go (the run may already be past ``at_round``).
            at_round = min(max(at_round, self.rounds_started), rounds - 1)
            self.limit = rounds if hold_at is None else min(max(hold_at, at_round + 1), rounds)
            self._progress.notify_all()
            await self._progress.wait_for(lambda: self.rounds_started > at_round)
        await asyncio.sleep((rng or random.Random(name)).uniform(0.02, 0.4))
        return self.begin(name)

    def begin(self, name: str) -> Fault:
        fault = Fault(name, at_order=self.filed, started=time.monotonic())
        self.faults.append(fault)
        print(
            f"[drill] {name} at {self.filed} orders filed, {self.requests_in_flight} requests "
            "in flight",
            flush=True,
        )
        return fault

    def end(self, fault: Fault) -> None:
        fault.ended = time.monotonic()
        fault.pending = {o for o in self.sent if o not in self.released or o not in self.filed_at}
        print(
            f"[drill] {fault.name}: over after {fault.ended - fault.started:.1f} s, "
            f"{len(fault.pending)} orders on their way ({len(self.sent)} sent, "
            f"{len(self.filed_at)} filed, {len(self.released)} released, "
            f"{self.rounds_started} rounds)",
            flush=True,
        )

    async def wait_all_ready(self, fault: Fault, timeout: float = 180.0) -> None:
        names = [p.descriptor.name for p in self.platform.stack.procs]
        await asyncio.gather(
            *(asyncio.to_thread(self.platform.wait_ready, name, timeout) for name in names)
        )
        fault.ready = time.monotonic()
        print(f"[drill] {fault.name}: ready after {fault.ready - fault.ended:.1f} s", flush=True)

    # -- filing --------------------------------------------------------------------------
    async def send(self, batch: Batch) -> None:
        client = self.clients[batch.submitter]
        headers = {"Content-Type": "application/json", "Idempotency-Key": batch.key}
        now = time.monotonic()
        for order_no in batch.order_nos:
            self.sent.setdefault(order_no, now)
        delay, last = 0.2, ""
        deadline = now + SEND_DEADLINE
        while True:
            if time.monotonic() > deadline:
                self.problems.append(
                    f"{batch.path} {batch.key}: no answer after {SEND_DEADLINE:.0f} s of "
                    f"sending again (last: {last})"
                )
                return
            self.requests_in_flight += 1
            try:
                answer = await client.post(batch.path, content=batch.body, headers=headers)
            except httpx.TransportError as error:
                self.retries[type(error).__name__] += 1
                last = type(error).__name__
            else:
                if answer.status_code == 200:
                    break
                last = f"HTTP {answer.status_code} {answer.text[:200]}"
                if answer.status_code not in RETRIED:
                    self.problems.append(
                        f"{batch.path} {batch.key}: HTTP {answer.status_code} {answer.text[:300]}"
                    )
                self.retries[str(answer.status_code)] += 1
            finally:
                self.requests_in_flight -= 1
            await asyncio.sleep(delay)
            delay = min(delay * 2, 2.0)
        receipts = answer.json().get("receipts", [])
        for index, order_no in enumerate(batch.order_nos):
            receipt = receipts[index] if index < len(receipts) else {}
            self.answers[(order_no, batch.path)] = receipt
            status = str(receipt.get("returnStatus", "?"))
            if status.startswith("-") or status in ("100", "?"):
                self.problems.append(f"{batch.path} {order_no}: refused {receipt}")
        async with self._progress:
            for order_no in batch.order_nos:
                self.pending_docs[order_no] -= 1
                if self.pending_docs[order_no] == 0:
                    self.filed_at[order_no] = time.monotonic()
                    self.filed += 1
            self._progress.notify_all()

    def in_flight(self) -> int:
        """Orders filed (a document sent) whose list the seller has not seen released."""
        return len(self.sent.keys() - self.released.keys())

    async def file_all(self) -> None:
        """Round after round at up to ``rate`` orders per second, while fewer than ``window``
        orders are on their way: a fault holds the filing back instead of piling orders up, on
        a fast machine and on a busy one alike."""
        for order in self.workload.orders:
            self.pending_docs[order.order_no] = len(order.documents)
        tasks: list[asyncio.Task[None]] = []
        for index, batches in enumerate(self.workload.rounds):
            async with self._progress:
                await self._progress.wait_for(
                    lambda i=index: self.in_flight() < self.window and i < self.limit
                )
                tasks.extend(asyncio.create_task(self.send(b)) for b in batches)
                self.rounds_started += 1
                self._progress.notify_all()
            await asyncio.sleep(ROUND / self.rate)
        await asyncio.gather(*tasks)

    # -- receipts ------------------------------------------------------------------------
    async def poll(self, party: str) -> None:
        """An enterprise's ERP polling its receipts with its cursor, until told to stop and
        nothing more is there."""
        client = self.clients[party]
        cursor = ""
        while True:
            query = "/v1/receipts?limit=1000" + (f"&cursor={cursor}" if cursor else "")
            try:
                answer = await client.get(query)
            except httpx.TransportError as error:
                self.retries[f"poll {type(error).__name__}"] += 1
                await asyncio.sleep(0.5)
                continue
            if answer.status_code != 200:
                if answer.status_code not in RETRIED:
                    self.problems.append(f"poll {party}: HTTP {answer.status_code}")
                self.retries[f"poll {answer.status_code}"] += 1
                await asyncio.sleep(0.5)
                continue
            seen = time.monotonic()
            page = answer.json()
            for receipt in page["receipts"]:
                self.receipts[party].append(receipt)
                order_no = receipt.get("orderNo")
                if receipt.get("type") == LIST_RELEASED and order_no:
                    self.released.setdefault(order_no, seen)
            async with self._progress:
                self._progress.notify_all()
            cursor = page["cursor"]
            if page["more"]:
                continue
            if self._stopping.is_set():
                return
            await asyncio.sleep(POLL_INTERVAL)

    # -- the run -------------------------------------------------------------------------
    async def run(self, chaos: Chaos | None = None) -> Run:
        started = time.monotonic()
        await self.enroll()
        # The sellers follow their lists while the orders are filed; the other enterprises
        # read their receipts at the end.
        sellers = {s.party.code for s in self.workload.population.sellers}
        pollers = [asyncio.create_task(self.poll(code)) for code in sorted(sellers)]
        try:
            jobs = [asyncio.create_task(self.file_all())]
            if chaos is not None:
                jobs.append(asyncio.create_task(chaos(self)))
            await asyncio.gather(*jobs)
            await self._all_released()
            pollers += [
                asyncio.create_task(self.poll(code)) for code in self.clients if code not in sellers
            ]
            for fault in self.faults:
                # Back when every order on its way then has its answers and its release.
                times = [
                    max(self.released[o], self.filed_at.get(o, 0.0))
                    for o in fault.pending
                    if o in self.released
                ]
                fault.recovered = max(times, default=fault.ended)
            await self._quiet()
        finally:
            self._stopping.set()
            await asyncio.wait_for(asyncio.gather(*pollers, return_exceptions=True), timeout=120)
            await self.close()
        assert self.officer is not None
        return Run(
            faults=self.faults,
            officer=self.officer,
            answers=self.answers,
            receipts=dict(self.receipts),
            sent=self.sent,
            released=self.released,
            problems=self.problems,
            retries=self.retries,
            wall_s=time.monotonic() - started,
        )

    async def _all_released(self) -> None:
        wanted = {o.order_no for o in self.workload.orders}
        deadline = time.monotonic() + SETTLE_TIMEOUT
        while not wanted <= self.released.keys():
            if time.monotonic() > deadline:
                missing = sorted(wanted - self.released.keys())
                raise AssertionError(
                    f"{len(missing)} of {len(wanted)} lists not released {SETTLE_TIMEOUT:.0f} s "
                    f"after the last filing, e.g. {missing[:5]}; problems: {self.problems[:5]}; "
                    f"faults: {[f.report() for f in self.faults]}"
                )
            await asyncio.sleep(0.5)

    async def _quiet(self, stable: int = 3, timeout: float = 120.0) -> None:
        """Wait until the platform is done: nothing left to publish, and no new receipt or
        applied event for a few seconds (consumers after the release: ledger, parcels...)."""
        deadline = time.monotonic() + timeout
        last: tuple[int, int] | None = None
        calm = 0
        while calm < stable and time.monotonic() < deadline:
            await asyncio.sleep(1.0)
            tables = await database_counts(self.platform)
            unsent = sum(t["outbox_unsent"] for t in tables.values())
            applied = sum(sum(t["inbox"].values()) for t in tables.values())
            now = (sum(len(r) for r in self.receipts.values()), applied)
            calm = calm + 1 if unsent == 0 and now == last else 0
            last = now


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


def normalise(value: Any, numbers: dict[str, str] | None = None) -> Any:
    """The value without the fields that legitimately differ between runs; ``numbers`` names
    values given by the platform (a list's invtNo ...) wherever they are quoted."""
    numbers = numbers or {}
    if isinstance(value, dict):
        return {k: normalise(v, numbers) for k, v in sorted(value.items()) if not _volatile(k)}
    if isinstance(value, list):
        return [normalise(v, numbers) for v in value]
    if isinstance(value, str) and value in numbers:
        return numbers[value]
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


async def collect(platform: Platform, workload: Workload, run: Run) -> Outcome:
    states = await order_states(platform, workload, run.officer)
    receipts: dict[str, Counter[tuple[str, str, str]]] = {}
    duplicates: dict[str, int] = {}
    for party, polled in run.receipts.items():
        receipts[party] = Counter(
            (r.get("type", ""), _subject(r), r.get("returnStatus") or "") for r in polled
        )
        ids = [r.get("receiptId") for r in polled]
        duplicates[party] = len(ids) - len(set(ids))
    events, republished, dead = await topic_events(platform.bootstrap_servers)
    tables = await database_counts(platform)
    return Outcome(
        states=states,
        receipts=receipts,
        duplicate_receipts=duplicates,
        events=events,
        republished=republished,
        dead_letters=dead,
        inbox={name: t["inbox"] for name, t in tables.items()},
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
    platform: Platform, workload: Workload, officer: IssuedCredentials
) -> dict[str, dict[str, Any]]:
    """Each order as the declaration, payments and logistics services and the one-stop view show
    it, read from their APIs."""
    urls = {p.descriptor.name: p.url for p in platform.stack.procs}
    gate = asyncio.Semaphore(8)
    states: dict[str, dict[str, Any]] = {}

    async with (
        # The services answer their documents only to the parties they name and to officers.
        httpx.AsyncClient(timeout=60) as http,
        platform.async_client(officer, timeout=60) as gateway,
    ):

        def vouched(url: str) -> dict[str, str]:
            """A service is read as the gateway would let the officer read it."""
            for name, base in urls.items():
                if name != "gateway" and url.startswith(base + "/"):
                    return as_caller(name, officer.code, *officer.roles)
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
            states[no] = normalise(
                {
                    "declaration": declaration,
                    "payments": ledger,
                    "logistics": parcel,
                    "one-stop": _view_summary(view),
                },
                _platform_numbers(declaration),
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


async def topic_events(bootstrap: str) -> tuple[Counter[tuple[str, str]], int, dict[str, int]]:
    """Every event on the four topics, counted once per id by (type, key), how many records
    repeated an id, and how many records each dead-letter topic holds."""
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
                    if envelope.id in seen:
                        republished += 1
                        continue
                    seen.add(envelope.id)
                    key = (record.key or b"").decode(errors="replace")
                    events[(envelope.type, key)] += 1
                if records and records[-1].offset + 1 >= ends[tp]:
                    remaining.discard(tp)
        assert not remaining, f"could not read to the end of {sorted(map(str, remaining))}"
        return events, republished, dead
    finally:
        await consumer.stop()


async def database_counts(platform: Platform) -> dict[str, dict[str, Any]]:
    """Per service: its inbox rows by (consumer, event type), and outbox rows not yet sent."""
    found: dict[str, dict[str, Any]] = {}
    for proc in platform.stack.procs:
        engine = create_async_engine(proc.env["DATABASE_URL"])
        try:
            async with engine.connect() as conn:
                rows = await conn.execute(
                    text("SELECT consumer, event_type, count(*) FROM inbox GROUP BY 1, 2")
                )
                inbox: Counter[tuple[str, str]] = Counter(
                    {(r[0], r[1]): int(r[2]) for r in rows.all()}
                )
                unsent = await conn.scalar(
                    text("SELECT count(*) FROM outbox WHERE sent_at IS NULL")
                )
        finally:
            await engine.dispose()
        found[proc.descriptor.name] = {"inbox": inbox, "outbox_unsent": int(unsent or 0)}
    return found


# -- comparing ------------------------------------------------------------------------------------


def _diff_counters(
    what: str, expected: Counter[Any], got: Counter[Any], limit: int = 5
) -> list[str]:
    missing = expected - got
    extra = got - expected
    problems = []
    if missing:
        problems.append(
            f"{what}: {sum(missing.values())} missing, e.g. {list(missing.items())[:limit]}"
        )
    if extra:
        problems.append(f"{what}: {sum(extra.values())} extra, e.g. {list(extra.items())[:limit]}")
    return problems


def first_difference(a: Any, b: Any, path: str = "") -> str | None:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            if key not in a or key not in b:
                return f"{path}.{key}: {a.get(key)!r} != {b.get(key)!r}"
            found = first_difference(a[key], b[key], f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} items != {len(b)} items ({a!r:.300} vs {b!r:.300})"
        for index, (x, y) in enumerate(zip(a, b, strict=True)):
            found = first_difference(x, y, f"{path}[{index}]")
            if found:
                return found
        return None
    return None if a == b else f"{path}: {a!r:.200} != {b!r:.200}"


def compare(expected: Outcome, got: Outcome) -> list[str]:
    """What differs from the run without faults: final states, receipts, events, effects."""
    problems: list[str] = []
    differing = [
        (no, first_difference(state, got.states.get(no)))
        for no, state in expected.states.items()
        if state != got.states.get(no)
    ]
    if differing:
        problems.append(
            f"{len(differing)} of {len(expected.states)} orders end in another state, e.g. "
            + "; ".join(f"{no} {where}" for no, where in differing[:3])
        )
    for party in sorted(set(expected.receipts) | set(got.receipts)):
        problems += _diff_counters(
            f"receipts of {party}",
            expected.receipts.get(party, Counter()),
            got.receipts.get(party, Counter()),
        )
    for party, count in got.duplicate_receipts.items():
        if count:
            problems.append(f"{party} polled {count} receipts twice")
    problems += _diff_counters("events on the topics", expected.events, got.events)
    for service in sorted(set(expected.inbox) | set(got.inbox)):
        problems += _diff_counters(
            f"events applied by {service}",
            expected.inbox.get(service, Counter()),
            got.inbox.get(service, Counter()),
        )
    problems += [f"{topic}: {n} dead letters" for topic, n in got.dead_letters.items() if n]
    problems += [f"{name}: {n} outbox rows unsent" for name, n in got.outbox_unsent.items() if n]
    return problems


def sanity(outcome: Outcome, run: Run, workload: Workload) -> list[str]:
    """What must hold of any run, the one without faults included."""
    problems = list(run.problems[:15])
    if len(run.problems) > 15:
        problems.append(f"... {len(run.problems) - 15} more problems of the ERPs")
    missing = [o.order_no for o in workload.orders if o.order_no not in run.released]
    if missing:
        problems.append(f"{len(missing)} lists not released, e.g. {missing[:5]}")
    released = Counter(key for (kind, key) in outcome.events.elements() if kind == LIST_RELEASED)
    twice = [key for key, n in released.items() if n > 1]
    if twice:
        problems.append(f"{len(twice)} lists released twice (distinct events), e.g. {twice[:5]}")
    problems += [f"{t}: {n} dead letters" for t, n in outcome.dead_letters.items() if n]
    problems += [f"{s}: {n} outbox rows unsent" for s, n in outcome.outbox_unsent.items() if n]
    problems += [
        f"{p} polled {n} receipts twice" for p, n in outcome.duplicate_receipts.items() if n
    ]
    return problems


# -- the report ------------------------------------------------------------------------------------


def percentile(values: Sequence[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round((len(ordered) - 1) * p / 100))]


def report(name: str, run: Run, workload: Workload, outcome: Outcome) -> dict[str, Any]:
    latency = run.latency_s()
    return {
        "drill": name,
        "orders": len(workload.orders),
        "rate": RATE,
        "wall_s": round(run.wall_s, 1),
        "faults": [f.report() for f in run.faults],
        "latency_s": {
            "p50": _round(percentile(latency, 50)),
            "p99": _round(percentile(latency, 99)),
            "max": _round(max(latency, default=None)),
        },
        "retries": dict(run.retries),
        "republished_records": outcome.republished,
        "events": sum(outcome.events.values()),
    }


def _round(value: float | None) -> float | None:
    return round(value, 2) if value is not None else None


def write_report(path: Path, entries: Iterable[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(list(entries), indent=2), encoding="utf-8")
