"""Work that runs on a schedule and on demand: the deadline of missing documents (with the
releases still awaiting their quota reservation), the monthly summary run, and (file exchange)
the customs receipts waiting in the inbox.

Each job is one transaction (the receipts: one per file), callable from an endpoint so that it
can be triggered at once; :class:`Periodic` runs a job every interval.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Any

from cbec.declaration import events as ev
from cbec.declaration.adapters import FileCustoms
from cbec.declaration.domain import ListStatus, missing_documents_report
from cbec.declaration.domain.directions import direction
from cbec.declaration.domain.three_document import (
    ExportDocumentsOnFile,
    missing_export_documents,
    missing_import_documents,
)
from cbec.declaration.models import ListRow
from cbec.declaration.unit_of_work import Declaration, DeclarationWork, transaction
from cbec.declaration.use_cases import quota
from cbec.declaration.use_cases.decisions import (
    apply_customs_receipt,
    documents_on_file,
    evaluate,
)
from cbec.declaration.use_cases.summary import run_scheduled_summaries
from cbec.shared.ceb import CebError
from cbec.shared.clock import china, china_iso, utcnow

log = logging.getLogger(__name__)
S = ListStatus


async def _report_if_overdue(
    work: DeclarationWork, row: ListRow, now: datetime
) -> ev.ListIncomplete | None:
    on_file = await documents_on_file(work, row)
    missing = (
        missing_export_documents(on_file)
        if isinstance(on_file, ExportDocumentsOnFile)
        else missing_import_documents(on_file)
    )
    report = missing_documents_report(
        missing, received_at=row.declared_at, now=now, wait=work.decl.document_wait
    )
    if report is None or not report.overdue:
        return None
    row.incomplete_reported_at = now
    return ev.ListIncomplete(
        orderNo=row.order_no,
        ieFlag=direction(row.ie_flag).flag,
        copNo=row.cop_no,
        ebcCode=row.ebc_code,
        missing=report.missing,
        deadline=china_iso(report.deadline),
    )


async def report_incomplete(work: DeclarationWork, now: datetime) -> list[dict[str, Any]]:
    """Decide every declared list that can be decided, then report (once) each list still
    lacking documents past the wait, naming what it lacks."""
    await work.lists_one_at_a_time()
    reported: list[dict[str, Any]] = []
    for row in await work.lists.in_status(S.DECLARING.value):
        await evaluate(work, row, now)
        if row.status != S.DECLARING.value or row.incomplete_reported_at is not None:
            continue
        event = await _report_if_overdue(work, row, now)
        if event is not None:
            work.publish(event)
            reported.append(event.to_data())
    return reported


async def incomplete_lists(decl: Declaration, now: datetime | None = None) -> list[dict[str, Any]]:
    """The periodic check of declared lists; then every release still awaiting its quota
    reservation is asked again, outside the transaction."""
    async with transaction(decl) as work:
        reported = await report_incomplete(work, now or utcnow())
        reservations = await quota.awaiting_reservations(work, utcnow())
    await quota.settle(decl, [r for r in reservations if not r.by_officer])
    return reported


async def scheduled_summaries(decl: Declaration, today: date | None = None) -> dict[str, Any]:
    now = utcnow()
    async with transaction(decl) as work:
        return await run_scheduled_summaries(work, today or china(now).date(), now)


async def customs_receipts(decl: Declaration) -> list[dict[str, Any]]:
    """Apply every receipt file in the inbox (file exchange); a file that is not a valid CEB
    receipt message is moved to ``failed/``."""
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
        async with transaction(decl) as work:
            outcomes = [
                await apply_customs_receipt(work, document.model_dump(), utcnow())
                for document in documents
            ]
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
