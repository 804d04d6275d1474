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
import json
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from http import HTTPStatus
from typing import Any, TypeVar

import httpx
from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware import Middleware
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cbec.shared import metrics
from cbec.shared.bus import ConsumerRunner, Handler, Publisher
from cbec.shared.callers import (
    GATEWAY,
    CallerTokens,
    ServiceCallers,
    TokenVerifier,
    gateway_key_from_settings,
    verifying_key,
)
from cbec.shared.db import create_engine, create_read_engine, ping, session_factory, unavailable
from cbec.shared.errors import CbecError, ErrorReport, InvalidInput, Unavailable, Violation
from cbec.shared.inputs import BoundedJson, CanonicalPath
from cbec.shared.logs import configure_logging
from cbec.shared.migrations import upgrade
from cbec.shared.outbox import Outbox, OutboxRelay
from cbec.shared.settings import ServiceSettings
from cbec.shared.signing import EventVerifier, signer_from_settings, verifier_from_settings
from cbec.shared.telemetry import (
    instrument_app,
    instrument_engine,
    setup_tracing,
    shutdown_tracing,
)
from cbec.shared.topics import owners_of

log = logging.getLogger(__name__)
PROBLEM_JSON = "application/problem+json"
DATABASE_BUSY_RETRY_AFTER_SECONDS = 2
"""Retry-After of a request refused because no database connection came free in time."""

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details: the answer of every refusal and failure",
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "examples": ["https://cbec.example/problems/invalid-input"]},
        "title": {"type": "string", "examples": ["invalid-input"]},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "violations": {
            "type": "array",
            "description": "every field and rule that failed",
            "items": {
                "type": "object",
                "required": ["field", "rule"],
                "properties": {
                    "field": {"type": "string"},
                    "rule": {"type": "string"},
                    "value": {"type": "string"},
                    "expected": {"type": "string"},
                },
            },
        },
    },
}
"""The JSON Schema of :class:`~cbec.shared.errors.ErrorReport`, ``#/components/schemas/Problem``
in every service's OpenAPI."""


def problem_response(description: str, *, retry_after: bool = False) -> dict[str, Any]:
    """An OpenAPI response answered as problem+json (``responses={409: problem_response(...)}``);
    ``retry_after`` documents the Retry-After header of a refusal the client retries."""
    response: dict[str, Any] = {
        "description": description,
        "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
    if retry_after:
        response["headers"] = {
            "Retry-After": {
                "description": "seconds to wait before sending the request again",
                "required": True,
                "schema": {"type": "integer", "minimum": 1},
            }
        }
    return response


INVALID_INPUT_RESPONSE = problem_response(
    "the request breaks the schema or a rule: every field and rule is named in `violations`"
)
MALFORMED_REQUEST_RESPONSE = problem_response(
    "the path or query is not canonical (dot segments, encoded dots, slashes or backslashes, "
    "empty segments, control characters ...), or a header breaks its rule: `violations` "
    "names it (`path`, `query`, the header) and the rule"
)


@dataclass(frozen=True, slots=True)
class ServiceDescriptor:
    """How the stack runs a service: its name, port, app factory, topics and migrations."""

    name: str
    port: int
    app: str
    topics: tuple[str, ...] = ()
    migrations: str | None = None
    title: str = ""
    events: str | None = None
    """Module whose ``EVENTS`` tuple lists the events the service publishes (its contract)."""
    consumes: str | None = None
    """Module whose ``CONSUMES`` maps event types to the service's tolerant consumer models."""


@dataclass(frozen=True, slots=True)
class ConsumerSpec:
    """A consumer group of the service: group id ``cbec.<service>.<name>``."""

    name: str
    topics: Sequence[str]
    handlers: Mapping[str, Handler]
    accepts: Callable[[str, str], bool] | None = None
    owners: Mapping[str, str] | None = None
    """Owners of topics outside the platform's table (:mod:`cbec.shared.topics`): tests."""


Hook = Callable[["Runtime"], Awaitable[None]]
PartT = TypeVar("PartT")


@dataclass
class Runtime:
    """The live parts of a running service, on ``app.state.runtime``."""

    settings: ServiceSettings
    descriptor: ServiceDescriptor
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    outbox: Outbox
    publisher: Publisher
    relay: OutboxRelay
    http: httpx.AsyncClient
    consumers: list[ConsumerRunner] = field(default_factory=list)
    read_sessions: async_sessionmaker[AsyncSession] | None = None
    """Sessions for reads beside the writer (SQLite: read-only connections); else ``sessions``."""
    connected: bool = False
    stopping: bool = False
    parts: dict[type, object] = field(default_factory=dict)
    """A service's own live objects (its domain facade, loaded tables), one per type."""

    def attach(self, part: object) -> None:
        """Keep a service's own live object; :meth:`part` finds it by its type."""
        self.parts[type(part)] = part

    def part(self, kind: type[PartT]) -> PartT:
        """The object of ``kind`` attached by the service's start hook."""
        found = self.parts.get(kind)
        if not isinstance(found, kind):
            raise RuntimeError(f"no {kind.__name__} on the runtime: the start hook has not run")
        return found

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """One unit of work: commit on success, roll back on error, then wake the relay."""
        async with self.sessions() as session, session.begin():
            yield session
        self.relay.wake()

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncSession]:
        """A read-only unit of work, one snapshot; on SQLite it does not wait for the writer."""
        async with (self.read_sessions or self.sessions)() as session, session.begin():
            yield session

    async def readiness(self) -> dict[str, str]:
        checks: dict[str, str] = {}
        try:
            await ping(self.engine)
            checks["database"] = "ok"
        except Exception as exc:
            checks["database"] = f"unreachable: {type(exc).__name__}"
        if not self.publisher.started:
            checks["broker"] = "connecting"
        else:
            try:
                # Generous: a service busy with a backlog answers slowly but is not unready.
                await self.publisher.ping(timeout=5.0)
                checks["broker"] = "ok"
            except Exception as exc:
                checks["broker"] = f"unreachable: {type(exc).__name__}"
        checks["outbox_relay"] = "ok" if self.relay.running else "stopped"
        for consumer in self.consumers:
            checks[f"consumer:{consumer.group}"] = "ok" if consumer.running else "stopped"
        if self.settings.consumer_enabled and self.connected is False:
            checks["consumers"] = "starting"
        if self.stopping:
            checks["lifecycle"] = "stopping"
        return checks


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


