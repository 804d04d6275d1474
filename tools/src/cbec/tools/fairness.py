"""How much a flooding enterprise slows a quiet one's submissions, on the real platform.

    python -m cbec.tools.fairness                      # the gateway's default limits
    python -m cbec.tools.fairness --limits off         # rate and in-flight limits lifted
    python -m cbec.tools.fairness --max-in-flight 2     # a smaller share per enterprise
    python -m cbec.tools.fairness --seconds 30 --flood-workers 64 --out fairness.json

It starts the platform as ``cbec up`` does (its own broker, the four services and the gateway as
processes, SQLite files in a temporary folder, free ports), registers two e-commerce
enterprises, and measures the quiet one's export orders (one order per request, one request
every ``--interval`` seconds, each waiting for its answer) for ``--seconds``: first alone, then
while the other floods the gateway with batches of ``--flood-batch`` orders from
``--flood-workers`` concurrent connections, as fast as it is answered. It prints p50, p95, p99
and the largest latency of the quiet enterprise's submissions in both phases, and what the
flooder was answered (200, 429 ...). Numbers depend on the machine and what else runs on it;
nothing here is a pass or fail.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx

from cbec.gateway.client import AsyncGatewayClient
from cbec.gateway.services import IssuedCredentials
from cbec.tools.bench.common import percentile
from cbec.tools.loadgen import ORDERS_PATH, OrderGenerator, Population

LIMITS_OFF = {
    "RATE_LIMIT_PER_SECOND": "1000000",
    "RATE_LIMIT_BURST": "1000000",
    "MAX_IN_FLIGHT_PER_ENTERPRISE": "1000000",
}


def _orders_of(generator: OrderGenerator, submitter: str, count: int) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    while len(found) < count:
        for document in generator.next().documents:
            if document.path == ORDERS_PATH and document.submitter == submitter:
                found.append(document.body)
    return found


def _summary(latencies: Sequence[float]) -> dict[str, float | int]:
    ordered = sorted(latencies)
    return {
        "requests": len(ordered),
        "p50_ms": round(percentile(ordered, 50) * 1000, 1),
        "p95_ms": round(percentile(ordered, 95) * 1000, 1),
        "p99_ms": round(percentile(ordered, 99) * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
    }


async def _quiet(
    client: AsyncGatewayClient, orders: list[dict[str, Any]], seconds: float, interval: float
) -> tuple[list[float], Counter[int]]:
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    end = time.monotonic() + seconds
    index = 0
    while time.monotonic() < end:
        started = time.monotonic()
        answer = await client.post(ORDERS_PATH, json=orders[index % len(orders)])
        latencies.append(time.monotonic() - started)
        statuses[answer.status_code] += 1
        index += 1
        await asyncio.sleep(max(0.0, interval - (time.monotonic() - started)))
    return latencies, statuses


async def _flood(
    client: AsyncGatewayClient, batch: list[dict[str, Any]], stop: asyncio.Event
) -> Counter[int]:
    statuses: Counter[int] = Counter()
    while not stop.is_set():
        try:
            answer = await client.post(ORDERS_PATH, json=batch)
            statuses[answer.status_code] += 1
        except httpx.HTTPError:
            statuses[0] += 1
    return statuses


async def measure(
    gateway_url: str,
    quiet: IssuedCredentials,
    flooder: IssuedCredentials,
    quiet_orders: list[dict[str, Any]],
    flood_orders: list[dict[str, Any]],
    *,
    seconds: float,
    interval: float,
    workers: int,
    batch_size: int,
) -> dict[str, Any]:
    limits = httpx.Limits(max_connections=workers + 4)
    timeout = httpx.Timeout(60.0)
    async with (
        AsyncGatewayClient(gateway_url, quiet.keyId, quiet.secret, timeout=timeout) as q,
        AsyncGatewayClient(
            gateway_url, flooder.keyId, flooder.secret, limits=limits, timeout=timeout
        ) as f,
    ):
        await q.post(ORDERS_PATH, json=quiet_orders[0])  # warm: the key held by the gateway
        alone, alone_status = await _quiet(q, quiet_orders[1:], seconds, interval)
        stop = asyncio.Event()
        batches = [flood_orders[i * batch_size : (i + 1) * batch_size] for i in range(workers)]
        flooders = [asyncio.create_task(_flood(f, b, stop)) for b in batches]
        await asyncio.sleep(1.0)  # the flood is on before the quiet enterprise is measured
        beside, beside_status = await _quiet(q, quiet_orders[1:], seconds, interval)
        stop.set()
        flood_status: Counter[int] = Counter()
        for task in flooders:
            flood_status.update(await task)
    return {
        "quiet_alone": {**_summary(alone), "statuses": dict(alone_status)},
        "quiet_beside_flood": {**_summary(beside), "statuses": dict(beside_status)},
        "flooder_statuses": dict(flood_status),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cbec.tools.fairness", description=__doc__)
    parser.add_argument("--limits", choices=("default", "off"), default="default")
    parser.add_argument(
        "--max-in-flight", type=int, help="MAX_IN_FLIGHT_PER_ENTERPRISE of the gateway"
    )
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--interval", type=float, default=0.2)
    parser.add_argument("--flood-workers", type=int, default=32)
    parser.add_argument("--flood-batch", type=int, default=20)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)

    from cbec.tools import bench

    population = Population.generate(seed=11, sellers=4, platforms=2)
    generator = OrderGenerator(population, seed=11, tag="F")
    submitters: list[str] = []
    while len(submitters) < 2:
        order = next(d for d in generator.next().documents if d.path == ORDERS_PATH)
        if order.submitter not in submitters:
            submitters.append(order.submitter)
    quiet_code, flood_code = submitters
    quiet_orders = _orders_of(generator, quiet_code, int(args.seconds / args.interval) * 2 + 2)
    flood_orders = _orders_of(generator, flood_code, args.flood_workers * args.flood_batch)
    parties = {p.code: p for p in population.parties()}

    saved = dict(bench.PLATFORM_ENV)
    bench.PLATFORM_ENV.clear()
    bench.PLATFORM_ENV.update(LIMITS_OFF if args.limits == "off" else {})
    if args.max_in_flight:
        bench.PLATFORM_ENV["MAX_IN_FLIGHT_PER_ENTERPRISE"] = str(args.max_in_flight)
    log = io.StringIO()
    try:
        with (
            tempfile.TemporaryDirectory(prefix="cbec-fairness-") as folder,
            bench.embedded_platform(Path(folder), log) as target,
        ):

            async def run() -> dict[str, Any]:
                quiet = await target.register(parties[quiet_code])
                flooder = await target.register(parties[flood_code])
                return await measure(
                    target.gateway_url,
                    quiet,
                    flooder,
                    quiet_orders,
                    flood_orders,
                    seconds=args.seconds,
                    interval=args.interval,
                    workers=args.flood_workers,
                    batch_size=args.flood_batch,
                )

            result = asyncio.run(run())
    finally:
        bench.PLATFORM_ENV.clear()
        bench.PLATFORM_ENV.update(saved)
    result["settings"] = {
        "limits": args.limits,
        "max_in_flight": args.max_in_flight,
        "seconds": args.seconds,
        "interval": args.interval,
        "flood_workers": args.flood_workers,
        "flood_batch": args.flood_batch,
    }
    text = json.dumps(result, indent=2)
    sys.stdout.write(text + "\n")
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
