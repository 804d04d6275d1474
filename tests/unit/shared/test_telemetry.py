"""Trace context kept beside a stored document, and the span that links the traces it joins."""

from __future__ import annotations

import json

import pytest
from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from cbec.shared.telemetry import joining_span, link_to, stored_trace_context


@pytest.fixture
def exported(spans: InMemorySpanExporter) -> InMemorySpanExporter:
    """The spans finished during the test."""
    return spans


def _new_trace(name: str) -> trace.Span:
    """A span starting a trace of its own (an ERP's submission)."""
    return trace.get_tracer("tests").start_span(name, context=otel_context.Context())


def test_the_stored_context_names_the_current_span_and_nothing_outside_one(
    exported: InMemorySpanExporter,
) -> None:
    assert stored_trace_context() is None
    span = _new_trace("submission")
    with trace.use_span(span, end_on_exit=True):
        stored = stored_trace_context()
    assert stored is not None
    context = span.get_span_context()
    traceparent = json.loads(stored)["traceparent"]
    assert traceparent.startswith(f"00-{context.trace_id:032x}-{context.span_id:016x}-")


def test_a_link_names_a_span_of_another_trace_only(exported: InMemorySpanExporter) -> None:
    earlier = _new_trace("order submitted")
    with trace.use_span(earlier, end_on_exit=True):
        stored = stored_trace_context()
    same_trace = None
    with trace.use_span(_new_trace("funds submitted"), end_on_exit=True):
        link = link_to(stored, {"cbec.document": "order (CEB303)"})
        same_trace = link_to(stored_trace_context())
        assert link_to(None) is None
        assert link_to("not json") is None
        assert link_to('["a list"]') is None
        assert link_to('{"traceparent": "00-garbage"}') is None
    assert link is not None
    assert link.context.trace_id == earlier.get_span_context().trace_id
    assert link.context.span_id == earlier.get_span_context().span_id
    assert dict(link.attributes or {}) == {"cbec.document": "order (CEB303)"}
    assert same_trace is None  # within its own trace the parent chain shows it


def test_a_joining_span_continues_the_current_trace_and_links_the_others(
    exported: InMemorySpanExporter,
) -> None:
    with trace.use_span(_new_trace("order submitted"), end_on_exit=True):
        order = stored_trace_context()
    trigger = _new_trace("funds submitted")
    with trace.use_span(trigger, end_on_exit=True):
        links = [link_to(order, {"cbec.document": "order (CEB303)"}), link_to(None)]
        with joining_span("list released", links, orderNo="EO1", invtNo=None, returnStatus="800"):
            pass
    (joined,) = [s for s in exported.get_finished_spans() if s.name == "list released"]
    assert joined.context is not None
    assert joined.context.trace_id == trigger.get_span_context().trace_id
    assert joined.parent is not None
    assert joined.parent.span_id == trigger.get_span_context().span_id
    assert [dict(link.attributes or {}) for link in joined.links] == [
        {"cbec.document": "order (CEB303)"}
    ]
    assert dict(joined.attributes or {}) == {
        "cbec.order_no": "EO1",
        "cbec.return_status": "800",
    }
