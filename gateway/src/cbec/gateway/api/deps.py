"""What the gateway's routes depend on, defined once: the runtime, the gateway, the caller.

    async def route(runtime: RuntimeDep, gateway: GatewayDep, caller: CallerDep) -> ...
    async def operators_only(_operator: OperatorDep) -> ...

Every route but the registration application needs a signed request (see gateway/README.md).
Order of the checks: body size (413), signature (401), rate (429), role and party (403),
document shape (422), Idempotency-Key (replay / 409 / 422), then the owning service.
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request

from cbec.gateway.domain.signatures import (
    KEY_ID_FORMAT,
    Caller,
    SignedRequest,
    Signer,
    check_headers,
)
from cbec.gateway.edge import Gateway, gateway_of
from cbec.gateway.errors import Forbidden, MalformedHeader, TooManyRequests, Unauthorized
from cbec.gateway.ratelimit import TooBusy
from cbec.gateway.routing import Role
from cbec.gateway.signing import KEY_HEADER, NONCE_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER
from cbec.gateway.use_cases import authentication
from cbec.shared.clock import utcnow
from cbec.shared.errors import Violation
from cbec.shared.service import Runtime, get_runtime
from cbec.shared.telemetry import tag_span

RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
GatewayDep = Annotated[Gateway, Depends(gateway_of)]


def raw_path(request: Request) -> str:
    """The path exactly as the client sent it (canonical: ``cbec.shared.inputs``)."""
    raw = request.scope.get("raw_path")
    return raw.decode("latin-1") if raw else request.url.path


def path_with_query(request: Request) -> str:
    """What the client signed, what the gateway routes and authorises, and what it forwards:
    one string, the path and query as sent."""
    query = request.scope.get("query_string", b"")
    path = raw_path(request)
    return f"{path}?{query.decode('latin-1')}" if query else path


def take_token(gateway: Gateway, key: str) -> None:
    wait = gateway.limiter.take(key)
    if wait > 0:
        raise TooManyRequests("too many requests; slow down", retry_after=math.ceil(wait))


def client_address(request: Request) -> str:
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
    if key_id and KEY_ID_FORMAT.fullmatch(key_id):
        gateway.failures.take(f"key:{key_id}")


def _signed_request(request: Request, body: bytes) -> SignedRequest:
    headers = request.headers
    return SignedRequest(
        method=request.method,
        path_with_query=path_with_query(request),
        key_id=headers.get(KEY_HEADER),
        timestamp=headers.get(TIMESTAMP_HEADER),
        nonce=headers.get(NONCE_HEADER),
        signature=headers.get(SIGNATURE_HEADER),
        body=body,
    )


class _Admission:
    """The enterprise's rate and in-flight limits, taken once its signature is checked; the
    slots it took are given back if the request goes no further."""

    def __init__(self, gateway: Gateway) -> None:
        self.gateway = gateway
        self.admitted: list[str] = []

    def __call__(self, signer: Signer) -> None:
        take_token(self.gateway, signer.code)
        try:
            self.gateway.in_flight.acquire(signer.code)
        except TooBusy:
            raise TooManyRequests(
                f"{self.gateway.in_flight.limit} requests of {signer.code} are being handled; "
                "send this one again after Retry-After",
                retry_after=1,
            ) from None
        self.admitted.append(signer.code)

    def release(self) -> None:
        for code in self.admitted:
            self.gateway.in_flight.release(code)


async def _authenticate(
    runtime: Runtime, gateway: Gateway, signed: SignedRequest, admit: _Admission
) -> Caller:
    now = utcnow()
    tolerance = gateway.settings.signature_tolerance_seconds
    check_headers(signed, now=now, tolerance_seconds=tolerance)
    key_id = signed.key_id or ""
    if gateway.credentials.get(key_id) is None:
        _refuse_if_failing(gateway, f"key:{key_id}", "this key")
    async with runtime.transaction() as session:
        return await authentication.authenticate(
            session,
            gateway.keyring,
            signed,
            now=now,
            tolerance_seconds=tolerance,
            cache=gateway.credentials,
            admit=admit,
        )


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
    address_key = f"ip:{client_address(request)}"
    _refuse_if_failing(gateway, address_key, "this address")
    signed = _signed_request(request, await request.body())
    admission = _Admission(gateway)
    try:
        caller = await _authenticate(runtime, gateway, signed, admission)
    except BaseException as error:
        admission.release()
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
