"""Async SQLAlchemy/SQLModel engines from ``DATABASE_URL``: SQLite by default, PostgreSQL too.

    engine = create_engine(settings.database_url)
    sessions = session_factory(engine)
    async with sessions() as session, session.begin():
        session.add(row)

SQLite runs in WAL mode and every transaction begins with ``BEGIN IMMEDIATE``: a writer takes the
write lock up front and waits (busy timeout) instead of failing with "database is locked" when
two connections read and then write. A process holds a single SQLite connection: SQLite admits
one writer at a time anyway, and queueing for the connection in asyncio hands it over at once,
where competing connections would wait in SQLite's busy handler, which sleeps in steps of up to
100 ms. The consequence for code: never open a second session while holding one (it would wait
for itself).
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from opentelemetry.instrumentation.utils import suppress_instrumentation
from sqlalchemy import event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from cbec.shared import sqlite_inline

SQLITE_BUSY_TIMEOUT_MS = 30_000


def create_engine(url: str, *, pool_size: int = 10, echo: bool = False) -> AsyncEngine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(
            url,
            echo=echo,
            async_creator=_sqlite_connector(parsed),
            pool_size=1,
            max_overflow=0,
            pool_timeout=SQLITE_BUSY_TIMEOUT_MS / 1000,
        )
        _configure_sqlite(engine)
        return engine
    kwargs: dict[str, Any] = {"pool_size": pool_size, "max_overflow": pool_size, "echo": echo}
    return create_async_engine(url, pool_pre_ping=True, **kwargs)


def create_read_engine(url: str, write_engine: AsyncEngine, *, pool_size: int = 4) -> AsyncEngine:
    """An engine for reads that may run beside the writer: on SQLite, read-only connections
    with deferred transactions (WAL readers never wait for the writer); elsewhere the writer's
    own engine (and for an in-memory SQLite database, which another connection would not see)."""
    parsed = make_url(url)
    database = parsed.database or ""
    in_memory = database in ("", ":memory:") or "mode=memory" in url
    if parsed.get_backend_name() != "sqlite" or in_memory:
        return write_engine
    engine = create_async_engine(
        url,
        async_creator=_sqlite_connector(parsed),
        pool_size=pool_size,
        max_overflow=0,
    )
    _configure_sqlite(engine, read_only=True)
    return engine


def _sqlite_connector(url: URL) -> Callable[[], Awaitable[sqlite_inline.Connection]]:
    """Connections that run statements on the event loop's thread (:mod:`.sqlite_inline`)."""
    database = url.database or ":memory:"
    uri = str(url.query.get("uri", "")).lower() in ("true", "1")

    def connect() -> Awaitable[sqlite_inline.Connection]:
        return sqlite_inline.connect(database, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000, uri=uri)

    return connect


def _configure_sqlite(engine: AsyncEngine, *, read_only: bool = False) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide where transactions begin (see "begin" below).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # No busy handler: a statement that meets a lock is tried again without holding the
        # event loop (sqlite_inline).
        cursor.execute("PRAGMA busy_timeout=0")
        cursor.execute("PRAGMA foreign_keys=ON")
        if read_only:
            cursor.execute("PRAGMA query_only=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


def is_postgres(engine: AsyncEngine) -> bool:
    return engine.dialect.name == "postgresql"


_UNREACHABLE_SQLSTATES = ("08", "57P01", "57P02", "57P03")
"""PostgreSQL: connection exceptions; administrator shutdown, crash shutdown, cannot connect
now (the server is starting)."""


def _causes(error: BaseException) -> list[BaseException]:
    """The error and what caused it (``__cause__``, else ``__context__``), outermost first."""
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and all(current is not seen for seen in chain):
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def connection_lost(error: BaseException) -> bool:
    """Whether ``error`` (or what caused it) is the database's connection failing: lost in the
    middle of a statement, or refused by a server that shuts down or starts up (PostgreSQL)."""
    for current in _causes(error):
        if isinstance(current, DBAPIError) and current.connection_invalidated:
            return True
        sqlstate = getattr(current, "sqlstate", None)
        if isinstance(sqlstate, str) and sqlstate.startswith(_UNREACHABLE_SQLSTATES):
            return True
    return False


def unavailable(error: BaseException) -> bool:
    """Whether ``error`` (or what caused it) says the database cannot be reached right now: its
    connection was lost, it refuses connections while it restarts, the network failed; SQLite
    stayed locked past the busy timeout. The same work succeeds later; it is not the request's
    or the event's fault."""
    if connection_lost(error):
        return True
    for current in _causes(error):
        if isinstance(current, ConnectionError):
            return True
        if isinstance(current, OperationalError) and "database is locked" in str(current):
            return True
    return False


def lock_id(name: str) -> int:
    """A signed 64-bit advisory lock id for a name."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


async def serialise(session: AsyncSession, name: str) -> None:
    """Make the transactions that call this with ``name`` run one after the other, so that each
    sees what the previous one committed: on PostgreSQL a transaction-scoped advisory lock
    (released at commit or rollback; taking it again in the same transaction is free); nothing
    on SQLite, which admits one writer at a time (every transaction begins IMMEDIATE).

    For decisions that read rows another transaction may be inserting (two documents of one
    check arriving together): under READ COMMITTED neither sees the other's row, both commit,
    and the decision is never made."""
    bind = session.bind
    if bind is not None and bind.dialect.name == "postgresql":
        connection = await session.connection()
        await connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": lock_id(name)})


async def ping(engine: AsyncEngine, timeout: float = 2.0) -> None:
    """Raise if the database does not answer ``SELECT 1`` in time."""

    async def _select_one() -> None:
        with suppress_instrumentation():  # a probe every few seconds is not a transaction to trace
            async with engine.connect() as conn:
                await conn.execute(text("SELECT 1"))

    await asyncio.wait_for(_select_one(), timeout)
