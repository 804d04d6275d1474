"""The gateway's HTTP API: registration, signed submissions in JSON or customs XML, forwarding.

Every route but the registration application needs a signed request (see gateway/README.md).
Order of the checks: body size (413), signature (401), rate (429), role and party (403),
document shape (422), Idempotency-Key (replay / 409 / 422), then the owning service.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import math
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, Response
from pydantic import ValidationError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from cbec.gateway import messages, services
from cbec.gateway.edge import Gateway, gateway_of
from cbec.gateway.errors import (
    Forbidden,
    MalformedHeader,
    TooManyRequests,
    Unauthorized,
    UnsupportedMediaType,
)
from cbec.gateway.openapi import (
    FORBIDDEN,
    IDEMPOTENCY_KEY_PARAMETER,
    IDEMPOTENT,
    INVALID,
    NOT_FOUND,
    SERVICE_REFUSAL,
    SIGNED,
    UPSTREAM,
    forwarded_extra,
    forwarded_responses,
    submission_body,
    submission_responses,
    submission_status,
)
from cbec.gateway.ratelimit import TooBusy
from cbec.gateway.routing import (
    MESSAGE_ROUTES,
    ROUTES,
    Role,
    Route,
    check_parties,
    check_path_party,
    check_role,
    document_field,
    route_for,
)
from cbec.gateway.services import (
    ApplicationIn,
    ApplicationOut,
    Caller,
    IssuedCredentials,
    KeyOut,
    RotatedKey,
    SignedRequest,
    StoredAnswer,
)
from cbec.gateway.signing import (
    KEY_HEADER,
    NONCE_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
)
from cbec.shared.ceb import MESSAGES, CebSchemaError, parse_message
from cbec.shared.db import unavailable
from cbec.shared.errors import InvalidInput, NotFound, Violation
from cbec.shared.inputs import json_depth_violation
from cbec.shared.service import Runtime, get_runtime, problem_response
from cbec.shared.telemetry import BUSINESS_KEYS, tag_span

router = APIRouter()
log = logging.getLogger(__name__)

IDEMPOTENCY_HEADER = "Idempotency-Key"
MAX_DOCUMENTS = 100
"""A message carries up to 100 documents (DOMAIN.md §2); so does a JSON batch."""
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
XML = "application/xml"

RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
GatewayDep = Annotated[Gateway, Depends(gateway_of)]


def _raw_path(request: Request) -> str:
    """The path exactly as the client sent it (canonical: ``cbec.shared.inputs``)."""
    raw = request.scope.get("raw_path")
    return raw.decode("latin-1") if raw else request.url.path


def _path_with_query(request: Request) -> str:
    """What the client signed, what the gateway routes and authorises, and what it forwards:
    one string, the path and query as sent."""
    query = request.scope.get("query_string", b"")
    path = _raw_path(request)
    return f"{path}?{query.decode('latin-1')}" if query else path


def _take_token(gateway: Gateway, key: str) -> None:
    wait = gateway.limiter.take(key)
    if wait > 0:
        raise TooManyRequests("too many requests; slow down", retry_after=math.ceil(wait))


def _client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _refuse_if_failing(gateway: Gateway, key: str, who: str) -> None:
    wait = gateway.failures.wait(key)
    if wait > 0:
        raise TooManyRequests(
            f"too many failed authentications from {who}; send it again after Retry-After",
            retry_after=math.ceil(wait),
        )


def _count_failure(gateway: Gateway, address_key: str, key_id: str | None) -> None:
    gateway.failures.take(address_key)
    if key_id and services.KEY_ID_FORMAT.fullmatch(key_id):
        gateway.failures.take(f"key:{key_id}")


async def signed_caller(
    request: Request, runtime: RuntimeDep, gateway: GatewayDep
) -> AsyncIterator[Caller]:
    """The enterprise that signed the request (401 otherwise), within its limits (429).

    Cheapest first: the failed authentications of the client address (429), the signature
    headers' format (400) and timestamp (401), the failed authentications of the key id (429;
    not for a key this gateway holds, whose signature costs one HMAC to check), the signature
    (401), the enterprise's rate and its requests in flight (429), and last the one write,
    the nonce, spent only while the key is neither revoked nor expired (401). Every 400 and 401
    here counts as a failure of the address and of the key id. The enterprise's in-flight slot
    is held until its route has answered."""
    address_key = f"ip:{_client_address(request)}"
    _refuse_if_failing(gateway, address_key, "this address")
    body = await request.body()
    headers = request.headers
    signed = SignedRequest(
        method=request.method,
        path_with_query=_path_with_query(request),
        key_id=headers.get(KEY_HEADER),
        timestamp=headers.get(TIMESTAMP_HEADER),
        nonce=headers.get(NONCE_HEADER),
        signature=headers.get(SIGNATURE_HEADER),
        body=body,
    )
    now = datetime.now(UTC)
    tolerance = gateway.settings.signature_tolerance_seconds
    admitted: list[str] = []

    def admit(signer: services.Signer) -> None:
        _take_token(gateway, signer.code)
        try:
            gateway.in_flight.acquire(signer.code)
        except TooBusy:
            raise TooManyRequests(
                f"{gateway.in_flight.limit} requests of {signer.code} are being handled; "
                "send this one again after Retry-After",
                retry_after=1,
            ) from None
        admitted.append(signer.code)

    try:
        services.check_headers(signed, now=now, tolerance_seconds=tolerance)
        key_id = signed.key_id or ""
        if gateway.credentials.get(key_id) is None:
            _refuse_if_failing(gateway, f"key:{key_id}", "this key")
        async with runtime.transaction() as session:
            caller = await services.authenticate(
                session,
                gateway.keyring,
                signed,
                now=now,
                tolerance_seconds=tolerance,
                cache=gateway.credentials,
                admit=admit,
            )
    except BaseException as error:
        for code in admitted:
            gateway.in_flight.release(code)
        if isinstance(error, Unauthorized | MalformedHeader):
            _count_failure(gateway, address_key, signed.key_id)
        raise
    tag_span(party=caller.code)
    try:
        yield caller
    finally:
        gateway.in_flight.release(caller.code)


CallerDep = Annotated[Caller, Depends(signed_caller, scope="function")]


def operator(caller: CallerDep) -> Caller:
    """A caller with the operator role (403 otherwise)."""
    if Role.OPERATOR not in caller.roles:
        raise Forbidden(
            "only an operator may do this",
            [Violation(field="X-Cbec-Roles", rule="the role operator is required")],
        )
    return caller


OperatorDep = Annotated[Caller, Depends(operator)]


# -- registration ---------------------------------------------------------------------------


@router.post(
    "/v1/enterprises/applications",
    status_code=201,
    response_model=ApplicationOut,
    tags=["registration"],
    responses={
        409: problem_response("already registered, or another application pending"),
        413: SIGNED[413],
        422: INVALID,
        429: problem_response(
            "too many applications from this address; send it again after Retry-After",
            retry_after=True,
        ),
    },
)
async def apply(
    data: ApplicationIn, request: Request, runtime: RuntimeDep, gateway: GatewayDep
) -> ApplicationOut:
    """Apply for registration (no credentials needed): the application waits for an operator."""
    _take_token(gateway, f"ip:{_client_address(request)}")
    async with runtime.transaction() as session:
        return await services.submit_application(session, data)


@router.get(
    "/v1/enterprises/applications/{application_id}",
    response_model=ApplicationOut,
    tags=["registration"],
    responses={**SIGNED, 403: FORBIDDEN, 404: NOT_FOUND},
)
async def application(
    application_id: str, runtime: RuntimeDep, _operator: OperatorDep
) -> ApplicationOut:
    """An application and its status (operators only)."""
    async with runtime.transaction() as session:
        return await services.get_application(session, application_id)


@router.post(
    "/v1/enterprises/applications/{application_id}/approve",
    status_code=201,
    response_model=IssuedCredentials,
    tags=["registration"],
    responses={
        201: {"description": "the credentials; the secret is shown only in this answer"},
        **SIGNED,
        403: problem_response("the caller is not an operator"),
        404: NOT_FOUND,
        409: problem_response("the application is not pending, or the enterprise registered"),
    },
)
async def approve(
    application_id: str, runtime: RuntimeDep, gateway: GatewayDep, caller: OperatorDep
) -> IssuedCredentials:
    """Approve an application: registers the enterprise and issues its credentials (once)."""
    async with runtime.transaction() as session:
        return await services.approve_application(
            session, gateway.keyring, application_id, operator=caller.code
        )


@router.get("/v1/enterprises/me", tags=["registration"], responses=SIGNED)
async def me(caller: CallerDep) -> dict[str, Any]:
    """The enterprise the signature belongs to: a way to check a client's signing."""
    return {"code": caller.code, "roles": sorted(caller.roles), "keyId": caller.key_id}


