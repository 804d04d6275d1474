"""Settings of the gateway: the Fernet key and production."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from pydantic import ValidationError

from cbec.gateway.keyring import Keyring
from cbec.gateway.settings import DEVELOPMENT_SECRET_KEY, Settings


def test_production_refuses_the_development_key() -> None:
    with pytest.raises(ValidationError, match="development key"):
        Settings(cbec_env="production")
    key = Fernet.generate_key().decode()
    assert Settings(cbec_env="Production", gateway_secret_key=key).is_production


def test_the_development_key_is_fine_outside_production() -> None:
    settings = Settings()
    assert settings.gateway_secret_key == DEVELOPMENT_SECRET_KEY
    assert settings.max_body_bytes == 5 * 1024 * 1024
    assert settings.idempotency_ttl_hours == 24
    assert settings.idempotency_in_flight_seconds == 60


def test_environment_variables_configure_the_gateway(monkeypatch: pytest.MonkeyPatch) -> None:
    key = Fernet.generate_key().decode()
    monkeypatch.setenv("CBEC_ENV", "production")
    monkeypatch.setenv("GATEWAY_SECRET_KEY", key)
    monkeypatch.setenv("TAX_REFUND_URL", "http://tax:8004/")
    settings = Settings()
    assert settings.service_urls()["tax-refund"] == "http://tax:8004"


def test_a_key_that_is_not_a_fernet_key_is_refused() -> None:
    with pytest.raises(ValidationError, match="Fernet key"):
        Settings(gateway_secret_key="not-a-key")


def test_secrets_are_stored_encrypted_and_read_back_only_with_the_key() -> None:
    keyring = Keyring(Fernet.generate_key().decode())
    token = keyring.encrypt("s3cret")
    assert "s3cret" not in token
    assert keyring.decrypt(token) == "s3cret"
    assert Keyring(Fernet.generate_key().decode()).decrypt(token) is None
