"""A PostgreSQL server of a test's own: ``initdb`` in a temporary folder, on a free port.

    with private_postgres() as pg:
        url = pg.create_database("cbec_declaration")   # postgresql+asyncpg://...
        pg.restart()                                   # a fault drill: fast shutdown, start again

A fault test restarts it without touching the databases other test runs keep on the machine's
shared server. Found through ``pg_config`` or under ``/usr/lib/postgresql/*/bin``; as root the
server runs as the ``postgres`` user (PostgreSQL refuses to run as root).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

from cbec.shared.embedded import free_port, wait_for_port

USER = "cbec"
SETTINGS = """
listen_addresses = '127.0.0.1'
max_connections = 300
shared_buffers = 64MB
# The data only has to outlive the server's own restarts, not the machine's.
fsync = off
full_page_writes = off
"""


def postgres_bindir() -> Path | None:
    """Where initdb, pg_ctl and postgres are, or None when PostgreSQL is not installed."""
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        with contextlib.suppress(OSError, subprocess.CalledProcessError):
            out = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, check=True
            )
            candidates.append(Path(out.stdout.strip()))
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: [int(x) for x in p.parent.name.split(".") if x.isdigit()],
        reverse=True,
    )
    candidates.extend(versions)
    for folder in candidates:
        if all((folder / tool).exists() for tool in ("initdb", "pg_ctl", "postgres")):
            return folder
    return None


def _server_user() -> str | None:
    """The user the server runs as: ``postgres`` when we are root, else ourselves (None)."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        return None
    return "postgres"


@dataclass
class PrivatePostgres:
    bindir: Path
    root: Path
    port: int
    user: str | None

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def log(self) -> Path:
        return self.root / "server.log"

    def _run(self, *args: str, timeout: float = 120) -> None:
        command = [str(self.bindir / args[0]), *args[1:]]
        if self.user is not None:
            command = ["runuser", "-u", self.user, "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
        if done.returncode != 0:
            raise RuntimeError(
                f"{' '.join(args[:2])} failed ({done.returncode}): {done.stdout}{done.stderr}"
                f"{self.log_tail()}"
            )

    def log_tail(self, size: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-size:] if self.log.exists() else ""

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", USER, "--auth=trust", "-E", "UTF8",
                  "--no-sync", "--locale=C")  # fmt: skip
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(SETTINGS)
            conf.write(f"port = {self.port}\nunix_socket_directories = '{self.root}'\n")

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "start")
        wait_for_port(self.port, timeout=30)

    def restart(self) -> None:
        """Fast shutdown (clients are disconnected, transactions rolled back) and start again,
        as ``pg_ctlcluster ... restart`` does."""
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60",
                  "-m", "fast", "restart")  # fmt: skip
        wait_for_port(self.port, timeout=30)

    def stop(self) -> None:
        with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
            self._run("pg_ctl", "-D", str(self.data), "-w", "-m", "immediate", "stop", timeout=60)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+asyncpg://{USER}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """A new, empty database; its SQLAlchemy URL."""
        command = [str(self.bindir / "createdb"), "-h", "127.0.0.1", "-p", str(self.port)]
        done = subprocess.run(
            [*command, "-U", USER, name], capture_output=True, text=True, timeout=60, check=False
        )
        if done.returncode != 0:
            raise RuntimeError(f"createdb {name}: {done.stderr}")
        return self.url(name)


@contextlib.contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    """A fresh server for the duration of the block; everything removed afterwards."""
    bindir = postgres_bindir()
    if bindir is None:
        raise RuntimeError("PostgreSQL is not installed (no initdb/pg_ctl found)")
    user = _server_user()
    root = Path(tempfile.mkdtemp(prefix="cbec-pg-"))
    if user is not None:
        entry = pwd.getpwnam(user)
        os.chown(root, entry.pw_uid, entry.pw_gid)
    server = PrivatePostgres(bindir=bindir, root=root, port=free_port(), user=user)
    try:
        server.init()
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


@asynccontextmanager
async def own_database(database_url: str, folder: Path, name: str) -> AsyncIterator[str]:
    """Another empty database on the backend of ``database_url``: each service has its own."""
    if database_url.startswith("sqlite"):
        yield f"sqlite+aiosqlite:///{folder / f'{name}.db'}"
        return
    url = make_url(database_url)
    database = f"{url.database}_{name}"

    async def execute(statement: str) -> None:
        conn = await asyncpg.connect(
            user=url.username,
            password=url.password,
            host=url.host or "127.0.0.1",
            port=url.port or 5432,
            database=url.database,
        )
        try:
            await conn.execute(statement)
        finally:
            await conn.close()

    await execute(f'CREATE DATABASE "{database}"')
    try:
        yield url.set(database=database).render_as_string(hide_password=False)
    finally:
        await execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
