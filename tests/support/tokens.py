"""Caller tokens for tests that call a service directly, as the gateway would vouch for a caller.

    headers = as_caller("declaration", "3301963K69", "ecommerce")   # {"Authorization": ...}
    headers = as_service("tax-refund", "declaration")                # a call between services
    await client.post("/v1/export/orders", json=[order], headers=headers)

    client = httpx.AsyncClient(..., auth=CallerAuth("logistics", "3702181234", ["logistics"]))

Tokens are signed with the gateway's public development key (what a service trusts without
settings), for the service ``audience``; :func:`caller_token` makes the odd ones (expired,
another issuer or key).
"""

from __future__ import annotations

import time
from collections.abc import Generator, Iterable

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from cbec.shared import keys
from cbec.shared.callers import GATEWAY, TokenSigner, token_key_name

DEFAULT_PARTY = "TESTCALLER"
"""The enterprise a test's client calls as when the test names none."""


def caller_token(
    audience: str,
    party: str,
    roles: Iterable[str] = (),
    *,
    issuer: str = GATEWAY,
    key: Ed25519PrivateKey | None = None,
    ttl_seconds: int = 60,
    issued_at: float | None = None,
) -> str:
    """A caller token of ``issuer`` (signed with its development key unless ``key``)."""
    signer = TokenSigner(
        issuer,
        key or keys.development_private_key(token_key_name(issuer)),
        ttl_seconds=ttl_seconds,
        clock=(lambda: issued_at) if issued_at is not None else time.time,
    )
    return signer.mint(audience, subject=party, roles=roles)


def as_caller(audience: str, party: str, *roles: str) -> dict[str, str]:
    """The Authorization header of ``party`` with ``roles``, vouched for by the gateway."""
    return {"Authorization": f"Bearer {caller_token(audience, party, roles)}"}


def as_service(audience: str, issuer: str) -> dict[str, str]:
    """The Authorization header of a call from the service ``issuer`` (its development key)."""
    return {"Authorization": f"Bearer {caller_token(audience, issuer, issuer=issuer)}"}


class CallerAuth(httpx.Auth):
    """A fresh token of ``party`` for every request that carries no Authorization of its own
    (a test may run longer than a token lives)."""

    def __init__(self, audience: str, party: str = DEFAULT_PARTY, roles: Iterable[str] = ()):
        self.audience = audience
        self.party = party
        self.roles = tuple(roles)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        vouched = request.headers.pop(VOUCH_HEADER, None)
        if "authorization" in request.headers:
            pass  # a token (or its absence, "") the test set itself
        elif vouched is not None:
            party, _, roles = vouched.partition("|")
            token = caller_token(self.audience, party, [r for r in roles.split(",") if r])
            request.headers["Authorization"] = f"Bearer {token}"
        else:
            request.headers["Authorization"] = (
                f"Bearer {caller_token(self.audience, self.party, self.roles)}"
            )
        yield request


VOUCH_HEADER = "X-Test-Vouch"
"""Read and removed by :class:`CallerAuth` on the test's side: the service never sees it."""


def vouch(party: str, *roles: str) -> dict[str, str]:
    """Headers asking the test client (:class:`CallerAuth`, as ``running`` sets it up) to send
    this request with a fresh token of ``party`` and ``roles`` for the service it calls."""
    return {VOUCH_HEADER: f"{party}|{','.join(roles)}"}
