"""Settlement and reconciliation runs: on demand and on the schedule, one at a time.

Both run on demand (``POST /v1/settlements/run``, ``POST /v1/reconciliation/run``) and
periodically while the service runs (the schedule is started by :mod:`cbec.payments.app`).
Settlement settles every day up to yesterday (China Standard Time) each period: a day settled
once settles nothing the second time, and a receipt that arrived late for a settled day is
settled by the next period's run. One lock per process keeps a periodic and an on-demand run
from overlapping; across replicas a receipt is still settled once (``settlement_document``'s
unique ``document_id`` makes the second writer roll back).
"""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from typing import cast

from cbec.payments.domain.times import china_day
from cbec.payments.settings import Settings
from cbec.payments.unit_of_work import PaymentsWork
from cbec.payments.use_cases.reconciliation import ReconciliationReport, run_reconciliation
from cbec.payments.use_cases.settlement import SettlementReport, run_settlement
from cbec.payments.use_cases.tables import install_tables
from cbec.shared.clock import utcnow
from cbec.shared.service import Runtime


class Runs:
    """The settlement and reconciliation runs of one process (never two at once)."""

    def __init__(self) -> None:
        self._lock = asyncio.Lock()

    async def settle(
        self, runtime: Runtime, through: date, *, run_by: str | None = None
    ) -> SettlementReport:
        async with self._lock, PaymentsWork.of(runtime) as work:
            return await run_settlement(work, through=through, now=utcnow(), run_by=run_by)

    async def settle_to_yesterday(self, runtime: Runtime) -> SettlementReport:
        return await self.settle(runtime, china_day(utcnow()) - timedelta(days=1))

    async def reconcile(self, runtime: Runtime) -> ReconciliationReport:
        policy = cast(Settings, runtime.settings).reconciliation_policy()
        async with self._lock, PaymentsWork.of(runtime) as work:
            return await run_reconciliation(work, policy=policy, now=utcnow())

    async def install_tables(self, runtime: Runtime) -> None:
        """The rate and fee tables of the settings (on start)."""
        async with PaymentsWork.of(runtime) as work:
            await install_tables(work, cast(Settings, runtime.settings), now=utcnow())
