"""The spans of one export order's whole flow through the platform, as Jaeger receives them:
decoded from what the OTLP/HTTP exporters of the five processes send.

What "one order's flow is one trace" means here. Each of the order's documents is its own ERP
submission, from its own enterprise (the e-commerce enterprise's order and list, the logistics
company's waybill, arrival, master bill and departure, the payment institution's receipt of
funds): each submission is one trace, from the gateway through the owning service, its events on
Kafka and their consumers in the other services, with no span missing its parent. Where the
platform joins documents of several submissions, the step that joins them continues the trace of
the submission that triggered it and links the others (OpenTelemetry span links, "references" in
Jaeger): the customs release links the order, list, funds and waybill it compared; the departure
links the parcel's release, arrival and master bill; the closing links the list's documents. So
the trace in which the order's flow ends (the departure, which closes the list) reaches every
other trace of the order in one link, and no span of the order's processing starts a trace of
its own.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import pytest_asyncio
from opentelemetry.instrumentation.utils import suppress_instrumentation

from tests.e2e.export_flow import (
    CLOSED,
    DECIDED,
    RELEASED,
    ExportFlow,
    Parties,
    file_documents,
    platform_env,
    ship,
    wait_for_status,
)
from tests.support.otlp import OtlpReceiver, ReceivedSpan
from tests.support.platform import Platform, started_platform
from tests.support.waiting import eventually

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="module")]

SERVER, CLIENT, PRODUCER, CONSUMER = 2, 3, 4, 5  # OTLP SpanKind values
SERVICES = {
    "cbec-gateway",
    "cbec-declaration",
    "cbec-logistics",
    "cbec-payments",
    "cbec-tax-refund",
}
PARTIES = Parties(
    seller="3701960201", platform="3701960202", carrier="3701970203", payer="4403169D3W"
)
SUBMISSIONS = ("order", "list", "waybill", "funds", "arrival", "master bill", "departure")
DOCUMENTS = ("order", "list", "waybill", "funds")
"""The submissions the customs decision joins (DOMAIN.md §4)."""


@dataclass
class Flow:
    export: ExportFlow
    invt_no: str
    spans: list[ReceivedSpan]
    traces: dict[str, str]
    """The trace id of each submission."""

    def trace(self, trace_id: str) -> list[ReceivedSpan]:
        return [s for s in self.spans if s.trace_id == trace_id]

    def named(self, name: str, service: str | None = None) -> list[ReceivedSpan]:
        return [s for s in self.spans if s.name == name and service in (None, s.service)]

    def submission_of(self, trace_id: str) -> str | None:
        return next((k for k, t in self.traces.items() if t == trace_id), None)


@pytest.fixture(scope="module")
def otlp() -> Iterator[OtlpReceiver]:
    with OtlpReceiver() as receiver:
        yield receiver


@pytest.fixture(scope="module")
def platform(otlp: OtlpReceiver, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    """Every process exports its spans to the receiver (OTLP/HTTP, ``<endpoint>/v1/traces``)."""
    folder = tmp_path_factory.mktemp("traced-platform")
    env = {**platform_env(folder), "OTEL_EXPORTER_OTLP_ENDPOINT": otlp.endpoint}
    with started_platform(folder, env=env) as started:
        yield started


# -- finding the submissions among the spans --------------------------------------------------


def _submission_roots(spans: list[ReceivedSpan], flow: ExportFlow) -> dict[str, list[ReceivedSpan]]:
    """The gateway's server spans that start a trace, by the submission they answered."""
    p = flow.parties
    wanted = {
        "order": ("POST /v1/messages", {"cbec.party": p.seller, "cbec.order_no": flow.order_no}),
        "list": ("POST /v1/export/inventories", {"cbec.cop_no": flow.cop_no}),
        "waybill": (
            "POST /v1/messages",
            {"cbec.party": p.carrier, "cbec.logistics_no": flow.logistics_no},
        ),
        "funds": ("POST /v1/messages", {"cbec.party": p.payer, "cbec.order_no": flow.order_no}),
        "arrival": ("POST /v1/export/arrivals", {"cbec.cop_no": f"ARR{flow.suffix}"}),
        "master bill": ("POST /v1/export/master-bills", {"cbec.cop_no": f"WB{flow.suffix}"}),
        "departure": ("POST /v1/messages", {"cbec.cop_no": f"DEP{flow.suffix}"}),
    }
    roots: dict[str, list[ReceivedSpan]] = {}
    for span in spans:
        if span.service != "cbec-gateway" or span.kind != SERVER or span.parent_span_id:
            continue
        for submission, (name, attributes) in wanted.items():
            if span.name == name and attributes.items() <= span.attributes.items():
                roots.setdefault(submission, []).append(span)
    return roots


