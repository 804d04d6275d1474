"""Wiring of the payments service: settings, database, bus, telemetry, scheduled runs.

Nothing connects at import time; everything starts in the lifespan of the app.
"""

from __future__ import annotations

from fastapi import FastAPI

from cbec.payments.api import router
from cbec.payments.handlers import DECLARATION_TOPIC, HANDLERS
from cbec.payments.jobs import Jobs
from cbec.payments.settings import Settings
from cbec.shared.service import ConsumerSpec, ServiceDescriptor, create_service_app

SERVICE = ServiceDescriptor(
    name="payments",
    port=8003,
    app="cbec.payments.app:create_app",
    topics=("cbec.payments.v1",),
    migrations="cbec.payments:migrations",
    events="cbec.payments.events",
    consumes="cbec.payments.handlers",
    title="CBEC payments service",
)

DESCRIPTION = """Payment vouchers (CEB411) and receipts of funds (CEB403), settlement of
foreign-currency receipts in CNY per institution, payee and day, and reconciliation of funds
against the orders the declaration service accepted (DOMAIN.md §7)."""


def create_app(settings: Settings | None = None) -> FastAPI:
    """The ASGI app of the payments service, for `uvicorn --factory`."""
    runs = Jobs()
    app = create_service_app(
        settings or Settings(),
        SERVICE,
        routers=[router],
        consumers=[ConsumerSpec("orders", [DECLARATION_TOPIC], HANDLERS)],
        on_start=[runs.start],
        on_stop=[runs.stop],
        description=DESCRIPTION,
    )
    app.state.payments_jobs = runs
    return app
