"""Wiring of the payments service: settings, database, bus, telemetry.

Nothing connects at import time; everything starts in the lifespan of the app.
"""

from __future__ import annotations

from fastapi import FastAPI

from cbec.payments.settings import Settings
from cbec.shared.service import ServiceDescriptor, create_service_app

SERVICE = ServiceDescriptor(
    name="payments",
    port=8003,
    app="cbec.payments.app:create_app",
    topics=("cbec.payments.v1",),
    migrations="cbec.payments:migrations",
    events="cbec.payments.events",
    title="CBEC payments service",
)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The ASGI app of the payments service, for `uvicorn --factory`."""
    return create_service_app(settings or Settings(), SERVICE)
