"""Settings come from the environment, with the same names in every mode."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from cbec.shared.settings import ServiceSettings


def test_settings_are_read_from_the_standard_variable_names(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "kafka:9092")
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://u:p@db/x")
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://jaeger:4318")
    monkeypatch.setenv("KAFKA_ENABLE_IDEMPOTENCE", "true")

    settings = ServiceSettings(service_name="payments")

    assert settings.kafka_bootstrap_servers == "kafka:9092"
    assert settings.database_url == "postgresql+asyncpg://u:p@db/x"
    assert settings.otel_exporter_otlp_endpoint == "http://jaeger:4318"
    assert settings.kafka_enable_idempotence is True
    assert settings.telemetry_service_name == "cbec-payments"
    assert not settings.is_sqlite


def test_an_unknown_log_level_is_refused_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LOG_LEVEL", "LOUD")

    with pytest.raises(ValidationError, match="LOG_LEVEL must be one of"):
        ServiceSettings(service_name="payments")


def test_a_negative_retry_count_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONSUMER_MAX_RETRIES", "-1")

    with pytest.raises(ValidationError, match="consumer_max_retries"):
        ServiceSettings(service_name="payments")


def test_every_kafka_client_gets_the_brokers_security_settings(tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert ServiceSettings(service_name="payments").kafka_client_options() == {
        "bootstrap_servers": "127.0.0.1:9092"
    }
    password = tmp_path / "password"
    password.write_text("s3cret\n")
    settings = ServiceSettings(
        service_name="payments",
        kafka_bootstrap_servers="kafka:9092",
        kafka_security_protocol="SASL_SSL",
        kafka_sasl_username="cbec-payments",
        kafka_sasl_password_file=str(password),
    )

    options = settings.kafka_client_options()

    assert options["security_protocol"] == "SASL_SSL"
    assert options["sasl_mechanism"] == "SCRAM-SHA-512"
    assert (options["sasl_plain_username"], options["sasl_plain_password"]) == (
        "cbec-payments",
        "s3cret",
    )
    assert options["ssl_context"].verify_mode.name == "CERT_REQUIRED"
    assert options["ssl_context"].check_hostname is True


def test_sasl_without_credentials_is_refused_when_a_client_is_made() -> None:
    settings = ServiceSettings(service_name="payments", kafka_security_protocol="SASL_SSL")

    with pytest.raises(ValueError, match="KAFKA_SASL_USERNAME is required with SASL_SSL"):
        settings.kafka_client_options()
    with pytest.raises(ValidationError, match="kafka_security_protocol"):
        ServiceSettings(service_name="payments", kafka_security_protocol="SASL_TLS")
