"""Forwarding a request to the service that owns its path, as the enterprise that signed it.

    upstreams = Upstreams(settings)          # in the lifespan; ``await upstreams.start()``
    response = await upstreams.forward(route, "POST", "/v1/export/orders", body, caller, ...)

The service receives a caller token the gateway signs for that request
(``Authorization: Bearer <JWT>``, :mod:`cbec.shared.callers`): its audience is the service, its
subject the enterprise code and its ``roles`` the enterprise's roles, valid for
``SERVICE_TOKEN_TTL_SECONDS``, signed with ``SERVICE_TOKEN_PRIVATE_KEY``. Every header of the
client other than content negotiation and the trace context stays at the edge (its own
``Authorization`` too). A service that cannot be reached, or answers 503, is reported
as 503 with Retry-After: the request is then known not to have taken effect at the gateway, and
the services are idempotent on business keys, so sending it again is safe.
"""

from __future__ import annotations

import logging

import httpx

from cbec.gateway.domain.signatures import Caller
from cbec.gateway.errors import BadGateway, ServiceUnavailable
from cbec.gateway.routing import Route
from cbec.gateway.settings import Settings
from cbec.shared.callers import TokenSigner, signer_from_settings
from cbec.shared.errors import InvalidInput, Violation

log = logging.getLogger(__name__)

_PASSED_HEADERS = ("content-type", "accept", "accept-language")


def exact_url(base: str, path_with_query: str) -> httpx.URL:
    """``base`` (scheme, host, port) with ``path_with_query`` as its target, unchanged; a target
    httpx would send otherwise is refused (400 naming ``path``) rather than forwarded as
    another path. The canonical path rule at the edge keeps every such target out already."""
    root = httpx.URL(base)
    target = root.raw_path.rstrip(b"/") + path_with_query.encode("latin-1")
    url = root.copy_with(raw_path=target)
    if url.raw_path != target:
        raise InvalidInput(
            [
                Violation(
                    field="path",
                    rule="must reach the service unchanged",
                    value=path_with_query[:200],
                    expected=url.raw_path.decode("latin-1")[:200],
                )
            ]
        )
    return url


class Upstreams:
    def __init__(
        self,
        settings: Settings,
        *,
        mounts: dict[str, httpx.AsyncBaseTransport] | None = None,
    ) -> None:
        self.settings = settings
        self.urls = settings.service_urls()
        # Made now, so that a missing or development key in production stops the start.
        self.signer: TokenSigner = signer_from_settings(settings)
        self._mounts = mounts
        self._client: httpx.AsyncClient | None = None

    async def start(self) -> None:
        if self._client is None:
            self._client = httpx.AsyncClient(
                timeout=httpx.Timeout(
                    self.settings.upstream_timeout_seconds,
                    connect=self.settings.upstream_connect_timeout_seconds,
                ),
                follow_redirects=False,
                mounts=self._mounts,
            )

    async def stop(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            raise ServiceUnavailable("the gateway is starting", retry_after=1)
        return self._client

    async def forward(
        self,
        route: Route,
        method: str,
        path_with_query: str,
        body: bytes,
        caller: Caller,
        headers: dict[str, str],
    ) -> httpx.Response:
        """The service's answer (status < 500), or ServiceUnavailable / BadGateway.

        ``path_with_query`` goes on the wire byte for byte: the URL is checked not to have
        been rewritten by httpx (dot segments removed, characters re-encoded)."""
        url = exact_url(self.urls[route.service], path_with_query)
        sent = {k: v for k, v in headers.items() if k.lower() in _PASSED_HEADERS}
        sent.update(
            self.signer.authorization(route.service, subject=caller.code, roles=caller.roles)
        )
        retry_after = self.settings.upstream_retry_after_seconds
        try:
            response = await self.client.request(method, url, content=body, headers=sent)
        except httpx.TransportError as error:
            log.warning("%s service not reachable: %r", route.service, error)
            raise ServiceUnavailable(
                f"the {route.service} service is not reachable; send the request again later",
                retry_after=retry_after,
            ) from None
        if response.status_code == 503:
            given = response.headers.get("retry-after", "")
            raise ServiceUnavailable(
                f"the {route.service} service is unavailable; send the request again later",
                retry_after=int(given) if given.isdigit() else retry_after,
            )
        if response.status_code >= 500:
            log.error(
                "%s service answered %s to %s %s",
                route.service,
                response.status_code,
                method,
                path_with_query,
            )
            raise BadGateway(f"the {route.service} service failed ({response.status_code})")
        return response
