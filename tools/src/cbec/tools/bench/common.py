"""The benchmark's settings, its statistics and its output to the terminal."""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from typing import Any

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


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)  # noqa: T201


def progress_bar(enabled: bool, total: int, label: str) -> Any:
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(total=total, desc=label, unit="list", file=sys.stderr, dynamic_ncols=True)


def fmt(value: Any) -> str:
    return "-" if value is None else f"{value:g}"
