"""An export order through the gateway alone, against the whole platform as real processes.

An e-commerce enterprise, a payment institution and a logistics company submit the order's
documents, some as JSON and some as the customs standard's XML messages (``POST /v1/messages``);
the built-in customs rules release the list (800), and the arrival, master bill and departure
close it (899). The one-stop view shows it, the enterprise's ERP gets its receipts by polling
with a cursor and by a signed webhook, the customs officers' feed streams the events in order,
and another enterprise sees none of it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import pytest_asyncio

from cbec.gateway.client import AsyncGatewayClient
from cbec.gateway.schemas import IssuedCredentials
from cbec.shared.embedded import free_port
from tests.e2e.export_flow import (
    CLOSED,
    DECIDED,
    FREIGHT,
    RELEASED,
    ExportFlow,
    Parties,
    file_documents,
    order_view,
    platform_env,
    ship,
    wait_for_status,
)
from tests.support.platform import Platform, started_platform
from tests.support.waiting import eventually

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="module")]

PARTIES = Parties(
    seller="3701960101", platform="3701960102", carrier="3701970103", payer="4403169D3W"
)
CUSTOMS = "4300000009"
OUTSIDER = "3701960199"


@dataclass
class Enterprises:
    seller: IssuedCredentials
    carrier: IssuedCredentials
    payer: IssuedCredentials
    customs: IssuedCredentials
    outsider: IssuedCredentials


@dataclass
class Delivery:
    headers: dict[str, str]
    body: bytes
    signature_valid: bool

    @property
    def receipt(self) -> dict[str, Any]:
        document: dict[str, Any] = json.loads(self.body)
        return document


@dataclass
class ErpEndpoint:
    """The enterprise's ERP: records every webhook delivery and checks its signature with the
    enterprise's secret, as gateway/README.md ("Webhooks") tells an integrator to."""

    key_id: str
    secret: str
    port: int = field(default_factory=free_port)
    deliveries: list[Delivery] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/cbec/receipts"

    def verify(self, headers: dict[str, str], body: bytes) -> bool:
        signed = "\n".join(
            (
                headers.get("x-cbec-timestamp", ""),
                headers.get("x-cbec-delivery", ""),
                hashlib.sha256(body).hexdigest(),
            )
        )
        expected = hmac.new(self.secret.encode(), signed.encode(), hashlib.sha256).hexdigest()
        return headers.get("x-cbec-key") == self.key_id and hmac.compare_digest(
            expected, headers.get("x-cbec-signature", "")
        )

    def record(self, headers: dict[str, str], body: bytes) -> bool:
        valid = self.verify(headers, body)
        with self.lock:
            self.deliveries.append(Delivery(headers, body, valid))
        return valid

    def snapshot(self) -> list[Delivery]:
        with self.lock:
            return list(self.deliveries)


@dataclass
class Scenario:
    platform: Platform
    enterprises: Enterprises
    erp: ErpEndpoint
    flow: ExportFlow
    answers: dict[str, Any] = field(default_factory=dict)
    """What the gateway answered to each submission, by document."""

    def client(self, who: str) -> AsyncGatewayClient:
        return self.platform.async_client(getattr(self.enterprises, who), timeout=30)


# -- the platform and its enterprises (one for the module: start-up takes ~20 s) ------------


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    folder = tmp_path_factory.mktemp("platform")
    # The ERP's webhook receiver runs on this machine: a network opened on purpose.
    env = {**platform_env(folder), "WEBHOOK_ALLOWED_NETWORKS": "127.0.0.1/32"}
    with started_platform(folder, env=env) as started:
        yield started


@pytest.fixture(scope="module")
def enterprises(platform: Platform) -> Enterprises:
    return Enterprises(
        seller=platform.enroll(PARTIES.seller, "Jinan ceramics e-commerce", ["ecommerce"]),
        carrier=platform.enroll(PARTIES.carrier, "Jinan cross-border logistics", ["logistics"]),
        payer=platform.enroll(PARTIES.payer, "Example payment institution", ["payment"]),
        customs=platform.enroll(CUSTOMS, "Jinan customs", ["customs-officer"]),
        outsider=platform.enroll(OUTSIDER, "Another seller", ["ecommerce"]),
    )


