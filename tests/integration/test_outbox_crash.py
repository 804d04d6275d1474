"""A relay killed with SIGKILL loses nothing, and consumers apply every event exactly once."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.bus import BusRig, event_type, record_effect
from tests.support.kafka import headers_of, read_topic
from tests.support.waiting import eventually

pytestmark = [pytest.mark.integration, pytest.mark.postgres]
ROOT = Path(__file__).resolve().parents[2]


def _run(mode: str, bootstrap: str, database_url: str, topic: str, count: int) -> int:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.support.relay_proc",
            mode,
            bootstrap,
            database_url,
            topic,
            str(count),
        ],
        cwd=ROOT,
        timeout=120,
        capture_output=True,
        check=False,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()[-2000:]
    return proc.returncode


async def test_events_committed_before_a_sigkill_are_published_after_restart_and_applied_once(
    kafka_bootstrap: str, database_url: str, topic: str, unique: str
) -> None:
    count = 40
    # The writer commits its events and is killed before any relay publishes them.
    _run("write-and-die", kafka_bootstrap, database_url, topic, count)
    rig = await BusRig.create(kafka_bootstrap, database_url)
    try:
        assert await rig.unsent() == count
        assert await read_topic(kafka_bootstrap, topic, expected=0, timeout=1) == []

        # A relay publishes them, the broker acknowledges, and it is killed before marking them.
        _run("publish-and-die", kafka_bootstrap, database_url, topic, count)
        assert await rig.unsent() == count
        assert len(await read_topic(kafka_bootstrap, topic, expected=count)) == count

        # After restart the relay publishes them again; the consumer applies each once.
        rig.relay.start()
        await eventually(rig.unsent, until=lambda n: n == 0, what="outbox drained")
        await rig.consume(f"g-{unique}", [topic], {event_type(topic): record_effect})
        effects = await eventually(
            rig.effects, until=lambda e: len(e) >= count, what=f"{count} effects"
        )
        published = await read_topic(kafka_bootstrap, topic, expected=2 * count)
        await eventually(lambda: _lag_zero(rig), what="consumer caught up", timeout=30)
        effects = await rig.effects()
    finally:
        await rig.close()

    assert len(published) == 2 * count  # every event went out twice ...
    assert len({headers_of(r)["ce_id"] for r in published}) == count
    # The relay signs a row as it sends it: the copy sent again carries the same signature.
    signatures: dict[str, set[str]] = {}
    for record in published:
        headers = headers_of(record)
        signatures.setdefault(headers["ce_id"], set()).add(headers["ce_signature"])
    assert {len(found) for found in signatures.values()} == {1}
    assert len(effects) == count  # ... and was applied once
    assert len({e.event_id for e in effects}) == count


async def _lag_zero(rig: BusRig) -> bool:
    from cbec.shared import metrics

    samples = [
        s
        for metric in metrics.LAG.collect()
        for s in metric.samples
        if s.labels.get("consumer") == rig.consumers[0].group
    ]
    return bool(samples) and all(s.value == 0 for s in samples)
