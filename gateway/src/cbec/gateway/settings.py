"""Settings of the gateway service (environment variables; see cbec.shared.settings)."""

from __future__ import annotations

from cbec.shared.settings import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "gateway"
    database_url: str = "sqlite+aiosqlite:///./data/gateway.db"
