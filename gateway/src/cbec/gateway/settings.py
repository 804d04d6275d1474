"""Settings of the gateway service (environment variables; see cbec.shared.settings).

# a new key: python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key())"
GATEWAY_SECRET_KEY=<url-safe base64 of 32 random bytes>
CBEC_ENV=production        # refuses to start with the development key
DECLARATION_URL=http://declaration:8001   (and LOGISTICS_URL, PAYMENTS_URL, TAX_REFUND_URL)
WEBHOOK_RETRY_BASE_SECONDS=5               (a failed delivery waits 5 s, 10 s, 20 s ... up to
WEBHOOK_RETRY_MAX_SECONDS=3600              an hour, and is retried until acknowledged)
"""

from __future__ import annotations

from cryptography.fernet import Fernet
from pydantic import Field, field_validator, model_validator

from cbec.shared.settings import ServiceSettings

DEVELOPMENT_SECRET_KEY = "Y2JlYy1nYXRld2F5LWRldmVsb3BtZW50LWtleS0wMDA="  # noqa: S105
"""Fernet key used outside production so that `cbec up` works out of the box; it is public,
so a gateway with ``CBEC_ENV=production`` refuses to start with it."""

MIB = 1024 * 1024


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
