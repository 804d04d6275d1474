"""``cbec bench e2e``: export lists released per second through the whole platform, and how long
an order waits from its last document accepted to its release receipt, at a ramp of offered rates.

    cbec bench e2e                                   # its own platform, default ramp
    cbec bench e2e --rates 25,50,100 --duration 20 --out results.json --chart bench.png
    cbec bench e2e --profile auto                    # py-spy on the busiest service
    cbec bench e2e --gateway-url http://gw:8000 --operator-credentials operator.json

By default it starts the platform as ``cbec up`` does (its own embedded broker, the four services
and the gateway as separate processes, SQLite files in a temporary folder, ports that are free),
with the benchmark's settings (:data:`PLATFORM_ENV`). It registers the enterprises of a generated
population (:mod:`cbec.gateway.loadgen`), then for each offered rate submits that many export
orders per second for ``--duration`` seconds: each order's four documents (order, receipt of
funds, waybill, inventory list) are filed by their own enterprises as signed JSON batches of up to
100, one batch per enterprise and document kind per tick, at random moments within the tick (the
ERPs are not in step). The e-commerce platforms follow their orders' clearance by polling their
receipts (``GET /v1/receipts``; every list's events name its platform), or, with ``--poll-by
sellers``, each e-commerce enterprise polls its own: twelve pollers where two suffice, and each
signed poll costs the gateway a write (its nonce), so the default keeps the observer's own load
small.

Per step it reports:

* achieved throughput: release receipts seen per second in the step's window after warm-up;
* latency (p50/p95/p99): from the moment the last of an order's four documents was accepted (its
  batch answered) to the moment a poll returned the release receipt; beside it, from
  accepted to released by customs (the receipt's event time; 0 when customs released the list
  before the ERP had its answer), from the last document sent to the release receipt (queueing
  at the gateway included), and the time each request took;
* the resident memory (VmRSS, highest sample) and CPU share of every process, the broker and the
  load generator included, and how busy the machine was (other work on it shows there);
* with ``--profile SERVICE`` (or ``auto``: the busiest service of the step before), py-spy's
  samples of that process after the warm-up, summed by package and function.

The knee is the highest offered rate whose achieved throughput is within 90 % of it, with every
list released and p99 not exploded (``--p99-limit``, or three times the first step's p99). The
ramp stops early when a step falls below half its offered rate.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import json
import math
import os
import platform
import random
import re
import shutil
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from cbec.gateway.client import AsyncGatewayClient
from cbec.gateway.loadgen import (
    INVENTORIES_PATH,
    ORDERS_PATH,
    RECEIPTS_PATH,
    WAYBILLS_PATH,
    ExportOrder,
    OrderGenerator,
    Party,
    Population,
    encode,
)
from cbec.gateway.services import IssuedCredentials

DEFAULT_RATES = "5,10,20,40,80,160,320,640,1400"
MAX_BATCH = 100
"""Documents per request: the standard's limit (one document or an array of up to 100)."""

LIST_RELEASED = "cbec.declaration.list.released.v1"
LIST_REJECTED = "cbec.declaration.list.rejected.v1"
LIST_STATUS_CHANGED = "cbec.declaration.list.status_changed.v1"
HELD_STATUSES = frozenset({"100", "300", "500"})
"""Rejected, manual review, inspection (DOMAIN.md §3): the list will not be released by itself."""

BENCH_RULES = """\
# The declaration rules of `cbec bench e2e`: the example values of the declaration service
# (rules.example.toml) with random inspection off, so that every well-formed list is released
# by the rules and each one counts in the throughput. Risk screening still runs on every list.

[three_document]
amount_tolerance = "0"
document_wait = "P3D"

[import_limits]
per_transaction = "5000"
annual = "26000"

[risk]
negative_list = ["3701999999"]
usual_prices = [
  { gcode = "3304990099", currency = "142", unit = "011", price = "120" },
  { gcode = "8517130000", currency = "142", unit = "001", price = "2500" },
  { gcode = "6109100022", currency = "502", unit = "011", price = "8" },
]
price_tolerance_factor = "3"
split_order_limit = "5000"
repeated_mismatch_threshold = 3
inspection_rate = "0"
inspection_rate_by_grade = {}
selection_seed = "bench"

[summary]
max_items_per_form = 50
deadline_day = 15
"""

PLATFORM_ENV = {
    # The benchmark's enterprises file far more than an ERP's default allowance (20 requests
    # per second, 4 at a time): the limits are not what is measured.
    "RATE_LIMIT_PER_SECOND": "100000",
    "RATE_LIMIT_BURST": "100000",
    "MAX_IN_FLIGHT_PER_ENTERPRISE": "100000",
}
"""Settings of the platform the benchmark starts, besides DECLARATION_RULES_FILE (the rules
above); everything else keeps its default."""


# -- statistics ----------------------------------------------------------------------------------


def percentile(sorted_values: Sequence[float], p: float) -> float:
    """Linear interpolation between the closest ranks (p in 0..100)."""
    if not sorted_values:
        return math.nan
    rank = (len(sorted_values) - 1) * p / 100
    low = math.floor(rank)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (rank - low)


def summary_ms(values: Sequence[float]) -> dict[str, float | int | None]:
    """p50/p95/p99/max/mean of durations in seconds, in milliseconds."""
    ordered = sorted(values)
    if not ordered:
        return {"count": 0, "p50": None, "p95": None, "p99": None, "max": None, "mean": None}
    return {
        "count": len(ordered),
        "p50": round(percentile(ordered, 50) * 1000, 1),
        "p95": round(percentile(ordered, 95) * 1000, 1),
        "p99": round(percentile(ordered, 99) * 1000, 1),
        "max": round(ordered[-1] * 1000, 1),
        "mean": round(sum(ordered) / len(ordered) * 1000, 1),
    }


