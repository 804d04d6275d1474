"""The service defaults: one factory that wires a FastAPI app to the database, bus and telemetry.

Every service's ``create_app(settings)`` is a call to :func:`create_service_app`::

    SERVICE = ServiceDescriptor(name="declaration", port=8001,
                                app="cbec.declaration.app:create_app",
                                topics=("cbec.declaration.v1",),
                                migrations="cbec.declaration:migrations")

    def create_app(settings: Settings | None = None) -> FastAPI:
        return create_service_app(settings or Settings(), SERVICE, routers=[router],
                                  consumers=[ConsumerSpec("lists", [...], HANDLERS)])

Nothing connects at import time. In the lifespan the app migrates its database (when
``DB_MIGRATE_ON_START``), then connects to the broker in the background, retrying, and starts the
outbox relay and the consumers; ``/readyz`` answers 200 only once the database and the broker
answer and every worker runs. ``/healthz`` is liveness, ``/metrics`` is Prometheus. On shutdown
(SIGTERM/SIGINT through uvicorn) consumers finish the batch in hand and leave their groups, the
relay publishes what is committed, and the producer flushes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI
from starlette.middleware import Middleware
from starlette.routing import Match
from starlette.types import Scope

from cbec.shared.callers import (
    GATEWAY,
    CallerTokens,
    ServiceCallers,
    TokenVerifier,
    gateway_key_from_settings,
    verifying_key,
)
from cbec.shared.inputs import BoundedJson, CanonicalPath
from cbec.shared.logs import configure_logging
from cbec.shared.service.descriptor import ConsumerSpec, ServiceDescriptor
from cbec.shared.service.middleware import DatabaseUnavailable, HttpMetrics
from cbec.shared.service.operations import add_operations_routes
from cbec.shared.service.problems import document_problems, install_problem_handlers
from cbec.shared.service.runtime import Hook, close_runtime, connect, open_runtime
from cbec.shared.settings import ServiceSettings
from cbec.shared.signing import (
    EventSigner,
    EventVerifier,
    signer_from_settings,
    verifier_from_settings,
)
from cbec.shared.telemetry import instrument_app, setup_tracing, shutdown_tracing
from cbec.shared.topics import owners_of

log = logging.getLogger(__name__)


def create_service_app(
    settings: ServiceSettings,
    descriptor: ServiceDescriptor,
    *,
    routers: Sequence[APIRouter] = (),
    consumers: Sequence[ConsumerSpec] = (),
    on_start: Sequence[Hook] = (),
    on_stop: Sequence[Hook] = (),
    description: str = "",
    version: str = "0.1.0",
    openapi_tags: list[dict[str, Any]] | None = None,
    openapi_schemas: Mapping[str, Any] | None = None,
    caller_tokens: bool = True,
    service_callers: Sequence[ServiceCallers] = (),
    edge: Sequence[Middleware] = (),
) -> FastAPI:
    """Build the app; all connections are made in the lifespan, from ``settings``.
    ``openapi_schemas`` are added to the components of its OpenAPI (referenced by routes).

    Every route but ``/healthz``, ``/readyz`` and ``/metrics`` (the OpenAPI document and the
    docs too) takes only requests with a valid caller token of the gateway
    (:mod:`cbec.shared.callers`); the routers of ``service_callers`` take only the tokens of the
    service named there. ``caller_tokens=False`` is for the gateway, which authenticates its
    callers itself. A missing or bad key in production fails here, before the app starts:
    the caller-token keys, the event key of a service that publishes (EVENT_SIGNING_KEY) and
    the public keys of the owners of what it consumes (EVENT_PUBLIC_KEYS); the app keeps them
    on ``app.state.event_signer`` (None when it publishes nothing) and
    ``app.state.event_verifiers`` (one per consumer).

    Every request meets first the canonical path rule (400), then the ``edge`` middleware in
    their order (the gateway's body size limit), then the JSON depth bound (422), then the
    rest (cbec.shared.inputs)."""
    verifier = _caller_verifier(settings, service_callers) if caller_tokens else None
    event_signer = signer_from_settings(settings) if descriptor.topics else None
    # Whose signature each consumed topic needs, and their keys.
    verifiers = [
        verifier_from_settings(settings, owners_of(spec.topics, spec.owners)) for spec in consumers
    ]
    app = FastAPI(
        title=descriptor.title or f"CBEC {descriptor.name}",
        description=description,
        version=version,
        lifespan=_lifespan(
            settings, descriptor, consumers, on_start, on_stop, event_signer, verifiers
        ),
        openapi_tags=openapi_tags,
        # A path with a trailing slash is no path of the service (404), not a redirect: behind
        # the gateway a redirect would name the service's own address, and a signed request
        # cannot follow one.
        redirect_slashes=False,
    )
    issuers = _RouteIssuers(app)
    _add_middleware(app, settings.service_name, verifier, issuers, edge)
    app.state.caller_verifier = verifier
    app.state.event_signer = event_signer
    app.state.event_verifiers = verifiers
    install_problem_handlers(app)
    add_operations_routes(app, descriptor.name)
    for router in routers:
        app.include_router(router)
    for group in service_callers:
        issuers.include(group)
    document_problems(app, openapi_schemas)
    instrument_app(app)
    return app


def _add_middleware(
    app: FastAPI,
    service: str,
    verifier: TokenVerifier | None,
    issuers: _RouteIssuers,
    edge: Sequence[Middleware],
) -> None:
    """The middleware stack, innermost first: caller tokens, database unavailable, metrics,
    the JSON depth bound, the ``edge`` middleware, and outermost the canonical path rule."""
    if verifier is not None:
        app.add_middleware(CallerTokens, verifier=verifier, route_issuer=issuers)
    app.add_middleware(DatabaseUnavailable, service=service)
    app.add_middleware(HttpMetrics, service=service)
    app.add_middleware(BoundedJson)
    for middleware in reversed(edge):
        app.add_middleware(middleware.cls, *middleware.args, **middleware.kwargs)
    app.add_middleware(CanonicalPath)


Lifespan = Callable[[FastAPI], contextlib.AbstractAsyncContextManager[None]]


def _lifespan(
    settings: ServiceSettings,
    descriptor: ServiceDescriptor,
    consumers: Sequence[ConsumerSpec],
    on_start: Sequence[Hook],
    on_stop: Sequence[Hook],
    event_signer: EventSigner | None,
    verifiers: Sequence[EventVerifier],
) -> Lifespan:
    """The app's life: logging, tracing, the runtime, then the broker in the background."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(
            settings.telemetry_service_name, level=settings.log_level, json_lines=settings.log_json
        )
        setup_tracing(settings)
        runtime = await open_runtime(settings, descriptor, event_signer)
        app.state.runtime = runtime
        connecting = asyncio.create_task(connect(runtime, consumers, verifiers), name="connect")
        for hook in on_start:
            await hook(runtime)
        log.info("service started", extra={"cbec": {"port": descriptor.port}})
        try:
            yield
        finally:
            runtime.stopping = True
            connecting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await connecting
            for hook in on_stop:
                await hook(runtime)
            await close_runtime(runtime)
            shutdown_tracing()
            log.info("service stopped")

    return lifespan


