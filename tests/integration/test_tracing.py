"""One trace: HTTP request → outbox → relay → Kafka → consumer in another process → httpx call.

The spans are checked as Jaeger would receive them: decoded from what the OTLP/HTTP exporters of
the three processes send.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from opentelemetry.instrumentation.utils import suppress_instrumentation

from cbec.shared.embedded import free_port
from tests.support.otlp import OtlpReceiver, ReceivedSpan
from tests.support.procs import ServiceProcess
from tests.support.tokens import as_caller
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

SERVER, CLIENT, PRODUCER, CONSUMER = 2, 3, 4, 5  # OTLP SpanKind values


@pytest.fixture
def otlp() -> Iterator[OtlpReceiver]:
    with OtlpReceiver() as receiver:
        yield receiver


async def test_one_request_is_one_trace_across_http_outbox_kafka_consumer_and_httpx(
    kafka_bootstrap: str, topic: str, otlp: OtlpReceiver, tmp_path: Path, unique: str
) -> None:
    stamp_port, front_port, worker_port = free_port(), free_port(), free_port()
    common = {
        "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "OTEL_EXPORTER_OTLP_ENDPOINT": otlp.endpoint,
        "TRACE_TOPIC": topic,
        "STAMP_URL": f"http://127.0.0.1:{stamp_port}",
        "LOG_LEVEL": "INFO",
    }
    procs = [
        ServiceProcess(
            f"tests.support.traceapps:{name}",
            port,
            {
                **common,
                "OTEL_SERVICE_NAME": f"cbec-{name}",
                "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / name}.db",
            },
            tmp_path / f"{name}.log",
        )
        for name, port in (("stamp", stamp_port), ("front", front_port), ("worker", worker_port))
    ]
    try:
        for proc in procs:
            proc.start()
        for proc in procs:
            proc.wait_ready()
        order_no = f"ORDER-{unique}"
        # The ERP's request carries no trace context of its own (this test process may have
        # httpx instrumented by earlier tests): the trace starts at the front.
        with suppress_instrumentation():
            async with httpx.AsyncClient() as client:
                response = await client.post(
                    f"{procs[1].url}/things/{order_no}", headers=as_caller("front", "ERP1")
                )
        assert response.status_code == 202

        async def whole_trace() -> list[ReceivedSpan] | str:
            spans = otlp.snapshot()
            return _connected_trace(spans, order_no) or _describe(spans, order_no)

        # Spans are exported in batches while the processes run; wait for the whole trace.
        await eventually(
            whole_trace,
            until=lambda r: isinstance(r, list),
            timeout=60,
            what="the whole trace of the request",
        )
    finally:
        for proc in procs:
            proc.stop()

    trace = _connected_trace(otlp.snapshot(), order_no)
    root = next(s for s in trace if s.service == "cbec-front" and s.kind == SERVER)
    by_id = {s.span_id: s for s in trace}

    def kinds(service: str) -> set[int]:
        return {s.kind for s in trace if s.service == service}

    assert {SERVER, PRODUCER} <= kinds("cbec-front")
    assert {CONSUMER, CLIENT} <= kinds("cbec-worker")
    assert SERVER in kinds("cbec-stamp")
    process = next(s for s in trace if s.name == f"{topic} process")
    assert process.attributes["cbec.order_no"] == order_no
    assert process.attributes["messaging.destination.name"] == topic
    assert by_id[process.parent_span_id].kind == PRODUCER  # consumer → producer's send span
    stamp_server = next(s for s in trace if s.service == "cbec-stamp" and s.kind == SERVER)
    assert by_id[stamp_server.parent_span_id].service == "cbec-worker"
    for span in trace:  # every span hangs off the front's request: one connected trace
        hops = 0
        while span.parent_span_id and hops < 50:
            span, hops = by_id[span.parent_span_id], hops + 1
        assert span.span_id == root.span_id


def _connected_trace(spans: list[ReceivedSpan], order_no: str) -> list[ReceivedSpan]:
    """The request's trace once it holds every hop and no span misses its parent; else []."""
    roots = [
        s
        for s in spans
        if s.service == "cbec-front"
        and s.kind == SERVER
        and s.attributes.get("cbec.order_no") == order_no
    ]
    if not roots:
        return []
    trace = [s for s in spans if s.trace_id == roots[0].trace_id]
    ids = {s.span_id for s in trace}
    hops = {(s.service, s.kind) for s in trace}
    wanted = {
        ("cbec-front", SERVER),
        ("cbec-front", PRODUCER),
        ("cbec-worker", CONSUMER),
        ("cbec-worker", CLIENT),
        ("cbec-stamp", SERVER),
    }
    orphans = [s for s in trace if s.parent_span_id and s.parent_span_id not in ids]
    return trace if wanted <= hops and not orphans else []


def _describe(spans: list[ReceivedSpan], order_no: str) -> str:
    """What arrived so far, for the failure message."""
    traces: dict[str, list[str]] = {}
    for s in spans:
        if s.attributes.get("cbec.order_no") == order_no or s.trace_id in traces:
            traces.setdefault(s.trace_id, [])
    for s in spans:
        if s.trace_id in traces:
            traces[s.trace_id].append(
                f"{s.service}/{s.name}/kind{s.kind}/{s.span_id}<-{s.parent_span_id or 'root'}"
            )
    return f"{len(spans)} spans; traces of the order: {traces}"
