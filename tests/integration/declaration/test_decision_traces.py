"""The decision on a list joins documents that arrived in separate traces: it continues the trace
of the one that completed them and links the traces of the others (DOMAIN.md §4; the e2e test
tests/e2e/test_traces.py shows the same through the whole platform)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from tests.integration.declaration.decl_support import (
    declaration_app,
    departed,
    export_inventory,
    export_line,
    export_order,
    export_waybill,
    publish,
    receipt_of_funds,
)
from tests.support.tokens import as_caller
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

EBC = "3701960002"


@pytest.fixture
def exported(spans: InMemorySpanExporter) -> InMemorySpanExporter:
    """The spans finished during the test."""
    return spans


async def _submitted(name: str, send: Callable[[dict[str, str]], Awaitable[object]]) -> int:
    """Send a document in a trace of its own, as an ERP or another service would; its trace
    id. ``send`` gets the W3C headers of that trace."""
    span = trace.get_tracer("tests.erp").start_span(name, context=otel_context.Context())
    with trace.use_span(span, end_on_exit=True):
        headers: dict[str, str] = {}
        propagate.inject(headers)
        await send(headers)
    return span.get_span_context().trace_id


def _named(exporter: InMemorySpanExporter, name: str, order_no: str) -> list[ReadableSpan]:
    return [
        s
        for s in exporter.get_finished_spans()
        if s.name == name and (s.attributes or {}).get("cbec.order_no") == order_no
    ]


async def test_the_release_and_the_closing_link_the_traces_of_the_lists_documents(
    kafka_bootstrap: str,
    database_url: str,
    unique: str,
    tmp_path: Path,
    exported: InMemorySpanExporter,
) -> None:
    order_no, cop_no, waybill_no = f"EO{unique}", f"C{unique}", f"W{unique}"
    line = export_line(1)
    async with declaration_app(kafka_bootstrap, database_url, tmp_path) as (app, client):

        async def order(headers: dict[str, str]) -> None:
            answer = await client.post(
                "/v1/export/orders",
                json=export_order(order_no, EBC, [line]),
                headers={**as_caller("declaration", EBC), **headers},
            )
            assert answer.json()["receipts"][0]["returnStatus"] == "2", answer.text

        async def inventory(headers: dict[str, str]) -> None:
            answer = await client.post(
                "/v1/export/inventories",
                json=[export_inventory(cop_no, order_no, EBC, waybill_no, [line])],
                headers=headers,
            )
            assert answer.json()["receipts"][0]["returnStatus"] == "2", answer.text

        traces = {
            "order (CEB303)": await _submitted("order", order),
            "inventory list (CEB603)": await _submitted("list", inventory),
            "waybill (CEB505)": await _submitted(
                "waybill", lambda _: publish(app, export_waybill(waybill_no, EBC))
            ),
        }

        async def waybill_applied() -> list[ReadableSpan]:
            return [
                s
                for s in exported.get_finished_spans()
                if s.name == "cbec.logistics.v1 process"
                and (s.attributes or {}).get("cbec.logistics_no") == waybill_no
            ]

        # The funds come last (a later fetch of the consumer than the waybill's).
        await eventually(waybill_applied, timeout=30, what="the waybill applied")
        traces["receipt of funds (CEB403)"] = await _submitted(
            "funds", lambda _: publish(app, receipt_of_funds(order_no, EBC, "90"))
        )

        async def release() -> list[ReadableSpan]:
            return _named(exported, "list released", order_no)

        (released,) = await eventually(release, timeout=30, what="the list released")
        closing_trace = await _submitted("departure", lambda _: publish(app, departed(waybill_no)))

        async def closing() -> list[ReadableSpan]:
            return _named(exported, "list closed", order_no)

        (closed,) = await eventually(closing, timeout=30, what="the list closed")

    # The release continues the trace of the funds, the last of the documents, and links the
    # traces in which the order, the list and the waybill arrived, each named.
    assert released.context is not None
    assert released.context.trace_id == traces["receipt of funds (CEB403)"]
    assert {
        (dict(link.attributes or {})["cbec.document"], link.context.trace_id)
        for link in released.links
    } == {(name, trace_id) for name, trace_id in traces.items() if "CEB403" not in name}
    assert (released.attributes or {})["cbec.return_status"] == "800"
    assert (released.attributes or {})["cbec.cop_no"] == cop_no

    # The closing continues the departure's trace and links all four.
    assert closed.context is not None
    assert closed.context.trace_id == closing_trace
    assert {link.context.trace_id for link in closed.links} == set(traces.values())
    assert (closed.attributes or {})["cbec.return_status"] == "899"
