"""Dead letters: an event a consumer cannot apply goes to ``<topic>.dlq`` as it came, with the
reason and its original coordinates added to its headers.

    await send_dead_letter(publisher, record, group="cbec.tax.lists",
                           reason="malformed event: ...", attempts=0, error_type="MalformedEvent")

Deterministic failures (:data:`PERMANENT_ERRORS`: a malformed payload, a domain rule) are
dead-lettered at once; others after the consumer's retries, with where they were raised.
"""

from __future__ import annotations

import traceback

from aiokafka import ConsumerRecord

from cbec.shared.bus.publisher import Publisher
from cbec.shared.bus.topic_admin import dlq_topic
from cbec.shared.clock import utcnow
from cbec.shared.envelope import MalformedEvent
from cbec.shared.errors import CbecError
from cbec.shared.telemetry import mark_error, process_span

# Failures that are the same on every attempt: retrying them only delays the partition.
PERMANENT_ERRORS: tuple[type[BaseException], ...] = (MalformedEvent, CbecError)


def failure_reason(exc: BaseException) -> str:
    """The ``dlq_reason`` of a failure: its message, and for a failure that is not permanent
    its type and the place it was raised."""
    text = str(exc) or type(exc).__name__
    if not isinstance(exc, PERMANENT_ERRORS):
        frame = traceback.extract_tb(exc.__traceback__)[-1:] if exc.__traceback__ else []
        where = f" at {frame[0].filename}:{frame[0].lineno}" if frame else ""
        text = f"{type(exc).__name__}: {text}{where}"
    return text


def dead_letter_headers(
    record: ConsumerRecord[bytes, bytes], *, group: str, reason: str, attempts: int, error_type: str
) -> list[tuple[str, bytes]]:
    """The original headers followed by the reason and the original coordinates."""
    headers = list(record.headers or ())
    headers += [
        ("dlq_reason", reason[:4000].encode()),
        ("dlq_error_type", error_type.encode()),
        ("dlq_original_topic", record.topic.encode()),
        ("dlq_original_partition", str(record.partition).encode()),
        ("dlq_original_offset", str(record.offset).encode()),
        ("dlq_consumer_group", group.encode()),
        ("dlq_attempts", str(attempts).encode()),
        ("dlq_failed_at", utcnow().isoformat().encode()),
    ]
    return headers


async def send_dead_letter(
    publisher: Publisher,
    record: ConsumerRecord[bytes, bytes],
    *,
    group: str,
    reason: str,
    attempts: int,
    error_type: str,
) -> None:
    """Send ``record`` to its topic's DLQ and wait for the acknowledgement, in a "process" span
    marked as failed with the reason."""
    headers = dead_letter_headers(
        record, group=group, reason=reason, attempts=attempts, error_type=error_type
    )
    with process_span(
        record.topic,
        consumer_group=group,
        partition=record.partition,
        offset=record.offset,
        key=record.key,
        headers=record.headers,
    ) as span:
        mark_error(span, reason)
        span.set_attribute("cbec.dead_letter_reason", reason[:1000])
        future = await publisher.send(
            dlq_topic(record.topic), record.value or b"", key=record.key, headers=headers
        )
        await future
