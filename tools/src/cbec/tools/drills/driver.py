"""The ERPs of a drill: they file the workload through the gateway, again after a 503, a 409, a 429
or no answer, and poll their receipts, while a fault schedule strikes."""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from cbec.gateway.client import AsyncGatewayClient
from cbec.gateway.schemas import IssuedCredentials
from cbec.tools.drills.faults import Chaos, Fault
from cbec.tools.drills.workload import (
    LIST_RELEASED,
    OFFICER,
    POLL_INTERVAL,
    RATE,
    RETRIED,
    ROUND,
    SEND_DEADLINE,
    SETTLE_TIMEOUT,
    WINDOW,
    Batch,
    Platform,
    Workload,
)


@dataclass(frozen=True)
class Enrolment:
    """The enterprises of a population, and a customs officer, enrolled in a platform's gateway
    once (runs on one platform share them)."""

    officer: IssuedCredentials
    parties: dict[str, IssuedCredentials]

    @classmethod
    async def of(cls, platform: Platform, workload: Workload) -> Enrolment:
        officer = await asyncio.to_thread(
            platform.enroll, OFFICER, "Customs officers of the drill", ["customs-officer"]
        )
        parties = {}
        for party in workload.population.parties():
            parties[party.code] = await asyncio.to_thread(
                platform.enroll, party.code, party.name, list(party.roles)
            )
        return cls(officer, parties)


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
    applied_before: dict[str, Counter[tuple[str, str]]]
    """Service → its inbox rows by (consumer, event type) before the run (earlier runs')."""

    def latency_s(self) -> list[float]:
        return sorted(self.released[o] - self.sent[o] for o in self.released if o in self.sent)


class Driver:
    def __init__(
        self,
        platform: Platform,
        workload: Workload,
        *,
        rate: float = RATE,
        window: int = WINDOW,
        enrolment: Enrolment | None = None,
    ) -> None:
        self.platform = platform
        self.workload = workload
        self.enrolment = enrolment
        self.cursors: dict[str, str] = {}
        """Where each enterprise's receipts of this run begin (after earlier runs')."""
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
        if self.enrolment is None:
            self.enrolment = await Enrolment.of(self.platform, self.workload)
        self.officer = self.enrolment.officer
        for code, issued in self.enrolment.parties.items():
            self.clients[code] = self.platform.async_client(
                issued,
                timeout=httpx.Timeout(60.0, connect=5.0),
                limits=httpx.Limits(max_connections=32, max_keepalive_connections=8),
            )
        for code, client in self.clients.items():
            self.cursors[code] = await _end_of_receipts(client)

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
        print(  # noqa: T201
            f"[drill] {name} at {self.filed} orders filed, {self.requests_in_flight} requests "
            "in flight",
            flush=True,
        )
        return fault

    def end(self, fault: Fault) -> None:
        fault.ended = time.monotonic()
        fault.pending = {o for o in self.sent if o not in self.released or o not in self.filed_at}
        print(  # noqa: T201
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
        print(  # noqa: T201
            f"[drill] {fault.name}: ready after {fault.ready - fault.ended:.1f} s", flush=True
        )

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

                def may_go(i: int = index) -> bool:
                    return self.in_flight() < self.window and i < self.limit

                await self._progress.wait_for(may_go)
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
        cursor = self.cursors.get(party, "")
        while True:
            try:
                answer = await client.get(_receipts_page(cursor))
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
        applied_before = {
            name: tables["inbox"] for name, tables in (await database_counts(self.platform)).items()
        }
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
            applied_before=applied_before,
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


def _receipts_page(cursor: str) -> str:
    """An enterprise's receipts after ``cursor`` (from its first when empty), a page of 1,000."""
    return "/v1/receipts?limit=1000" + (f"&cursor={cursor}" if cursor else "")


async def _end_of_receipts(client: AsyncGatewayClient) -> str:
    """The cursor after an enterprise's receipts so far (those of earlier runs)."""
    cursor = ""
    while True:
        answer = await client.get(_receipts_page(cursor))
        answer.raise_for_status()
        page = answer.json()
        cursor = page["cursor"] or cursor
        if not page["more"]:
            return str(cursor)


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
