"""Wiring of the gateway service: settings, database, bus, telemetry.

Nothing connects at import time; everything starts in the lifespan of the app.
"""

from __future__ import annotations

from fastapi import FastAPI

from cbec.gateway.settings import Settings
from cbec.shared.service import ServiceDescriptor, create_service_app

SERVICE = ServiceDescriptor(
    name="gateway",
    port=8000,
    app="cbec.gateway.app:create_app",
    topics=(),
    migrations="cbec.gateway:migrations",
    events="cbec.gateway.events",
    title="CBEC single window gateway",
)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The ASGI app of the gateway service, for `uvicorn --factory`."""
    return create_service_app(settings or Settings(), SERVICE)
