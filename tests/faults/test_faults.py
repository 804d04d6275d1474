"""The whole platform under faults: while ERPs file export orders through the gateway, (1) each
service is killed (SIGKILL) in turn at a random moment and started again, (2) the broker is
paused (SIGSTOP) for 10 s and resumed, (3) the PostgreSQL server under every service restarts.
Afterwards every order ends as it does in a run of the same input without faults, no event was
applied twice, no receipt was lost, and nothing is left in a dead-letter topic or an outbox.

The drills share one platform, started once on a PostgreSQL server of its own (initdb in a
temporary folder, so that its restart disturbs no one else; SQLite where PostgreSQL is not
installed, and the database drill is skipped): first the run without faults, then one run per
drill, each with the same orders under numbers of its own.

The outage, ready and recovery times of each fault go to ``faults.json`` in the module's
temporary folder (and to ``CBEC_FAULT_REPORT`` when set) and to the output (``pytest -s``); they
are reported, not asserted. The short version (CI, and by default) files 150 orders per run;
``CBEC_FAULT_ORDERS=2000`` runs the full one (see README.md, "Faults").
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from cbec.tools.drills import (
    Chaos,
    Driver,
    Enrolment,
    Outcome,
    Run,
    Workload,
    collect,
    compare,
    drill_env,
    kill_each_service,
    order_count,
    pause_broker,
    report,
    restart_database,
    sanity,
    write_report,
)
from tests.support.platform import Platform, started_platform
from tests.support.postgres import PrivatePostgres, postgres_bindir, private_postgres
from tests.support.tokens import as_caller

ORDERS = order_count()
pytestmark = [
    pytest.mark.slow,
    pytest.mark.e2e,
    pytest.mark.timeout(max(900, ORDERS * 2)),
]
SERVICES_IN_TURN = ("declaration", "logistics", "payments", "tax-refund", "gateway")
SEED = 7


@pytest.fixture(scope="module")
def workload() -> Workload:
    """The population the runs share (each run makes its orders with a tag of its own)."""
    return Workload.make(ORDERS, seed=SEED, tag="B")


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[dict[str, Any]]]:
    entries: list[dict[str, Any]] = []
    yield entries
    path = tmp_path_factory.mktemp("faults") / "faults.json"
    write_report(path, entries)
    if os.environ.get("CBEC_FAULT_REPORT"):
        write_report(Path(os.environ["CBEC_FAULT_REPORT"]), entries)
    print(f"\nfault drills ({ORDERS} orders per run; {path}):")
    print(f"  {'drill':<22} {'fault':<24} outage  ready  recovery  pending  p50/p99 latency")
    for entry in entries:
        latency = f"{entry['latency_s']['p50']}/{entry['latency_s']['p99']} s"
        for fault in entry["faults"] or [{"fault": "(none)"}]:
            print(
                f"  {entry['drill']:<22} {fault['fault']:<24} "
                f"{_seconds(fault.get('outage_s')):>6} {_seconds(fault.get('ready_s')):>6} "
                f"{_seconds(fault.get('recovery_s')):>9} {fault.get('pending_at_end', ''):>8}  "
                f"{latency}"
            )


def _seconds(value: float | None) -> str:
    return f"{value:.1f}" if value is not None else ""


@dataclass
class Shared:
    """The platform the drills share, its enterprises, and its database server (if any)."""

    platform: Platform
    enrolment: Enrolment
    database: PrivatePostgres | None


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory, workload: Workload) -> Iterator[Shared]:
    folder = tmp_path_factory.mktemp("platform")
    with contextlib.ExitStack() as stack:
        server = stack.enter_context(private_postgres()) if postgres_bindir() else None
        urls = (
            {p: server.create_database(f"cbec_{p.replace('-', '_')}") for p in SERVICES_IN_TURN}
            if server is not None
            else None
        )
        platform = stack.enter_context(
            started_platform(folder, env=drill_env(folder), database_urls=urls)
        )
        enrolment = asyncio.run(Enrolment.of(platform, workload))
        yield Shared(platform, enrolment, server)


def _drill(shared: Shared, tag: str, chaos: Chaos | None) -> tuple[Workload, Run, Outcome]:
    workload = Workload.make(ORDERS, seed=SEED, tag=tag)

    async def go() -> tuple[Run, Outcome]:
        driver = Driver(shared.platform, workload, enrolment=shared.enrolment)
        run = await driver.run(chaos)
        return run, await collect(shared.platform, workload, run, caller=as_caller)

    return workload, *asyncio.run(go())


@pytest.fixture(scope="module")
def baseline(shared: Shared, reports: list[dict[str, Any]]) -> Outcome:
    """The same input without faults: what every drill must end with."""
    workload, run, outcome = _drill(shared, "B", None)
    reports.append(report("no fault", run, workload, outcome))
    problems = sanity(outcome, run, workload)
    assert not problems, "the run without faults already fails:\n" + "\n".join(problems)
    return outcome


def _check(
    name: str,
    drilled: tuple[Workload, Run, Outcome],
    baseline: Outcome,
    reports: list[dict[str, Any]],
) -> None:
    workload, run, outcome = drilled
    reports.append(report(name, run, workload, outcome))
    problems = sanity(outcome, run, workload) + compare(baseline, outcome)
    assert not problems, f"{name}:\n" + "\n".join(problems)


def test_each_service_killed_in_turn_and_restarted(
    shared: Shared, baseline: Outcome, reports: list[dict[str, Any]]
) -> None:
    drilled = _drill(shared, "K", kill_each_service(SERVICES_IN_TURN, seed=SEED))
    assert [f.name for f in drilled[1].faults] == [f"SIGKILL {s}" for s in SERVICES_IN_TURN]
    _check("services killed", drilled, baseline, reports)


def test_broker_paused_for_ten_seconds(
    shared: Shared, baseline: Outcome, reports: list[dict[str, Any]]
) -> None:
    _check("broker paused", _drill(shared, "P", pause_broker(10.0)), baseline, reports)


@pytest.mark.skipif(postgres_bindir() is None, reason="PostgreSQL is not installed")
def test_postgres_restarted_under_every_service(
    shared: Shared, baseline: Outcome, reports: list[dict[str, Any]]
) -> None:
    assert shared.database is not None
    drilled = _drill(shared, "R", restart_database(shared.database.restart))
    _check("PostgreSQL restarted", drilled, baseline, reports)
