"""Wiring of the logistics service: settings, database, bus, telemetry, the overdue check.

Nothing connects at import time; everything starts in the lifespan of the app.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from fastapi import FastAPI

from cbec.logistics.api import router
from cbec.logistics.handlers import HANDLERS
from cbec.logistics.settings import Settings
from cbec.logistics.use_cases.parcels import check_overdue
from cbec.shared.service import ConsumerSpec, Runtime, ServiceDescriptor, create_service_app

log = logging.getLogger(__name__)

SERVICE = ServiceDescriptor(
    name="logistics",
    port=8002,
    app="cbec.logistics.app:create_app",
    topics=("cbec.logistics.v1",),
    migrations="cbec.logistics:migrations",
    events="cbec.logistics.events",
    consumes="cbec.logistics.handlers",
    title="CBEC logistics service",
)


class OverdueWatch:
    """Runs the overdue-parcel check every OVERDUE_CHECK_INTERVAL_SECONDS while the app runs."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.task: asyncio.Task[None] | None = None

    async def start(self, runtime: Runtime) -> None:
        if self.settings.overdue_check_enabled:
            self.task = asyncio.create_task(self._loop(runtime), name="overdue-parcels")

    async def stop(self, _runtime: Runtime) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
            self.task = None

    async def _loop(self, runtime: Runtime) -> None:
        while True:
            await asyncio.sleep(self.settings.overdue_check_interval_seconds)
            try:
                reported = await check_overdue(runtime)
            except Exception:
                log.exception("the overdue-parcel check failed; it runs again next interval")
            else:
                if reported:
                    log.info("%d parcel(s) overdue for departure", len(reported))


def create_app(settings: Settings | None = None) -> FastAPI:
    """The ASGI app of the logistics service, for `uvicorn --factory`."""
    settings = settings or Settings()
    watch = OverdueWatch(settings)
    return create_service_app(
        settings,
        SERVICE,
        routers=[router],
        consumers=[ConsumerSpec("declaration", ["cbec.declaration.v1"], HANDLERS)],
        on_start=[watch.start],
        on_stop=[watch.stop],
        description=(
            "Waybills, arrival at the supervised site, master bills, departure, import site "
            "entry and delivery, returns, overseas warehouse stock."
        ),
    )
