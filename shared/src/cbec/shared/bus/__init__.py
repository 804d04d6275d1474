"""The Kafka bus on aiokafka: a publisher and a consumer-group runner with retries and a DLQ.

    publisher = Publisher(settings); await publisher.start()
    runner = ConsumerRunner(group="cbec.tax.lists", topics=["cbec.declaration.v1"],
                            handlers=HANDLERS, sessions=sessions, outbox=outbox,
                            publisher=publisher, settings=settings)
    await runner.start(); ...; await runner.stop()

The rooms: :mod:`~cbec.shared.bus.publisher` (the signing producer),
:mod:`~cbec.shared.bus.consumer` (the runner: verify, apply once per consumer, retry, DLQ),
:mod:`~cbec.shared.bus.context` (what a handler is given),
:mod:`~cbec.shared.bus.dead_letters` (the DLQ headers and send) and
:mod:`~cbec.shared.bus.topic_admin` (topic names, creating topics).
"""

from __future__ import annotations

from cbec.shared.bus.consumer import ConsumerRunner
from cbec.shared.bus.context import BatchWork, Handler, HandlerContext
from cbec.shared.bus.dead_letters import PERMANENT_ERRORS
from cbec.shared.bus.publisher import Publisher
from cbec.shared.bus.topic_admin import DLQ_SUFFIX, dlq_topic, ensure_topics, topic_namespace

__all__ = [
    "DLQ_SUFFIX",
    "PERMANENT_ERRORS",
    "BatchWork",
    "ConsumerRunner",
    "Handler",
    "HandlerContext",
    "Publisher",
    "dlq_topic",
    "ensure_topics",
    "topic_namespace",
]
