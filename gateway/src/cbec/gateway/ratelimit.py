"""Per-enterprise rate limit: a token bucket in memory (one per gateway process).

    limiter = TokenBuckets(rate=20.0, burst=100)
    wait = limiter.take("EBC0000001")    # 0.0: go on; > 0: seconds until a token is free

Each enterprise's bucket holds up to ``burst`` tokens and refills at ``rate`` tokens per second;
a request takes one. With several gateway replicas each holds its own buckets, so the effective
limit is the per-replica limit times the replicas (a shared store is not worth its latency here).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float


class TokenBuckets:
    def __init__(
        self, rate: float, burst: int, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be positive and burst at least 1")
        self.rate = rate
        self.burst = float(burst)
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}

    def take(self, key: str) -> float:
        """Take a token for ``key``: 0.0 if one was free, else the seconds until one is."""
        now = self._clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(self.burst, now)
        else:
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
            bucket.updated = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return 0.0
        return (1.0 - bucket.tokens) / self.rate

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
