"""Settings of the gateway service (environment variables; see cbec.shared.settings).

# a new key: python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key())"
GATEWAY_SECRET_KEY=<url-safe base64 of 32 random bytes>
CBEC_ENV=production        # refuses to start with the development keys
SERVICE_TOKEN_PRIVATE_KEY=<Ed25519 key signing the caller tokens (cbec keys generate)>
DECLARATION_URL=http://declaration:8001   (and LOGISTICS_URL, PAYMENTS_URL, TAX_REFUND_URL)
WEBHOOK_RETRY_BASE_SECONDS=5               (a failed delivery waits 5 s, 10 s, 20 s ... up to
WEBHOOK_RETRY_MAX_SECONDS=3600              an hour, and is retried until acknowledged)
WEBHOOK_ALLOWED_NETWORKS=10.20.0.0/16      receivers that are not public, opened on purpose
WEBHOOK_DENIED_HOSTS=vault.corp.example    more hosts of the platform no webhook may name
"""

from __future__ import annotations

from collections.abc import Iterator
from ipaddress import IPv4Network, IPv6Network, ip_network
from typing import Annotated, Any
from urllib.parse import urlsplit

from cryptography.fernet import Fernet
from pydantic import Field, field_validator, model_validator
from pydantic_settings import NoDecode

from cbec.shared.settings import ServiceSettings

DEVELOPMENT_SECRET_KEY = "Y2JlYy1nYXRld2F5LWRldmVsb3BtZW50LWtleS0wMDA="  # noqa: S105
"""Fernet key used outside production so that `cbec up` works out of the box; it is public,
so a gateway with ``CBEC_ENV=production`` refuses to start with it."""

MIB = 1024 * 1024

NEVER_ALLOWED_IN_PRODUCTION = tuple(
    ip_network(cidr)
    for cidr in ("0.0.0.0/8", "127.0.0.0/8", "169.254.0.0/16", "224.0.0.0/4", "255.255.255.255/32")
) + tuple(ip_network(cidr) for cidr in ("::/128", "::1/128", "fe80::/10", "ff00::/8"))
"""Networks ``WEBHOOK_ALLOWED_NETWORKS`` may not open in production: the gateway's own host
(loopback, 0.0.0.0), link-local (the cloud's metadata service at 169.254.169.254) and
multicast are never an ERP's receiver."""


