"""The service defaults: one factory that wires a FastAPI app to the database, bus and telemetry.

    def create_app(settings: Settings | None = None) -> FastAPI:
        return create_service_app(settings or Settings(), SERVICE, routers=[router],
                                  consumers=[ConsumerSpec("lists", [...], HANDLERS)])

The rooms: :mod:`~cbec.shared.service.app` (the factory and the app's lifespan),
:mod:`~cbec.shared.service.runtime` (the live parts of a running service),
:mod:`~cbec.shared.service.descriptor` (what a service is to the platform),
:mod:`~cbec.shared.service.problems` (problem+json answers and their OpenAPI),
:mod:`~cbec.shared.service.middleware` (request metrics, database unavailable) and
:mod:`~cbec.shared.service.operations` (``/healthz``, ``/readyz``, ``/metrics``).
"""

from __future__ import annotations

from cbec.shared.service.app import create_service_app
from cbec.shared.service.descriptor import ConsumerSpec, ServiceDescriptor
from cbec.shared.service.problems import (
    DATABASE_BUSY_RETRY_AFTER_SECONDS,
    INVALID_INPUT_RESPONSE,
    MALFORMED_REQUEST_RESPONSE,
    PROBLEM_JSON,
    PROBLEM_SCHEMA,
    document_problems,
    http_problem,
    problem,
    problem_response,
    validation_problem,
)
from cbec.shared.service.runtime import Hook, Runtime, get_runtime

__all__ = [
    "DATABASE_BUSY_RETRY_AFTER_SECONDS",
    "INVALID_INPUT_RESPONSE",
    "MALFORMED_REQUEST_RESPONSE",
    "PROBLEM_JSON",
    "PROBLEM_SCHEMA",
    "ConsumerSpec",
    "Hook",
    "Runtime",
    "ServiceDescriptor",
    "create_service_app",
    "document_problems",
    "get_runtime",
    "http_problem",
    "problem",
    "problem_response",
    "validation_problem",
]
