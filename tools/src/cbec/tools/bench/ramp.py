"""The ramp of offered rates: each step's orders sent, released, timed and profiled."""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cbec.tools.bench.common import progress_bar, say, summary_ms
from cbec.tools.bench.erp import Erps
from cbec.tools.bench.report import knee, step_line
from cbec.tools.bench.resources import (
    counts_per_order,
    platform_counts,
    py_spy,
    top_of_profile,
)
from cbec.tools.bench.traffic import OrderState, StepCounters, schedule
from cbec.tools.loadgen import (
    ExportOrder,
)


class Bench(Erps):
    """The ramp: one step per offered rate, each measured and reported."""

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
        bar = progress_bar(options.progress, count, f"{rate:g}/s ({index + 1})")

        counted = await platform_counts(self.target.metrics)
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
        used["per_order"] = counts_per_order(
            counted, await platform_counts(self.target.metrics), len(orders)
        )
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
            **({"profile": profile_brief(profile_info)} if profile_info else {}),
        }

    # -- profile -----------------------------------------------------------------------------
    async def profile(self, service: str, warmup: float) -> dict[str, Any] | None:
        """py-spy on one service's process after the warm-up; the top of its samples."""
        binary = py_spy()
        pid = self.target.processes.get(service)
        if binary is None or pid is None:
            reason = "py-spy not found" if binary is None else f"no process {service!r} to profile"
            say(f"profile skipped: {reason}")
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
                        service = busiest(steps[-1] if steps else None, self.target.services)
                result, profiled = await self.step(index, rate, service)
                profile_result = profiled or profile_result
                steps.append(result)
                say(step_line(result))
                if result["achieved_rate"] < options.stop_below * rate or result["unresolved"]:
                    if index + 1 < len(options.rates):
                        say(
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


def profile_brief(info: dict[str, Any]) -> dict[str, Any]:
    """What a step keeps of its profile: the service, the file and the top packages."""
    brief: dict[str, Any] = {k: info[k] for k in ("service", "file", "samples") if k in info}
    brief["packages"] = info.get("packages", [])[:6]
    if "error" in info:
        brief["error"] = info["error"]
    return brief


def busiest(step: dict[str, Any] | None, services: Sequence[str]) -> str:
    """The service that used the most CPU in the step before (the gateway at first); the
    gateway when no service is known (a remote platform without --pid: nothing to profile)."""
    if not services:
        return "gateway"
    if step is None:
        return "gateway" if "gateway" in services else services[0]
    cpu = step.get("cpu_pct", {})
    return max(services, key=lambda name: cpu.get(name, 0.0))
