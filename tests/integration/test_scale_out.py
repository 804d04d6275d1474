"""Two instances of a service share a topic's partitions in one consumer group; stopping one
hands its partitions to the other, with nothing lost and nothing applied twice."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest
from sqlmodel import SQLModel

from cbec.shared.bus import Publisher
from cbec.shared.db import create_engine, session_factory
from cbec.shared.embedded import free_port
from cbec.shared.settings import ServiceSettings
from tests.support.bus import TABLES, Effect, envelope
from tests.support.procs import ServiceProcess
from tests.support.waiting import eventually

pytestmark = [pytest.mark.integration, pytest.mark.postgres]


async def test_two_instances_share_the_partitions_and_a_stopped_one_hands_them_over(
    kafka_bootstrap: str, database_url: str, topic: str, tmp_path: Path
) -> None:
    engine = create_engine(database_url)
    async with engine.begin() as conn:  # the schema exists before both instances start
        await conn.run_sync(SQLModel.metadata.create_all, tables=TABLES)
    sessions = session_factory(engine)

    async def applied() -> list[Effect]:
        from sqlmodel import select

        async with sessions() as session:
            return list((await session.exec(select(Effect))).all())

    def instance(name: str) -> ServiceProcess:
        return ServiceProcess(
            "tests.support.counterapp:create_app",
            free_port(),
            {
                "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
                "DATABASE_URL": database_url,
                "COUNTER_TOPIC": topic,
                "INSTANCE_NAME": name,
                "LOG_LEVEL": "INFO",
            },
            tmp_path / f"{name}.log",
        )

    first, second = instance("first"), instance("second")
    publisher = Publisher(
        ServiceSettings(service_name="tests", kafka_bootstrap_servers=kafka_bootstrap)
    )
    await publisher.start()
    keys = [f"order-{i:02d}" for i in range(40)]
    try:
        first.start(), second.start()
        first.wait_ready(), second.wait_ready()
        for seq in range(1, 26):  # 1,000 events over 40 keys, all partitions
            for key in keys:
                await publisher.publish(envelope(topic, key, seq), topic=topic, key=key)
            if seq == 5:
                # Both instances work on the topic before one of them leaves.
                await eventually(
                    applied,
                    until=lambda rows: {r.consumer for r in rows} == {"first", "second"},
                    timeout=60,
                    what="both instances applying events",
                )
                first.stop(signal.SIGTERM)
                # uvicorn re-raises the signal after a graceful shutdown; the log tells.
                assert "service stopped" in first.log_tail(20_000)
        effects = await eventually(
            applied, until=lambda rows: len(rows) >= 1000, timeout=120, what="1,000 effects"
        )
    finally:
        first.stop()
        second.stop()
        await publisher.stop()
        await engine.dispose()

    assert len(effects) == 1000
    assert len({e.event_id for e in effects}) == 1000  # nothing applied twice
    per_key: dict[str, list[int]] = {}
    for effect in sorted(effects, key=lambda e: e.id or 0):
        per_key.setdefault(effect.key, []).append(effect.seq)
    assert all(seqs == list(range(1, 26)) for seqs in per_key.values())  # in order per key
    late = {e.consumer for e in effects if e.seq > 20}
    assert late == {"second"}  # the partitions of the stopped instance moved to the other