class Settings(ServiceSettings):
    service_name: str = "gateway"
    database_url: str = "sqlite+aiosqlite:///./data/gateway.db"

    gateway_secret_key: str = Field(
        default=DEVELOPMENT_SECRET_KEY,
        description="Fernet key (urlsafe base64 of 32 bytes) encrypting the credentials' secrets",
    )

    declaration_url: str = "http://127.0.0.1:8001"
    logistics_url: str = "http://127.0.0.1:8002"
    payments_url: str = "http://127.0.0.1:8003"
    tax_refund_url: str = "http://127.0.0.1:8004"
    upstream_timeout_seconds: float = Field(default=30.0, gt=0)
    upstream_connect_timeout_seconds: float = Field(default=3.0, gt=0)
    upstream_retry_after_seconds: int = Field(
        default=5, ge=1, description="Retry-After of a 503 answered when a service is down"
    )

    rate_limit_per_second: float = Field(
        default=20.0, gt=0, description="requests per second per enterprise (token refill rate)"
    )
    rate_limit_burst: int = Field(default=100, ge=1, description="token bucket size")
    auth_failure_limit_per_second: float = Field(
        default=0.5,
        gt=0,
        description="failed authentications (401, or a malformed signature header) per second "
        "allowed per client address and per key id; over it, 429 before any signature work",
    )
    auth_failure_limit_burst: int = Field(
        default=20, ge=1, description="failed authentications allowed in a burst (bucket size)"
    )
    max_in_flight_per_enterprise: int = Field(
        default=4,
        ge=1,
        description="requests of one enterprise handled at once by a gateway process; more "
        "are refused with 429 at once instead of queueing in front of other enterprises",
    )
    key_rotation_grace_seconds: float = Field(
        default=86400.0,
        ge=0,
        description="how long the keys an enterprise had keep working after it rotates to a "
        "new one (or until revoked); 0 ends them at once",
    )
    max_body_bytes: int = Field(default=5 * MIB, ge=1024)
    idempotency_ttl_hours: int = Field(default=24, ge=1)
    idempotency_in_flight_seconds: float = Field(
        default=60.0,
        gt=0,
        description="a first request not answered after this long was cut off (its gateway "
        "stopped): the same key is then taken by the next sending; longer than any request "
        "takes (UPSTREAM_TIMEOUT_SECONDS)",
    )
    signature_tolerance_seconds: int = Field(
        default=300, ge=1, description="largest accepted distance of X-Cbec-Timestamp from now"
    )
    credential_cache_seconds: float = Field(
        default=10.0,
        ge=0,
        description="how long a gateway keeps a signing key's secret and roles in memory: a "
        "revocation or a change of roles takes effect within this time (0: read every request)",
    )
    housekeeping_interval_seconds: float = Field(
        default=300.0, gt=0, description="how often expired nonces and idempotency keys go"
    )

    webhook_interval_seconds: float = Field(
        default=2.0, gt=0, description="how often the worker looks for due webhook deliveries"
    )
    webhook_retry_base_seconds: float = Field(
        default=5.0, gt=0, description="wait after a failed delivery; doubles with each failure"
    )
    webhook_retry_max_seconds: float = Field(
        default=3600.0, gt=0, description="longest wait between two attempts of a delivery"
    )
    webhook_timeout_seconds: float = Field(default=10.0, gt=0)
    webhook_batch_size: int = Field(default=100, ge=1, description="deliveries per run")
    webhook_allowed_networks: Annotated[list[IPv4Network | IPv6Network], NoDecode] = Field(
        default_factory=list,
        description="comma-separated networks (10.20.0.0/16, 127.0.0.1) a webhook may reach "
        "although they are not public; empty by default. In production loopback, 0.0.0.0, "
        "link-local and multicast may not be listed",
    )
    webhook_denied_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="comma-separated hosts (name or address, :port optional) of the platform "
        "that no webhook may name, besides the services', the broker's, the database's and the "
        "telemetry collector's",
    )
    feed_poll_interval_seconds: float = Field(
        default=1.0, gt=0, description="how often a following feed looks for new events"
    )
    feed_stream_seconds: float = Field(
        default=300.0,
        gt=0,
        description="a following feed ends after this long; the client resumes with Last-Event-ID",
    )

    @field_validator("gateway_secret_key")
    @classmethod
    def _fernet_key(cls, value: str) -> str:
        try:
            Fernet(value.encode("ascii"))
        except (ValueError, UnicodeEncodeError):
            raise ValueError(
                "GATEWAY_SECRET_KEY must be a Fernet key: url-safe base64 of 32 random bytes"
            ) from None
        return value

    @field_validator("webhook_denied_hosts", mode="before")
    @classmethod
    def _hosts(cls, value: Any) -> Any:
        return _comma_separated(value)

    @field_validator("webhook_allowed_networks", mode="before")
    @classmethod
    def _networks(cls, value: Any) -> Any:
        value = _comma_separated(value)
        if not isinstance(value, list):
            return value
        try:
            return [ip_network(item) if isinstance(item, str) else item for item in value]
        except ValueError as error:
            raise ValueError(
                f"WEBHOOK_ALLOWED_NETWORKS: {error} (write networks as 10.20.0.0/16)"
            ) from None

    @model_validator(mode="after")
    def _no_local_receivers_in_production(self) -> Settings:
        if not self.is_production:
            return self
        for network in self.webhook_allowed_networks:
            for never in NEVER_ALLOWED_IN_PRODUCTION:
                if network.version == never.version and network.overlaps(never):
                    raise ValueError(
                        f"WEBHOOK_ALLOWED_NETWORKS: {network} overlaps {never}, which no webhook "
                        "may reach in production (loopback, unspecified, link-local, multicast)"
                    )
        return self

    @model_validator(mode="after")
    def _no_development_key_in_production(self) -> Settings:
        if self.is_production and self.gateway_secret_key == DEVELOPMENT_SECRET_KEY:
            raise ValueError(
                "GATEWAY_SECRET_KEY is the public development key; set a secret key for production"
            )
        return self

    def service_urls(self) -> dict[str, str]:
        """Base URL of each service the gateway forwards to, by service name."""
        return {
            "declaration": self.declaration_url.rstrip("/"),
            "logistics": self.logistics_url.rstrip("/"),
            "payments": self.payments_url.rstrip("/"),
            "tax-refund": self.tax_refund_url.rstrip("/"),
        }

    def platform_hosts(self) -> Iterator[tuple[str, int | None]]:
        """The hosts of the platform itself, with their port (None: every port): the services,
        the broker, the database, the telemetry collector and ``WEBHOOK_DENIED_HOSTS``."""
        urls = [*self.service_urls().values(), self.database_url]
        if self.otel_exporter_otlp_endpoint:
            urls.append(self.otel_exporter_otlp_endpoint)
        for url in urls:
            yield from _host_and_port(url)
        for server in self.kafka_bootstrap_servers.split(","):
            yield from _host_and_port(server if "://" in server else f"//{server.strip()}")
        for host in self.webhook_denied_hosts:
            yield from _host_and_port(host if "://" in host else f"//{host}")


def _comma_separated(value: Any) -> Any:
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


def _host_and_port(url: str) -> Iterator[tuple[str, int | None]]:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return
    if parts.hostname:
        yield parts.hostname, port