@pytest.fixture(scope="module")
def erp(enterprises: Enterprises) -> Iterator[ErpEndpoint]:
    endpoint = ErpEndpoint(enterprises.seller.keyId, enterprises.seller.secret)

    class _Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            valid = endpoint.record({k.lower(): v for k, v in self.headers.items()}, body)
            self.send_response(204 if valid else 401)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", endpoint.port), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield endpoint
    finally:
        server.shutdown()
        server.server_close()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def scenario(platform: Platform, enterprises: Enterprises, erp: ErpEndpoint) -> Scenario:
    """The order's life, through the gateway only; returns once its list is closed (899)."""
    done = Scenario(platform, enterprises, erp, ExportFlow.of(uuid.uuid4().hex, PARTIES))
    async with (
        done.client("seller") as seller,
        done.client("carrier") as carrier,
        done.client("payer") as payer,
    ):
        # The ERP registers its webhook first: every receipt from then on is pushed to it.
        hook = await seller.put("/v1/webhooks", json={"url": erp.url})
        assert hook.status_code == 200, hook.text

        # Order, list, waybill and receipt of funds: the three-document check passes once the
        # funds and the waybill reach the declaration service, and the rules release the list.
        done.answers = await file_documents(done.flow, seller=seller, carrier=carrier, payer=payer)
        released = await wait_for_status(seller, done.flow.order_no, DECIDED)
        assert released["status"] == RELEASED, released.get("list")

        # Arrival, master bill and departure: the declaration closes the list.
        done.answers |= await ship(done.flow, carrier=carrier)
        await wait_for_status(seller, done.flow.order_no, CLOSED)
    return done


# -- the one-stop view ------------------------------------------------------------------------


async def test_the_one_stop_view_shows_the_list_released_then_closed_after_departure(
    scenario: Scenario,
) -> None:
    flow = scenario.flow
    async with scenario.client("seller") as seller:
        view = await order_view(seller, flow.order_no)
    assert view["status"] == CLOSED
    assert view["ieFlag"] == "E"
    assert view["parties"] == {
        "ebcCode": PARTIES.seller,
        "ebpCode": PARTIES.platform,
        "agentCode": PARTIES.seller,
        "logisticsCode": PARTIES.carrier,
        "payCode": PARTIES.payer,
    }
    assert view["order"]["orderNo"] == flow.order_no
    assert Decimal(view["order"]["goodsValue"]) == flow.goods_value
    statuses = [r["returnStatus"] for r in view["list"]["receipts"]]
    assert statuses[0] == "2"
    assert statuses[-2:] == [RELEASED, CLOSED]
    assert "120" in statuses
    invt_no = view["list"]["invtNo"]
    assert re.fullmatch(r"4300\d{4}E\d{9}", invt_no), invt_no  # DOMAIN.md §1
    assert view["list"]["copNo"] == flow.cop_no
    (funds,) = view["funds"]["receipts"]
    assert funds["payCode"] == PARTIES.payer
    assert Decimal(funds["charge"]) == flow.goods_value + FREIGHT
    (waybill,) = view["logistics"]["waybills"]
    assert waybill["logisticsNo"] == flow.logistics_no
    movements = [m["movement"] for m in view["logistics"]["movements"]]
    assert movements == ["arrived", "linked", "departed"]
    assert view["discrepancies"] == []
    seqs = [e["seq"] for e in view["events"]]
    assert seqs == sorted(seqs)

    # Every party of the order and the customs officer see the same order.
    for who in ("carrier", "payer", "customs"):
        async with scenario.client(who) as client:
            seen = await order_view(client, flow.order_no)
        assert seen.get("status") == CLOSED, who
        assert seen["list"]["invtNo"] == invt_no, who


# -- receipts back to the ERP -----------------------------------------------------------------


async def _poll_all(client: AsyncGatewayClient, limit: int = 3) -> tuple[list[dict[str, Any]], str]:
    """Every receipt, page by page with the cursor; the last cursor."""
    receipts: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        query = f"?limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        page = (await client.get(f"/v1/receipts{query}")).json()
        receipts.extend(page["receipts"])
        cursor = page["cursor"]
        if not page["more"]:
            assert cursor is not None
            return receipts, cursor


def _of_order(receipts: list[dict[str, Any]], order_no: str) -> list[dict[str, Any]]:
    return [r for r in receipts if r.get("orderNo") == order_no]