class _HttpMetrics:
    """Counts requests and their duration by route template (a pure ASGI middleware)."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def _send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, _send)
        finally:
            route = scope.get("route")
            path = getattr(route, "path", "<unmatched>")
            method = scope.get("method", "")
            metrics.HTTP_REQUESTS.labels(self.service, method, path, str(status)).inc()
            metrics.HTTP_LATENCY.labels(self.service, method, path).observe(
                time.perf_counter() - start
            )


class _DatabaseUnavailable:
    """A request that fails because the database cannot be reached (it restarts, fails over)
    is answered 503 with Retry-After, as problem+json, not 500: the client sends it again (a
    pure ASGI middleware, around the routes and their exception handlers)."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def _send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, _send)
        except Exception as exc:
            if started or not unavailable(exc):
                raise
            log.warning("database unavailable: %r; answered 503", exc)
            refusal = Unavailable(
                f"the {self.service} service cannot reach its database (or a service it "
                "depends on) right now; send the request again later",
                retry_after=DATABASE_BUSY_RETRY_AFTER_SECONDS,
            )
            response = problem(refusal)
            response.headers["Retry-After"] = str(refusal.retry_after)
            await response(scope, receive, send)


def problem(error: CbecError) -> JSONResponse:
    return JSONResponse(
        ErrorReport.from_error(error).as_dict(),
        status_code=error.status_code,
        media_type=PROBLEM_JSON,
    )


def validation_problem(exc: RequestValidationError) -> JSONResponse:
    violations = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path")]
        violations.append(
            {
                "field": ".".join(loc) or "<body>",
                "rule": err.get("msg", "invalid"),
                "type": err.get("type"),
            }
        )
    detail = "; ".join(f"{v['field']}: {v['rule']}" for v in violations)
    return JSONResponse(
        {
            "type": "https://cbec.example/problems/invalid-input",
            "title": "invalid-input",
            "status": 422,
            "detail": detail,
            "violations": violations,
        },
        status_code=422,
        media_type=PROBLEM_JSON,
    )