def _accepted_traces(spans: list[ReceivedSpan], flow: ExportFlow) -> dict[str, str]:
    """The trace of each submission that took effect: its service published an event. (The
    carrier may have sent the master bill again while logistics did not yet know the release:
    the refused attempts are traces of their own that publish nothing.)"""
    publishing = {s.trace_id for s in spans if s.kind == PRODUCER and s.service != "cbec-gateway"}
    traces: dict[str, str] = {}
    for submission, roots in _submission_roots(spans, flow).items():
        effective = [r.trace_id for r in roots if r.trace_id in publishing]
        if len(effective) == 1:
            traces[submission] = effective[0]
    return traces


def _orphans(spans: list[ReceivedSpan]) -> list[ReceivedSpan]:
    ids = {s.span_id for s in spans}
    return [s for s in spans if s.parent_span_id and s.parent_span_id not in ids]


ACCEPTED_ORDER = "cbec.declaration.order.accepted.v1"
RELEASED_LIST = "cbec.declaration.list.released.v1"
CLOSED_LIST = "cbec.declaration.list.closed.v1"
CONSUMED = {
    "order": {(s, ACCEPTED_ORDER) for s in ("cbec-gateway", "cbec-payments", "cbec-logistics")},
    "waybill": {("cbec-declaration", "cbec.logistics.waybill.accepted.v1")},
    "funds": {("cbec-declaration", "cbec.payments.receipt.accepted.v1")},
    "release": {
        (s, RELEASED_LIST)
        for s in ("cbec-gateway", "cbec-logistics", "cbec-tax-refund", "cbec-payments")
    },
    "departure": {("cbec-declaration", "cbec.logistics.parcel.moved.v1")}
    | {(s, CLOSED_LIST) for s in ("cbec-gateway", "cbec-logistics", "cbec-tax-refund")},
}
"""Events of the flow and the services that consume them, by the submission that caused them
("release": the one whose document completed the three, DOMAIN.md §4)."""
JOINING_SPANS = {
    ("cbec-declaration", "list released"),
    ("cbec-declaration", "list closed"),
    ("cbec-logistics", "parcels departed"),
}


def _processed(spans: list[ReceivedSpan], flow: ExportFlow) -> set[tuple[str, str | None]]:
    """(service, event type) of the consumer spans that handled an event of the order."""
    return {
        (s.service, s.attributes.get("cloudevents.event_type"))
        for s in spans
        if s.kind == CONSUMER
        and s.name.endswith(" process")
        and (
            s.attributes.get("cbec.order_no") == flow.order_no
            or s.attributes.get("cbec.logistics_no") == flow.logistics_no
        )
    }


def _complete(spans: list[ReceivedSpan], flow: ExportFlow) -> bool:
    """Every submission's trace is in, with no span missing its parent, and every event of the
    flow was consumed where expected (wherever its span is: the tests say where it must be)."""
    traces = _accepted_traces(spans, flow)
    if set(traces) != set(SUBMISSIONS):
        return False
    if not {(s.service, s.name) for s in spans} >= JOINING_SPANS:
        return False
    if not set().union(*CONSUMED.values()) <= _processed(spans, flow):
        return False
    return not any(_orphans([s for s in spans if s.trace_id == t]) for t in traces.values())


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def flow(platform: Platform, otlp: OtlpReceiver) -> Flow:
    """One export order from its order to its closing, through the gateway; its spans."""
    export = ExportFlow.of(uuid.uuid4().hex, PARTIES)
    seller = platform.enroll(PARTIES.seller, "Jinan ceramics e-commerce", ["ecommerce"])
    carrier = platform.enroll(PARTIES.carrier, "Jinan cross-border logistics", ["logistics"])
    payer = platform.enroll(PARTIES.payer, "Example payment institution", ["payment"])
    # The ERPs' requests carry no trace context of their own (this test process may have httpx
    # instrumented by other tests): each submission's trace starts at the gateway.
    with suppress_instrumentation():
        async with (
            platform.async_client(seller, timeout=30) as s,
            platform.async_client(carrier, timeout=30) as c,
            platform.async_client(payer, timeout=30) as y,
        ):
            await file_documents(export, seller=s, carrier=c, payer=y)
            released = await wait_for_status(s, export.order_no, DECIDED)
            assert released["status"] == RELEASED, released.get("list")
            await ship(export, carrier=c)
            closed = await wait_for_status(s, export.order_no, CLOSED)

    async def spans() -> list[ReceivedSpan]:
        return otlp.snapshot()

    # Spans are exported in batches while the processes run: wait for the whole flow.
    received = await eventually(
        spans,
        until=lambda found: _complete(found, export),
        timeout=90,
        interval=0.25,
        what="the spans of the whole flow",
    )
    return Flow(export, closed["list"]["invtNo"], received, _accepted_traces(received, export))


