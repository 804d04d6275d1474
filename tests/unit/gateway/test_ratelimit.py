"""The per-enterprise token bucket."""

from __future__ import annotations

import pytest

from cbec.gateway.ratelimit import TokenBuckets


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_passes_then_the_next_request_waits_for_a_token() -> None:
    clock = Clock()
    buckets = TokenBuckets(rate=2.0, burst=3, clock=clock)
    assert [buckets.take("E1") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert buckets.take("E1") == pytest.approx(0.5)
    clock.now += 0.5
    assert buckets.take("E1") == 0.0


def test_each_enterprise_has_its_own_bucket() -> None:
    buckets = TokenBuckets(rate=1.0, burst=1, clock=Clock())
    assert buckets.take("E1") == 0.0
    assert buckets.take("E1") > 0
    assert buckets.take("E2") == 0.0


def test_full_buckets_are_forgotten_and_busy_ones_kept() -> None:
    clock = Clock()
    buckets = TokenBuckets(rate=1.0, burst=2, clock=clock)
    buckets.take("E1")
    buckets.take("E2")
    buckets.take("E2")
    clock.now += 1.0
    assert buckets.forget_idle() == 1
    assert buckets.take("E2") == 0.0
    assert buckets.take("E2") > 0


def test_a_bucket_needs_a_positive_rate() -> None:
    with pytest.raises(ValueError, match="rate"):
        TokenBuckets(rate=0, burst=1)
