"""The payments service's scheduled work: settlement and reconciliation.

Both run on demand (``POST /v1/settlements/run``, ``POST /v1/reconciliation/run``) and
periodically while the service runs (``on_start`` starts the tasks, ``on_stop`` ends them).
Settlement settles every day up to yesterday (China Standard Time) each period: a day settled
once settles nothing the second time, and a receipt that arrived late for a settled day is
settled by the next period's run. One lock per process keeps a periodic and an on-demand run
from overlapping; across replicas a receipt is still settled once (``settlement_document``'s
unique ``document_id`` makes the second writer roll back).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from typing import cast

from cbec.payments import services
from cbec.payments.settings import Settings
from cbec.shared.service import Runtime

log = logging.getLogger(__name__)


class Jobs:
    """Settlement and reconciliation runs of one process, and their periodic tasks."""

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._tasks: list[asyncio.Task[None]] = []

    async def settle(
        self, runtime: Runtime, through: date, *, run_by: str | None = None
    ) -> services.SettlementReport:
        async with self._lock, runtime.transaction() as session:
            return await services.run_settlement(
                session, runtime.outbox, through=through, now=services.utcnow(), run_by=run_by
            )

    async def reconcile(self, runtime: Runtime) -> services.ReconciliationReport:
        settings = cast(Settings, runtime.settings)
        async with self._lock, runtime.transaction() as session:
            return await services.run_reconciliation(
                session,
                runtime.outbox,
                policy=settings.reconciliation_policy(),
                now=services.utcnow(),
            )

    async def start(self, runtime: Runtime) -> None:
        """Install the rate and fee tables, then start the periodic runs (when enabled)."""
        settings = cast(Settings, runtime.settings)
        async with runtime.transaction() as session:
            await services.install_tables(session, settings, now=services.utcnow())
        if not settings.scheduler_enabled:
            return
        self._tasks = [
            asyncio.create_task(
                self._every(
                    settings.settlement_interval_seconds, self._settle_to_yesterday, runtime
                ),
                name="payments-settlement",
            ),
            asyncio.create_task(
                self._every(settings.reconciliation_interval_seconds, self.reconcile, runtime),
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

    async def _settle_to_yesterday(self, runtime: Runtime) -> object:
        yesterday = services.local_today(services.utcnow()) - timedelta(days=1)
        return await self.settle(runtime, yesterday)

    @staticmethod
    async def _every(
        seconds: float, run: Callable[[Runtime], Awaitable[object]], runtime: Runtime
    ) -> None:
        while True:
            await asyncio.sleep(seconds)
            try:
                await run(runtime)
            except Exception:
                log.exception("scheduled payments run failed; next attempt in %.0fs", seconds)