# -- what Jaeger shows ------------------------------------------------------------------------


async def test_spans_carry_the_service_names_and_business_keys_that_jaeger_searches(
    flow: Flow,
) -> None:
    traced = [s for t in flow.traces.values() for s in flow.trace(t)]
    # The resource of every process: its service name, in the platform's namespace.
    assert {s.service for s in traced} == SERVICES
    for span in flow.spans:
        assert span.resource["service.name"] == span.service
        assert span.resource["service.namespace"] == "cbec"
        assert span.resource.get("service.version")

    # The order's number and the list's number as tags, in every service that handled them.
    order_no, invt_no = flow.export.order_no, flow.invt_no
    with_order = {s.service for s in traced if s.attributes.get("cbec.order_no") == order_no}
    assert with_order == SERVICES
    with_list = {s.service for s in traced if s.attributes.get("cbec.invt_no") == invt_no}
    assert with_list == SERVICES

    # A consumer span names its topic, group and event, as the messaging conventions say.
    (release,) = [
        s
        for s in traced
        if s.service == "cbec-logistics"
        and s.kind == CONSUMER
        and s.attributes.get("cloudevents.event_type") == "cbec.declaration.list.released.v1"
    ]
    assert release.name == "cbec.declaration.v1 process"
    assert release.attributes["messaging.system"] == "kafka"
    assert release.attributes["messaging.destination.name"] == "cbec.declaration.v1"
    assert release.attributes["messaging.consumer.group.name"].startswith("cbec.logistics.")
    assert release.attributes["cbec.invt_no"] == invt_no
    assert release.attributes["cbec.logistics_no"] == flow.export.logistics_no


# -- each submission is one trace -------------------------------------------------------------


async def test_each_submission_is_one_trace_across_http_and_kafka_hops(flow: Flow) -> None:
    for submission, trace_id in flow.traces.items():
        spans = flow.trace(trace_id)
        (root,) = [s for s in spans if not s.parent_span_id]
        assert (root.service, root.kind) == ("cbec-gateway", SERVER), submission
        by_id = {s.span_id: s for s in spans}
        for span in spans:  # every span hangs off the gateway's request: no missing parent
            hops = 0
            while span.parent_span_id and hops < 100:
                span, hops = by_id[span.parent_span_id], hops + 1
            assert span.span_id == root.span_id, submission

        # The gateway forwards to the owning service, whose events are consumed, in this trace,
        # by the other services: each consumer span is the child of its producer's send span.
        owner = {
            "order": "cbec-declaration",
            "list": "cbec-declaration",
            "waybill": "cbec-logistics",
            "funds": "cbec-payments",
            "arrival": "cbec-logistics",
            "master bill": "cbec-logistics",
            "departure": "cbec-logistics",
        }[submission]
        forwarded = [
            s.service
            for s in spans
            if s.kind == SERVER
            and s.parent_span_id in by_id
            and (by_id[s.parent_span_id].service, by_id[s.parent_span_id].kind)
            == ("cbec-gateway", CLIENT)
        ]
        assert forwarded == [owner], (submission, [(s.service, s.name, s.kind) for s in spans])
        consumers = [s for s in spans if s.kind == CONSUMER and s.name.endswith(" process")]
        assert consumers, submission
        for consumer in consumers:
            producer = by_id[consumer.parent_span_id]
            assert producer.kind == PRODUCER, (submission, consumer.name)
            assert producer.name == consumer.name.replace(" process", " send")
        assert "cbec-gateway" in {c.service for c in consumers}  # the one-stop view's projection


