"""`cbec bench e2e` (what `make bench-e2e` runs) with a tiny ramp: it starts its own platform,
submits every order's four documents through the gateway, sees every list released in the
platforms' receipts, and writes its results and chart. No timings are asserted: the figures belong
to the README, not to the test."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.bench, pytest.mark.timeout(900)]
ROOT = Path(__file__).resolve().parents[2]


def test_the_benchmark_releases_every_list_it_submits_and_writes_its_results(
    tmp_path: Path,
) -> None:
    out, chart = tmp_path / "results.json", tmp_path / "bench.png"
    env = {k: v for k, v in os.environ.items() if k != "KAFKA_BOOTSTRAP_SERVERS"}
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "cbec.shared.cli",
            "bench",
            "e2e",
            "--rates",
            "2,4",
            "--duration",
            "3",
            "--sellers",
            "4",
            "--stop-below",
            "0",
            "--drain-timeout",
            "120",
            "--no-progress",
            "--data-dir",
            str(tmp_path / "platform"),
            "--out",
            str(out),
            "--chart",
            str(chart),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=840,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr[-4000:]
    result = json.loads(out.read_text())

    assert [s["offered_rate"] for s in result["steps"]] == [2, 4]
    for step in result["steps"]:
        assert step["orders"] == round(step["offered_rate"] * 3)
        assert step["documents"] == 4 * step["orders"]
        assert step["released"] == step["orders"], step
        assert step["not_released"] == {}
        assert step["unresolved"] == 0
        assert step["errors"] == []
        for key in ("latency_ms", "release_latency_ms", "since_sent_ms", "request_ms"):
            assert set(step[key]) >= {"count", "p50", "p95", "p99", "max"}, key
        assert step["latency_ms"]["count"] == step["orders"]
        assert {"gateway", "declaration", "logistics", "payments", "tax-refund", "broker"} <= set(
            step["rss_mb"]
        )
        assert all(mb > 0 for mb in step["rss_mb"].values())
        assert set(step["cpu_pct"]) >= {"gateway", "loadgen"}
        assert set(step["cpu_ms_per_order_net"]) == set(step["cpu_pct"])
        # Each document accepted by the service that owns it.
        assert set(step["statuses"]) == {
            "/v1/export/orders",
            "/v1/export/receipts",
            "/v1/export/waybills",
            "/v1/export/inventories",
        }
    totals = result["totals"]
    assert totals["orders"] == 6 + 12
    assert totals["lists_released"] == totals["orders"]
    assert result["population"]["sellers"] == 4
    assert result["target"]["mode"] == "embedded"
    assert {"date", "host", "options"} <= set(result)
    assert "knee" in result
    assert "gateway" in result["idle"]["cpu_pct"]

    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "| offered /s |" in run.stdout
    # The platform's logs stay in the folder it was given.
    assert (tmp_path / "platform" / "logs" / "gateway.log").exists()
