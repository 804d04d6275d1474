"""SQLite connections that run each statement on the event loop's own thread.

SQLAlchemy's ``sqlite+aiosqlite`` dialect drives a connection through aiosqlite, which runs
every call (cursor, execute, fetch, close: four per SELECT) on a thread of its own and wakes the
event loop to hand back the result. The hand-over costs far more CPU than the statement: a
primary-key lookup is ~15 µs in SQLite and ~300 µs through the thread. Here the same dialect
gets connections whose calls run at once on the calling thread, as coroutines that never
suspend, so the dialect, the pool and the ORM are unchanged.

Two things would block the loop, and neither is allowed to:

* **Waiting for a lock.** The connection's busy timeout is zero, so SQLite answers "database is
  locked" at once instead of sleeping in its busy handler; the statement did not run, and it is
  tried again after an ``asyncio.sleep`` (1 ms doubling to 50 ms) until the busy timeout has
  passed. In WAL mode only ``BEGIN IMMEDIATE`` of a second writer meets a lock in practice.
* **A long statement.** Statements of the hot paths are short; a report that scans a large table
  does hold the loop while it runs, as it would hold the service's single writer connection.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")

_FIRST_WAIT = 0.001
_LONGEST_WAIT = 0.05


def _busy(error: sqlite3.OperationalError) -> bool:
    text = str(error)
    return "database is locked" in text or "database table is locked" in text


async def _patiently(timeout: float, call: Callable[..., T], *args: Any) -> T:
    """``call(*args)``; while SQLite says the database is locked, again after a pause that
    leaves the loop free, until ``timeout`` seconds have passed."""
    try:
        return call(*args)
    except sqlite3.OperationalError as error:
        if not _busy(error):
            raise
    deadline = time.monotonic() + timeout
    wait = _FIRST_WAIT
    while True:
        await asyncio.sleep(wait)
        try:
            return call(*args)
        except sqlite3.OperationalError as error:
            if not _busy(error) or time.monotonic() >= deadline:
                raise
        wait = min(wait * 2, _LONGEST_WAIT)


class Cursor:
    """The part of aiosqlite's cursor that SQLAlchemy's dialect uses."""

    __slots__ = ("_cursor", "_timeout")

    def __init__(self, cursor: sqlite3.Cursor, timeout: float) -> None:
        self._cursor = cursor
        self._timeout = timeout

    async def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> Cursor:
        if parameters is None:
            await _patiently(self._timeout, self._cursor.execute, sql)
        else:
            await _patiently(self._timeout, self._cursor.execute, sql, parameters)
        return self

    async def executemany(self, sql: str, parameters: Iterable[Sequence[Any]]) -> Cursor:
        rows = parameters if isinstance(parameters, list) else list(parameters)
        await _patiently(self._timeout, self._cursor.executemany, sql, rows)
        return self

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(self._cursor.arraysize if size is None else size)

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._cursor.close()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid


class _AtOnce:
    """What the dialect's ``isolation_level`` setter puts work on (aiosqlite's queue): done at
    once."""

    __slots__ = ()

    def put_nowait(self, item: tuple[asyncio.Future[Any], Callable[[], Any]]) -> None:
        future, function = item
        try:
            future.set_result(function())
        except Exception as error:  # handed to the awaiting caller, as aiosqlite does
            future.set_exception(error)


class Connection:
    """The part of aiosqlite's connection that SQLAlchemy's dialect uses, on a stdlib
    ``sqlite3`` connection."""

    def __init__(self, connection: sqlite3.Connection, timeout: float) -> None:
        self._conn = connection
        self._timeout = timeout
        self._tx = _AtOnce()

    @property
    def isolation_level(self) -> str | None:
        return self._conn.isolation_level

    async def cursor(self) -> Cursor:
        return Cursor(self._conn.cursor(), self._timeout)

    async def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> Cursor:
        return await (await self.cursor()).execute(sql, parameters)

    async def commit(self) -> None:
        await _patiently(self._timeout, self._conn.commit)

    async def rollback(self) -> None:
        self._conn.rollback()

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._conn.create_function(*args, **kwargs)

    async def close(self) -> None:
        self._conn.close()

    def stop(self) -> None:
        self._conn.close()


async def connect(database: str, *, timeout: float, uri: bool = False) -> Connection:
    """A connection to ``database`` whose waits for a lock (up to ``timeout`` seconds) leave the
    event loop free."""
    connection = sqlite3.connect(database, timeout=0, uri=uri, check_same_thread=False)
    return Connection(connection, timeout)