async def test_the_erp_polls_its_receipts_with_a_cursor_without_gaps_or_repeats(
    scenario: Scenario,
) -> None:
    flow = scenario.flow

    def complete(found: tuple[list[dict[str, Any]], str]) -> bool:
        return any(
            r["type"] == "cbec.declaration.list.closed.v1"
            for r in _of_order(found[0], flow.order_no)
        )

    async with scenario.client("seller") as seller:
        receipts, cursor = await eventually(
            lambda: _poll_all(seller), until=complete, timeout=60, what="the seller's receipts"
        )
        ids = [r["receiptId"] for r in receipts]
        assert len(ids) == len(set(ids)), "a receipt came twice"
        mine = _of_order(receipts, flow.order_no)
        types = [r["type"] for r in mine]
        for expected in (
            "cbec.declaration.order.accepted.v1",
            "cbec.declaration.list.released.v1",
            "cbec.declaration.list.closed.v1",
            "cbec.payments.receipt.accepted.v1",
        ):
            assert expected in types, (expected, types)
        statuses = [
            r["returnStatus"]
            for r in mine
            if r["type"] == "cbec.declaration.list.status_changed.v1"
        ]
        assert statuses[0] == "2"
        assert statuses[-2:] == [RELEASED, CLOSED]
        assert types.index("cbec.declaration.list.released.v1") < types.index(
            "cbec.declaration.list.closed.v1"
        )
        # The waybill names the seller (ebcCode) but no order: it is still the seller's receipt.
        assert any(
            r["type"] == "cbec.logistics.waybill.accepted.v1"
            and r["data"]["logisticsNo"] == flow.logistics_no
            for r in receipts
        )

        # Polling on from the last cursor answers only what came since (the tax office's
        # decisions on the closed list may still be coming), until nothing new: the same cursor.
        later: list[dict[str, Any]] = []

        async def poll_on() -> dict[str, Any]:
            nonlocal cursor
            page: dict[str, Any] = (await seller.get(f"/v1/receipts?cursor={cursor}")).json()
            later.extend(page["receipts"])
            if page["receipts"]:
                cursor = page["cursor"]
                return {}
            assert page["cursor"] == cursor
            return page

        await eventually(poll_on, timeout=60, interval=0.2, what="no new receipt")
        seen = ids + [r["receiptId"] for r in later]
        assert len(seen) == len(set(seen)), "a receipt came twice"

        # One page of everything answers the same receipts in the same order.
        whole = (await seller.get("/v1/receipts?limit=1000")).json()["receipts"]
        assert [r["receiptId"] for r in whole][: len(seen)] == seen

    # The carrier's receipts are its own: the waybill and its parcel's movements.
    async with scenario.client("carrier") as carrier:
        theirs, _ = await _poll_all(carrier, limit=100)
    moved = [
        r["data"]["movement"]
        for r in theirs
        if r["type"] == "cbec.logistics.parcel.moved.v1"
        and r["data"]["logisticsNo"] == flow.logistics_no
    ]
    assert moved == ["arrived", "linked", "departed"]


async def test_the_erp_gets_the_same_receipts_by_webhook_signed_with_its_secret(
    scenario: Scenario,
) -> None:
    async with scenario.client("seller") as seller:
        polled, _ = await _poll_all(seller, limit=1000)
    wanted = {r["receiptId"] for r in polled}

    deliveries = await eventually(
        lambda: _async(scenario.erp.snapshot),
        until=lambda found: wanted <= {d.headers.get("x-cbec-delivery") for d in found},
        timeout=60,
        what="every receipt delivered to the webhook",
    )
    assert all(d.signature_valid for d in deliveries), [
        d.headers for d in deliveries if not d.signature_valid
    ]
    for delivery in deliveries:
        assert delivery.headers["x-cbec-delivery"] == delivery.receipt["receiptId"]
        assert delivery.headers["content-type"] == "application/json"
    by_id = {d.receipt["receiptId"]: d.receipt for d in deliveries}
    for receipt in polled:
        assert by_id[receipt["receiptId"]] == receipt

    # Everything acknowledged: nothing pending for the ERP.
    async with scenario.client("seller") as seller:
        status = await eventually(
            lambda: _json(seller, "/v1/webhooks"),
            until=lambda s: s.get("pending") == 0,
            timeout=30,
            what="no delivery pending",
        )
    assert status["url"] == scenario.erp.url