# -- credentials ----------------------------------------------------------------------------

ENTERPRISE_CODE = Path(pattern=r"^[0-9A-Z]{10,18}$", description="the enterprise's code")
KEY_ID = Path(pattern=r"^[A-Za-z0-9_-]{1,40}$", description="a key id (ck_...)")
KEYS_RESPONSES: dict[int | str, dict[str, Any]] = {**SIGNED, 404: NOT_FOUND}
ROTATED = {
    201: {"description": "the new key; its secret is shown only in this answer"},
    **SIGNED,
    404: NOT_FOUND,
}


async def _list_keys(runtime: Runtime, code: str) -> list[KeyOut]:
    async with runtime.reading() as session:
        return await services.list_keys(session, code, now=datetime.now(UTC))


async def _rotate_key(runtime: Runtime, gateway: Gateway, code: str) -> RotatedKey:
    grace = timedelta(seconds=gateway.settings.key_rotation_grace_seconds)
    async with runtime.transaction() as session:
        return await services.rotate_key(
            session, gateway.keyring, code, now=datetime.now(UTC), grace=grace
        )


async def _revoke_key(runtime: Runtime, gateway: Gateway, code: str, key_id: str) -> KeyOut:
    async with runtime.transaction() as session:
        revoked = await services.revoke_key(session, code, key_id, now=datetime.now(UTC))
    gateway.credentials.forget(key_id)
    return revoked