async def http_problem(_request: Request, exc: Exception) -> Response:
    """Starlette's own refusals (no such path 404, method not allowed 405) as problem+json;
    a body FastAPI cannot read (not UTF-8) is invalid input, as a body that is not JSON is."""
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400 and exc.__cause__ is not None:
        return problem(InvalidInput([Violation("<body>", f"must be JSON: {exc.__cause__}")]))
    headers = dict(exc.headers or {})
    if exc.status_code < 400:
        return Response(status_code=exc.status_code, headers=headers)
    try:
        title = HTTPStatus(exc.status_code).phrase.lower().replace(" ", "-")
    except ValueError:
        title = "error"
    return JSONResponse(
        {
            "type": f"https://cbec.example/problems/{title}",
            "title": title,
            "status": exc.status_code,
            "detail": str(exc.detail),
            "violations": [],
        },
        status_code=exc.status_code,
        media_type=PROBLEM_JSON,
        headers=headers,
    )


def document_problems(app: FastAPI, schemas: Mapping[str, Any] | None = None) -> None:
    """Make the app's OpenAPI say what it answers: the Problem schema (and ``schemas``) among
    the components, a 400 on every operation (the canonical path rule), and a 422 of
    problem+json where FastAPI documents its own error shape."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        document = generate()
        components = document.setdefault("components", {}).setdefault("schemas", {})
        components["Problem"] = PROBLEM_SCHEMA
        components.update(schemas or {})
        for operations in document.get("paths", {}).values():
            for operation in operations.values():
                responses = operation.get("responses", {})
                responses.setdefault("400", MALFORMED_REQUEST_RESPONSE)
                invalid = json.dumps(responses.get("422", {}))
                if "#/components/schemas/HTTPValidationError" in invalid:
                    responses["422"] = INVALID_INPUT_RESPONSE
        rest = json.dumps({**document, "components": {**document["components"], "schemas": {}}})
        for name in ("HTTPValidationError", "ValidationError"):
            if f"#/components/schemas/{name}" not in rest:
                components.pop(name, None)
        return document

    app.openapi = openapi  # type: ignore[method-assign]


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

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(
            settings.telemetry_service_name, level=settings.log_level, json_lines=settings.log_json
        )
        setup_tracing(settings)
        engine = create_engine(settings.database_url, pool_size=settings.db_pool_size)
        instrument_engine(engine)
        if settings.db_migrate_on_start and descriptor.migrations:
            await upgrade(engine, descriptor.migrations)
        sessions = session_factory(engine)
        read_engine = create_read_engine(settings.database_url, engine)
        if read_engine is not engine:
            instrument_engine(read_engine)
        publisher = Publisher(settings, signer=event_signer)
        relay = OutboxRelay(
            engine,
            sessions,
            publisher,
            service=settings.service_name,
            batch_size=settings.outbox_batch_size,
            poll_interval=settings.outbox_poll_interval_ms / 1000,
            retention=timedelta(hours=settings.outbox_retention_hours),
        )
        runtime = Runtime(
            settings=settings,
            descriptor=descriptor,
            engine=engine,
            sessions=sessions,
            outbox=Outbox(source=f"/cbec/{settings.service_name}"),
            publisher=publisher,
            relay=relay,
            http=httpx.AsyncClient(timeout=httpx.Timeout(10.0, connect=3.0)),
            read_sessions=session_factory(read_engine),
        )
        app.state.runtime = runtime
        connect = asyncio.create_task(_connect(runtime, consumers, verifiers), name="connect")
        for hook in on_start:
            await hook(runtime)
        log.info("service started", extra={"cbec": {"port": descriptor.port}})
        try:
            yield
        finally:
            runtime.stopping = True
            connect.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await connect
            for hook in on_stop:
                await hook(runtime)
            await _shutdown(runtime)
            if read_engine is not engine:
                await read_engine.dispose()
            await engine.dispose()
            shutdown_tracing()
            log.info("service stopped")

    app = FastAPI(
        title=descriptor.title or f"CBEC {descriptor.name}",
        description=description,
        version=version,
        lifespan=lifespan,
        openapi_tags=openapi_tags,
        # A path with a trailing slash is no path of the service (404), not a redirect: behind
        # the gateway a redirect would name the service's own address, and a signed request
        # cannot follow one.
        redirect_slashes=False,
    )
    route_issuers: dict[int, str] = {}

    def route_issuer(scope: Scope) -> str:
        """The issuer whose tokens the route of ``scope`` takes (the gateway's by default)."""
        if not route_issuers:
            return GATEWAY
        partial = None
        for route in app.router.routes:
            match, _ = route.matches(scope)
            if match is Match.FULL:
                return route_issuers.get(id(route), GATEWAY)
            if match is Match.PARTIAL and partial is None:
                partial = route
        return route_issuers.get(id(partial), GATEWAY)

    if verifier is not None:
        app.add_middleware(CallerTokens, verifier=verifier, route_issuer=route_issuer)
    app.state.caller_verifier = verifier
    app.state.event_signer = event_signer
    app.state.event_verifiers = verifiers
    app.add_middleware(_DatabaseUnavailable, service=settings.service_name)
    app.add_middleware(_HttpMetrics, service=settings.service_name)
    app.add_middleware(BoundedJson)
    for middleware in reversed(edge):
        app.add_middleware(middleware.cls, *middleware.args, **middleware.kwargs)
    app.add_middleware(CanonicalPath)

    @app.exception_handler(CbecError)
    async def _domain_error(_request: Request, exc: CbecError) -> JSONResponse:
        return problem(exc)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return validation_problem(exc)

    app.add_exception_handler(StarletteHTTPException, http_problem)

    @app.exception_handler(PoolTimeout)
    async def _database_busy(request: Request, _exc: PoolTimeout) -> JSONResponse:
        # No pooled connection came free within the pool's timeout (on SQLite the one
        # connection, queued behind the consumers' and other requests' transactions): the
        # service is overloaded, not broken. The transaction that waited never began, and the
        # services are idempotent on business keys, so the client sends the request again.
        log.warning("database busy: %s %s refused with 503", request.method, request.url.path)
        busy = Unavailable(
            "the service is busy; send the request again later",
            retry_after=DATABASE_BUSY_RETRY_AFTER_SECONDS,
        )
        response = problem(busy)
        response.headers["Retry-After"] = str(busy.retry_after)
        return response

    @app.get("/healthz", tags=["operations"], include_in_schema=False)
    async def healthz() -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "ok", "service": descriptor.name}

    @app.get("/readyz", tags=["operations"], include_in_schema=False)
    async def readyz(request: Request) -> JSONResponse:
        """Readiness: database and broker reachable, relay and consumers running."""
        checks = await get_runtime(request).readiness()
        ready = all(value == "ok" for value in checks.values())
        return JSONResponse(
            {"status": "ready" if ready else "not ready", "checks": checks},
            status_code=200 if ready else 503,
        )

    @app.get("/metrics", tags=["operations"], include_in_schema=False)
    async def prometheus() -> Response:
        """Prometheus metrics."""
        body, content_type = metrics.render()
        return Response(body, media_type=content_type)

    for router in routers:
        app.include_router(router)
    for group in service_callers:
        for router in group.routers:
            before = len(app.router.routes)
            app.include_router(router)
            for route in app.router.routes[before:]:
                route_issuers[id(route)] = group.issuer
    document_problems(app, openapi_schemas)
    instrument_app(app)
    return app


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


