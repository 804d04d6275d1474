"""``cbec bench e2e``: its options, and the run from the command line to the results file."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import json
import os
import platform
import shutil
import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cbec.gateway.services import IssuedCredentials
from cbec.tools.bench.common import DEFAULT_RATES, MAX_BATCH, say
from cbec.tools.bench.ramp import Bench
from cbec.tools.bench.report import chart, report
from cbec.tools.bench.target import Target, embedded_platform, remote_platform
from cbec.tools.bench.traffic import Options
from cbec.tools.loadgen import (
    INVENTORIES_PATH,
    ORDERS_PATH,
    RECEIPTS_PATH,
    WAYBILLS_PATH,
)


def register(bench: Any) -> None:
    """Add ``cbec bench e2e`` (a ``cbec.bench`` entry point: takes the bench sub-parsers)."""
    p = bench.add_parser(
        "e2e",
        help="lists released per second and release latency through the whole platform",
        description=(
            "Export lists released per second through the whole platform, and the latency from "
            "an order's last document accepted to its release receipt, at a ramp of offered "
            "rates (see the README, 'Benchmark: end to end')."
        ),
    )
    p.add_argument("--rates", default=DEFAULT_RATES, help="offered orders per second, a ramp")
    p.add_argument("--duration", type=float, default=20.0, help="seconds per step")
    p.add_argument("--warmup", type=float, default=None, help="seconds before the window")
    p.add_argument("--tick", type=float, default=1.0, help="an ERP sends a batch per tick")
    p.add_argument("--drain-timeout", type=float, default=30.0, help="give up after no progress")
    p.add_argument("--poll-interval", type=float, default=0.2, help="receipt polling interval")
    p.add_argument(
        "--poll-by",
        choices=["platforms", "sellers"],
        default="platforms",
        help="who polls the release receipts: the e-commerce platforms, or every seller",
    )
    p.add_argument("--sellers", type=int, default=12, help="e-commerce enterprises")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--tag", default=None, help="in every document number (default from --seed)")
    p.add_argument("--p99-limit", type=float, default=1.0, help="seconds; for the knee")
    p.add_argument(
        "--stop-below",
        type=float,
        default=0.5,
        help="end the ramp after a step achieving less than this share of its rate (0: never)",
    )
    p.add_argument("--max-inflight", type=int, default=256, help="requests in flight at most")
    p.add_argument("--out", default="bench-results/e2e.json", help="the results as JSON")
    p.add_argument("--chart", default="bench-results/e2e.png", help="the chart as PNG")
    p.add_argument(
        "--profile",
        default=None,
        help="py-spy on this service (or 'auto': the busiest) during one step",
    )
    p.add_argument(
        "--profile-step", type=int, default=None, help="only this step (default: every step)"
    )
    p.add_argument("--profile-seconds", type=float, default=10.0)
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--keep-data", action="store_true", help="keep the platform's data and logs")
    p.add_argument(
        "--data-dir", default=None, help="the platform's folder, kept (default: temporary, removed)"
    )
    p.add_argument("--gateway-url", default=None, help="a running gateway instead of our own")
    p.add_argument(
        "--operator-credentials",
        default=None,
        help="JSON file as printed by `cbec enterprise add --roles operator` (with --gateway-url)",
    )
    p.add_argument(
        "--pid", action="append", default=[], help="NAME=PID of a process to watch (remote)"
    )
    p.set_defaults(func=main)


def options_of(args: argparse.Namespace) -> Options:
    rates = [float(r) for r in str(args.rates).split(",") if r.strip()]
    if not rates or any(r <= 0 for r in rates):
        raise ValueError("--rates: positive numbers, comma-separated")
    out = Path(args.out)
    return Options(
        rates=rates,
        duration=args.duration,
        warmup=args.warmup,
        tick=args.tick,
        drain_timeout=args.drain_timeout,
        poll_interval=args.poll_interval,
        poll_by=args.poll_by,
        sellers=args.sellers,
        seed=args.seed,
        tag=args.tag if args.tag is not None else f"{args.seed % 100:02d}",
        p99_limit=args.p99_limit,
        stop_below=args.stop_below,
        max_inflight=args.max_inflight,
        profile=args.profile,
        profile_step=args.profile_step,
        profile_seconds=args.profile_seconds,
        profile_out=out.with_name(out.stem + "-profile.txt"),  # + step and service
        progress=not args.no_progress,
    )


def _meta(options: Options, target: Target) -> dict[str, Any]:
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    return {
        "benchmark": "cbec bench e2e",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "host": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "system": platform.platform(),
            "load_average_at_start": [round(v, 2) for v in load] if load else None,
        },
        "target": {
            "mode": target.mode,
            "gateway_url": target.gateway_url,
            "processes": sorted(target.processes),
            "settings": target.settings,
        },
        "options": {
            "rates": options.rates,
            "duration_s": options.duration,
            "warmup_s": options.warmup_for(),
            "tick_s": options.tick,
            "poll_interval_s": options.poll_interval,
            "poll_by": options.poll_by,
            "drain_timeout_s": options.drain_timeout,
            "sellers": options.sellers,
            "seed": options.seed,
            "tag": options.tag,
            "batch_limit": MAX_BATCH,
            "documents_per_order": {
                "order (CEB303)": ORDERS_PATH,
                "receipt of funds (CEB403)": RECEIPTS_PATH,
                "waybill (CEB505)": WAYBILLS_PATH,
                "inventory list (CEB603)": INVENTORIES_PATH,
            },
        },
    }


def _pids(values: Sequence[str]) -> dict[str, int]:
    pids = {}
    for value in values:
        name, _, pid = value.partition("=")
        if not pid.isdigit():
            raise ValueError(f"--pid {value!r}: NAME=PID")
        pids[name] = int(pid)
    return pids


def main(args: argparse.Namespace) -> int:
    try:
        options = options_of(args)
        pids = _pids(args.pid)
    except ValueError as error:
        say(f"cbec bench e2e: {error}")
        return 2
    log = io.StringIO()
    with contextlib.ExitStack() as stack:
        if args.gateway_url:
            if not args.operator_credentials:
                say("cbec bench e2e: --gateway-url needs --operator-credentials")
                return 2
            try:
                operator = IssuedCredentials.model_validate_json(
                    Path(args.operator_credentials).read_text(encoding="utf-8")
                )
            except (OSError, ValueError) as error:
                say(f"cbec bench e2e: --operator-credentials: {error}")
                return 2
            target = remote_platform(args.gateway_url.rstrip("/"), operator, pids)
        else:
            data_dir = Path(args.data_dir or tempfile.mkdtemp(prefix="cbec-bench-"))
            if not (args.keep_data or args.data_dir):
                stack.callback(shutil.rmtree, data_dir, True)
            say(f"starting the platform under {data_dir} ...")
            try:
                target = stack.enter_context(embedded_platform(data_dir, log))
            except Exception as error:
                say(f"the platform did not start: {error}\n{log.getvalue()}")
                return 1
        meta = _meta(options, target)
        bench = Bench(options, target)
        try:
            result = asyncio.run(bench.run())
        except KeyboardInterrupt:
            say("interrupted")
            return 130
        if target.data_dir is not None and (args.keep_data or args.data_dir):
            say(f"the platform's data and logs are under {target.data_dir}")
    result = {**meta, **result}
    others = [s["other_cpu_pct"] for s in result["steps"] if s.get("other_cpu_pct") is not None]
    result["title"] = (
        f"cbec bench e2e, {meta['date'][:10]}, {meta['host']['cpus']} CPUs, {target.mode} "
        f"platform, {options.duration:g} s per step"
        + (f"; other work on the machine: {max(others):.0f} % of a core" if others else "")
    )
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if args.chart:
        chart(result, Path(args.chart))
    print(report(result))  # noqa: T201
    say(f"results: {out}" + (f", chart: {args.chart}" if args.chart else ""))
    return 0 if result["totals"]["lists_released"] > 0 else 1
