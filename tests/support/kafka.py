"""Reading a topic from the beginning, as an officer's Kafka client would."""

from __future__ import annotations

import asyncio
import time

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition


async def read_topic(
    bootstrap: str, topic: str, *, expected: int, timeout: float = 30.0
) -> list[ConsumerRecord[bytes, bytes]]:
    """Every record of ``topic`` (all partitions) once at least ``expected`` have arrived."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = None
        deadline = time.monotonic() + timeout
        while not partitions:
            partitions = consumer.partitions_for_topic(topic)
            if not partitions:
                await consumer.force_metadata_update()
                if time.monotonic() > deadline:
                    raise AssertionError(f"topic {topic} not found")
                await asyncio.sleep(0.1)
        tps = [TopicPartition(topic, p) for p in sorted(partitions)]
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        records: list[ConsumerRecord[bytes, bytes]] = []
        while len(records) < expected and time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=200)
            for recs in batch.values():
                records.extend(recs)
        if len(records) < expected:
            raise AssertionError(f"{topic}: {len(records)} records, expected {expected}")
        # Anything more that is already there (to catch duplicates and strays), to the end: one
        # more fetch is not enough once the topic holds more than a fetch returns, as the shared
        # topics do late in a run of the whole suite.
        while True:
            batch = await consumer.getmany(timeout_ms=300)
            if not any(batch.values()):
                return records
            for recs in batch.values():
                records.extend(recs)
    finally:
        await consumer.stop()


def headers_of(record: ConsumerRecord[bytes, bytes]) -> dict[str, str]:
    return {k: v.decode(errors="replace") for k, v in record.headers or ()}
