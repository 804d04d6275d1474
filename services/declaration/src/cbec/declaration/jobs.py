"""Work that runs on a schedule and on demand: the deadline of missing documents, the monthly
summary run, and (file exchange) the customs receipts waiting in the inbox.

Each job is one transaction (the receipts: one per file), callable from an endpoint so that it
can be triggered at once; :class:`Periodic` runs a job every interval on the runtime.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Any

from cbec.declaration import services
from cbec.declaration.adapters import FileCustoms
from cbec.shared.ceb import CebError
from cbec.shared.service import Runtime

log = logging.getLogger(__name__)


async def incomplete_lists(runtime: Runtime, now: datetime | None = None) -> list[dict[str, Any]]:
    decl = services.declaration_of(runtime)
    async with runtime.transaction() as session:
        return await services.report_incomplete(decl, session, now or services.utcnow())


async def scheduled_summaries(runtime: Runtime, today: date | None = None) -> dict[str, Any]:
    decl = services.declaration_of(runtime)
    now = services.utcnow()
    day = today or services._china(now).date()
    async with runtime.transaction() as session:
        return await services.run_scheduled_summaries(decl, session, day, now)


async def customs_receipts(runtime: Runtime) -> list[dict[str, Any]]:
    """Apply every receipt file in the inbox (file exchange); a file that is not a valid CEB
    receipt message is moved to ``failed/``."""
    decl = services.declaration_of(runtime)
    port = decl.port
    if not isinstance(port, FileCustoms):
        return []
    handled: list[dict[str, Any]] = []
    for path in port.pending_receipts():
        try:
            message = port.read(path)
        except (CebError, OSError) as exc:
            log.warning("customs file %s refused: %s", path.name, exc)
            port.done(path, failed=True)
            handled.append({"file": path.name, "outcome": f"refused: {exc}"})
            continue
        documents = [
            value
            for name in type(message).model_fields
            if name == "InventoryReturn"
            for value in getattr(message, name)
        ]
        outcomes = []
        async with runtime.transaction() as session:
            for document in documents:
                outcomes.append(
                    await services.apply_customs_receipt(
                        decl, session, document.model_dump(), services.utcnow()
                    )
                )
        port.done(path, failed=False)
        handled.append({"file": path.name, "outcome": "; ".join(outcomes)})
    return handled


class Periodic:
    """A job run every ``interval`` seconds until stopped; a failure is logged, not fatal."""

    def __init__(self, name: str, interval: float, job: Callable[[], Awaitable[object]]) -> None:
        self.name = name
        self.interval = interval
        self.job = job
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name=self.name)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self.job()
            except Exception:
                log.exception("periodic job %s failed", self.name)
