"""Wiring of the tax-refund service: settings, database, bus, telemetry, data tables.

Nothing connects at import time; everything starts in the lifespan of the app. The data tables
load in the start hook: a malformed file stops the service from starting (it is a deployment
fault), while a reload through the API keeps the last good tables.
"""

from __future__ import annotations

from fastapi import FastAPI

from cbec.shared.callers import ServiceCallers
from cbec.shared.service import (
    ConsumerSpec,
    Runtime,
    ServiceDescriptor,
    create_service_app,
)
from cbec.tax_refund.api import quota_router, router
from cbec.tax_refund.data import TaxTablesHolder
from cbec.tax_refund.handlers import DECLARATION_HANDLERS, LOGISTICS_HANDLERS
from cbec.tax_refund.settings import Settings
from cbec.tax_refund.unit_of_work import TaxWork
from cbec.tax_refund.use_cases.tables import sync_zone_enterprises

SERVICE = ServiceDescriptor(
    name="tax-refund",
    port=8004,
    app="cbec.tax_refund.app:create_app",
    topics=("cbec.tax.v1",),
    migrations="cbec.tax_refund:migrations",
    events="cbec.tax_refund.events",
    consumes="cbec.tax_refund.handlers",
    title="CBEC tax service",
)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The ASGI app of the tax-refund service, for `uvicorn --factory`."""
    settings = settings or Settings()

    async def load_tables(runtime: Runtime) -> None:
        holder = TaxTablesHolder.load(settings.tax_tables_dir)
        async with runtime.transaction() as session:
            await sync_zone_enterprises(TaxWork(session, runtime.outbox), holder.tables)
        runtime.attach(holder)

    return create_service_app(
        settings,
        SERVICE,
        routers=[router],
        service_callers=[
            ServiceCallers(
                issuer="declaration",
                public_key=settings.declaration_token_public_key,
                variable="DECLARATION_TOKEN_PUBLIC_KEY",
                routers=(quota_router,),
            )
        ],
        consumers=[
            ConsumerSpec("declaration", ["cbec.declaration.v1"], DECLARATION_HANDLERS),
            ConsumerSpec("logistics", ["cbec.logistics.v1"], LOGISTICS_HANDLERS),
        ],
        on_start=[load_tables],
        description=(
            "Import CBEC retail tax and the buyers' annual quota (财关税〔2018〕49号), "
            "VAT exemption of exports without invoices (财税〔2018〕103号), export refunds, "
            "deemed income tax (国家税务总局公告2019年第36号)."
        ),
    )
