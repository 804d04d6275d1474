"""Prometheus metrics of the mechanism (consumer lag, DLQ counts, outbox backlog, HTTP).

The metric objects are process-wide and labelled by service, so several apps may live in one
test process. ``/metrics`` serves :func:`render`.
"""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

CONSUMED = Counter(
    "cbec_consumer_events_total",
    "Events taken from Kafka by a consumer, by outcome"
    " (applied, duplicate, ignored, dead_lettered)",
    ["service", "consumer", "topic", "outcome"],
)
HANDLER_RETRIES = Counter(
    "cbec_consumer_retries_total", "Handler retries", ["service", "consumer", "topic"]
)
DLQ = Counter(
    "cbec_dlq_events_total", "Events sent to a dead-letter topic", ["service", "consumer", "topic"]
)
LAG = Gauge(
    "cbec_consumer_lag",
    "Messages between the consumer's position and the partition's high watermark",
    ["service", "consumer", "topic", "partition"],
)
OUTBOX_BACKLOG = Gauge("cbec_outbox_backlog", "Outbox rows not yet published", ["service"])
OUTBOX_PUBLISHED = Counter(
    "cbec_outbox_published_total", "Outbox rows published and acknowledged", ["service", "topic"]
)
OUTBOX_FAILURES = Counter(
    "cbec_outbox_publish_failures_total", "Relay publish attempts that failed", ["service"]
)
DB_STATEMENTS = Counter(
    "cbec_db_statements_total",
    "SQL statements sent to the database (an executemany counts once)",
    ["service"],
)
HTTP_REQUESTS = Counter(
    "cbec_http_requests_total", "HTTP requests", ["service", "method", "route", "status"]
)
HTTP_LATENCY = Histogram(
    "cbec_http_request_duration_seconds",
    "HTTP request duration",
    ["service", "method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)


def render() -> tuple[bytes, str]:
    return generate_latest(), CONTENT_TYPE_LATEST


def count_statements(engine: AsyncEngine, service: str) -> None:
    """Count the statements ``engine`` sends (``cbec_db_statements_total``): what a unit of work
    costs the database, beside its CPU."""
    counter = DB_STATEMENTS.labels(service)

    def counted(*_: object) -> None:
        counter.inc()

    event.listen(engine.sync_engine, "before_cursor_execute", counted)
