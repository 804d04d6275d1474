"""OpenTelemetry setup: one tracer provider per process, OTLP/HTTP export, instrumentations.

    provider = setup_tracing(settings)          # exports to OTEL_EXPORTER_OTLP_ENDPOINT if set
    instrument_app(app)
    with process_span(topic, message, envelope):   # around each consumer handler
        ...
    row.trace_context = stored_trace_context()     # beside a document kept for later
    with joining_span("list released", [link_to(row.trace_context)], orderNo="EO1"):
        ...                                        # a step caused by several documents

Spans are made per request, per consumed batch and event, and per use case; never per SQL
statement. A process that exports nothing records nothing: without an endpoint (or an extra
processor) no SDK provider is installed, so spans are non-recording, while the W3C trace context
of an incoming request or event still passes on to what the process sends. Sampling follows
the standard variables (``OTEL_TRACES_SAMPLER=parentbased_traceidratio``,
``OTEL_TRACES_SAMPLER_ARG=0.1``); the default keeps every trace.

Spans carry the business keys of the customs standard as ``cbec.*`` attributes (``cbec.order_no``,
``cbec.invt_no``, ...) so that an operator finds a transaction in Jaeger by its order number.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.propagators.textmap import Getter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import Link, Span, SpanKind, Status, StatusCode

from cbec.shared.settings import ServiceSettings

TRACER_NAME = "cbec"
_provider: TracerProvider | None = None
_libraries_instrumented = False

# Fields of the customs standard that identify a transaction, and their span attribute names.
BUSINESS_KEYS: Mapping[str, str] = {
    "orderNo": "cbec.order_no",
    "invtNo": "cbec.invt_no",
    "copNo": "cbec.cop_no",
    "preNo": "cbec.pre_no",
    "logisticsNo": "cbec.logistics_no",
    "logisticsCode": "cbec.logistics_code",
    "payTransactionId": "cbec.pay_transaction_id",
    "payCode": "cbec.pay_code",
    "ebcCode": "cbec.ebc_code",
    "ebpCode": "cbec.ebp_code",
    "agentCode": "cbec.agent_code",
    "sumNo": "cbec.sum_no",
    "billNo": "cbec.bill_no",
    "taxNo": "cbec.tax_no",
}
_SNAKE = re.compile(r"(?<!^)(?=[A-Z])")


def business_attributes(data: Mapping[str, Any]) -> dict[str, str]:
    """Span attributes for the business keys found at the top level of a payload."""
    out: dict[str, str] = {}
    for field, attribute in BUSINESS_KEYS.items():
        value = data.get(field)
        if isinstance(value, str | int) and value != "":
            out[attribute] = str(value)
    return out


def tag_span(span: Span | None = None, **keys: Any) -> None:
    """Put business keys on a span (the current one by default): ``tag_span(orderNo="O1")``."""
    target = span or trace.get_current_span()
    for field, value in business_attributes(keys).items():
        target.set_attribute(field, value)
    for field, value in keys.items():
        if field not in BUSINESS_KEYS and value is not None:
            target.set_attribute(f"cbec.{_SNAKE.sub('_', field).lower()}", str(value))


def tracer() -> trace.Tracer:
    return trace.get_tracer(TRACER_NAME)


def setup_tracing(
    settings: ServiceSettings, extra_processors: Sequence[SpanProcessor] = ()
) -> TracerProvider | None:
    """Install the process's tracer provider once, when something will receive its spans (an
    OTLP endpoint or an ``extra_processors``); later calls return the same provider. Without
    one, None: the process keeps OpenTelemetry's non-recording default and only propagates."""
    global _provider
    if _provider is not None:
        return _provider
    instrument_libraries()
    if not settings.otel_exporter_otlp_endpoint and not extra_processors:
        return None
    resource = Resource.create(
        {
            "service.name": settings.telemetry_service_name,
            "service.namespace": "cbec",
            "service.version": "0.1.0",
        }
    )
    provider = TracerProvider(resource=resource)
    if settings.otel_exporter_otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        endpoint = settings.otel_exporter_otlp_endpoint.rstrip("/") + "/v1/traces"
        provider.add_span_processor(
            BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint), schedule_delay_millis=500)
        )
    for processor in extra_processors:
        provider.add_span_processor(processor)
    trace.set_tracer_provider(provider)
    _provider = provider
    return provider


def shutdown_tracing() -> None:
    """Flush what is buffered (called on graceful shutdown)."""
    if _provider is not None:
        _provider.force_flush(timeout_millis=5000)