async def test_the_consumers_of_the_events_a_document_caused_are_in_its_trace(flow: Flow) -> None:
    (release,) = flow.named("list released", "cbec-declaration")
    traces = {**flow.traces, "release": release.trace_id}
    for cause, consumed in CONSUMED.items():
        in_trace = _processed(flow.trace(traces[cause]), flow.export)
        assert consumed <= in_trace, (cause, consumed - in_trace)


async def test_no_span_of_the_orders_processing_starts_a_trace_of_its_own(flow: Flow) -> None:
    """Every span that carries the order's number is in one of its submissions' traces, or in
    an ERP's read of the one-stop view (``GET /v1/orders/{orderNo}``, a trace per request)."""
    submissions = set(flow.traces.values())
    reads = {
        s.trace_id
        for s in flow.spans
        if s.service == "cbec-gateway"
        and s.kind == SERVER
        and not s.parent_span_id
        and s.name == "GET /v1/orders/{order_no}"
    }
    elsewhere = [
        (s.service, s.name)
        for s in flow.spans
        if s.attributes.get("cbec.order_no") == flow.export.order_no
        and s.trace_id not in submissions | reads
    ]
    assert elsewhere == []


# -- the decisions link the traces they join ---------------------------------------------------


def _linked(span: ReceivedSpan, flow: Flow) -> dict[str, dict[str, str]]:
    """The submissions a span links, with the link's attributes."""
    out: dict[str, dict[str, str]] = {}
    for link in span.links:
        submission = flow.submission_of(link.trace_id)
        assert submission is not None, f"{span.name} links a trace of no submission"
        out[submission] = link.attributes
    return out


async def test_the_release_continues_the_last_documents_trace_and_links_the_others(
    flow: Flow,
) -> None:
    (release,) = flow.named("list released", "cbec-declaration")
    assert release.attributes["cbec.order_no"] == flow.export.order_no
    assert release.attributes["cbec.invt_no"] == flow.invt_no
    assert release.attributes["cbec.return_status"] == RELEASED
    decided_in = flow.submission_of(release.trace_id)
    assert decided_in in DOCUMENTS
    linked = _linked(release, flow)
    assert set(linked) | {decided_in} == set(DOCUMENTS)
    assert decided_in not in linked
    names = {
        "order": "order (CEB303)",
        "list": "inventory list (CEB603)",
        "waybill": "waybill (CEB505)",
        "funds": "receipt of funds (CEB403)",
    }
    for submission, attributes in linked.items():
        assert attributes == {"cbec.document": names[submission]}


async def test_the_departure_and_the_closing_link_every_other_trace_of_the_order(
    flow: Flow,
) -> None:
    departure = flow.traces["departure"]
    (departed,) = flow.named("parcels departed", "cbec-logistics")
    (closing,) = flow.named("list closed", "cbec-declaration")
    assert departed.trace_id == closing.trace_id == departure
    assert closing.attributes["cbec.return_status"] == CLOSED
    assert closing.attributes["cbec.invt_no"] == flow.invt_no

    # The departure links what logistics checked: the release, the arrival, the master bill.
    (release,) = flow.named("list released", "cbec-declaration")
    movements = _linked(departed, flow)
    assert set(movements) == {flow.submission_of(release.trace_id), "arrival", "master bill"}
    assert movements["arrival"] == {"cbec.movement": "arrival at the supervised site (CEB507)"}
    assert movements["master bill"] == {"cbec.movement": "master bill link (CEB607)"}

    # The closing links the list's documents.
    assert set(_linked(closing, flow)) == set(DOCUMENTS)

    # One order's flow: from the trace where it ends, every other trace of it is one link away.
    reachable = {departure} | {link.trace_id for s in flow.trace(departure) for link in s.links}
    assert reachable == set(flow.traces.values())
    assert len(set(flow.traces.values())) == len(SUBMISSIONS)
