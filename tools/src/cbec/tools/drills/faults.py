"""The faults a drill injects: services killed in turn, the broker paused, the database
restarted."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cbec.tools.drills.driver import Driver


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


Chaos = Callable[["Driver"], Coroutine[Any, Any, None]]
"""A fault schedule: it strikes through the driver, while the driver files."""


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
