"""Fixtures of every test: a real broker, real databases, an in-memory span exporter, unique names.

Broker: ``KAFKA_BOOTSTRAP_SERVERS`` if set; Apache Kafka in a container when
``CBEC_TEST_KAFKA=testcontainers`` (needs Docker); otherwise the embedded broker.
Databases: SQLite always; PostgreSQL too when ``TEST_DATABASE_URL`` names a server (a fresh
database is created for each test and dropped afterwards), for the tests marked ``postgres``:
those that touch what differs between the two dialects (migrations, upserts and row locks,
partial indexes, decimal and time types, concurrent consumers, large ``IN`` lists). With
``CBEC_TEST_POSTGRES=all`` every database test runs against both (``make test-postgres``).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator

import pytest
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from sqlalchemy.engine import make_url

from cbec.shared.bus import ensure_topics
from cbec.shared.embedded import EmbeddedBroker
from cbec.shared.settings import ServiceSettings
from cbec.shared.telemetry import setup_tracing

# Consumer groups under test: a new member's first join waits on the embedded broker for half
# the session timeout (5 s with the default of 10 s), and the tests start many members. Services
# made in this process and the processes it starts read these.
os.environ.setdefault("CONSUMER_SESSION_TIMEOUT_MS", "6000")
os.environ.setdefault("CONSUMER_HEARTBEAT_INTERVAL_MS", "2000")

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
DATABASE_BACKENDS = ["sqlite"] + (["postgresql"] if TEST_DATABASE_URL else [])
POSTGRES_FOR_ALL = os.environ.get("CBEC_TEST_POSTGRES") == "all"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """PostgreSQL runs the tests marked ``postgres`` (or all of them, when asked)."""
    if POSTGRES_FOR_ALL:
        return
    kept, dropped = [], []
    for item in items:
        callspec = getattr(item, "callspec", None)
        on_postgres = callspec is not None and callspec.params.get("database_url") == "postgresql"
        if on_postgres and item.get_closest_marker("postgres") is None:
            dropped.append(item)
        else:
            kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(scope="session")
def kafka_bootstrap() -> Iterator[str]:
    external = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if external:
        yield external
    elif os.environ.get("CBEC_TEST_KAFKA") == "testcontainers":
        from testcontainers.kafka import KafkaContainer

        with KafkaContainer("apache/kafka:3.9.1").with_kraft() as kafka:
            yield kafka.get_bootstrap_server()
    else:
        with EmbeddedBroker() as broker:
            yield broker.bootstrap_servers


@pytest.fixture(scope="session")
def kafka_supports_idempotence(kafka_bootstrap: str) -> bool:
    return bool(os.environ.get("KAFKA_BOOTSTRAP_SERVERS")) or (
        os.environ.get("CBEC_TEST_KAFKA") == "testcontainers"
    )


def unique_name(prefix: str = "t") -> str:
    return f"{prefix}{uuid.uuid4().hex[:12]}"


@pytest.fixture
def unique() -> str:
    """A short name no other test uses."""
    return unique_name()


@pytest.fixture
async def topic(kafka_bootstrap: str) -> str:
    """A new topic ``cbec.<unique>.v1`` (with its DLQ) of 4 partitions."""
    name = f"cbec.{unique_name('bus')}.v1"
    await ensure_topics(kafka_bootstrap, [name], partitions=4)
    return name


async def _create_pg_database(admin_url: str, name: str) -> str:
    import asyncpg

    url = make_url(admin_url)
    conn = await asyncpg.connect(
        user=url.username,
        password=url.password,
        host=url.host or "127.0.0.1",
        port=url.port or 5432,
        database=url.database or "postgres",
    )
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return url.set(drivername="postgresql+asyncpg", database=name).render_as_string(
        hide_password=False
    )


async def _drop_pg_database(admin_url: str, name: str) -> None:
    import asyncpg

    url = make_url(admin_url)
    conn = await asyncpg.connect(
        user=url.username,
        password=url.password,
        host=url.host or "127.0.0.1",
        port=url.port or 5432,
        database=url.database or "postgres",
    )
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


@pytest.fixture(params=DATABASE_BACKENDS)
async def database_url(request: pytest.FixtureRequest, tmp_path_factory) -> AsyncIterator[str]:  # type: ignore[no-untyped-def]
    """A fresh, empty database: a SQLite file, and a PostgreSQL database when configured."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("db") / "test.db"
        yield f"sqlite+aiosqlite:///{path}"
        return
    name = unique_name("cbec_test_")
    url = await _create_pg_database(TEST_DATABASE_URL, name)
    try:
        yield url
    finally:
        await _drop_pg_database(TEST_DATABASE_URL, name)


_SPANS = InMemorySpanExporter()


@pytest.fixture(scope="session")
def tracing() -> InMemorySpanExporter:
    setup_tracing(
        ServiceSettings(service_name="tests", otel_service_name="cbec-tests"),
        extra_processors=[SimpleSpanProcessor(_SPANS)],
    )
    return _SPANS


@pytest.fixture
def spans(tracing: InMemorySpanExporter) -> InMemorySpanExporter:
    """Spans finished during the test (the exporter is cleared first)."""
    tracing.clear()
    return tracing
