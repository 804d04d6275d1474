"""Clients of the gateway for enterprise systems and tests: httpx clients that sign every request.

    with GatewayClient("http://127.0.0.1:8000", key_id, secret) as gw:
        gw.post("/v1/export/orders", json=[order], headers={"Idempotency-Key": "EO1-1"})

    async with AsyncGatewayClient(base_url, key_id, secret) as gw:
        await gw.post("/v1/messages", content=xml, headers={"Content-Type": "application/xml"})

Each request gets a fresh nonce and the current time; the signature covers the method, the path
with its query as sent, the timestamp, the nonce and the SHA-256 of the body (gateway/README.md).
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import httpx

from cbec.gateway.signing import signed_headers


class SignatureAuth(httpx.Auth):
    """httpx authentication that signs each request with an enterprise's credentials."""

    requires_request_body = True

    def __init__(self, key_id: str, secret: str) -> None:
        self.key_id = key_id
        self.secret = secret

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        headers = signed_headers(
            self.key_id,
            self.secret,
            request.method,
            request.url.raw_path.decode("ascii"),
            request.content,
        )
        request.headers.update(headers)
        yield request


class GatewayClient(httpx.Client):
    """A synchronous httpx client signing every request."""

    def __init__(self, base_url: str, key_id: str, secret: str, **kwargs: Any) -> None:
        super().__init__(base_url=base_url, auth=SignatureAuth(key_id, secret), **kwargs)


class AsyncGatewayClient(httpx.AsyncClient):
    """An asynchronous httpx client signing every request."""

    def __init__(self, base_url: str, key_id: str, secret: str, **kwargs: Any) -> None:
        super().__init__(base_url=base_url, auth=SignatureAuth(key_id, secret), **kwargs)
