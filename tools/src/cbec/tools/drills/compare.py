"""A drill's outcome against the fault-free run's, and the report of its times."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from cbec.tools.drills.driver import Run
from cbec.tools.drills.outcome import Outcome
from cbec.tools.drills.workload import LIST_RELEASED, RATE, Workload

# -- comparing ------------------------------------------------------------------------------------


def _diff_counters(
    what: str, expected: Counter[Any], got: Counter[Any], limit: int = 5
) -> list[str]:
    missing = expected - got
    extra = got - expected
    problems = []
    if missing:
        problems.append(
            f"{what}: {sum(missing.values())} missing, e.g. {list(missing.items())[:limit]}"
        )
    if extra:
        problems.append(f"{what}: {sum(extra.values())} extra, e.g. {list(extra.items())[:limit]}")
    return problems


def first_difference(a: Any, b: Any, path: str = "") -> str | None:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            if key not in a or key not in b:
                return f"{path}.{key}: {a.get(key)!r} != {b.get(key)!r}"
            found = first_difference(a[key], b[key], f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} items != {len(b)} items ({a!r:.300} vs {b!r:.300})"
        for index, (x, y) in enumerate(zip(a, b, strict=True)):
            found = first_difference(x, y, f"{path}[{index}]")
            if found:
                return found
        return None
    return None if a == b else f"{path}: {a!r:.200} != {b!r:.200}"


def compare(expected: Outcome, got: Outcome) -> list[str]:
    """What differs from the run without faults: final states, receipts, events, effects."""
    problems: list[str] = []
    differing = [
        (no, first_difference(state, got.states.get(no)))
        for no, state in expected.states.items()
        if state != got.states.get(no)
    ]
    if differing:
        problems.append(
            f"{len(differing)} of {len(expected.states)} orders end in another state, e.g. "
            + "; ".join(f"{no} {where}" for no, where in differing[:3])
        )
    for party in sorted(set(expected.receipts) | set(got.receipts)):
        problems += _diff_counters(
            f"receipts of {party}",
            expected.receipts.get(party, Counter()),
            got.receipts.get(party, Counter()),
        )
    for party, count in got.duplicate_receipts.items():
        if count:
            problems.append(f"{party} polled {count} receipts twice")
    problems += _diff_counters("events on the topics", expected.events, got.events)
    for service in sorted(set(expected.inbox) | set(got.inbox)):
        problems += _diff_counters(
            f"events applied by {service}",
            expected.inbox.get(service, Counter()),
            got.inbox.get(service, Counter()),
        )
    problems += [f"{topic}: {n} dead letters" for topic, n in got.dead_letters.items() if n]
    problems += [f"{name}: {n} outbox rows unsent" for name, n in got.outbox_unsent.items() if n]
    return problems


def sanity(outcome: Outcome, run: Run, workload: Workload) -> list[str]:
    """What must hold of any run, the one without faults included."""
    problems = list(run.problems[:15])
    if len(run.problems) > 15:
        problems.append(f"... {len(run.problems) - 15} more problems of the ERPs")
    missing = [o.order_no for o in workload.orders if o.order_no not in run.released]
    if missing:
        problems.append(f"{len(missing)} lists not released, e.g. {missing[:5]}")
    released = Counter(key for (kind, key) in outcome.events.elements() if kind == LIST_RELEASED)
    twice = [key for key, n in released.items() if n > 1]
    if twice:
        problems.append(f"{len(twice)} lists released twice (distinct events), e.g. {twice[:5]}")
    problems += [f"{t}: {n} dead letters" for t, n in outcome.dead_letters.items() if n]
    problems += [f"{s}: {n} outbox rows unsent" for s, n in outcome.outbox_unsent.items() if n]
    problems += [
        f"{p} polled {n} receipts twice" for p, n in outcome.duplicate_receipts.items() if n
    ]
    return problems


# -- the report ------------------------------------------------------------------------------------


def percentile(values: Sequence[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round((len(ordered) - 1) * p / 100))]


def report(name: str, run: Run, workload: Workload, outcome: Outcome) -> dict[str, Any]:
    latency = run.latency_s()
    return {
        "drill": name,
        "orders": len(workload.orders),
        "rate": RATE,
        "wall_s": round(run.wall_s, 1),
        "faults": [f.report() for f in run.faults],
        "latency_s": {
            "p50": _round(percentile(latency, 50)),
            "p99": _round(percentile(latency, 99)),
            "max": _round(max(latency, default=None)),
        },
        "retries": dict(run.retries),
        "republished_records": outcome.republished,
        "events": sum(outcome.events.values()),
    }


def _round(value: float | None) -> float | None:
    return round(value, 2) if value is not None else None


def write_report(path: Path, entries: Iterable[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(list(entries), indent=2), encoding="utf-8")
