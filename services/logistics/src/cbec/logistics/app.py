"""Wiring of the logistics service: settings, database, bus, telemetry.

Nothing connects at import time; everything starts in the lifespan of the app.
"""

from __future__ import annotations

from fastapi import FastAPI

from cbec.logistics.settings import Settings
from cbec.shared.service import ServiceDescriptor, create_service_app

SERVICE = ServiceDescriptor(
    name="logistics",
    port=8002,
    app="cbec.logistics.app:create_app",
    topics=("cbec.logistics.v1",),
    migrations="cbec.logistics:migrations",
    events="cbec.logistics.events",
    title="CBEC logistics service",
)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The ASGI app of the logistics service, for `uvicorn --factory`."""
    return create_service_app(settings or Settings(), SERVICE)
