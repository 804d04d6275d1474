"""Settings of the logistics service (environment variables; see cbec.shared.settings)."""

from __future__ import annotations

from cbec.shared.settings import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "logistics"
    database_url: str = "sqlite+aiosqlite:///./data/logistics.db"
