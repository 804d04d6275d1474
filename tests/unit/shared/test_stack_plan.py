"""What the stack gives each process: its port, the broker, its database and the others' URLs."""

from __future__ import annotations

import io
from pathlib import Path

from cbec.shared.registry import services
from cbec.shared.stack import Stack


def _plan(tmp_path: Path, **kwargs: object) -> dict[str, dict[str, str]]:
    stack = Stack(
        data_dir=tmp_path, port_offset=100, broker_port=19092, out=io.StringIO(), **kwargs
    )  # type: ignore[arg-type]
    stack.bootstrap_servers = "127.0.0.1:19092"
    return {p.descriptor.name: p.env for p in stack.plan()}


def test_each_service_has_its_sqlite_file_under_the_data_folder(tmp_path: Path) -> None:
    envs = _plan(tmp_path, env={"DATABASE_URL": "ignored", "LOG_LEVEL": "DEBUG"})

    assert set(envs) == {d.name for d in services()}
    for name, env in envs.items():
        assert env["DATABASE_URL"] == f"sqlite+aiosqlite:///{tmp_path.resolve() / name}.db"
        assert env["LOG_LEVEL"] == "DEBUG"
        assert env["KAFKA_BOOTSTRAP_SERVERS"] == "127.0.0.1:19092"


def test_a_service_named_in_database_urls_gets_that_database(tmp_path: Path) -> None:
    url = "postgresql+asyncpg://cbec:cbec@127.0.0.1:5432/cbec_payments"
    envs = _plan(tmp_path, database_urls={"payments": url})

    assert envs["payments"]["DATABASE_URL"] == url
    assert envs["declaration"]["DATABASE_URL"].startswith("sqlite+aiosqlite:///")


def test_the_embedded_stack_binds_every_process_to_the_loopback_only(tmp_path: Path) -> None:
    from cbec.shared.cli import build_parser

    stack = Stack(data_dir=tmp_path, port_offset=100, out=io.StringIO())
    stack.bootstrap_servers = "127.0.0.1:19092"
    procs = stack.plan()

    assert stack.host == "127.0.0.1"
    assert all(p.url.startswith("http://127.0.0.1:") for p in procs)
    for proc in procs:
        for other in procs:
            name = f"{other.descriptor.name.upper().replace('-', '_')}_URL"
            assert proc.env[name] == other.url
    # What the stack runs, and what `cbec serve` binds to unless told otherwise.
    assert build_parser().parse_args(["serve", "declaration"]).host == "127.0.0.1"