# -- the platform under test ---------------------------------------------------------------------


@dataclass
class Target:
    """Where the documents go: the gateway, the processes to watch (name → pid), how an
    enterprise gets registered."""

    gateway_url: str
    processes: dict[str, int]
    services: list[str]
    register: Callable[[Party], Awaitable[IssuedCredentials]]
    mode: str
    data_dir: Path | None = None
    settings: dict[str, str] = field(default_factory=dict)


START_ATTEMPTS = 3


def _free_port_block(names_ports: Sequence[int]) -> int:
    from cbec.shared.embedded import free_port, port_is_free

    for _ in range(50):
        offset = free_port() - 8000
        if offset > 0 and all(port_is_free(p + offset) for p in names_ports):
            return offset
    raise RuntimeError("no free block of ports for the platform")


@contextlib.contextmanager
def embedded_platform(data_dir: Path, log: io.StringIO) -> Iterator[Target]:
    """The platform as ``cbec up`` runs it, with its own broker, under ``data_dir``."""
    from cbec.gateway.cli import add_enterprise
    from cbec.gateway.settings import DEVELOPMENT_SECRET_KEY, Settings
    from cbec.shared.embedded import free_port
    from cbec.shared.registry import services
    from cbec.shared.stack import Stack, StackError

    rules = data_dir / "bench-rules.toml"
    data_dir.mkdir(parents=True, exist_ok=True)
    rules.write_text(BENCH_RULES, encoding="utf-8")
    env = {**PLATFORM_ENV, "DECLARATION_RULES_FILE": str(rules)}
    # Its own broker: not one named by KAFKA_BOOTSTRAP_SERVERS, whose topics hold other events.
    saved = os.environ.pop("KAFKA_BOOTSTRAP_SERVERS", None)
    try:
        for attempt in range(1, START_ATTEMPTS + 1):
            stack = Stack(
                data_dir=data_dir,
                port_offset=_free_port_block([d.port for d in services()]),
                broker_port=free_port(),
                out=log,
                env=env,
            )
            try:
                stack.start()
                break
            except StackError as error:
                stack.stop()
                # Another program may take a port between our look and the service's bind.
                if attempt == START_ATTEMPTS:
                    raise
                log.write(f"attempt {attempt}: {error}; starting again on other ports\n")
                for leftover in data_dir.glob("*.db*"):
                    leftover.unlink()
            except BaseException:
                stack.stop()
                raise
    finally:
        if saved is not None:
            os.environ["KAFKA_BOOTSTRAP_SERVERS"] = saved
    try:
        gateway = stack.proc("gateway")
        settings = Settings(
            database_url=gateway.env["DATABASE_URL"],
            gateway_secret_key=gateway.env.get("GATEWAY_SECRET_KEY", DEVELOPMENT_SECRET_KEY),
        )

        async def register(party: Party) -> IssuedCredentials:
            return await add_enterprise(
                settings, code=party.code, name=party.name, roles=list(party.roles)
            )

        processes = {p.descriptor.name: p.process.pid for p in stack.procs if p.process is not None}
        if stack.broker is not None and stack.broker.process is not None:
            processes["broker"] = stack.broker.process.pid
        yield Target(
            gateway_url=gateway.url,
            processes=processes,
            services=[p.descriptor.name for p in stack.procs],
            register=register,
            mode="embedded",
            data_dir=stack.data_dir,
            settings={**env, "partitions": str(stack.partitions)},
        )
    finally:
        stack.stop()


def remote_platform(url: str, operator: IssuedCredentials, pids: dict[str, int]) -> Target:
    """A running gateway: enterprises apply and the operator approves them."""

    async def register(party: Party) -> IssuedCredentials:
        application = {
            "code": party.code,
            "name": party.name,
            "roles": list(party.roles),
            "contact": "bench@example.com",
        }
        async with httpx.AsyncClient(base_url=url, timeout=30) as anonymous:
            applied = await anonymous.post("/v1/enterprises/applications", json=application)
        if applied.status_code != 201:
            raise RuntimeError(
                f"registering {party.code}: {applied.status_code} {applied.text[:300]} "
                "(an enterprise of this --seed may already be registered: choose another)"
            )
        async with AsyncGatewayClient(url, operator.keyId, operator.secret, timeout=30) as op:
            approved = await op.post(f"/v1/enterprises/applications/{applied.json()['id']}/approve")
        if approved.status_code != 201:
            raise RuntimeError(f"approving {party.code}: {approved.status_code} {approved.text}")
        return IssuedCredentials.model_validate(approved.json())

    return Target(
        gateway_url=url,
        processes=dict(pids),
        services=[name for name in pids if name != "broker"],
        register=register,
        mode="remote",
    )


# -- resources -----------------------------------------------------------------------------------

CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def _cpu_seconds(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        # After the command name: state is field 3, utime 14 and stime 15 (1-based).
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    except (OSError, ValueError, IndexError):
        return None


def _machine_ticks() -> tuple[int, int] | None:
    """(busy, total) jiffies of all CPUs from /proc/stat."""
    try:
        values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    except (OSError, ValueError, IndexError):
        return None
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return sum(values) - idle, sum(values)


class Resources:
    """Highest RSS and CPU share of each process over a step, and how busy the machine was."""

    def __init__(self, processes: dict[str, int]) -> None:
        self.processes = {**processes, "loadgen": os.getpid()}
        self.peak: dict[str, float] = {}
        self._cpu0: dict[str, float | None] = {}
        self._machine0: tuple[int, int] | None = None
        self._t0 = 0.0

    def begin(self) -> None:
        self.peak = {}
        self._cpu0 = {name: _cpu_seconds(pid) for name, pid in self.processes.items()}
        self._machine0 = _machine_ticks()
        self._t0 = time.monotonic()
        self.sample()

    def sample(self) -> None:
        for name, pid in self.processes.items():
            rss = _rss_mb(pid)
            if rss is not None:
                self.peak[name] = max(self.peak.get(name, 0.0), rss)

    def end(self) -> dict[str, Any]:
        self.sample()
        wall = max(time.monotonic() - self._t0, 1e-6)
        cpu: dict[str, float] = {}
        seconds: dict[str, float] = {}
        for name, pid in self.processes.items():
            before, after = self._cpu0.get(name), _cpu_seconds(pid)
            if before is not None and after is not None:
                seconds[name] = after - before
                cpu[name] = round((after - before) / wall * 100, 1)
        machine = _machine_ticks()
        busy: float | None = None
        if machine is not None and self._machine0 is not None:
            total = machine[1] - self._machine0[1]
            busy = round((machine[0] - self._machine0[0]) / total * 100, 1) if total else None
        cores = os.cpu_count() or 1
        ours = sum(cpu.values())
        return {
            "rss_mb": {name: round(value, 1) for name, value in sorted(self.peak.items())},
            "cpu_pct": dict(sorted(cpu.items())),
            "cpu_s": {name: round(value, 2) for name, value in sorted(seconds.items())},
            "measured_s": round(wall, 2),
            "machine_busy_pct": busy,
            # CPU the machine spent on other work, in % of one core (other test runs ...).
            "other_cpu_pct": round(max(busy * cores - ours, 0.0), 1) if busy is not None else None,
        }


# -- profile -------------------------------------------------------------------------------------


_LIBRARY = re.compile(r"/python3\.\d+/(?:(?:site|dist)-packages/)?")


def short_frame(frame: str) -> str:
    """A py-spy frame with its file shortened to the package path: ``execute
    (/…/site-packages/sqlalchemy/engine/base.py)`` → ``execute (sqlalchemy/engine/base.py)``; the
    platform's own files as ``cbec/gateway/api.py``."""
    function, _, where = frame.rpartition(" (")
    path = where.rstrip(")")
    if "/cbec/" in path:
        path = "cbec/" + path.rsplit("/cbec/", 1)[1]
    else:
        ends = [m.end() for m in _LIBRARY.finditer(path)]
        path = path[ends[-1] :] if ends else path.rsplit("/", 1)[-1]
    return f"{function} ({path})" if function else frame


def _package(frame: str) -> str:
    """Where a (shortened) frame's code lives: ``sqlalchemy``, ``asyncio``, ``cbec.gateway``."""
    path = frame.rpartition(" (")[2].rstrip(")")
    parts = path.split("/")
    if parts[0] == "cbec" and len(parts) > 2:
        return f"cbec.{parts[1]}"
    if len(parts) == 1:
        return path.removesuffix(".py")
    return parts[0]


def top_of_profile(raw: str, limit: int = 15) -> dict[str, Any]:
    """Self and inclusive shares of functions and packages from py-spy's raw (collapsed) output:
    one line per stack, ``frame;frame;... count``, frames as ``function (file)``."""
    total = 0
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    packages: Counter[str] = Counter()
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        frames = [short_frame(f) for f in stack.split(";")]
        total += n
        own[frames[-1]] += n
        packages[_package(frames[-1])] += n
        for frame in set(frames):
            inclusive[frame] += n

    def shares(counter: Counter[str], keep: Callable[[str], bool] = lambda _: True) -> list[Any]:
        return [
            {"name": name, "pct": round(n / total * 100, 1)}
            for name, n in counter.most_common()
            if keep(name)
        ][:limit]

    return {
        "samples": total,
        "self": shares(own),
        "packages": shares(packages),
        "platform_inclusive": shares(inclusive, _platform_frame),
    }


def _platform_frame(frame: str) -> bool:
    """The platform's own code, less the command line every service starts from."""
    return "(cbec/" in frame and "(cbec/shared/cli.py)" not in frame


def py_spy() -> str | None:
    beside = Path(sys.executable).with_name("py-spy")
    return str(beside) if beside.exists() else shutil.which("py-spy")


# -- the run -------------------------------------------------------------------------------------


@dataclass(slots=True)
class OrderState:
    """One order's documents and list as the ERPs see them (monotonic clock, wall clock where
    compared with the platform's event times)."""

    step: int
    pending: int
    """Documents not answered yet."""
    sent: float = 0.0
    """When the last of its documents was sent."""
    accepted: float = 0.0
    """When the last of its documents was accepted (its batch answered)."""
    accepted_wall: float = 0.0
    released: float | None = None
    """When a poll returned the release receipt."""
    released_wall: float | None = None
    """When customs released the list (the receipt's event time)."""
    outcome: str | None = None
    """Why the list will not be released: a refused document, or the list held (100/300/500)."""
    settled: bool = False


@dataclass(slots=True)
class Batch:
    offset: float
    submitter: str
    path: str
    body: bytes
    order_nos: tuple[str, ...]
    key: str


@dataclass
class StepCounters:
    requests: int = 0
    retries: int = 0
    errors: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    statuses: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    request_seconds: list[float] = field(default_factory=list)
    released_at: list[float] = field(default_factory=list)
    lag: float = 0.0
    accepted: int = 0
    """Orders whose four documents were answered."""
    settled: int = 0
    """Orders released, or known not to be (a document refused, the list held)."""


def schedule(
    orders: Sequence[ExportOrder], rate: float, tick: float, rng: random.Random, label: str
) -> list[Batch]:
    """The step's requests: per tick, the documents of that tick's orders grouped by enterprise
    and kind, in batches of up to 100, each sent at a random moment within the tick."""
    per_tick = rate * tick
    ticks = max(1, math.ceil(len(orders) / per_tick))
    batches: list[Batch] = []
    for k in range(ticks):
        chunk = orders[round(k * per_tick) : round((k + 1) * per_tick)]
        groups: dict[tuple[str, str], list[tuple[str, dict[str, Any]]]] = defaultdict(list)
        for order in chunk:
            for doc in order.documents:
                groups[(doc.submitter, doc.path)].append((order.order_no, doc.body))
        for (submitter, path), docs in groups.items():
            for start in range(0, len(docs), MAX_BATCH):
                part = docs[start : start + MAX_BATCH]
                batches.append(
                    Batch(
                        offset=(k + rng.random()) * tick,
                        submitter=submitter,
                        path=path,
                        body=encode([body for _, body in part]),
                        order_nos=tuple(no for no, _ in part),
                        key=f"{label}-{path.rsplit('/', 1)[1]}-{part[0][0]}-{len(part)}",
                    )
                )
    batches.sort(key=lambda b: b.offset)
    return batches


@dataclass
class Options:
    rates: list[float]
    duration: float = 20.0
    warmup: float | None = None
    tick: float = 1.0
    drain_timeout: float = 30.0
    poll_interval: float = 0.2
    poll_by: str = "platforms"
    sellers: int = 12
    seed: int = 1
    tag: str = ""
    p99_limit: float = 1.0
    stop_below: float = 0.5
    max_inflight: int = 256
    profile: str | None = None
    profile_step: int | None = None
    profile_seconds: float = 10.0
    profile_out: Path | None = None
    progress: bool = True

    def warmup_for(self) -> float:
        if self.warmup is not None:
            return min(self.warmup, self.duration * 0.8)
        return min(self.duration * 0.25, 5.0)


class Bench:
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
            state.released_wall = _event_time(receipt.get("time")) or wall
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

    # -- one step ----------------------------------------------------------------------------
    async def step(
        self, index: int, rate: float, profile: str | None
    ) -> tuple[dict[str, Any], dict[str, Any] | None]:
        options = self.options
        self.step_index = index
        self.counters = StepCounters()
        count = max(1, round(rate * options.duration))
        orders = self.generator.take(count)
        for order in orders:
            self.orders[order.order_no] = OrderState(step=index, pending=len(order.documents))
        batches = schedule(
            orders, rate, options.tick, random.Random(f"{options.seed}:{index}"), f"s{index}"
        )
        warmup = options.warmup_for()
        bar = _progress(options.progress, count, f"{rate:g}/s ({index + 1})")

        self.resources.begin()
        started = time.monotonic()
        sender = asyncio.create_task(self.submit(batches))
        profiler = asyncio.create_task(self.profile(profile, warmup)) if profile else None
        counters = self.counters
        last_progress, last_count = time.monotonic(), 0
        while True:
            await asyncio.sleep(0.25)
            self.resources.sample()
            released = len(counters.released_at)
            if bar is not None:
                bar.update(released - bar.n)
                bar.set_postfix(
                    accepted=counters.accepted, held=counters.settled - released, refresh=False
                )
            now = time.monotonic()
            if counters.settled != last_count:
                last_progress, last_count = now, counters.settled
            if sender.done() and counters.settled == count:
                break
            if sender.done() and now - last_progress > options.drain_timeout:
                break
        await sender
        ended = time.monotonic()
        if bar is not None:
            bar.close()
        profile_info = await profiler if profiler is not None else None
        used = self.resources.end()
        result = self._step_result(index, rate, orders, started, ended, warmup, used, profile_info)
        return result, profile_info

    def _step_result(
        self,
        index: int,
        rate: float,
        orders: Sequence[ExportOrder],
        started: float,
        ended: float,
        warmup: float,
        used: dict[str, Any],
        profile_info: dict[str, Any] | None,
    ) -> dict[str, Any]:
        options, counters = self.options, self.counters
        states = [self.orders[o.order_no] for o in orders]
        released = [s for s in states if s.released is not None]
        latency = [max(s.released - s.accepted, 0.0) for s in released if s.released is not None]
        since_sent = [s.released - s.sent for s in released if s.released is not None]
        decided = [
            max(s.released_wall - s.accepted_wall, 0.0)
            for s in released
            if s.released_wall is not None
        ]
        window = (started + warmup, started + options.duration)
        in_window = sum(1 for t in counters.released_at if window[0] <= t <= window[1])
        last = max((s.released for s in released if s.released is not None), default=started)
        outcomes = Counter(
            (s.outcome or "").split(":")[0] for s in states if s.released is None and s.outcome
        )
        return {
            "step": index + 1,
            "offered_rate": rate,
            "duration_s": options.duration,
            "orders": len(states),
            "documents": sum(len(o.documents) for o in orders),
            "requests": counters.requests,
            "retries": counters.retries,
            "released": len(released),
            "not_released": dict(outcomes),
            "unresolved": sum(1 for s in states if s.released is None and s.outcome is None),
            "achieved_rate": round(in_window / (window[1] - window[0]), 1),
            "overall_rate": round(len(released) / max(last - started, 1e-6), 1),
            "drain_s": round(max(last - (started + options.duration), 0.0), 2),
            "generator_lag_s": round(counters.lag, 3),
            "wall_s": round(ended - started, 1),
            "latency_ms": summary_ms(latency),
            "release_latency_ms": summary_ms(decided),
            "since_sent_ms": summary_ms(since_sent),
            "request_ms": summary_ms(counters.request_seconds),
            "statuses": {path: dict(c) for path, c in counters.statuses.items()},
            "errors": counters.errors[:5],
            "refused": counters.refused,
            "held": [s.outcome for s in states if s.released is None and s.outcome][:5],
            **used,
            # CPU time per order: less sensitive than throughput to other work on the machine;
            # net of what the process uses when idle.
            "cpu_ms_per_order": {
                name: round(value / len(states) * 1000, 1) for name, value in used["cpu_s"].items()
            },
            "cpu_ms_per_order_net": {
                name: round(
                    max(value - self.idle_cpu_pct.get(name, 0.0) / 100 * used["measured_s"], 0.0)
                    / len(states)
                    * 1000,
                    1,
                )
                for name, value in used["cpu_s"].items()
            },
            **({"profile": _profile_brief(profile_info)} if profile_info else {}),
        }

    # -- profile -----------------------------------------------------------------------------
    async def profile(self, service: str, warmup: float) -> dict[str, Any] | None:
        """py-spy on one service's process after the warm-up; the top of its samples."""
        binary = py_spy()
        pid = self.target.processes.get(service)
        if binary is None or pid is None:
            reason = "py-spy not found" if binary is None else f"no process {service!r} to profile"
            _say(f"profile skipped: {reason}")
            return None
        await asyncio.sleep(warmup)
        seconds = max(1, round(min(self.options.profile_seconds, self.options.duration - warmup)))
        base = self.options.profile_out or Path("profile.txt")
        out = base.with_name(f"{base.stem}-{self.step_index + 1}-{service}{base.suffix}")
        out.parent.mkdir(parents=True, exist_ok=True)
        info: dict[str, Any] = {
            "service": service,
            "pid": pid,
            "seconds": seconds,
            "file": str(out),
        }
        process = await asyncio.create_subprocess_exec(
            binary,
            "record",
            "--pid",
            str(pid),
            "--duration",
            str(seconds),
            "--rate",
            "100",
            "--format",
            "raw",
            "--nolineno",
            "--full-filenames",
            "--nonblocking",
            "--output",
            str(out),
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        _, stderr = await process.communicate()
        if process.returncode != 0 or not out.exists():
            info["error"] = stderr.decode(errors="replace")[-500:]
            return info
        info.update(top_of_profile(out.read_text(errors="replace")))
        return info

    # -- the whole ramp ----------------------------------------------------------------------
    async def idle(self, seconds: float = 5.0) -> dict[str, Any]:
        """What the processes use with no traffic (their periodic work: relays, schedulers,
        consumers polling), to tell it from what the orders cost."""
        self.resources.begin()
        await asyncio.sleep(seconds)
        used = self.resources.end()
        self.idle_cpu_pct = dict(used["cpu_pct"])
        return used

    async def run(self) -> dict[str, Any]:
        options = self.options
        await self.enroll()
        idle = await self.idle()
        observers = (
            [s.party for s in self.population.sellers]
            if options.poll_by == "sellers"
            else list(self.population.platforms)
        )
        pollers = [asyncio.create_task(self.poll_receipts(p.code)) for p in observers]
        steps: list[dict[str, Any]] = []
        profile_result: dict[str, Any] | None = None
        try:
            for index, rate in enumerate(options.rates):
                service = None
                if options.profile and options.profile_step in (None, index + 1):
                    service = options.profile
                    if service == "auto":
                        service = _busiest(steps[-1] if steps else None, self.target.services)
                result, profiled = await self.step(index, rate, service)
                profile_result = profiled or profile_result
                steps.append(result)
                _say(_step_line(result))
                if result["achieved_rate"] < options.stop_below * rate or result["unresolved"]:
                    if index + 1 < len(options.rates):
                        _say(
                            "stopping the ramp: the platform is past its knee "
                            f"({result['achieved_rate']:g}/s of {rate:g}/s offered)"
                        )
                    break
        finally:
            self._stopping.set()
            await asyncio.gather(*pollers, return_exceptions=True)
            await self.close()
        submitted = sum(s["orders"] for s in steps)
        released = sum(s["released"] for s in steps)
        return {
            "population": {
                "platforms": len(self.population.platforms),
                "sellers": len(self.population.sellers),
                "brokers": len(self.population.brokers),
                "carriers": len(self.population.carriers),
                "payment_institutions": len(self.population.payers),
            },
            "idle": {k: idle[k] for k in ("cpu_pct", "rss_mb", "other_cpu_pct")},
            "steps": steps,
            "knee": knee(steps, options.p99_limit),
            "totals": {
                "orders": submitted,
                "documents": sum(s["documents"] for s in steps),
                "lists_released": released,
                "not_released": submitted - released,
                "receipt_poll_errors": dict(self.poll_errors),
            },
            "profile": profile_result,
        }


def _profile_brief(info: dict[str, Any]) -> dict[str, Any]:
    """What a step keeps of its profile: the service, the file and the top packages."""
    brief: dict[str, Any] = {k: info[k] for k in ("service", "file", "samples") if k in info}
    brief["packages"] = info.get("packages", [])[:6]
    if "error" in info:
        brief["error"] = info["error"]
    return brief


def _event_time(value: Any) -> float | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value).timestamp()
    except ValueError:
        return None


def _busiest(step: dict[str, Any] | None, services: Sequence[str]) -> str:
    """The service that used the most CPU in the step before (the gateway at first); the
    gateway when no service is known (a remote platform without --pid: nothing to profile)."""
    if not services:
        return "gateway"
    if step is None:
        return "gateway" if "gateway" in services else services[0]
    cpu = step.get("cpu_pct", {})
    return max(services, key=lambda name: cpu.get(name, 0.0))


def knee(steps: Sequence[dict[str, Any]], p99_limit_s: float) -> dict[str, Any] | None:
    """The highest offered rate the platform kept up with: achieved ≥ 90 % of offered, every
    list released, and p99 within max(the limit, 3 × the first step's p99)."""
    if not steps:
        return None
    first_p99 = steps[0]["latency_ms"]["p99"] or 0.0
    limit_ms = max(p99_limit_s * 1000, 3 * first_p99)
    kept_up = [
        s
        for s in steps
        if s["achieved_rate"] >= 0.9 * s["offered_rate"]
        and s["released"] == s["orders"]
        and s["latency_ms"]["p99"] is not None
        and s["latency_ms"]["p99"] <= limit_ms
    ]
    if not kept_up:
        return None
    best = max(kept_up, key=lambda s: s["offered_rate"])
    return {
        "offered_rate": best["offered_rate"],
        "achieved_rate": best["achieved_rate"],
        "latency_ms": best["latency_ms"],
        "p99_limit_ms": limit_ms,
    }


# -- output --------------------------------------------------------------------------------------


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)  # noqa: T201