async def _async(read: Any) -> Any:
    return read()


async def _json(client: AsyncGatewayClient, path: str) -> dict[str, Any]:
    response = await client.get(path)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


# -- the customs officers' feed ---------------------------------------------------------------


def _sse(text: str) -> list[tuple[int, str, dict[str, Any]]]:
    """(id, event, data) of each message of a Server-Sent Events stream."""
    messages = []
    for block in text.split("\n\n"):
        fields: dict[str, str] = {}
        for line in block.splitlines():
            if line.startswith(":") or ":" not in line:
                continue
            name, _, value = line.partition(":")
            fields[name] = value.removeprefix(" ")
        if "data" in fields:
            messages.append((int(fields["id"]), fields["event"], json.loads(fields["data"])))
    return messages


async def _feed(client: AsyncGatewayClient, query: str = "", **headers: str) -> Any:
    response = await client.get(f"/v1/feeds/customs?follow=false{query}", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/event-stream")
    return _sse(response.text)


async def test_the_customs_feed_streams_the_orders_events_in_order(scenario: Scenario) -> None:
    flow = scenario.flow
    async with scenario.client("customs") as customs:
        messages = await _feed(customs)
        ids = [m[0] for m in messages]
        assert ids == sorted(set(ids))
        assert all(m[1] == m[2]["type"] for m in messages)
        assert {m[2]["topic"] for m in messages} <= {"cbec.declaration.v1", "cbec.logistics.v1"}

        declaration = [
            m[2]
            for m in messages
            if m[2]["data"].get("orderNo") == flow.order_no
            and m[2]["topic"] == "cbec.declaration.v1"
        ]
        kinds = [
            e["type"].removeprefix("cbec.declaration.").removesuffix(".v1") for e in declaration
        ]
        statuses = [e["data"]["returnStatus"] for e in declaration if "returnStatus" in e["data"]]
        assert kinds[0] == "order.accepted"
        assert statuses[0] == "2"
        assert statuses[-2:] == [RELEASED, CLOSED]
        assert kinds.index("list.released") < kinds.index("list.closed") == len(kinds) - 1

        parcel = [
            m
            for m in messages
            if m[2]["topic"] == "cbec.logistics.v1"
            and m[2]["data"].get("logisticsNo") == flow.logistics_no
        ]
        assert [m[2]["data"].get("movement", m[1]) for m in parcel] == [
            "cbec.logistics.waybill.accepted.v1",
            "arrived",
            "linked",
            "departed",
        ]
        # (The four topics have no order between them: the gateway may apply the closing
        # before the departure that caused it; within a topic the feed keeps the order.)

        # Resumed after an event (as an EventSource reconnects): exactly what followed it.
        middle = ids[len(ids) // 2]
        resumed = [m[0] for m in await _feed(customs, **{"Last-Event-ID": str(middle)})]
        after = [i for i in ids if i > middle]
        assert resumed[: len(after)] == after
        assert all(i > middle for i in resumed)

        # Narrowed to the seller and to list closings.
        closings = await _feed(
            customs, f"&enterprise={PARTIES.seller}&type=cbec.declaration.list.closed.v1"
        )
        assert [m[2]["data"]["orderNo"] for m in closings] == [flow.order_no]

    # The feed is for customs officers only.
    async with scenario.client("seller") as seller:
        refused = await seller.get("/v1/feeds/customs?follow=false")
    assert refused.status_code == 403


# -- another enterprise -----------------------------------------------------------------------


async def test_another_enterprise_sees_none_of_it(scenario: Scenario) -> None:
    flow = scenario.flow
    async with scenario.client("outsider") as outsider:
        view = await outsider.get(f"/v1/orders/{flow.order_no}")
        assert view.status_code == 404
        assert view.headers["content-type"] == "application/problem+json"
        assert PARTIES.seller not in view.text  # nothing of the order but its number
        assert (await _json(outsider, "/v1/receipts?limit=1000"))["receipts"] == []
        assert (await _json(outsider, "/v1/orders"))["orders"] == []
        # Naming the seller does not help.
        narrowed = await outsider.get(f"/v1/orders/{flow.order_no}?party={PARTIES.seller}")
        assert narrowed.status_code == 404