async def _connect(
    runtime: Runtime, consumers: Sequence[ConsumerSpec], verifiers: Sequence[EventVerifier]
) -> None:
    """Connect to the broker, retrying with backoff, then start the relay and the consumers."""
    settings = runtime.settings
    delay = 0.5
    while True:
        try:
            await runtime.publisher.start()
            break
        except Exception as exc:
            log.warning("broker not reachable (%s); retrying in %.1fs", exc, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10.0)
    runtime.relay.start()
    if settings.consumer_enabled:
        for spec, verifier in zip(consumers, verifiers, strict=True):
            runner = ConsumerRunner(
                group=f"{settings.consumer_group_prefix}.{settings.service_name}.{spec.name}",
                topics=spec.topics,
                handlers=spec.handlers,
                sessions=runtime.sessions,
                outbox=runtime.outbox,
                publisher=runtime.publisher,
                settings=settings,
                after_commit=runtime.relay.wake,
                accepts=spec.accepts,
                runtime=runtime,
                verifier=verifier,
            )
            while True:
                try:
                    await runner.start()
                    break
                except Exception as exc:
                    log.warning("consumer %s cannot start (%s); retrying", runner.group, exc)
                    await asyncio.sleep(1.0)
            runtime.consumers.append(runner)
    runtime.connected = True


async def _shutdown(runtime: Runtime) -> None:
    for consumer in runtime.consumers:
        try:
            await consumer.stop()
        except Exception:
            log.exception("consumer %s did not stop cleanly", consumer.group)
    if runtime.publisher.started:
        # Publish what was committed before leaving, within a bound.
        with contextlib.suppress(Exception):
            await asyncio.wait_for(_drain(runtime.relay), 5.0)
    await runtime.relay.stop()
    await runtime.publisher.stop()
    await runtime.http.aclose()


async def _drain(relay: OutboxRelay) -> None:
    while await relay.publish_batch() >= relay.batch_size:
        pass
