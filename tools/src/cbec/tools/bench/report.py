"""The results: the knee of the ramp, a line per step, the Markdown table and the chart."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cbec.tools.bench.common import fmt


def knee(steps: Sequence[dict[str, Any]], p99_limit_s: float) -> dict[str, Any] | None:
    """The highest offered rate the platform kept up with: achieved ≥ 90 % of offered, every
    list released, and p99 within max(the limit, 3 × the first step's p99)."""
    if not steps:
        return None
    first_p99 = steps[0]["latency_ms"]["p99"] or 0.0
    limit_ms = max(p99_limit_s * 1000, 3 * first_p99)
    kept_up = [
        s
        for s in steps
        if s["achieved_rate"] >= 0.9 * s["offered_rate"]
        and s["released"] == s["orders"]
        and s["latency_ms"]["p99"] is not None
        and s["latency_ms"]["p99"] <= limit_ms
    ]
    if not kept_up:
        return None
    best = max(kept_up, key=lambda s: s["offered_rate"])
    return {
        "offered_rate": best["offered_rate"],
        "achieved_rate": best["achieved_rate"],
        "latency_ms": best["latency_ms"],
        "p99_limit_ms": limit_ms,
    }


def step_line(step: dict[str, Any]) -> str:
    lat = step["latency_ms"]
    return (
        f"offered {step['offered_rate']:g}/s: released {step['released']}/{step['orders']}, "
        f"achieved {step['achieved_rate']:g}/s, latency p50 {fmt(lat['p50'])} ms "
        f"p95 {fmt(lat['p95'])} ms p99 {fmt(lat['p99'])} ms, drain {step['drain_s']:g} s"
    )


def _counted(step: dict[str, Any]) -> list[str]:
    """Statements and events per order of a step, by process (what their /metrics counted)."""
    lines = []
    counted = step.get("per_order", {})
    for what, label in (
        ("statements", "SQL statements"),
        ("published", "Events published"),
        ("applied", "Events applied by consumers"),
        ("skipped", "Events skipped unread by consumers"),
    ):
        by_process = counted.get(what)
        if by_process:
            lines.append(
                f"{label} per order at {step['offered_rate']:g}/s: "
                f"{sum(by_process.values()):.1f} ("
                + ", ".join(f"{n} {v:g}" for n, v in sorted(by_process.items()))
                + ")."
            )
    return lines


def report(result: dict[str, Any]) -> str:
    """The results as a Markdown table (what the README shows)."""
    steps = result["steps"]
    names = sorted({name for s in steps for name in s["rss_mb"]})
    lines = [
        "| offered /s | achieved /s | released | p50 ms | p95 ms | p99 ms | "
        "platform CPU ms per order, net of idle | busiest (CPU %) | max RSS MB "
        "| other work (% of a core) |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |",
    ]
    for s in steps:
        lat = s["latency_ms"]
        cpu = {k: v for k, v in s["cpu_pct"].items() if k != "loadgen"}
        busiest = max(cpu, key=cpu.__getitem__) if cpu else "-"
        rss = max((s["rss_mb"].get(n, 0.0) for n in names if n != "loadgen"), default=0.0)
        per_order = sum(v for k, v in s.get("cpu_ms_per_order_net", {}).items() if k != "loadgen")
        lines.append(
            f"| {s['offered_rate']:g} | {s['achieved_rate']:g} | {s['released']}/{s['orders']} "
            f"| {fmt(lat['p50'])} | {fmt(lat['p95'])} | {fmt(lat['p99'])} "
            f"| {per_order:.0f} | {busiest} ({cpu.get(busiest, 0):g}) | {rss:.0f} "
            f"| {fmt(s.get('other_cpu_pct'))} |"
        )
    k = result.get("knee")
    lines.append("")
    if k:
        lat = k["latency_ms"]
        lines.append(
            f"Knee: {k['offered_rate']:g} lists/s offered, {k['achieved_rate']:g}/s achieved, "
            f"p50 {fmt(lat['p50'])} ms, p95 {fmt(lat['p95'])} ms, p99 {fmt(lat['p99'])} ms."
        )
    else:
        lines.append("Knee: none of the steps kept up (see the table).")
    if steps:
        peak: dict[str, float] = defaultdict(float)
        for s in steps:
            for name, value in s["rss_mb"].items():
                peak[name] = max(peak[name], value)
        lines.append(
            "Highest RSS: " + ", ".join(f"{n} {v:.0f} MB" for n, v in sorted(peak.items())) + "."
        )
        last = steps[-1].get("cpu_ms_per_order_net", {})
        lines.append(
            f"CPU per order at {steps[-1]['offered_rate']:g}/s (ms, net of idle): "
            + ", ".join(f"{n} {v:g}" for n, v in sorted(last.items(), key=lambda kv: -kv[1]))
            + "."
        )
        lines += _counted(steps[-1])
    idle = result.get("idle")
    if idle:
        lines.append(
            "Idle (no traffic), CPU % of a core: "
            + ", ".join(f"{n} {v:g}" for n, v in idle["cpu_pct"].items())
            + "."
        )
    profile = result.get("profile")
    if profile and profile.get("self"):
        lines.append("")
        lines.append(
            f"Profile of {profile['service']} ({profile['samples']} samples over "
            f"{profile['seconds']} s): by package "
            + ", ".join(f"{p['name']} {p['pct']:g} %" for p in profile["packages"][:8])
        )
        lines.append("Top functions (self): ")
        lines += [f"  {p['pct']:5.1f} %  {p['name']}" for p in profile["self"][:12]]
        lines.append("Platform code (inclusive): ")
        lines += [f"  {p['pct']:5.1f} %  {p['name']}" for p in profile["platform_inclusive"][:10]]
    elif profile and profile.get("error"):
        lines.append(f"Profile failed: {profile['error']}")
    return "\n".join(lines)


def chart(result: dict[str, Any], path: Path) -> None:
    """Offered vs achieved throughput, latency percentiles and memory per step, as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import LogLocator, NullFormatter, ScalarFormatter

    steps = result["steps"]
    offered = [s["offered_rate"] for s in steps]
    fig, (left, middle, right) = plt.subplots(1, 3, figsize=(13, 4), dpi=80)
    top = max([*offered, *(s["achieved_rate"] for s in steps), 1.0])
    geometric = len(offered) > 2 and max(offered) >= 4 * min(offered)
    diagonal = offered if geometric else [0.0, top]
    left.plot(diagonal, diagonal, color="0.8", linestyle="--", label="offered = achieved")
    left.plot(offered, [s["achieved_rate"] for s in steps], marker="o", label="achieved")
    k = result.get("knee")
    if k:
        left.axvline(k["offered_rate"], color="tab:red", linestyle=":", label="knee")
    left.set(title="Throughput", xlabel="offered (orders/s)", ylabel="lists released per second")
    left.legend(loc="upper left", fontsize="small")
    if geometric:
        left.set_yscale("log")
        left.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
        left.yaxis.set_major_formatter(ScalarFormatter())
        left.yaxis.set_minor_formatter(NullFormatter())
    for name, colour in (("p50", "tab:green"), ("p95", "tab:orange"), ("p99", "tab:red")):
        values = [s["latency_ms"][name] for s in steps]
        middle.plot(
            offered, [v / 1000 if v is not None else math.nan for v in values], marker="o",
            color=colour, label=name,
        )  # fmt: skip
    middle.set(
        title="Last document accepted → release receipt",
        xlabel="offered (orders/s)",
        ylabel="seconds",
    )
    middle.set_yscale("log")
    middle.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
    middle.yaxis.set_major_formatter(ScalarFormatter())
    middle.yaxis.set_minor_formatter(NullFormatter())
    middle.legend(loc="upper left", fontsize="small")
    names = sorted({n for s in steps for n in s["rss_mb"]})
    for name in names:
        right.plot(offered, [s["rss_mb"].get(name) for s in steps], marker=".", label=name)
    right.axhline(200, color="0.6", linestyle="--", linewidth=1)
    right.set(title="Highest RSS per process", xlabel="offered (orders/s)", ylabel="MB")
    right.legend(loc="upper left", fontsize="x-small", ncol=2)
    for axis in (left, middle, right):
        axis.grid(True, alpha=0.3)
        if geometric:
            axis.set_xscale("log")
            axis.xaxis.set_major_formatter(ScalarFormatter())
            axis.xaxis.set_minor_formatter(NullFormatter())
            axis.set_xticks(offered)
    fig.suptitle(result.get("title", "cbec bench e2e"), fontsize="small")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