@router.get(
    "/v1/enterprises/me/keys",
    response_model=list[KeyOut],
    tags=["registration"],
    responses=KEYS_RESPONSES,
)
async def my_keys(runtime: RuntimeDep, caller: CallerDep) -> list[KeyOut]:
    """The calling enterprise's keys and their status (never a secret)."""
    return await _list_keys(runtime, caller.code)


@router.post(
    "/v1/enterprises/me/keys",
    status_code=201,
    response_model=RotatedKey,
    tags=["registration"],
    responses=ROTATED,
)
async def rotate_my_key(runtime: RuntimeDep, gateway: GatewayDep, caller: CallerDep) -> RotatedKey:
    """Rotate: a new key for the calling enterprise; its other keys keep working for
    KEY_ROTATION_GRACE_SECONDS, or until revoked."""
    return await _rotate_key(runtime, gateway, caller.code)


@router.delete(
    "/v1/enterprises/me/keys/{key_id}",
    response_model=KeyOut,
    tags=["registration"],
    responses=KEYS_RESPONSES,
)
async def revoke_my_key(
    runtime: RuntimeDep,
    gateway: GatewayDep,
    caller: CallerDep,
    key_id: Annotated[str, KEY_ID],
) -> KeyOut:
    """Revoke one of the calling enterprise's keys: refused from the next request on, by
    every gateway (another enterprise's key is 404)."""
    return await _revoke_key(runtime, gateway, caller.code, key_id)


