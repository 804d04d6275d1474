"""Every service's migrations build its schema on SQLite and PostgreSQL, and match its models."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Connection

from cbec.shared.db import create_engine
from cbec.shared.migrations import service_metadata, upgrade
from cbec.shared.registry import services

pytestmark = [pytest.mark.integration, pytest.mark.postgres]


def _tables(spec: str):  # type: ignore[no-untyped-def]
    module = __import__(spec.split(":")[0] + ".models", fromlist=["TABLES"])
    return module.TABLES


@pytest.mark.parametrize("service", [s for s in services() if s.migrations], ids=lambda s: s.name)
async def test_migrations_build_the_schema_of_the_models_and_run_twice_harmlessly(
    service,
    database_url: str,  # type: ignore[no-untyped-def]
) -> None:
    engine = create_engine(database_url)
    try:
        await upgrade(engine, service.migrations)
        await upgrade(engine, service.migrations)  # already at head: nothing to do

        def diff(connection: Connection) -> list[object]:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return list(compare_metadata(context, service_metadata(_tables(service.migrations))))

        async with engine.connect() as conn:
            differences = await conn.run_sync(diff)
    finally:
        await engine.dispose()
    assert differences == []
