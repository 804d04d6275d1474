"""Who calls a service, vouched for by a short-lived signed caller token.

Only the gateway faces the network; the services trust no header a caller could set. For every
request it forwards, the gateway signs a token naming the enterprise it authenticated and its
roles, for the one service it forwards to; the service verifies it before anything else::

    signer = signer_from_settings(settings)                  # the gateway (or a calling service)
    headers = signer.authorization("declaration", subject="3301963K69", roles={"ecommerce"})

    verifier = TokenVerifier("declaration", {"gateway": gateway_public_key})
    caller = verifier.verify(request.headers.get("Authorization"))    # or TokenRefused (401)

The token is a JWT (RFC 7519) signed with Ed25519 (``alg: EdDSA``), sent as
``Authorization: Bearer <token>``. Claims: ``iss`` (who signs: ``gateway``, or the service that
calls another), ``aud`` (the service it is for), ``sub`` (the enterprise code; the calling
service's name for a call between services), ``roles``, ``iat``, ``exp``
(``SERVICE_TOKEN_TTL_SECONDS`` after ``iat``) and ``jti``. A verifier accepts only EdDSA (never
``none`` or an HMAC algorithm keyed with the public key), only issuers it was given a public key
for, only its own name as the audience, and only unexpired tokens (with
``SERVICE_TOKEN_LEEWAY_SECONDS`` for clocks apart).

Every process signs with its own key (``SERVICE_TOKEN_PRIVATE_KEY``); a service verifies the
gateway's tokens with the gateway's public key (``SERVICE_TOKEN_PUBLIC_KEY``) and the tokens of a
service that calls it with that service's public key (e.g. the tax service's
``DECLARATION_TOKEN_PUBLIC_KEY``), on the routes meant for that service only. Without settings,
outside production, the keys are the public development keys of :mod:`cbec.shared.keys`; with
``CBEC_ENV=production`` a process refuses to start with one, naming the variable.

In a service app (:func:`cbec.shared.service.create_service_app`) the middleware
:class:`CallerTokens` refuses every request without a valid token, except ``/healthz``,
``/readyz`` and ``/metrics``; routes take the verified caller with the dependency
:func:`caller` (``Annotated[Caller, Depends(caller)]``), or check a role with
:func:`require_role` / :func:`require_party`.

The tokens themselves (keys, signer, verifier) are in :mod:`cbec.shared.caller_tokens`; their
names are importable from here too.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from cbec.shared.caller_tokens import (
    ALGORITHM,
    AUTHORIZATION,
    GATEWAY,
    OPEN_PATHS,
    PLATFORM,
    Caller,
    TokenRefused,
    TokenSigner,
    TokenVerifier,
    gateway_key_from_settings,
    signer_from_settings,
    signing_key,
    token_key_name,
    verifying_key,
)
from cbec.shared.errors import CbecError, ErrorReport, Violation

__all__ = [
    "ALGORITHM",
    "AUTHORIZATION",
    "GATEWAY",
    "OPEN_PATHS",
    "PLATFORM",
    "Caller",
    "CallerTokens",
    "Forbidden",
    "RouteIssuer",
    "ServiceCallers",
    "TokenRefused",
    "TokenSigner",
    "TokenVerifier",
    "caller",
    "gateway_key_from_settings",
    "require_party",
    "require_role",
    "signer_from_settings",
    "signing_key",
    "token_key_name",
    "verifying_key",
]

_PROBLEM_JSON = "application/problem+json"


class Forbidden(CbecError):
    status_code = 403
    code = "forbidden"


@dataclass(frozen=True)
class ServiceCallers:
    """Routes meant for another service of the platform (``issuer``), which only that
    service's tokens reach, and where its public key comes from (``variable``: the setting,
    named in errors; ``public_key`` unset: its development key, refused in production)."""

    issuer: str
    public_key: str | None
    variable: str
    routers: tuple[APIRouter, ...]


# -- in a service app --------------------------------------------------------------------------


RouteIssuer = Callable[[Scope], str]
"""The issuer whose tokens a request's route accepts (the gateway's, or a calling service's)."""


class CallerTokens:
    """Refuses every request without a valid caller token (401 problem+json) except on
    :data:`OPEN_PATHS`, and a token whose issuer the route does not accept (403); puts the
    verified :class:`Caller` on ``request.state.caller`` (a pure ASGI middleware, before routing,
    so that the OpenAPI document, the docs and unknown paths are covered too)."""

    def __init__(self, app: ASGIApp, verifier: TokenVerifier, route_issuer: RouteIssuer) -> None:
        self.app = app
        self.verifier = verifier
        self.route_issuer = route_issuer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in OPEN_PATHS:
            await self.app(scope, receive, send)
            return
        try:
            who = self.verifier.verify(_authorization(scope))
        except TokenRefused as refused:
            await _refusal(refused, scope, receive, send)
            return
        accepted = self.route_issuer(scope)
        if who.issuer != accepted:
            refusal = Forbidden(
                f"a caller token of the {who.issuer} is not accepted on this route",
                [Violation(AUTHORIZATION, f"this route takes the tokens of the {accepted} only")],
            )
            await _refusal(refusal, scope, receive, send)
            return
        scope.setdefault("state", {})["caller"] = who
        await self.app(scope, receive, send)


def _authorization(scope: Scope) -> str | None:
    values = [value for name, value in scope.get("headers", ()) if name == b"authorization"]
    if len(values) > 1:
        raise TokenRefused("sent more than once", error="invalid_request")
    if not values:
        return None
    try:
        return bytes(values[0]).decode("ascii")
    except UnicodeDecodeError:
        raise TokenRefused("must be ASCII", error="invalid_request") from None


async def _refusal(error: CbecError, scope: Scope, receive: Receive, send: Send) -> None:
    response = JSONResponse(
        ErrorReport.from_error(error).as_dict(),
        status_code=error.status_code,
        media_type=_PROBLEM_JSON,
    )
    if isinstance(error, TokenRefused):
        rule = json.dumps(error.violations[0].rule)
        response.headers["WWW-Authenticate"] = (
            f'Bearer error="{error.error}", error_description={rule}'
        )
    await response(scope, receive, send)


def caller(request: Request) -> Caller:
    """The verified caller of the request (a FastAPI dependency); 401 when there is none."""
    found = getattr(request.state, "caller", None)
    if not isinstance(found, Caller):
        raise TokenRefused("missing: this app verifies no caller tokens")
    return found


def require_role(*roles: str) -> Callable[[Request], Caller]:
    """A dependency: the caller, who must hold one of ``roles`` (403 naming them otherwise)."""
    wanted = frozenset(roles)
    text = " or ".join(sorted(wanted))

    def check(request: Request) -> Caller:
        who = caller(request)
        if not who.roles & wanted:
            raise Forbidden(
                f"the role {text} is required",
                [Violation("roles", f"must include {text}", ",".join(sorted(who.roles)) or None)],
            )
        return who

    return check


def require_party(request: Request) -> Caller:
    """A dependency: the caller, who must be an enterprise the gateway vouches for (403)."""
    who = caller(request)
    if not who.party:
        raise Forbidden(
            "the submitting enterprise is unknown",
            [Violation("sub", "the gateway names the enterprise", who.issuer)],
        )
    return who
