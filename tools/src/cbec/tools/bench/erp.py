"""The ERPs of the benchmark: they file each step's batches and poll their receipts."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import httpx

from cbec.gateway.client import AsyncGatewayClient
from cbec.tools.bench.common import (
    HELD_STATUSES,
    LIST_REJECTED,
    LIST_RELEASED,
    LIST_STATUS_CHANGED,
)
from cbec.tools.bench.resources import Resources
from cbec.tools.bench.target import Target
from cbec.tools.bench.traffic import Batch, Options, OrderState, StepCounters
from cbec.tools.loadgen import (
    OrderGenerator,
    Population,
)


class Erps:
    """The enterprises' side of the benchmark: their clients, what they send and the receipts
    they poll, order by order."""

    def __init__(self, options: Options, target: Target) -> None:
        self.options = options
        self.target = target
        self.population = Population.generate(options.seed, sellers=options.sellers)
        self.generator = OrderGenerator(self.population, options.seed, tag=options.tag)
        self.orders: dict[str, OrderState] = {}
        self.clients: dict[str, AsyncGatewayClient] = {}
        self.counters = StepCounters()
        self.step_index = 0
        self.resources = Resources(target.processes)
        self.poll_errors: Counter[str] = Counter()
        self.idle_cpu_pct: dict[str, float] = {}
        self._stopping = asyncio.Event()

    # -- setup -------------------------------------------------------------------------------
    async def enroll(self) -> None:
        for party in self.population.parties():
            issued = await self.target.register(party)
            self.clients[party.code] = AsyncGatewayClient(
                self.target.gateway_url,
                issued.keyId,
                issued.secret,
                timeout=httpx.Timeout(120.0, connect=10.0),
                limits=httpx.Limits(max_connections=16, max_keepalive_connections=16),
            )

    async def close(self) -> None:
        for client in self.clients.values():
            await client.aclose()

    # -- receipts ----------------------------------------------------------------------------
    async def poll_receipts(self, party: str) -> None:
        """An enterprise's ERP: receipts after its cursor, again at once while pages are full."""
        client = self.clients[party]
        cursor = ""
        while not self._stopping.is_set():
            query = "/v1/receipts?limit=1000" + (f"&cursor={cursor}" if cursor else "")
            try:
                answer = await client.get(query)
            except httpx.HTTPError as error:
                self.poll_errors[type(error).__name__] += 1
                await asyncio.sleep(self.options.poll_interval)
                continue
            if answer.status_code != 200:
                self.poll_errors[str(answer.status_code)] += 1
                await asyncio.sleep(self.options.poll_interval)
                continue
            seen, wall = time.monotonic(), time.time()
            page = answer.json()
            for receipt in page["receipts"]:
                self.on_receipt(receipt, seen, wall)
            cursor = page["cursor"]
            if not page["more"]:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), self.options.poll_interval)

    def on_receipt(self, receipt: dict[str, Any], seen: float, wall: float) -> None:
        state = self.orders.get(receipt.get("orderNo") or "")
        if state is None:
            return
        kind = receipt.get("type")
        if kind == LIST_RELEASED and state.released is None:
            state.released = seen
            state.released_wall = event_time(receipt.get("time")) or wall
            if state.step == self.step_index:
                self.counters.released_at.append(seen)
            self._settle(state)
        elif kind == LIST_REJECTED or (
            kind == LIST_STATUS_CHANGED and receipt.get("returnStatus") in HELD_STATUSES
        ):
            held = f"list {receipt.get('returnStatus', '100')}: {receipt.get('returnInfo', '')}"
            state.outcome = state.outcome or held[:300]
            self._settle(state)

    def _settle(self, state: OrderState) -> None:
        """Count an order once it is released, or will not be (its documents all answered)."""
        if state.settled or state.step != self.step_index:
            return
        if state.released is not None or (state.outcome is not None and state.pending == 0):
            state.settled = True
            self.counters.settled += 1

    # -- submissions -------------------------------------------------------------------------
    async def send(self, batch: Batch) -> None:
        counters = self.counters
        client = self.clients[batch.submitter]
        headers = {"Content-Type": "application/json", "Idempotency-Key": batch.key}
        answer: httpx.Response | None = None
        started = first = time.monotonic()
        for _attempt in range(6):
            started = time.monotonic()
            try:
                answer = await client.post(batch.path, content=batch.body, headers=headers)
            except httpx.HTTPError as error:
                counters.errors.append(f"{batch.path}: {type(error).__name__} {error}"[:300])
                answer = None
                break
            counters.requests += 1
            if answer.status_code not in (429, 503):
                break
            counters.retries += 1
            wait = float(answer.headers.get("Retry-After", "1") or 1)
            await asyncio.sleep(min(wait, 5.0))
        done, wall = time.monotonic(), time.time()
        counters.request_seconds.append(done - started)
        receipts: list[dict[str, Any]] = []
        problem = ""
        if answer is None:
            problem = "no answer"
        elif answer.status_code != 200:
            problem = f"HTTP {answer.status_code} {answer.text[:200]}"
            counters.errors.append(f"{batch.path}: {problem}")
        else:
            receipts = answer.json().get("receipts", [])
        for index, order_no in enumerate(batch.order_nos):
            state = self.orders[order_no]
            state.pending -= 1
            state.sent = max(state.sent, first)
            state.accepted = max(state.accepted, done)
            state.accepted_wall = max(state.accepted_wall, wall)
            if state.pending == 0:
                counters.accepted += 1
            if problem:
                state.outcome = state.outcome or f"{batch.path}: {problem}"
            else:
                receipt = receipts[index] if index < len(receipts) else {}
                status = str(receipt.get("returnStatus", "?"))
                counters.statuses[batch.path][status] += 1
                if status.startswith("-") or status in ("100", "?"):
                    reason = f"{batch.path}: {status} {receipt.get('returnInfo', '')}"[:300]
                    state.outcome = state.outcome or reason
                    if len(counters.refused) < 5:
                        counters.refused.append(reason)
            self._settle(state)

    async def submit(self, batches: Sequence[Batch]) -> None:
        """Send each batch at its moment (open loop: late answers do not hold back the next
        batches, up to ``max_inflight`` requests in flight)."""
        inflight = asyncio.Semaphore(self.options.max_inflight)
        tasks: set[asyncio.Task[None]] = set()
        start = time.monotonic()

        async def one(batch: Batch) -> None:
            try:
                await self.send(batch)
            finally:
                inflight.release()

        for batch in batches:
            delay = start + batch.offset - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            await inflight.acquire()
            self.counters.lag = max(self.counters.lag, time.monotonic() - start - batch.offset)
            task = asyncio.create_task(one(batch))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        if tasks:
            await asyncio.gather(*tasks)


def event_time(value: Any) -> float | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value).timestamp()
    except ValueError:
        return None
