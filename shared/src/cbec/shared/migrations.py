"""Alembic, one migration history per service, run from the app or from ``cbec migrate``.

A service's ``migrations/env.py`` is two lines::

    from cbec.shared.migrations import run_env
    from cbec.declaration.models import TABLES
    run_env(TABLES)

and :func:`upgrade` brings a database to the newest revision::

    await upgrade(engine, "cbec.declaration:migrations")

Every service's first revision creates the outbox and the inbox with
:func:`create_outbox_and_inbox` (and its downgrade drops them with
:func:`drop_outbox_and_inbox`): the same tables, indexes and constraints in every database.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from importlib import resources

import sqlalchemy as sa
from alembic import command, context, op
from alembic.config import Config
from sqlalchemy import MetaData, Table
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

from cbec.shared.db import create_engine
from cbec.shared.inbox import INBOX_TABLE
from cbec.shared.outbox import OUTBOX_TABLE


def script_location(spec: str) -> str:
    """``"package:folder"`` → the folder's path on disk."""
    package, _, folder = spec.partition(":")
    return str(resources.files(package).joinpath(folder))


def service_metadata(tables: Iterable[Table]) -> MetaData:
    """The metadata of one service's database: its own tables plus the outbox and the inbox."""
    metadata = MetaData()
    for table in (*tables, OUTBOX_TABLE, INBOX_TABLE):
        table.to_metadata(metadata)
    return metadata


def alembic_config(spec: str, url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", script_location(spec))
    if url:
        config.set_main_option("sqlalchemy.url", url)
    return config


def run_env(tables: Iterable[Table]) -> None:
    """Body of every service's ``env.py``: online migrations on the given or a new connection."""
    target = service_metadata(tables)
    connection: Connection | None = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection, target)
        return
    url = context.config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no connection handed in and no sqlalchemy.url configured")

    async def _online() -> None:
        engine = create_engine(url)
        async with engine.begin() as conn:
            await conn.run_sync(_run, target)
        await engine.dispose()

    asyncio.run(_online())


def _run(connection: Connection, target: MetaData) -> None:
    context.configure(
        connection=connection,
        target_metadata=target,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def upgrade(engine: AsyncEngine, spec: str, revision: str = "head") -> None:
    """Migrate the database behind ``engine`` to ``revision`` (idempotent)."""

    def _upgrade(connection: Connection) -> None:
        config = alembic_config(spec)
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    async with engine.begin() as conn:
        await conn.run_sync(_upgrade)


def autogenerate(service_name: str, message: str) -> None:
    """Write a new revision for a service from the difference between its models and head."""
    import tempfile

    from cbec.shared.registry import service

    descriptor = service(service_name)
    if not descriptor.migrations:
        raise RuntimeError(f"{service_name} has no migrations")
    spec = descriptor.migrations
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/schema.db"

        async def _upgrade() -> None:
            engine = create_engine(url)
            await upgrade(engine, spec)
            await engine.dispose()

        asyncio.run(_upgrade())
        config = alembic_config(spec, url)
        command.revision(config, message=message, autogenerate=True)


def create_outbox_and_inbox() -> None:
    """The first revision of every service: the inbox and the outbox tables, the outbox's
    unique event id, its index on ``sent_at`` and its partial index of unsent rows."""
    op.create_table(
        "inbox",
        sa.Column("consumer", AutoString(length=200), nullable=False),
        sa.Column("event_id", AutoString(length=200), nullable=False),
        sa.Column("event_type", AutoString(length=200), nullable=False),
        sa.Column("processed_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("consumer", "event_id"),
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", AutoString(length=64), nullable=False),
        sa.Column("topic", AutoString(length=200), nullable=False),
        sa.Column("key", AutoString(length=200), nullable=False),
        sa.Column("event_type", AutoString(length=200), nullable=False),
        sa.Column("headers", AutoString(), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("trace_context", AutoString(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id"),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_sent_at"), ["sent_at"], unique=False)
        batch_op.create_index(
            "ix_outbox_unsent",
            ["id"],
            unique=False,
            postgresql_where=sa.text("sent_at IS NULL"),
            sqlite_where=sa.text("sent_at IS NULL"),
        )


def drop_outbox_and_inbox() -> None:
    """The downgrade of :func:`create_outbox_and_inbox`."""
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_outbox_unsent",
            postgresql_where=sa.text("sent_at IS NULL"),
            sqlite_where=sa.text("sent_at IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_outbox_sent_at"))

    op.drop_table("outbox")
    op.drop_table("inbox")
