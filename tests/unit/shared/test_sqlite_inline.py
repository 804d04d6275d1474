"""SQLite connections that run statements on the event loop: a writer that meets another's lock
waits without holding the loop, and gives up with "database is locked" after the timeout."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from cbec.shared import sqlite_inline
from cbec.shared.db import create_engine, create_read_engine, session_factory


async def test_statements_run_and_rows_come_back(tmp_path: Path) -> None:
    conn = await sqlite_inline.connect(str(tmp_path / "a.db"), timeout=1)
    cur = await conn.cursor()
    await cur.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
    await cur.executemany("INSERT INTO t (v) VALUES (?)", (("a",), ("b",), ("c",)))
    assert cur.rowcount == 3
    await conn.commit()
    rows = await (await conn.execute("SELECT v FROM t WHERE id > ? ORDER BY id", (1,))).fetchall()
    assert rows == [("b",), ("c",)]
    await conn.close()


async def test_a_second_writer_waits_for_the_lock_without_holding_the_loop(tmp_path: Path) -> None:
    path = str(tmp_path / "a.db")
    holder = await sqlite_inline.connect(path, timeout=5)
    holder._conn.isolation_level = None
    await holder.execute("PRAGMA journal_mode=WAL")
    await holder.execute("CREATE TABLE t (v INTEGER)")
    waiter = await sqlite_inline.connect(path, timeout=5)
    waiter._conn.isolation_level = None

    await holder.execute("BEGIN IMMEDIATE")
    await holder.execute("INSERT INTO t VALUES (1)")
    second = asyncio.create_task(waiter.execute("BEGIN IMMEDIATE"))
    ticks = 0
    while not second.done() and ticks < 20:  # the loop runs while the waiter waits
        await asyncio.sleep(0.005)
        ticks += 1
    assert not second.done()
    assert ticks == 20
    await holder.execute("COMMIT")
    await asyncio.wait_for(second, 2)
    await waiter.execute("INSERT INTO t VALUES (2)")
    await waiter.execute("COMMIT")
    rows = await (await holder.execute("SELECT v FROM t ORDER BY v")).fetchall()
    assert rows == [(1,), (2,)]


async def test_a_lock_held_past_the_timeout_is_reported(tmp_path: Path) -> None:
    path = str(tmp_path / "a.db")
    holder = await sqlite_inline.connect(path, timeout=5)
    holder._conn.isolation_level = None
    await holder.execute("CREATE TABLE t (v INTEGER)")
    await holder.execute("BEGIN IMMEDIATE")
    waiter = await sqlite_inline.connect(path, timeout=0.05)
    waiter._conn.isolation_level = None
    with pytest.raises(sqlite3.OperationalError, match="database is locked"):
        await waiter.execute("BEGIN IMMEDIATE")
    await holder.execute("ROLLBACK")


async def test_other_errors_are_raised_at_once(tmp_path: Path) -> None:
    conn = await sqlite_inline.connect(str(tmp_path / "a.db"), timeout=5)
    with pytest.raises(sqlite3.OperationalError, match="no such table"):
        await conn.execute("SELECT * FROM missing")


async def test_engines_of_two_processes_share_the_database(tmp_path: Path) -> None:
    """Two writer engines on one file (two instances of a service): their transactions
    interleave and none is lost; the read engine sees what they committed."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'shared.db'}"
    first, second = create_engine(url), create_engine(url)
    async with first.begin() as conn:
        await conn.execute(text("CREATE TABLE t (v INTEGER)"))

    async def write(engine: AsyncEngine, start: int) -> None:
        sessions = session_factory(engine)
        for v in range(start, start + 20):
            async with sessions() as session, session.begin():
                await (await session.connection()).execute(
                    text("INSERT INTO t VALUES (:v)"), {"v": v}
                )
                await asyncio.sleep(0.001)  # the other engine's BEGIN IMMEDIATE meets the lock

    await asyncio.gather(write(first, 0), write(second, 100))
    reader = create_read_engine(url, first)
    async with reader.connect() as conn:
        count = (await conn.execute(text("SELECT count(*) FROM t"))).scalar_one()
    assert count == 40
    for engine in (first, second, reader):
        await engine.dispose()
