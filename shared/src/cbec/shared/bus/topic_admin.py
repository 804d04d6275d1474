"""Topic names and topic administration: the dead-letter topic of a topic, the namespace of
its event types, and the creation of missing topics.

    await ensure_topics("127.0.0.1:9092", ["cbec.declaration.v1"], partitions=12)
    dlq_topic("cbec.declaration.v1")          # "cbec.declaration.v1.dlq"
    topic_namespace("cbec.declaration.v1")    # "cbec.declaration."
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import Iterable, Mapping
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

DLQ_SUFFIX = ".dlq"


def dlq_topic(topic: str) -> str:
    return topic + DLQ_SUFFIX


def topic_namespace(topic: str) -> str:
    """``cbec.declaration.v1`` → ``cbec.declaration.``: the prefix of its event types."""
    parts = topic.split(".")
    if len(parts) >= 3 and re.fullmatch(r"v[0-9]+", parts[-1]):
        return ".".join(parts[:-1]) + "."
    return topic + "."


async def ensure_topics(
    bootstrap_servers: str,
    topics: Iterable[str],
    *,
    partitions: int,
    with_dlq: bool = True,
    timeout: float = 30.0,
    client_options: Mapping[str, Any] | None = None,
) -> list[str]:
    """Create missing topics (and their DLQs); return the names that were created.
    ``client_options``: security settings (``ServiceSettings.kafka_client_options()``)."""
    wanted = []
    for topic in topics:
        wanted.append(topic)
        if with_dlq:
            wanted.append(dlq_topic(topic))
    options = {**(client_options or {}), "bootstrap_servers": bootstrap_servers}
    admin = AIOKafkaAdminClient(**options)
    await asyncio.wait_for(admin.start(), timeout)
    try:
        existing = set(await admin.list_topics())
        missing = [t for t in dict.fromkeys(wanted) if t not in existing]
        if missing:
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics(
                    [NewTopic(t, num_partitions=partitions, replication_factor=1) for t in missing]
                )
        return missing
    finally:
        await admin.close()
