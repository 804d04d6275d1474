"""The per-enterprise token bucket."""

from __future__ import annotations

import pytest

from cbec.gateway.ratelimit import InFlight, TokenBuckets, TooBusy


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


def test_waiting_tells_when_a_token_is_free_without_taking_one() -> None:
    clock = Clock()
    buckets = TokenBuckets(rate=0.5, burst=2, clock=clock)
    assert buckets.wait("ip:192.0.2.1") == 0.0
    buckets.take("ip:192.0.2.1")
    buckets.take("ip:192.0.2.1")
    assert buckets.wait("ip:192.0.2.1") == pytest.approx(2.0)
    assert buckets.wait("ip:192.0.2.1") == pytest.approx(2.0)
    clock.now += 2.0
    assert buckets.wait("ip:192.0.2.1") == 0.0


def test_made_up_keys_do_not_grow_the_buckets_without_bound() -> None:
    clock = Clock()
    buckets = TokenBuckets(rate=1.0, burst=1, clock=clock, max_keys=100)
    for i in range(1000):
        buckets.take(f"key:ck_{i}")
        clock.now += 1.0
    assert len(buckets) <= 100


def test_an_enterprise_holds_at_most_its_slots_and_frees_them() -> None:
    in_flight = InFlight(limit=2)
    with in_flight.slot("E1"), in_flight.slot("E1"):
        with pytest.raises(TooBusy):
            in_flight.acquire("E1")
        with in_flight.slot("E2"):
            assert in_flight.running("E2") == 1
        assert in_flight.running("E1") == 2
    assert in_flight.running("E1") == 0
    with pytest.raises(ValueError, match="limit"):
        InFlight(limit=0)