class _RouteIssuers:
    """Whose caller tokens each route takes: the gateway's, or those of the service whose
    routers (:class:`ServiceCallers`) it came with."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.by_route: dict[int, str] = {}

    def include(self, group: ServiceCallers) -> None:
        """Include the group's routers; their routes take only the group's issuer."""
        for router in group.routers:
            before = len(self.app.router.routes)
            self.app.include_router(router)
            for route in self.app.router.routes[before:]:
                self.by_route[id(route)] = group.issuer

    def __call__(self, scope: Scope) -> str:
        """The issuer whose tokens the route of ``scope`` takes (the gateway's by default)."""
        if not self.by_route:
            return GATEWAY
        partial = None
        for route in self.app.router.routes:
            match, _ = route.matches(scope)
            if match is Match.FULL:
                return self.by_route.get(id(route), GATEWAY)
            if match is Match.PARTIAL and partial is None:
                partial = route
        return self.by_route.get(id(partial), GATEWAY)


def _caller_verifier(
    settings: ServiceSettings, service_callers: Sequence[ServiceCallers]
) -> TokenVerifier:
    trusted = {GATEWAY: gateway_key_from_settings(settings)}
    for group in service_callers:
        if group.issuer in trusted:
            raise ValueError(f"the callers {group.issuer} are named twice")
        trusted[group.issuer] = verifying_key(
            group.public_key,
            issuer=group.issuer,
            variable=group.variable,
            production=settings.is_production,
        )
    return TokenVerifier(
        settings.service_name, trusted, leeway_seconds=settings.service_token_leeway_seconds
    )
