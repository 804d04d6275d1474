"""Wiring of the payments service: settings, database, bus, telemetry, scheduled runs.

Nothing connects at import time; everything starts in the lifespan of the app. On start the
rate and fee tables are installed, then (when enabled) settlement and reconciliation run
periodically (:mod:`cbec.payments.use_cases.runs`) until the app stops.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import cast

from fastapi import FastAPI

from cbec.payments.api import router
from cbec.payments.handlers import DECLARATION_TOPIC, HANDLERS
from cbec.payments.settings import Settings
from cbec.payments.use_cases.runs import Runs
from cbec.shared.service import ConsumerSpec, Runtime, ServiceDescriptor, create_service_app

log = logging.getLogger(__name__)

SERVICE = ServiceDescriptor(
    name="payments",
    port=8003,
    app="cbec.payments.app:create_app",
    topics=("cbec.payments.v1",),
    migrations="cbec.payments:migrations",
    events="cbec.payments.events",
    consumes="cbec.payments.handlers",
    title="CBEC payments service",
)

DESCRIPTION = """Payment vouchers (CEB411) and receipts of funds (CEB403), settlement of
foreign-currency receipts in CNY per institution, payee and day, and reconciliation of funds
against the orders the declaration service accepted (DOMAIN.md §7)."""


class Schedule:
    """The periodic runs of one process: started with the app, cancelled when it stops."""

    def __init__(self, runs: Runs) -> None:
        self.runs = runs
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self, runtime: Runtime) -> None:
        """Install the rate and fee tables, then start the periodic runs (when enabled)."""
        await self.runs.install_tables(runtime)
        settings = cast(Settings, runtime.settings)
        if not settings.scheduler_enabled:
            return
        self._tasks = [
            asyncio.create_task(
                _every(
                    settings.settlement_interval_seconds, self.runs.settle_to_yesterday, runtime
                ),
                name="payments-settlement",
            ),
            asyncio.create_task(
                _every(settings.reconciliation_interval_seconds, self.runs.reconcile, runtime),
                name="payments-reconciliation",
            ),
        ]

    async def stop(self, _runtime: Runtime) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []


async def _every(
    seconds: float, run: Callable[[Runtime], Awaitable[object]], runtime: Runtime
) -> None:
    while True:
        await asyncio.sleep(seconds)
        try:
            await run(runtime)
        except Exception:
            log.exception("scheduled payments run failed; next attempt in %.0fs", seconds)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The ASGI app of the payments service, for `uvicorn --factory`."""
    runs = Runs()
    schedule = Schedule(runs)
    app = create_service_app(
        settings or Settings(),
        SERVICE,
        routers=[router],
        consumers=[ConsumerSpec("orders", [DECLARATION_TOPIC], HANDLERS)],
        on_start=[schedule.start],
        on_stop=[schedule.stop],
        description=DESCRIPTION,
    )
    app.state.payments_runs = runs
    return app
