"""Settings of the tax-refund service (environment variables; see cbec.shared.settings)."""

from __future__ import annotations

from cbec.shared.settings import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "tax-refund"
    database_url: str = "sqlite+aiosqlite:///./data/tax-refund.db"
