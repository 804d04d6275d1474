"""SQLModel tables of the gateway service."""

from __future__ import annotations

from sqlalchemy import Table

# The service's own tables; the outbox and the inbox are added by cbec.shared.migrations.
TABLES: tuple[Table, ...] = ()
