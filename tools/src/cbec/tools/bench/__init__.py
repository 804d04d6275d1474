"""``cbec bench e2e``: export lists released per second through the whole platform, and how long
an order waits from its last document accepted to its release receipt, at a ramp of offered rates.

    cbec bench e2e                                   # its own platform, default ramp
    cbec bench e2e --rates 25,50,100 --duration 20 --out results.json --chart bench.png
    cbec bench e2e --profile auto                    # py-spy on the busiest service
    cbec bench e2e --gateway-url http://gw:8000 --operator-credentials operator.json

By default it starts the platform as ``cbec up`` does (its own embedded broker, the four services
and the gateway as separate processes, SQLite files in a temporary folder, ports that are free),
with the benchmark's settings (:data:`PLATFORM_ENV`). It registers the enterprises of a generated
population (:mod:`cbec.tools.loadgen`), then for each offered rate submits that many export
orders per second for ``--duration`` seconds: each order's four documents (order, receipt of
funds, waybill, inventory list) are filed by their own enterprises as signed JSON batches of up to
100, one batch per enterprise and document kind per tick, at random moments within the tick (the
ERPs are not in step). The e-commerce platforms follow their orders' clearance by polling their
receipts (``GET /v1/receipts``; every list's events name its platform), or, with ``--poll-by
sellers``, each e-commerce enterprise polls its own: twelve pollers where two suffice, and each
signed poll costs the gateway a write (its nonce), so the default keeps the observer's own load
small.

Per step it reports:

* achieved throughput: release receipts seen per second in the step's window after warm-up;
* latency (p50/p95/p99): from the moment the last of an order's four documents was accepted (its
  batch answered) to the moment a poll returned the release receipt; beside it, from
  accepted to released by customs (the receipt's event time; 0 when customs released the list
  before the ERP had its answer), from the last document sent to the release receipt (queueing
  at the gateway included), and the time each request took;
* the resident memory (VmRSS, highest sample) and CPU share of every process, the broker and the
  load generator included, and how busy the machine was (other work on it shows there);
* with ``--profile SERVICE`` (or ``auto``: the busiest service of the step before), py-spy's
  samples of that process after the warm-up, summed by package and function.

The knee is the highest offered rate whose achieved throughput is within 90 % of it, with every
list released and p99 not exploded (``--p99-limit``, or three times the first step's p99). The
ramp stops early when a step falls below half its offered rate.
"""

from cbec.tools.bench.command import main, register
from cbec.tools.bench.common import BENCH_RULES, PLATFORM_ENV, percentile, summary_ms
from cbec.tools.bench.report import knee, report
from cbec.tools.bench.resources import short_frame, top_of_profile
from cbec.tools.bench.target import Target, embedded_platform, remote_platform
from cbec.tools.bench.traffic import Batch, Options, schedule

__all__ = [
    "BENCH_RULES",
    "PLATFORM_ENV",
    "Batch",
    "Options",
    "Target",
    "embedded_platform",
    "knee",
    "main",
    "percentile",
    "register",
    "remote_platform",
    "report",
    "schedule",
    "short_frame",
    "summary_ms",
    "top_of_profile",
]
