"""Settings of the declaration service (environment variables; see cbec.shared.settings)."""

from __future__ import annotations

from cbec.shared.settings import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "declaration"
    database_url: str = "sqlite+aiosqlite:///./data/declaration.db"
