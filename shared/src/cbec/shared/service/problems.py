"""Problem details (RFC 9457): every refusal and failure of a service app as problem+json, and
its OpenAPI document saying so.

    raise InvalidInput([Violation("orderNo", "required")])   # answered 422 by the app
    responses={409: problem_response("the list is already released")}

:func:`install_problem_handlers` turns the platform's errors, FastAPI's validation errors,
Starlette's own refusals and a database pool timeout into problem+json;
:func:`document_problems` adds the Problem schema, a 400 on every operation and a 422 of
problem+json to the app's OpenAPI.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from cbec.shared.errors import CbecError, ErrorReport, InvalidInput, Unavailable, Violation

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


def install_problem_handlers(app: FastAPI) -> None:
    """Answer the platform's errors, invalid requests, Starlette's refusals and a busy
    database pool as problem+json."""

    @app.exception_handler(CbecError)
    async def _domain_error(_request: Request, exc: CbecError) -> JSONResponse:
        return problem(exc)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return validation_problem(exc)

    app.add_exception_handler(StarletteHTTPException, http_problem)
    app.add_exception_handler(PoolTimeout, database_busy)


async def database_busy(request: Request, _exc: Exception) -> JSONResponse:
    """503 with Retry-After: no pooled database connection came free in time."""
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
