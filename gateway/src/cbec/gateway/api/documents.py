"""Routes of documents: signed submissions in JSON or customs XML, and forwarding.

POST /v1/export/orders     one document or an array of up to 100 (JSON), to its service
POST /v1/messages          any CEB business message in the customs XML; its receipt message
GET  /v1/export/lists/...  any other path of a service, forwarded as the signing enterprise
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Request, Response

from cbec.gateway import messages
from cbec.gateway.api.deps import CallerDep, GatewayDep, RuntimeDep, path_with_query, raw_path
from cbec.gateway.domain.signatures import Caller
from cbec.gateway.edge import Gateway
from cbec.gateway.errors import UnsupportedMediaType
from cbec.gateway.openapi import (
    IDEMPOTENCY_KEY_PARAMETER,
    IDEMPOTENT,
    SERVICE_REFUSAL,
    SIGNED,
    UPSTREAM,
    forwarded_extra,
    forwarded_responses,
    submission_body,
    submission_responses,
    submission_status,
)
from cbec.gateway.routing import (
    MESSAGE_ROUTES,
    ROUTES,
    check_parties,
    check_path_party,
    check_role,
    route_for,
)
from cbec.gateway.use_cases import submission
from cbec.gateway.use_cases.submission import MAX_DOCUMENTS, parse_documents, tag_documents
from cbec.shared.ceb import CebSchemaError, parse_message
from cbec.shared.errors import InvalidInput, NotFound, Violation
from cbec.shared.service import Runtime, problem_response

router = APIRouter()


IDEMPOTENCY_HEADER = "Idempotency-Key"


WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


XML = "application/xml"


async def _idempotent(
    request: Request,
    runtime: Runtime,
    gateway: Gateway,
    caller: Caller,
    body: bytes,
    answer: Callable[[], Awaitable[Response]],
) -> Response:
    """A write with an Idempotency-Key is answered once per key and request; any other
    request is answered as it comes."""
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if request.method not in WRITE_METHODS or not key:
        return await answer()
    if len(key) > 255:
        raise InvalidInput([Violation(field=IDEMPOTENCY_HEADER, rule="at most 255 characters")])
    digest = hashlib.sha256()
    for part in (request.method.encode(), path_with_query(request).encode(), body):
        digest.update(part)
        digest.update(b"\n")
    return await submission.answer_once(
        runtime, gateway, caller.code, key, digest.hexdigest(), answer
    )


def _require_media_type(request: Request, kind: str) -> None:
    """A body sent with a Content-Type must say it is ``kind`` (``json``: application/json or
    a ``+json`` type; ``xml``: application/xml, text/xml or ``+xml``); 415 naming the header
    otherwise. A body without one is read as ``kind``."""
    given = request.headers.get("content-type")
    if given is None:
        return
    media = given.split(";", 1)[0].strip().lower()
    accepted = {"json": ("application/json",), "xml": ("application/xml", "text/xml")}[kind]
    if media in accepted or (media.startswith("application/") and media.endswith("+" + kind)):
        return
    raise UnsupportedMediaType(
        f"this path takes {kind.upper()}, not {media or 'an empty media type'}",
        [Violation(field="Content-Type", rule=f"must be {' or '.join(accepted)}", value=media)],
    )


def _passthrough(upstream: Any) -> Response:
    return Response(
        upstream.content,
        status_code=upstream.status_code,
        media_type=upstream.headers.get("content-type"),
    )


async def forward(
    request: Request, runtime: RuntimeDep, gateway: GatewayDep, caller: CallerDep
) -> Response:
    """Forward to the owning service, as the signing enterprise: the path routed and checked is
    the path forwarded, as the client sent and signed it."""
    path = raw_path(request)
    route = route_for(path)
    if route is None:
        raise NotFound(f"no route for {path}")
    check_role(route, caller.roles)
    check_path_party(route, path, caller.code, caller.roles)
    body = await request.body()
    if request.method == "POST" and route.is_collection(path):
        _require_media_type(request, "json")
        documents = parse_documents(route, body)
        check_parties(route, caller.code, caller.roles, documents)
        tag_documents(documents)

    async def answer() -> Response:
        upstream = await gateway.upstreams.forward(
            route, request.method, path_with_query(request), body, caller, dict(request.headers)
        )
        return _passthrough(upstream)

    return await _idempotent(request, runtime, gateway, caller, body, answer)


_XML_EXAMPLE = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<ceb:CEB303Message guid="..." version="1.0" xmlns:ceb="http://www.chinaport.gov.cn/ceb">'
    "<ceb:Order>...</ceb:Order><ceb:BaseTransfer>...</ceb:BaseTransfer></ceb:CEB303Message>"
)


@router.post(
    "/v1/messages",
    tags=["submissions"],
    openapi_extra={
        "requestBody": {"required": True, "content": {XML: {"example": _XML_EXAMPLE}}},
        "parameters": [IDEMPOTENCY_KEY_PARAMETER],
    },
    responses={
        200: {
            "description": "the CEB receipt message (CEB304Message ...); the service's receipts "
            "in JSON when they cannot be written as the standard's receipt message",
            "content": {XML: {}, "application/json": {}},
        },
        **SIGNED,
        **UPSTREAM,
        **SERVICE_REFUSAL,
        400: problem_response("malformed XML, a DOCTYPE or an entity declaration"),
        403: problem_response(
            "a role that may not file the message, or a document naming "
            "another enterprise as its party"
        ),
        **IDEMPOTENT,
        422: problem_response(
            "the message breaks the standard's schema, is not a business message the platform "
            "takes, or its Idempotency-Key came before with another request"
        ),
    },
)
async def submit_message(
    request: Request, runtime: RuntimeDep, gateway: GatewayDep, caller: CallerDep
) -> Response:
    """Submit any CEB business message in the customs XML; the answer is its receipt message."""
    _require_media_type(request, "xml")
    body = await request.body()
    message = parse_message(body, max_bytes=gateway.settings.max_body_bytes)
    name = message.message_type()
    route = MESSAGE_ROUTES.get(name)
    if route is None:
        raise InvalidInput(
            [Violation(field=f"/{name}", rule="not a business message the platform takes")]
        )
    check_role(route, caller.roles)
    documents = messages.documents_of(message)
    check_parties(route, caller.code, caller.roles, documents)
    tag_documents(documents)
    payload = messages.to_json(documents)

    async def answer() -> Response:
        upstream = await gateway.upstreams.forward(
            route,
            "POST",
            route.path,
            payload,
            caller,
            {"content-type": "application/json", "accept": "application/json"},
        )
        if not upstream.is_success:
            return _passthrough(upstream)
        try:
            receipts = upstream.json()["receipts"]
            xml = messages.receipt_xml(message, receipts)
        except (ValueError, KeyError, TypeError, CebSchemaError):
            # The service's receipts cannot be written as the standard's receipt message
            # (a key it requires is missing): they are answered as they came, in JSON.
            return _passthrough(upstream)
        return Response(xml, status_code=upstream.status_code, media_type=XML)

    return await _idempotent(request, runtime, gateway, caller, body, answer)


def _register_forwarding_routes() -> None:
    for route in ROUTES:
        roles = ", ".join(sorted(route.roles))
        if route.prefix:
            for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
                router.add_api_route(
                    route.path + "/{rest:path}",
                    forward,
                    methods=[method],
                    tags=["forwarded"],
                    summary=f"{method} {route.path}/…: forwarded to the {route.service} service",
                    description=f"For the roles {roles}.",
                    response_class=Response,
                    operation_id=f"{method.lower()}_{route.path.strip('/').replace('/', '_')}",
                    responses=forwarded_responses(method),
                    openapi_extra=forwarded_extra(method),
                )
            continue
        router.add_api_route(
            route.path,
            forward,
            methods=["POST"],
            tags=["submissions"],
            summary=f"Submit {route.message or 'documents'} ({route.service})",
            description=(
                f"One document or an array of up to {MAX_DOCUMENTS}, in the JSON shape of the "
                f"standard's entity; for the roles {roles}, with the caller's own code in the "
                "party field. Answers one receipt per document."
            ),
            response_class=Response,
            status_code=submission_status(route),
            responses=submission_responses(route),
            openapi_extra=submission_body(route),
        )
        router.add_api_route(
            route.path + "/{rest:path}",
            forward,
            methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            include_in_schema=False,
        )
        router.add_api_route(route.path, forward, methods=["GET"], include_in_schema=False)


_register_forwarding_routes()