def _progress(enabled: bool, total: int, label: str) -> Any:
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(total=total, desc=label, unit="list", file=sys.stderr, dynamic_ncols=True)


def _fmt(value: Any) -> str:
    return "-" if value is None else f"{value:g}"


def _step_line(step: dict[str, Any]) -> str:
    lat = step["latency_ms"]
    return (
        f"offered {step['offered_rate']:g}/s: released {step['released']}/{step['orders']}, "
        f"achieved {step['achieved_rate']:g}/s, latency p50 {_fmt(lat['p50'])} ms "
        f"p95 {_fmt(lat['p95'])} ms p99 {_fmt(lat['p99'])} ms, drain {step['drain_s']:g} s"
    )


def report(result: dict[str, Any]) -> str:
    """The results as a Markdown table (what the README shows)."""
    steps = result["steps"]
    names = sorted({name for s in steps for name in s["rss_mb"]})
    lines = [
        "| offered /s | achieved /s | released | p50 ms | p95 ms | p99 ms | "
        "platform CPU ms per order, net of idle | busiest (CPU %) | max RSS MB "
        "| other work (% of a core) |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |",
    ]
    for s in steps:
        lat = s["latency_ms"]
        cpu = {k: v for k, v in s["cpu_pct"].items() if k != "loadgen"}
        busiest = max(cpu, key=cpu.__getitem__) if cpu else "-"
        rss = max((s["rss_mb"].get(n, 0.0) for n in names if n != "loadgen"), default=0.0)
        per_order = sum(v for k, v in s.get("cpu_ms_per_order_net", {}).items() if k != "loadgen")
        lines.append(
            f"| {s['offered_rate']:g} | {s['achieved_rate']:g} | {s['released']}/{s['orders']} "
            f"| {_fmt(lat['p50'])} | {_fmt(lat['p95'])} | {_fmt(lat['p99'])} "
            f"| {per_order:.0f} | {busiest} ({cpu.get(busiest, 0):g}) | {rss:.0f} "
            f"| {_fmt(s.get('other_cpu_pct'))} |"
        )
    k = result.get("knee")
    lines.append("")
    if k:
        lat = k["latency_ms"]
        lines.append(
            f"Knee: {k['offered_rate']:g} lists/s offered, {k['achieved_rate']:g}/s achieved, "
            f"p50 {_fmt(lat['p50'])} ms, p95 {_fmt(lat['p95'])} ms, p99 {_fmt(lat['p99'])} ms."
        )
    else:
        lines.append("Knee: none of the steps kept up (see the table).")
    if steps:
        peak: dict[str, float] = defaultdict(float)
        for s in steps:
            for name, value in s["rss_mb"].items():
                peak[name] = max(peak[name], value)
        lines.append(
            "Highest RSS: " + ", ".join(f"{n} {v:.0f} MB" for n, v in sorted(peak.items())) + "."
        )
        last = steps[-1].get("cpu_ms_per_order_net", {})
        lines.append(
            f"CPU per order at {steps[-1]['offered_rate']:g}/s (ms, net of idle): "
            + ", ".join(f"{n} {v:g}" for n, v in sorted(last.items(), key=lambda kv: -kv[1]))
            + "."
        )
    idle = result.get("idle")
    if idle:
        lines.append(
            "Idle (no traffic), CPU % of a core: "
            + ", ".join(f"{n} {v:g}" for n, v in idle["cpu_pct"].items())
            + "."
        )
    profile = result.get("profile")
    if profile and profile.get("self"):
        lines.append("")
        lines.append(
            f"Profile of {profile['service']} ({profile['samples']} samples over "
            f"{profile['seconds']} s): by package "
            + ", ".join(f"{p['name']} {p['pct']:g} %" for p in profile["packages"][:8])
        )
        lines.append("Top functions (self): ")
        lines += [f"  {p['pct']:5.1f} %  {p['name']}" for p in profile["self"][:12]]
        lines.append("Platform code (inclusive): ")
        lines += [f"  {p['pct']:5.1f} %  {p['name']}" for p in profile["platform_inclusive"][:10]]
    elif profile and profile.get("error"):
        lines.append(f"Profile failed: {profile['error']}")
    return "\n".join(lines)