@router.get(
    "/v1/enterprises/{code}/keys",
    response_model=list[KeyOut],
    tags=["registration"],
    responses={**KEYS_RESPONSES, 403: FORBIDDEN},
)
async def enterprise_keys(
    runtime: RuntimeDep, _operator: OperatorDep, code: Annotated[str, ENTERPRISE_CODE]
) -> list[KeyOut]:
    """An enterprise's keys and their status (operators only)."""
    return await _list_keys(runtime, code)


@router.post(
    "/v1/enterprises/{code}/keys",
    status_code=201,
    response_model=RotatedKey,
    tags=["registration"],
    responses={**ROTATED, 403: FORBIDDEN},
)
async def rotate_enterprise_key(
    runtime: RuntimeDep,
    gateway: GatewayDep,
    _operator: OperatorDep,
    code: Annotated[str, ENTERPRISE_CODE],
) -> RotatedKey:
    """Rotate an enterprise's key (operators only); the secret is shown once, to the operator."""
    return await _rotate_key(runtime, gateway, code)


@router.delete(
    "/v1/enterprises/{code}/keys/{key_id}",
    response_model=KeyOut,
    tags=["registration"],
    responses={**KEYS_RESPONSES, 403: FORBIDDEN},
)
async def revoke_enterprise_key(
    runtime: RuntimeDep,
    gateway: GatewayDep,
    _operator: OperatorDep,
    code: Annotated[str, ENTERPRISE_CODE],
    key_id: Annotated[str, KEY_ID],
) -> KeyOut:
    """Revoke an enterprise's key (operators only)."""
    return await _revoke_key(runtime, gateway, code, key_id)


@router.post("/v1/gateway/housekeeping", tags=["operations"], responses={**SIGNED, 403: FORBIDDEN})
async def housekeeping(
    runtime: RuntimeDep, gateway: GatewayDep, _operator: OperatorDep
) -> dict[str, int]:
    """Delete expired nonces and idempotency records now (it also runs periodically)."""
    return await run_housekeeping(runtime, gateway)


async def run_housekeeping(runtime: Runtime, gateway: Gateway) -> dict[str, int]:
    async with runtime.transaction() as session:
        counts = await services.purge_expired(session, now=datetime.now(UTC))
    counts["rateBuckets"] = gateway.limiter.forget_idle()
    return counts


# -- submissions ----------------------------------------------------------------------------


async def _idempotent(
    request: Request,
    runtime: Runtime,
    gateway: Gateway,
    caller: Caller,
    body: bytes,
    answer: Callable[[], Awaitable[Response]],
) -> Response:
    """The first answer again for a repeated Idempotency-Key (DESIGN.md, idempotent API)."""
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if request.method not in WRITE_METHODS or not key:
        return await answer()
    if len(key) > 255:
        raise InvalidInput([Violation(field=IDEMPOTENCY_HEADER, rule="at most 255 characters")])
    digest = hashlib.sha256()
    for part in (request.method.encode(), _path_with_query(request).encode(), body):
        digest.update(part)
        digest.update(b"\n")
    async with runtime.transaction() as session:
        stored = await services.claim_idempotency_key(
            session,
            party=caller.code,
            key=key,
            request_hash=digest.hexdigest(),
            now=datetime.now(UTC),
            ttl=timedelta(hours=gateway.settings.idempotency_ttl_hours),
            in_flight=timedelta(seconds=gateway.settings.idempotency_in_flight_seconds),
        )
    if stored is not None:
        return Response(
            stored.body,
            status_code=stored.status_code,
            media_type=stored.content_type,
            headers={"Idempotent-Replayed": "true"},
        )
    try:
        response = await answer()
    except Exception:
        # Refused before it took effect: the same key may be sent again.
        await _settle_key(runtime, gateway, caller.code, key, None)
        raise
    stored_answer = StoredAnswer(
        response.status_code, response.headers.get("content-type"), bytes(response.body)
    )
    await _settle_key(runtime, gateway, caller.code, key, stored_answer)
    return response


KEY_SETTLING_ATTEMPTS = 10


