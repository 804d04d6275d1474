"""What the processes use (memory, CPU, from /proc) and where their time goes (py-spy)."""

from __future__ import annotations

import os
import re
import shutil
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

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


# -- what the processes counted ------------------------------------------------------------------


async def platform_counts(
    urls: dict[str, str], timeout: float = 5.0
) -> dict[str, dict[str, float]]:
    """From each process's ``/metrics``: SQL statements, events published (outbox rows
    acknowledged), and events its consumers applied and skipped, by process. A process that
    does not answer is left out."""
    found: dict[str, dict[str, float]] = {}
    async with httpx.AsyncClient(timeout=timeout) as client:
        for name, url in urls.items():
            try:
                response = await client.get(url)
                response.raise_for_status()
            except httpx.HTTPError:
                continue
            found[name] = _counts_of(response.text)
    return found


def _counts_of(text: str) -> dict[str, float]:
    counts = {"statements": 0.0, "published": 0.0, "applied": 0.0, "skipped": 0.0}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if not sample.name.endswith("_total"):
                continue
            if sample.name == "cbec_db_statements_total":
                counts["statements"] += sample.value
            elif sample.name == "cbec_outbox_published_total":
                counts["published"] += sample.value
            elif sample.name == "cbec_consumer_events_total":
                outcome = sample.labels.get("outcome")
                if outcome == "applied":
                    counts["applied"] += sample.value
                elif outcome == "ignored":
                    counts["skipped"] += sample.value
    return counts


def counts_per_order(
    before: dict[str, dict[str, float]], after: dict[str, dict[str, float]], orders: int
) -> dict[str, dict[str, float]]:
    """What each process counted during a step, per order: ``{"statements": {name: n}, ...}``."""
    per: dict[str, dict[str, float]] = {}
    for name, counts in sorted(after.items()):
        start = before.get(name, {})
        for what, value in counts.items():
            delta = value - start.get(what, 0.0)
            if delta > 0:
                per.setdefault(what, {})[name] = round(delta / max(orders, 1), 2)
    return per
