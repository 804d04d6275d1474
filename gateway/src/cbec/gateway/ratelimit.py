"""The gateway's limits, in memory (one set per gateway process).

    limiter = TokenBuckets(rate=20.0, burst=100)
    wait = limiter.take("EBC0000001")    # 0.0: go on; > 0: seconds until a token is free
    failures = TokenBuckets(rate=0.2, burst=20)
    wait = failures.wait("ip:192.0.2.7")  # > 0: no token left, refuse before any work
    in_flight = InFlight(limit=4)
    with in_flight.slot("EBC0000001"):    # TooBusy when 4 of its requests are running
        ...

Each enterprise's bucket holds up to ``burst`` tokens and refills at ``rate`` tokens per second;
a request takes one. With several gateway replicas each holds its own buckets, so the effective
limit is the per-replica limit times the replicas (a shared store is not worth its latency here).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float


class TokenBuckets:
    def __init__(
        self,
        rate: float,
        burst: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 100_000,
    ) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be positive and burst at least 1")
        self.max_keys = max_keys
        self.rate = rate
        self.burst = float(burst)
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}

    def take(self, key: str) -> float:
        """Take a token for ``key``: 0.0 if one was free, else the seconds until one is."""
        now = self._clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= self.max_keys:
                self.forget_idle()  # keys a client makes up (failed key ids) stay bounded
            bucket = self._buckets[key] = _Bucket(self.burst, now)
        else:
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
            bucket.updated = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return 0.0
        return (1.0 - bucket.tokens) / self.rate

    def wait(self, key: str) -> float:
        """Seconds until ``key`` has a token (0.0 if it has one now), taking none."""
        bucket = self._buckets.get(key)
        if bucket is None:
            return 0.0
        tokens = min(self.burst, bucket.tokens + (self._clock() - bucket.updated) * self.rate)
        return 0.0 if tokens >= 1.0 else (1.0 - tokens) / self.rate

    def __len__(self) -> int:
        return len(self._buckets)

    def forget_idle(self) -> int:
        """Drop the buckets that are full again (they behave as new ones); returns how many."""
        now = self._clock()
        idle = [
            key
            for key, b in self._buckets.items()
            if b.tokens + (now - b.updated) * self.rate >= self.burst
        ]
        for key in idle:
            del self._buckets[key]
        return len(idle)


class TooBusy(Exception):
    """All of a key's in-flight slots are taken."""


class InFlight:
    """At most ``limit`` requests of one key (an enterprise) running at once in this process.

    The rate limit bounds how many requests an enterprise starts per second; this bounds how
    many it holds at a time, and so its share of what every enterprise waits for on the one
    event loop: the upstream connection pool, the database connections, the CPU between
    awaits. A flooding enterprise queues behind itself, not in front of the others."""

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self.limit = limit
        self._running: dict[str, int] = {}

    def running(self, key: str) -> int:
        return self._running.get(key, 0)

    def acquire(self, key: str) -> None:
        """Take a slot of ``key``; TooBusy when it has none left."""
        count = self._running.get(key, 0)
        if count >= self.limit:
            raise TooBusy(key)
        self._running[key] = count + 1

    def release(self, key: str) -> None:
        count = self._running.get(key, 0) - 1
        if count > 0:
            self._running[key] = count
        else:
            self._running.pop(key, None)

    @contextmanager
    def slot(self, key: str) -> Iterator[None]:
        self.acquire(key)
        try:
            yield
        finally:
            self.release(key)
