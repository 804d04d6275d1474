"""Wiring of the declaration service: settings, database, bus, telemetry.

Nothing connects at import time; everything starts in the lifespan of the app.
"""

from __future__ import annotations

from fastapi import FastAPI

from cbec.declaration.settings import Settings
from cbec.shared.service import ServiceDescriptor, create_service_app

SERVICE = ServiceDescriptor(
    name="declaration",
    port=8001,
    app="cbec.declaration.app:create_app",
    topics=("cbec.declaration.v1",),
    migrations="cbec.declaration:migrations",
    events="cbec.declaration.events",
    title="CBEC declaration service",
)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The ASGI app of the declaration service, for `uvicorn --factory`."""
    return create_service_app(settings or Settings(), SERVICE)