def chart(result: dict[str, Any], path: Path) -> None:
    """Offered vs achieved throughput, latency percentiles and memory per step, as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import LogLocator, NullFormatter, ScalarFormatter

    steps = result["steps"]
    offered = [s["offered_rate"] for s in steps]
    fig, (left, middle, right) = plt.subplots(1, 3, figsize=(13, 4), dpi=80)
    top = max([*offered, *(s["achieved_rate"] for s in steps), 1.0])
    geometric = len(offered) > 2 and max(offered) >= 4 * min(offered)
    diagonal = offered if geometric else [0.0, top]
    left.plot(diagonal, diagonal, color="0.8", linestyle="--", label="offered = achieved")
    left.plot(offered, [s["achieved_rate"] for s in steps], marker="o", label="achieved")
    k = result.get("knee")
    if k:
        left.axvline(k["offered_rate"], color="tab:red", linestyle=":", label="knee")
    left.set(title="Throughput", xlabel="offered (orders/s)", ylabel="lists released per second")
    left.legend(loc="upper left", fontsize="small")
    if geometric:
        left.set_yscale("log")
        left.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
        left.yaxis.set_major_formatter(ScalarFormatter())
        left.yaxis.set_minor_formatter(NullFormatter())
    for name, colour in (("p50", "tab:green"), ("p95", "tab:orange"), ("p99", "tab:red")):
        values = [s["latency_ms"][name] for s in steps]
        middle.plot(
            offered, [v / 1000 if v is not None else math.nan for v in values], marker="o",
            color=colour, label=name,
        )  # fmt: skip
    middle.set(
        title="Last document accepted → release receipt",
        xlabel="offered (orders/s)",
        ylabel="seconds",
    )
    middle.set_yscale("log")
    middle.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
    middle.yaxis.set_major_formatter(ScalarFormatter())
    middle.yaxis.set_minor_formatter(NullFormatter())
    middle.legend(loc="upper left", fontsize="small")
    names = sorted({n for s in steps for n in s["rss_mb"]})
    for name in names:
        right.plot(offered, [s["rss_mb"].get(name) for s in steps], marker=".", label=name)
    right.axhline(200, color="0.6", linestyle="--", linewidth=1)
    right.set(title="Highest RSS per process", xlabel="offered (orders/s)", ylabel="MB")
    right.legend(loc="upper left", fontsize="x-small", ncol=2)
    for axis in (left, middle, right):
        axis.grid(True, alpha=0.3)
        if geometric:
            axis.set_xscale("log")
            axis.xaxis.set_major_formatter(ScalarFormatter())
            axis.xaxis.set_minor_formatter(NullFormatter())
            axis.set_xticks(offered)
    fig.suptitle(result.get("title", "cbec bench e2e"), fontsize="small")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)


# -- command -------------------------------------------------------------------------------------


def register(bench: Any) -> None:
    """Add ``cbec bench e2e`` (a ``cbec.bench`` entry point: takes the bench sub-parsers)."""
    p = bench.add_parser(
        "e2e",
        help="lists released per second and release latency through the whole platform",
        description=(
            "Export lists released per second through the whole platform, and the latency from "
            "an order's last document accepted to its release receipt, at a ramp of offered "
            "rates (see the README, 'Benchmark: end to end')."
        ),
    )
    p.add_argument("--rates", default=DEFAULT_RATES, help="offered orders per second, a ramp")
    p.add_argument("--duration", type=float, default=20.0, help="seconds per step")
    p.add_argument("--warmup", type=float, default=None, help="seconds before the window")
    p.add_argument("--tick", type=float, default=1.0, help="an ERP sends a batch per tick")
    p.add_argument("--drain-timeout", type=float, default=30.0, help="give up after no progress")
    p.add_argument("--poll-interval", type=float, default=0.2, help="receipt polling interval")
    p.add_argument(
        "--poll-by",
        choices=["platforms", "sellers"],
        default="platforms",
        help="who polls the release receipts: the e-commerce platforms, or every seller",
    )
    p.add_argument("--sellers", type=int, default=12, help="e-commerce enterprises")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--tag", default=None, help="in every document number (default from --seed)")
    p.add_argument("--p99-limit", type=float, default=1.0, help="seconds; for the knee")
    p.add_argument(
        "--stop-below",
        type=float,
        default=0.5,
        help="end the ramp after a step achieving less than this share of its rate (0: never)",
    )
    p.add_argument("--max-inflight", type=int, default=256, help="requests in flight at most")
    p.add_argument("--out", default="bench-results/e2e.json", help="the results as JSON")
    p.add_argument("--chart", default="bench-results/e2e.png", help="the chart as PNG")
    p.add_argument(
        "--profile",
        default=None,
        help="py-spy on this service (or 'auto': the busiest) during one step",
    )
    p.add_argument(
        "--profile-step", type=int, default=None, help="only this step (default: every step)"
    )
    p.add_argument("--profile-seconds", type=float, default=10.0)
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--keep-data", action="store_true", help="keep the platform's data and logs")
    p.add_argument(
        "--data-dir", default=None, help="the platform's folder, kept (default: temporary, removed)"
    )
    p.add_argument("--gateway-url", default=None, help="a running gateway instead of our own")
    p.add_argument(
        "--operator-credentials",
        default=None,
        help="JSON file as printed by `cbec enterprise add --roles operator` (with --gateway-url)",
    )
    p.add_argument(
        "--pid", action="append", default=[], help="NAME=PID of a process to watch (remote)"
    )
    p.set_defaults(func=main)


def options_of(args: argparse.Namespace) -> Options:
    rates = [float(r) for r in str(args.rates).split(",") if r.strip()]
    if not rates or any(r <= 0 for r in rates):
        raise ValueError("--rates: positive numbers, comma-separated")
    out = Path(args.out)
    return Options(
        rates=rates,
        duration=args.duration,
        warmup=args.warmup,
        tick=args.tick,
        drain_timeout=args.drain_timeout,
        poll_interval=args.poll_interval,
        poll_by=args.poll_by,
        sellers=args.sellers,
        seed=args.seed,
        tag=args.tag if args.tag is not None else f"{args.seed % 100:02d}",
        p99_limit=args.p99_limit,
        stop_below=args.stop_below,
        max_inflight=args.max_inflight,
        profile=args.profile,
        profile_step=args.profile_step,
        profile_seconds=args.profile_seconds,
        profile_out=out.with_name(out.stem + "-profile.txt"),  # + step and service
        progress=not args.no_progress,
    )


def _meta(options: Options, target: Target) -> dict[str, Any]:
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    return {
        "benchmark": "cbec bench e2e",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "host": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "system": platform.platform(),
            "load_average_at_start": [round(v, 2) for v in load] if load else None,
        },
        "target": {
            "mode": target.mode,
            "gateway_url": target.gateway_url,
            "processes": sorted(target.processes),
            "settings": target.settings,
        },
        "options": {
            "rates": options.rates,
            "duration_s": options.duration,
            "warmup_s": options.warmup_for(),
            "tick_s": options.tick,
            "poll_interval_s": options.poll_interval,
            "poll_by": options.poll_by,
            "drain_timeout_s": options.drain_timeout,
            "sellers": options.sellers,
            "seed": options.seed,
            "tag": options.tag,
            "batch_limit": MAX_BATCH,
            "documents_per_order": {
                "order (CEB303)": ORDERS_PATH,
                "receipt of funds (CEB403)": RECEIPTS_PATH,
                "waybill (CEB505)": WAYBILLS_PATH,
                "inventory list (CEB603)": INVENTORIES_PATH,
            },
        },
    }


def _pids(values: Sequence[str]) -> dict[str, int]:
    pids = {}
    for value in values:
        name, _, pid = value.partition("=")
        if not pid.isdigit():
            raise ValueError(f"--pid {value!r}: NAME=PID")
        pids[name] = int(pid)
    return pids


def main(args: argparse.Namespace) -> int:
    try:
        options = options_of(args)
        pids = _pids(args.pid)
    except ValueError as error:
        _say(f"cbec bench e2e: {error}")
        return 2
    log = io.StringIO()
    with contextlib.ExitStack() as stack:
        if args.gateway_url:
            if not args.operator_credentials:
                _say("cbec bench e2e: --gateway-url needs --operator-credentials")
                return 2
            try:
                operator = IssuedCredentials.model_validate_json(
                    Path(args.operator_credentials).read_text(encoding="utf-8")
                )
            except (OSError, ValueError) as error:
                _say(f"cbec bench e2e: --operator-credentials: {error}")
                return 2
            target = remote_platform(args.gateway_url.rstrip("/"), operator, pids)
        else:
            data_dir = Path(args.data_dir or tempfile.mkdtemp(prefix="cbec-bench-"))
            if not (args.keep_data or args.data_dir):
                stack.callback(shutil.rmtree, data_dir, True)
            _say(f"starting the platform under {data_dir} ...")
            try:
                target = stack.enter_context(embedded_platform(data_dir, log))
            except Exception as error:
                _say(f"the platform did not start: {error}\n{log.getvalue()}")
                return 1
        meta = _meta(options, target)
        bench = Bench(options, target)
        try:
            result = asyncio.run(bench.run())
        except KeyboardInterrupt:
            _say("interrupted")
            return 130
        if target.data_dir is not None and (args.keep_data or args.data_dir):
            _say(f"the platform's data and logs are under {target.data_dir}")
    result = {**meta, **result}
    others = [s["other_cpu_pct"] for s in result["steps"] if s.get("other_cpu_pct") is not None]
    result["title"] = (
        f"cbec bench e2e, {meta['date'][:10]}, {meta['host']['cpus']} CPUs, {target.mode} "
        f"platform, {options.duration:g} s per step"
        + (f"; other work on the machine: {max(others):.0f} % of a core" if others else "")
    )
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if args.chart:
        chart(result, Path(args.chart))
    print(report(result))  # noqa: T201
    _say(f"results: {out}" + (f", chart: {args.chart}" if args.chart else ""))
    return 0 if result["totals"]["lists_released"] > 0 else 1