def instrument_libraries() -> None:
    """httpx and aiokafka, process-wide, once."""
    global _libraries_instrumented
    if _libraries_instrumented:
        return
    from opentelemetry.instrumentation.aiokafka import AIOKafkaInstrumentor
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

    HTTPXClientInstrumentor().instrument()
    AIOKafkaInstrumentor().instrument()
    _libraries_instrumented = True


def instrument_app(app: Any) -> None:
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    # One server span per request: not the ASGI "receive" and "send" spans besides it.
    FastAPIInstrumentor.instrument_app(
        app, excluded_urls="healthz,readyz,metrics", exclude_spans=["receive", "send"]
    )


class _HeadersGetter(Getter[Sequence[tuple[str, bytes]]]):
    def get(self, carrier: Sequence[tuple[str, bytes]], key: str) -> list[str] | None:
        values = [v.decode(errors="replace") for k, v in carrier if k == key and v is not None]
        return values or None

    def keys(self, carrier: Sequence[tuple[str, bytes]]) -> list[str]:
        return [k for k, _ in carrier]


_HEADERS_GETTER = _HeadersGetter()


def context_from_headers(headers: Sequence[tuple[str, bytes]] | None) -> otel_context.Context:
    return propagate.extract(list(headers or ()), getter=_HEADERS_GETTER)


def current_carrier() -> dict[str, str]:
    """The W3C trace context of the current span, to store beside an outbox row."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier


def stored_trace_context() -> str | None:
    """The W3C trace context of the current span as JSON, to keep beside a stored document
    (None outside a recording trace), as the outbox keeps it beside an event."""
    carrier = current_carrier()
    return json.dumps(carrier, sort_keys=True) if carrier else None


def link_to(stored: str | None, attributes: Mapping[str, str] | None = None) -> Link | None:
    """A span link to the span a :func:`stored_trace_context` names, with ``attributes`` saying
    what it is (``{"cbec.document": "order (CEB303)"}``). None when it names no span, or a span
    of the current trace (there the parent chain already shows it)."""
    if not stored:
        return None
    try:
        carrier = json.loads(stored)
    except ValueError:
        return None
    if not isinstance(carrier, dict):
        return None
    linked = trace.get_current_span(propagate.extract(carrier)).get_span_context()
    current = trace.get_current_span().get_span_context()
    if not linked.is_valid or (current.is_valid and linked.trace_id == current.trace_id):
        return None
    return Link(linked, dict(attributes or {}))


@contextmanager
def joining_span(name: str, links: Sequence[Link | None], **keys: Any) -> Iterator[Span]:
    """An internal span, child of the current one, for a step that joins documents received
    in other traces (a customs decision on a list and the documents it compared): it
    continues the trace of the document that triggered it and links the traces of the others,
    so that an operator goes from one to the others in Jaeger. Business keys as in
    :func:`tag_span`."""
    with tracer().start_as_current_span(
        name, links=[link for link in links if link is not None]
    ) as span:
        tag_span(span, **keys)
        yield span


@contextmanager
def restored_context(carrier: Mapping[str, str] | None) -> Iterator[None]:
    """Run a block under the trace context that was current when ``carrier`` was captured."""
    token = otel_context.attach(propagate.extract(dict(carrier or {})))
    try:
        yield
    finally:
        otel_context.detach(token)


@contextmanager
def process_span(
    topic: str,
    *,
    consumer_group: str,
    partition: int,
    offset: int,
    key: bytes | None,
    headers: Sequence[tuple[str, bytes]] | None,
    event_id: str | None = None,
    event_type: str | None = None,
    data: Mapping[str, Any] | None = None,
) -> Iterator[Span]:
    """The ``<topic> process`` span around one handler, child of the producer's context."""
    parent = context_from_headers(headers)
    with tracer().start_as_current_span(
        f"{topic} process",
        context=parent,
        kind=SpanKind.CONSUMER,
        record_exception=True,
        set_status_on_exception=True,
    ) as span:
        if span.is_recording():  # attributes cost only when the span is kept
            attributes: dict[str, Any] = {
                "messaging.system": "kafka",
                "messaging.operation.type": "process",
                "messaging.operation.name": "process",
                "messaging.destination.name": topic,
                "messaging.consumer.group.name": consumer_group,
                "messaging.destination.partition.id": str(partition),
                "messaging.kafka.offset": offset,
            }
            if key is not None:
                attributes["messaging.kafka.message.key"] = key.decode(errors="replace")
            if event_id:
                attributes["messaging.message.id"] = event_id
            if event_type:
                attributes["cloudevents.event_type"] = event_type
            attributes.update(business_attributes(data or {}))
            span.set_attributes(attributes)
        yield span


def mark_error(span: Span, reason: str) -> None:
    span.set_status(Status(StatusCode.ERROR, reason))
