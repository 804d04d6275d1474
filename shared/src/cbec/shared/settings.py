"""Typed settings shared by every process, read from environment variables only.

Each service subclasses :class:`ServiceSettings`; the variable names are the same in every mode
(embedded, docker-compose, Kubernetes)::

    class Settings(ServiceSettings):
        service_name: str = "declaration"

    settings = Settings()                      # reads KAFKA_BOOTSTRAP_SERVERS, DATABASE_URL, ...
    settings = Settings(database_url="sqlite+aiosqlite:///:memory:")   # tests hand in their own
"""

from __future__ import annotations

from typing import Any, Literal, Self

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    """Settings every process has. Unknown variables are ignored; types are checked on start."""

    model_config = SettingsConfigDict(extra="ignore", env_file=None, populate_by_name=True)

    service_name: str = Field(description="short name of the service, e.g. 'declaration'")
    cbec_env: str = Field(
        default="development",
        description="'production' hardens the checks and refuses every public development key",
    )
    kafka_bootstrap_servers: str = Field(default="127.0.0.1:9092")
    kafka_enable_idempotence: bool = Field(
        default=False,
        description="idempotent producer; on for Apache Kafka, off for brokers without it",
    )
    kafka_topic_partitions: int = Field(default=6, ge=1, le=1000)
    kafka_request_timeout_ms: int = Field(default=30_000, ge=1000)
    kafka_security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = Field(
        default="PLAINTEXT", description="how every client talks to the broker (SASL_SSL there)"
    )
    kafka_sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] = Field(
        default="SCRAM-SHA-512", description="the SASL mechanism of SASL_SSL / SASL_PLAINTEXT"
    )
    kafka_sasl_username: str | None = Field(default=None, description="the process's broker user")
    kafka_sasl_password: SecretStr | None = Field(default=None)
    kafka_sasl_password_file: str | None = Field(
        default=None, description="a file holding the password (a mounted secret), instead"
    )
    kafka_ssl_cafile: str | None = Field(
        default=None, description="CA certificate (PEM) of the broker; the system's when unset"
    )
    event_signing_key: SecretStr | None = Field(
        default=None,
        description="the process's Ed25519 key for the events it publishes (PEM or url-safe "
        "base64 of 32 bytes); the development key of its service when unset, never in production",
    )
    event_public_keys: str = Field(
        default="",
        description="public keys of the services whose events the process reads: "
        "declaration=<key>,logistics=<key>; development keys for the others outside production",
    )
    database_url: str = Field(default="sqlite+aiosqlite:///./data/service.db")
    db_migrate_on_start: bool = True
    db_pool_size: int = Field(default=10, ge=1)
    otel_exporter_otlp_endpoint: str | None = None
    otel_service_name: str | None = None
    log_level: str = "INFO"
    log_json: bool = True

    consumer_max_retries: int = Field(default=3, ge=0, le=100)
    consumer_retry_backoff_ms: int = Field(default=200, ge=0)
    consumer_retry_backoff_max_ms: int = Field(default=10_000, ge=0)
    consumer_batch_max_records: int = Field(default=500, ge=1)
    consumer_session_timeout_ms: int = Field(
        default=10_000,
        ge=1_000,
        description="a group member not heard from for this long is replaced; a new member's "
        "first join waits on the coordinator for up to half of it",
    )
    consumer_heartbeat_interval_ms: int = Field(
        default=3_000, ge=100, description="below a third of the session timeout"
    )
    consumer_enabled: bool = True
    consumer_group_prefix: str = Field(
        default="cbec", description="consumer groups are <prefix>.<service>.<consumer>"
    )
    consumer_offset_reset: Literal["earliest", "latest"] = Field(
        default="earliest",
        description="where a new consumer group starts; earliest, so that no event is missed",
    )

    outbox_batch_size: int = Field(default=500, ge=1)
    outbox_poll_interval_ms: int = Field(default=200, ge=1)
    outbox_retention_hours: int = Field(default=72, ge=0)

    service_token_private_key: str | None = Field(
        default=None,
        description="Ed25519 private key (PEM or base64url) this process signs its caller tokens "
        "with: the gateway for every request it forwards, a service for the services it calls; "
        "unset: the public development key of its name (refused with CBEC_ENV=production)",
    )
    service_token_public_key: str | None = Field(
        default=None,
        description="the gateway's Ed25519 public key: a service accepts only caller tokens it "
        "signed; unset: the public development key (refused with CBEC_ENV=production)",
    )
    service_token_ttl_seconds: int = Field(
        default=60, ge=1, le=600, description="lifetime of the caller tokens this process signs"
    )
    service_token_leeway_seconds: int = Field(
        default=5, ge=0, le=60, description="clock difference allowed when checking a token"
    )

    @field_validator("cbec_env")
    @classmethod
    def _lower_env(cls, value: str) -> str:
        return value.strip().lower()

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return level

    @model_validator(mode="after")
    def _heartbeat_within_session(self) -> Self:
        if self.consumer_heartbeat_interval_ms * 3 > self.consumer_session_timeout_ms:
            raise ValueError(
                "CONSUMER_HEARTBEAT_INTERVAL_MS must be at most a third of "
                "CONSUMER_SESSION_TIMEOUT_MS"
            )
        return self

    @property
    def is_production(self) -> bool:
        return self.cbec_env == "production"

    @property
    def telemetry_service_name(self) -> str:
        """The OpenTelemetry ``service.name``: OTEL_SERVICE_NAME, else ``cbec-<service>``."""
        return self.otel_service_name or f"cbec-{self.service_name}"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def kafka_client_options(self) -> dict[str, Any]:
        """Connection options of every aiokafka producer, consumer and admin client: the
        bootstrap servers, and the security protocol with its SASL credentials and TLS context."""
        options: dict[str, Any] = {"bootstrap_servers": self.kafka_bootstrap_servers}
        protocol = self.kafka_security_protocol
        if protocol == "PLAINTEXT":
            return options
        options["security_protocol"] = protocol
        if protocol in ("SSL", "SASL_SSL"):
            from aiokafka.helpers import create_ssl_context

            options["ssl_context"] = create_ssl_context(cafile=self.kafka_ssl_cafile)
        if protocol.startswith("SASL_"):
            # Checked here, not on load: a migration job shares the settings but no broker.
            if not self.kafka_sasl_username:
                raise ValueError(f"KAFKA_SASL_USERNAME is required with {protocol}")
            if self.kafka_sasl_password is None and not self.kafka_sasl_password_file:
                raise ValueError(
                    f"KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE is required with {protocol}"
                )
            options["sasl_mechanism"] = self.kafka_sasl_mechanism
            options["sasl_plain_username"] = self.kafka_sasl_username
            options["sasl_plain_password"] = self._sasl_password()
        return options

    def _sasl_password(self) -> str:
        if self.kafka_sasl_password is not None:
            return self.kafka_sasl_password.get_secret_value()
        assert self.kafka_sasl_password_file is not None
        with open(self.kafka_sasl_password_file, encoding="utf-8") as handle:
            return handle.read().strip()