async def _settle_key(
    runtime: Runtime, gateway: Gateway, party: str, key: str, answer: StoredAnswer | None
) -> None:
    """Keep the answer of a claimed key, or free the key of a request that took no effect.

    When the database stays busy beyond the pool's timeout, or cannot be reached (it restarts),
    the request is not failed for it: its effect upstream (or its refusal) stands, so the client
    gets that answer now, and the key is settled in the background once the database is back.
    Failing here would tell the client to resend, and the resend would meet the key still
    claimed (409) until the claim is taken over."""

    async def settle() -> None:
        async with runtime.transaction() as session:
            if answer is None:
                await services.release_idempotency_key(session, party=party, key=key)
            else:
                await services.record_answer(session, party=party, key=key, answer=answer)

    try:
        await settle()
    except Exception as exc:
        if not _database_busy_or_gone(exc):
            raise
        log.warning("database busy: Idempotency-Key %r of %s is settled later", key, party)
        gateway.in_background(_again(settle, f"Idempotency-Key {key!r} of {party}"))


def _database_busy_or_gone(error: BaseException) -> bool:
    return isinstance(error, PoolTimeout) or unavailable(error)


async def _again(work: Callable[[], Awaitable[None]], what: str) -> None:
    for attempt in range(KEY_SETTLING_ATTEMPTS):
        await asyncio.sleep(min(0.5 * 2**attempt, 30.0))
        try:
            await work()
            return
        except Exception as exc:
            if not _database_busy_or_gone(exc):
                raise
    log.error("%s was not settled: the database stayed busy; it expires with its TTL", what)


def _parse_documents(route: Route, body: bytes) -> list[Any]:
    """The documents of a JSON body: one document or an array of up to 100, each checked with
    the standard's model of the route's message (422 naming every field that breaks it)."""
    too_deep = json_depth_violation(body)
    if too_deep is not None:
        raise InvalidInput([too_deep])
    try:
        value = json.loads(body, parse_float=Decimal)
    except (ValueError, UnicodeDecodeError, RecursionError) as error:
        raise InvalidInput([Violation(field="<body>", rule=f"must be JSON: {error}")]) from None
    batch = isinstance(value, list)
    documents = value if batch else [value]
    if not documents or len(documents) > MAX_DOCUMENTS:
        raise InvalidInput(
            [
                Violation(
                    field="<body>",
                    rule=f"one document or an array of 1 to {MAX_DOCUMENTS} documents",
                    value=len(documents),
                )
            ]
        )
    if route.message is None:
        return documents
    model = MESSAGES[route.message].xml_spec.children[document_field(route.message)]
    violations: list[Violation] = []
    for index, document in enumerate(documents):
        try:
            model.model_validate(document)
        except ValidationError as error:
            for item in error.errors():
                loc = ".".join(str(p) for p in item["loc"])
                where = f"[{index}].{loc}" if batch else loc
                violations.append(Violation(field=where or "<document>", rule=item["msg"]))
    if violations:
        raise InvalidInput(violations)
    return documents


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


def _tag_documents(documents: list[Any]) -> None:
    if len(documents) != 1 or not isinstance(documents[0], dict):
        tag_span(documents=len(documents))
        return
    document = documents[0]
    head = next((v for k, v in document.items() if k.endswith("Head") and isinstance(v, dict)), {})
    keys = {k: v for k, v in {**document, **head}.items() if k in BUSINESS_KEYS}
    tag_span(**keys)


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
    path = _raw_path(request)
    route = route_for(path)
    if route is None:
        raise NotFound(f"no route for {path}")
    check_role(route, caller.roles)
    check_path_party(route, path, caller.code, caller.roles)
    body = await request.body()
    if request.method == "POST" and route.is_collection(path):
        _require_media_type(request, "json")
        documents = _parse_documents(route, body)
        check_parties(route, caller.code, caller.roles, documents)
        _tag_documents(documents)

    async def answer() -> Response:
        upstream = await gateway.upstreams.forward(
            route, request.method, _path_with_query(request), body, caller, dict(request.headers)
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
    _tag_documents(documents)
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
