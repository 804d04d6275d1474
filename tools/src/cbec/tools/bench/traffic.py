"""The step's traffic: the orders on their way, the batches the ERPs send and the options."""

from __future__ import annotations

import math
import random
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cbec.tools.bench.common import MAX_BATCH
from cbec.tools.loadgen import (
    ExportOrder,
    encode,
)


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
