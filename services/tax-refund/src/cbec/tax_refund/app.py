"""Wiring of the tax-refund service: settings, database, bus, telemetry.

Nothing connects at import time; everything starts in the lifespan of the app.
"""

from __future__ import annotations

from fastapi import FastAPI

from cbec.shared.service import ServiceDescriptor, create_service_app
from cbec.tax_refund.settings import Settings

SERVICE = ServiceDescriptor(
    name="tax-refund",
    port=8004,
    app="cbec.tax_refund.app:create_app",
    topics=("cbec.tax.v1",),
    migrations="cbec.tax_refund:migrations",
    events="cbec.tax_refund.events",
    title="CBEC tax service",
)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The ASGI app of the tax-refund service, for `uvicorn --factory`."""
    return create_service_app(settings or Settings(), SERVICE)
