"""Wiring of the declaration service: settings, database, bus, telemetry, customs and quotas.

Nothing connects at import time; everything starts in the lifespan of the app. The start hook
loads the rules file, picks the customs adapter (``CUSTOMS_ADAPTER``), makes the quota client of
the tax service and starts the periodic jobs (each also an endpoint under /v1/maintenance).
"""

from __future__ import annotations

from pathlib import Path

import httpx
from fastapi import FastAPI

from cbec.declaration.adapters import CustomsPort, FileCustoms, QuotaClient, RulesCustoms
from cbec.declaration.api import router
from cbec.declaration.domain import load_rules
from cbec.declaration.handlers import handlers
from cbec.declaration.settings import Settings
from cbec.declaration.unit_of_work import Declaration
from cbec.declaration.use_cases import periodic as jobs
from cbec.declaration.use_cases.quota import QuotaDesk
from cbec.shared.callers import signer_from_settings
from cbec.shared.service import ConsumerSpec, Runtime, ServiceDescriptor, create_service_app

SERVICE = ServiceDescriptor(
    name="declaration",
    port=8001,
    app="cbec.declaration.app:create_app",
    topics=("cbec.declaration.v1",),
    migrations="cbec.declaration:migrations",
    events="cbec.declaration.events",
    consumes="cbec.declaration.handlers",
    title="CBEC declaration service",
)


def customs_port(settings: Settings) -> CustomsPort:
    if settings.customs_adapter == "files":
        return FileCustoms(settings.customs_outbox_dir, settings.customs_inbox_dir)
    return RulesCustoms()


def _periodic_jobs(config: Settings, decl: Declaration) -> list[jobs.Periodic]:
    """The scheduled jobs (each also an endpoint under /v1/maintenance)."""
    found = [
        jobs.Periodic(
            "incomplete-lists",
            config.incomplete_check_interval_s,
            lambda: jobs.incomplete_lists(decl),
        ),
        jobs.Periodic(
            "summaries", config.summary_check_interval_s, lambda: jobs.scheduled_summaries(decl)
        ),
    ]
    if config.customs_adapter == "files":
        found.append(
            jobs.Periodic(
                "customs-receipts",
                config.customs_poll_interval_s,
                lambda: jobs.customs_receipts(decl),
            )
        )
    return found


def create_app(
    settings: Settings | None = None, *, tax_transport: httpx.AsyncBaseTransport | None = None
) -> FastAPI:
    """The ASGI app of the declaration service, for `uvicorn --factory`.

    ``tax_transport`` routes the quota client's requests (a test hands in the tax app's ASGI
    transport); by default they go over the network to ``TAX_REFUND_URL``.
    """
    config = settings or Settings()
    periodic: list[jobs.Periodic] = []
    desks: list[QuotaDesk] = []

    # The rules file is read once, when the app is made (a wrong file fails at once).
    rules = load_rules(Path(config.declaration_rules_file).read_text(encoding="utf-8"))
    # The quotas are reserved at the tax service with tokens signed by this service's own key
    # (SERVICE_TOKEN_PRIVATE_KEY); a missing or development key in production fails here.
    signer = signer_from_settings(config)

    own_clients: list[httpx.AsyncClient] = []

    async def start(runtime: Runtime) -> None:
        http = runtime.http
        if tax_transport is not None:
            http = httpx.AsyncClient(transport=tax_transport, timeout=httpx.Timeout(10.0))
            own_clients.append(http)
        decl = Declaration(
            settings=config,
            rules=rules,
            port=customs_port(config),
            quota=QuotaClient(http, config.tax_refund_url, signer),
            outbox=runtime.outbox,
            runtime=runtime,
        )
        runtime.attach(decl)
        desk = QuotaDesk(decl)
        runtime.attach(desk)
        desk.start()
        desks.append(desk)
        if config.scheduler_enabled:
            periodic.extend(_periodic_jobs(config, decl))
            for job in periodic:
                job.start()

    async def stop(runtime: Runtime) -> None:
        for job in periodic:
            await job.stop()
        periodic.clear()
        while desks:
            await desks.pop().stop()
        while own_clients:
            await own_clients.pop().aclose()

    return create_service_app(
        config,
        SERVICE,
        routers=[router],
        consumers=[
            ConsumerSpec("documents", ["cbec.payments.v1", "cbec.logistics.v1"], handlers.table())
        ],
        on_start=[start],
        on_stop=[stop],
        description="Electronic orders, inventory lists, the three-document check, release, "
        "closing and the summary declaration (DOMAIN.md §2-5).",
    )
