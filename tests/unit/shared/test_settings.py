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
