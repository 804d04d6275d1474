"""The gateway's projection against the real broker and database: the services' real events are
published as the services publish them; the gateway joins them into one-stop views, hands each
enterprise its receipts (polling and signed webhooks) and streams the officers' feeds."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from cbec.gateway.app import create_app
from cbec.gateway.cli import add_enterprise
from cbec.gateway.client import AsyncGatewayClient
from cbec.gateway.handlers import TOPICS
from cbec.gateway.models import Webhook
from cbec.gateway.outbound import IPAddress, Resolver, system_resolver
from cbec.gateway.services import IssuedCredentials
from cbec.gateway.settings import Settings
from cbec.shared.bus import ensure_topics
from cbec.shared.contracts import examples
from cbec.shared.envelope import Envelope, Event
from cbec.tax_refund.events import ImportTaxAssessed
from tests.support.apps import running, service_settings
from tests.support.signing import publish_as
from tests.support.waiting import eventually
from tests.unit.gateway.flows import SOURCES, ExportOrder

pytestmark = [pytest.mark.integration, pytest.mark.postgres]


@dataclass
class Projection:
    app: FastAPI
    credentials: dict[str, IssuedCredentials]
    order: ExportOrder
    codes: dict[str, str]
    published: list[Envelope] = field(default_factory=list)

    def client(self, who: str) -> AsyncGatewayClient:
        issued = self.credentials[who]
        return AsyncGatewayClient(
            "http://gateway.test",
            issued.keyId,
            issued.secret,
            transport=httpx.ASGITransport(app=self.app),
        )

    async def publish(self, *events: Event) -> list[Envelope]:
        envelopes = []
        for event in events:
            envelope = Envelope.of(event, source=SOURCES[event.topic])
            await publish_as(
                self.app.state.runtime.publisher, envelope, topic=event.topic, key=event.key()
            )
            envelopes.append(envelope)
        self.published.extend(envelopes)
        return envelopes

    async def view(self, who: str, order_no: str, query: str = "") -> httpx.Response:
        async with self.client(who) as client:
            return await client.get(f"/v1/orders/{order_no}{query}")

    async def wait_for_events(self, count: int, order_no: str | None = None) -> dict[str, Any]:
        order_no = order_no or self.order.order_no

        async def probe() -> dict[str, Any]:
            response = await self.view("seller", order_no)
            return response.json() if response.status_code == 200 else {}

        return await eventually(
            probe,
            until=lambda v: len(v.get("events", ())) >= count,
            timeout=45,
            what=f"{count} events of {order_no} in its view",
        )


@asynccontextmanager
async def projection(
    kafka_bootstrap: str,
    database_url: str,
    unique: str,
    *,
    resolver: Resolver = system_resolver,
    **overrides: Any,
) -> AsyncIterator[Projection]:
    await ensure_topics(kafka_bootstrap, list(TOPICS), partitions=6)
    tail = unique[-9:].upper()
    codes = {
        "seller": f"S{tail}",
        "other": f"X{tail}",
        "platform": f"P{tail}",
        "carrier": f"L{tail}",
        "payer": f"Y{tail}",
        "customs": f"C{tail}",
        "tax": f"T{tail}",
        "operator": f"O{tail}",
    }
    roles = {
        "seller": ["ecommerce", "agent"],
        "other": ["ecommerce"],
        "platform": ["ecommerce"],
        "carrier": ["logistics"],
        "payer": ["payment"],
        "customs": ["customs-officer"],
        "tax": ["tax-officer"],
        "operator": ["operator"],
    }
    settings = service_settings(
        Settings,
        kafka_bootstrap_servers=kafka_bootstrap,
        database_url=database_url,
        rate_limit_per_second=1000.0,
        rate_limit_burst=1000,
        webhook_interval_seconds=3600.0,
        webhook_retry_base_seconds=0.05,
        feed_poll_interval_seconds=0.05,
        **overrides,
    )
    assert isinstance(settings, Settings)
    credentials = {
        who: await add_enterprise(settings, code=code, name=who, roles=roles[who])
        for who, code in codes.items()
    }
    order = ExportOrder.of(
        unique,
        seller=codes["seller"],
        platform=codes["platform"],
        carrier=codes["carrier"],
        payer=codes["payer"],
    )
    async with running(create_app(settings, resolver=resolver)) as (app, _client):
        yield Projection(app, credentials, order, codes)


async def _whole_export(stack: Projection) -> int:
    """The order's life across the four services; the waybill and the arrival (no order
    number) come before the list that names their waybill. Returns the number of events."""
    order = stack.order
    declaration = order.declaration()
    await stack.publish(order.waybill(), order.arrival(), declaration[0])
    await stack.wait_for_events(1)
    funds = order.funds()
    await stack.publish(*declaration[1:4], funds[0], order.departure(), declaration[4])
    await stack.publish(order.exemption(), *funds[1:])
    return 12


async def test_the_one_stop_view_joins_the_four_services_and_only_the_parties_see_it(
    kafka_bootstrap: str, database_url: str, unique: str
) -> None:
    async with projection(kafka_bootstrap, database_url, unique) as stack:
        order = stack.order
        count = await _whole_export(stack)
        view = await stack.wait_for_events(count)

        assert view["status"] == "899"
        assert view["ieFlag"] == "E"
        assert view["parties"]["logisticsCode"] == order.carrier
        assert view["parties"]["payCode"] == order.payer
        assert view["order"]["ebcCode"] == order.seller
        assert view["list"]["invtNo"] == order.invt_no
        assert [r["returnStatus"] for r in view["list"]["receipts"]] == ["2", "120"]
        (waybill,) = view["logistics"]["waybills"]
        assert waybill["logisticsNo"] == order.logistics_no
        assert [m["movement"] for m in view["logistics"]["movements"]] == ["arrived", "departed"]
        assert view["funds"]["receipts"][0]["charge"] == "210.00"
        assert view["funds"]["settlements"][0]["lines"][0]["orderNo"] == order.order_no
        assert view["tax"]["exemptions"][0]["invtNo"] == order.invt_no
        assert [d["flag"] for d in view["discrepancies"]] == ["underpaid"]
        seqs = [e["seq"] for e in view["events"]]
        assert seqs == sorted(seqs)

        for party in ("carrier", "payer", "platform", "customs", "tax"):
            assert (await stack.view(party, order.order_no)).status_code == 200, party
        other = await stack.view("other", order.order_no)
        assert other.status_code == 404
        assert other.headers["content-type"] == "application/problem+json"
        assert (await stack.view("seller", order.order_no, f"?party={order.carrier}")).is_success
        unknown = await stack.view("customs", order.order_no, f"?party={unique[:10].upper()}")
        assert unknown.status_code == 404

        # The settlement's other order is kept too; its payer and payee see it, the carrier not.
        assert (await stack.view("payer", f"{order.order_no}-OTHER")).status_code == 200
        assert (await stack.view("carrier", f"{order.order_no}-OTHER")).status_code == 404

        # The enterprise-wide list: filters and a cursor.
        second = ExportOrder.of(
            unique + "2",
            seller=order.seller,
            platform=order.platform,
            carrier=order.carrier,
            payer=order.payer,
        )
        await stack.publish(second.declaration()[0])
        await stack.wait_for_events(1, second.order_no)
        async with stack.client("seller") as seller:
            first_page = (await seller.get("/v1/orders?limit=1")).json()
            assert [o["orderNo"] for o in first_page["orders"]] == [order.order_no]
            assert first_page["more"] is True
            rest = (await seller.get(f"/v1/orders?limit=5&cursor={first_page['cursor']}")).json()
            # The settlement's other order names the seller as its payee.
            assert [o["orderNo"] for o in rest["orders"]] == [
                f"{order.order_no}-OTHER",
                second.order_no,
            ]
            assert rest["orders"][1]["status"] == "order-accepted"
            closed = (await seller.get("/v1/orders?status=899&ieFlag=E")).json()
            assert [o["orderNo"] for o in closed["orders"]] == [order.order_no]
            assert (await seller.get("/v1/orders?ieFlag=I")).json()["orders"] == []
            later = (await seller.get("/v1/orders?since=2999-01-01T00:00:00Z")).json()
            assert later["orders"] == []
            bad = await seller.get("/v1/orders?cursor=nonsense")
            assert bad.status_code == 422
        async with stack.client("other") as other_seller:
            assert (await other_seller.get("/v1/orders")).json()["orders"] == []


async def test_receipts_are_polled_with_a_cursor_without_gaps_or_repeats(
    kafka_bootstrap: str, database_url: str, unique: str
) -> None:
    async with projection(kafka_bootstrap, database_url, unique) as stack:
        count = await _whole_export(stack)
        await stack.wait_for_events(count)
        # Redelivered by its producer: the same event id is the same receipt, once.
        await publish_as(
            stack.app.state.runtime.publisher,
            stack.published[2],
            topic="cbec.declaration.v1",
            key=stack.order.order_no,
        )
        # The seller's code is in every event but the carrier's movements; the funds flag
        # names nobody and concerns the order's seller and platform.
        expected = {e.id for e in stack.published if e.type != "cbec.logistics.parcel.moved.v1"}

        async def poll_all() -> tuple[list[dict[str, Any]], str | None]:
            seen: list[dict[str, Any]] = []
            cursor: str | None = None
            async with stack.client("seller") as seller:
                while True:
                    query = f"?limit=3&cursor={cursor}" if cursor else "?limit=3"
                    page = (await seller.get(f"/v1/receipts{query}")).json()
                    seen.extend(page["receipts"])
                    cursor = page["cursor"]
                    if not page["more"]:
                        return seen, cursor

        receipts, cursor = await eventually(
            poll_all, until=lambda r: len(r[0]) >= len(expected), what="the seller's receipts"
        )
        assert [r["eventId"] for r in receipts if r["eventId"] in expected] == [
            r["eventId"] for r in receipts
        ]
        assert {r["eventId"] for r in receipts} == expected
        assert len({r["receiptId"] for r in receipts}) == len(receipts) == len(expected)
        stored = next(r for r in receipts if r.get("returnStatus") == "120")
        assert stored["returnInfo"] == "stored by customs, logic check passed"
        assert stored["orderNo"] == stack.order.order_no
        assert stored["data"]["copNo"] == stack.order.cop_no

        async with stack.client("seller") as seller:
            # Nothing after the last cursor until something new happens; then only that.
            empty = (await seller.get(f"/v1/receipts?cursor={cursor}")).json()
            assert empty["receipts"] == []
            assert empty["cursor"] == cursor
            (newer,) = await stack.publish(
                ExportOrder.of(
                    unique + "9",
                    seller=stack.order.seller,
                    platform=stack.order.platform,
                    carrier=stack.order.carrier,
                    payer=stack.order.payer,
                ).declaration()[0]
            )

            async def after_cursor() -> list[dict[str, Any]]:
                page = (await seller.get(f"/v1/receipts?cursor={cursor}")).json()
                return list(page["receipts"])

            fresh = await eventually(after_cursor, what="the newer receipt")
            assert [r["eventId"] for r in fresh] == [newer.id]
        async with stack.client("carrier") as carrier:
            theirs = (await carrier.get("/v1/receipts?limit=100")).json()["receipts"]
        assert {r["type"] for r in theirs} >= {
            "cbec.logistics.waybill.accepted.v1",
            "cbec.logistics.parcel.moved.v1",
            "cbec.declaration.list.released.v1",
        }
        assert "cbec.payments.receipt.accepted.v1" not in {r["type"] for r in theirs}


@dataclass
class Hook:
    """A webhook receiver of an ERP: refuses the first ``fail`` deliveries with ``refusal``
    (500 unless given), answering ``headers`` and ``body`` with it."""

    fail: int
    refusal: int = 500
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    requests: list[tuple[dict[str, str], bytes, int]] = field(default_factory=list)
    url: str = ""
    port: int = 0


@contextmanager
def webhook_server(fail: int, **refusal: Any) -> Iterator[Hook]:
    hook = Hook(fail, **refusal)
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with lock:
                refused = len(hook.requests) < hook.fail
                status = hook.refusal if refused else 204
                hook.requests.append((dict(self.headers.items()), body, status))
            self.send_response(status)
            answer = hook.body if refused else b""
            for name, value in hook.headers.items() if refused else ():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    hook.port = server.server_address[1]
    hook.url = f"http://127.0.0.1:{hook.port}/cbec/receipts"
    try:
        yield hook
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


async def test_a_webhook_delivery_refused_once_is_retried_until_acknowledged_and_signed(
    kafka_bootstrap: str, database_url: str, unique: str
) -> None:
    local = "127.0.0.1/32"
    async with projection(
        kafka_bootstrap, database_url, unique, webhook_allowed_networks=local
    ) as stack:
        with webhook_server(fail=1) as hook:
            async with stack.client("seller") as seller:
                put = await seller.put("/v1/webhooks", json={"url": hook.url})
                assert put.status_code == 200, put.text
                refused = await seller.put("/v1/webhooks", json={"url": "ftp://erp/x"})
                assert refused.status_code == 422
                assert refused.json()["violations"][0]["field"] == "url"
            async with stack.client("seller") as seller:
                assert (await seller.post("/v1/webhooks/deliver")).status_code == 403

            (accepted,) = await stack.publish(stack.order.declaration()[0])

            async with stack.client("operator") as operator:

                async def deliver() -> list[int]:
                    assert (await operator.post("/v1/webhooks/deliver")).status_code == 200
                    return [status for _h, _b, status in hook.requests]

                statuses = await eventually(
                    deliver, until=lambda s: 204 in s, what="an acknowledged delivery"
                )
            assert statuses == [500, 204]
            (first_headers, first_body, _), (headers, body, _) = hook.requests
            assert first_body == body
            assert first_headers["X-Cbec-Delivery"] == headers["X-Cbec-Delivery"]
            delivered = json.loads(body)
            assert delivered["eventId"] == accepted.id
            assert delivered["receiptId"] == headers["X-Cbec-Delivery"]
            assert delivered["type"] == "cbec.declaration.order.accepted.v1"
            assert delivered["data"]["goodsValue"] == "200.00"

            # The ERP checks the signature with its own secret.
            issued = stack.credentials["seller"]
            assert headers["X-Cbec-Key"] == issued.keyId
            signed = "\n".join(
                (
                    headers["X-Cbec-Timestamp"],
                    headers["X-Cbec-Delivery"],
                    hashlib.sha256(body).hexdigest(),
                )
            )
            expected = hmac.new(issued.secret.encode(), signed.encode(), hashlib.sha256)
            assert hmac.compare_digest(headers["X-Cbec-Signature"], expected.hexdigest())

            async with stack.client("seller") as seller:
                status = (await seller.get("/v1/webhooks")).json()
                assert status == {"url": hook.url, "pending": 0}
            async with stack.client("operator") as operator:
                again = (await operator.post("/v1/webhooks/deliver")).json()
            assert again["attempted"] == 0
            assert len(hook.requests) == 2


async def _deliver_until_attempted(stack: Projection) -> dict[str, int]:
    """Asks for deliveries until one was attempted (the projection applies events on its own)."""
    async with stack.client("operator") as operator:

        async def deliver() -> dict[str, int]:
            answer = await operator.post("/v1/webhooks/deliver")
            assert answer.status_code == 200, answer.text
            counts: dict[str, int] = answer.json()
            return counts

        return await eventually(
            deliver, until=lambda c: c["attempted"] > 0, what="a delivery attempted"
        )


async def test_a_redirect_is_not_followed_and_the_status_shows_only_the_answers_class(
    kafka_bootstrap: str, database_url: str, unique: str
) -> None:
    local = "127.0.0.1/32"
    async with projection(
        kafka_bootstrap, database_url, unique, webhook_allowed_networks=local
    ) as stack:
        with (
            webhook_server(fail=0) as elsewhere,
            webhook_server(
                fail=2,
                refusal=302,
                headers={"Location": elsewhere.url, "X-Internal": "hunter2"},
                body=b"upstream db password hunter2",
            ) as hook,
        ):
            async with stack.client("seller") as seller:
                assert (await seller.put("/v1/webhooks", json={"url": hook.url})).status_code == 200
                await stack.publish(stack.order.declaration()[0])

                assert await _deliver_until_attempted(stack) == {
                    "attempted": 1,
                    "delivered": 0,
                    "failed": 1,
                }
                status = await seller.get("/v1/webhooks")
                assert status.json()["lastError"] == "3xx"
                assert status.json()["pending"] == 1
                assert "hunter2" not in status.text
                assert elsewhere.requests == []

                hook.refusal = 500
                assert (await _deliver_until_attempted(stack))["failed"] == 1
                status = await seller.get("/v1/webhooks")
                assert status.json()["lastError"] == "5xx"
                assert "hunter2" not in status.text

                assert (await _deliver_until_attempted(stack))["delivered"] == 1
                assert (await seller.get("/v1/webhooks")).json() == {"url": hook.url, "pending": 0}
            assert [status for _h, _b, status in hook.requests] == [302, 500, 204]
            assert elsewhere.requests == []


async def test_a_name_that_resolves_to_a_private_address_is_not_posted_to(
    kafka_bootstrap: str, database_url: str, unique: str
) -> None:
    asked: list[str] = []

    async def rebinding(host: str, port: int) -> list[IPAddress]:
        """A name that looked public at registration and answers loopback now."""
        asked.append(host)
        return [ipaddress.ip_address("127.0.0.1")]

    async with projection(kafka_bootstrap, database_url, unique, resolver=rebinding) as stack:
        with webhook_server(fail=0) as hook:
            url = f"http://erp.example.com:{hook.port}/cbec/receipts"
            async with stack.client("seller") as seller:
                assert (await seller.put("/v1/webhooks", json={"url": url})).status_code == 200
                await stack.publish(stack.order.declaration()[0])

                assert (await _deliver_until_attempted(stack))["failed"] == 1
                status = (await seller.get("/v1/webhooks")).json()
            assert status["lastError"] == "refused-address"
            assert status["pending"] == 1
            assert asked == ["erp.example.com"]
            assert hook.requests == []


async def test_a_stored_url_with_control_characters_does_not_stop_other_deliveries(
    kafka_bootstrap: str, database_url: str, unique: str
) -> None:
    local = "127.0.0.1/32"
    async with projection(
        kafka_bootstrap, database_url, unique, webhook_allowed_networks=local
    ) as stack:
        with webhook_server(fail=0) as hook:
            bad = f"http://127.0.0.1:{hook.port}/cbec\r\nX-Injected: 1"
            async with stack.client("platform") as platform:
                refused = await platform.put("/v1/webhooks", json={"url": bad})
            assert refused.status_code == 422
            assert refused.json()["violations"] == [
                {"field": "url", "rule": "no whitespace or control characters"}
            ]
            # One stored before the rule (or by any other way into the table).
            async with stack.app.state.runtime.transaction() as session:
                session.add(Webhook(party=stack.codes["platform"], url=bad))
            async with stack.client("seller") as seller:
                assert (await seller.put("/v1/webhooks", json={"url": hook.url})).status_code == 200

            # The order names both: the seller's receipt is delivered, the platform's is kept.
            await stack.publish(stack.order.declaration()[0])
            async with stack.client("operator") as operator:

                async def deliver() -> list[int]:
                    answer = await operator.post("/v1/webhooks/deliver")
                    assert answer.status_code == 200, answer.text
                    return [status for _h, _b, status in hook.requests]

                assert await eventually(deliver, until=bool, what="the seller's delivery") == [204]
            async with stack.client("platform") as platform:
                status = (await platform.get("/v1/webhooks")).json()
            assert status["lastError"] == "invalid-url"
            assert status["pending"] == 1
            assert all("X-Injected" not in headers for headers, _b, _s in hook.requests)


def _sse(text: str) -> list[dict[str, Any]]:
    messages = []
    for block in text.split("\n\n"):
        fields: dict[str, str] = {}
        for line in block.splitlines():
            if line.startswith(":") or ": " not in line:
                continue
            name, _, value = line.partition(": ")
            fields[name] = value
        if "id" in fields:
            messages.append(
                {
                    "id": int(fields["id"]),
                    "event": fields["event"],
                    "data": json.loads(fields["data"]),
                }
            )
    return messages


async def test_the_customs_feed_streams_the_events_in_order_and_resumes_after_last_event_id(
    kafka_bootstrap: str, database_url: str, unique: str
) -> None:
    async with projection(kafka_bootstrap, database_url, unique) as stack:
        count = await _whole_export(stack)
        await stack.wait_for_events(count)
        seller = stack.order.seller
        feed = f"/v1/feeds/customs?enterprise={seller}&follow=false"

        async with stack.client("customs") as officer:
            response = await officer.get(feed)
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            messages = _sse(response.text)
            declaration = [m for m in messages if m["event"].startswith("cbec.declaration.")]
            assert [m["data"]["id"] for m in declaration] == [
                e.id for e in stack.published if e.type.startswith("cbec.declaration.")
            ]
            assert {m["event"] for m in messages} >= {"cbec.logistics.waybill.accepted.v1"}
            assert not [m for m in messages if m["event"].startswith(("cbec.tax.", "cbec.pay"))]
            ids = [m["id"] for m in messages]
            assert ids == sorted(ids)
            assert len(set(ids)) == len(ids)
            first = messages[0]["data"]
            assert first["specversion"] == "1.0"
            assert first["source"] in ("/cbec/declaration", "/cbec/logistics")
            assert first["type"] == messages[0]["event"]

            resumed = await officer.get(feed, headers={"Last-Event-ID": str(ids[2])})
            assert [m["id"] for m in _sse(resumed.text)] == ids[3:]

            only = await officer.get(f"{feed}&type=cbec.declaration.list.status_changed.v1")
            statuses = [m["data"]["data"]["returnStatus"] for m in _sse(only.text)]
            assert statuses == ["2", "120"]
            bad = await officer.get(feed, headers={"Last-Event-ID": "yesterday"})
            assert bad.status_code == 422
            assert (await officer.get("/v1/feeds/tax?follow=false")).status_code == 403

        async with stack.client("tax") as tax_officer:
            refused = await tax_officer.get(feed)
            assert refused.status_code == 403
            assert refused.json()["violations"][0]["field"] == "X-Cbec-Roles"
            taxes = await tax_officer.get(f"/v1/feeds/tax?enterprise={seller}&follow=false")
            assert {m["event"] for m in _sse(taxes.text)} == {
                "cbec.payments.receipt.accepted.v1",
                "cbec.payments.funds.flagged.v1",
                "cbec.payments.settlement.completed.v1",
                "cbec.tax.export.exemption_decided.v1",
            }
        async with stack.client("seller") as enterprise:
            assert (await enterprise.get(feed)).status_code == 403


async def test_two_sellers_with_one_order_number_each_see_only_their_own_order(
    kafka_bootstrap: str, database_url: str, unique: str
) -> None:
    """Order numbers are each seller's own (DOMAIN.md §1): the projection keys an order by its
    number and its seller, also for the events that do not name the seller (waybills and their
    movements, a tax bill that came before the list it is about)."""
    async with projection(kafka_bootstrap, database_url, unique) as stack:
        mine = stack.order
        tail = unique[-9:].upper()
        theirs = replace(
            mine,
            seller=stack.codes["other"],
            carrier=f"K{tail}",
            logistics_no=f"SF{tail}X",
            cop_no=f"COPX{tail}",
            invt_no=f"4300{tail}E9",
        )  # the same order number and platform, another seller
        # A tax bill of my list comes before the list's own events; it names no enterprise.
        bill = ImportTaxAssessed.model_validate(
            {
                **examples(ImportTaxAssessed)[0].to_data(),
                "orderNo": mine.order_no,
                "invtNo": mine.invt_no,
            }
        )
        (billed,) = await stack.publish(bill)
        for order in (mine, theirs):
            await stack.publish(order.waybill(), *order.declaration()[:4], order.funds()[1])
        # Each: the waybill, the order, two list receipts, the release, the funds flag; mine
        # also the tax bill.
        for who, order, count in (("seller", mine, 7), ("other", theirs, 6)):

            async def view(who: str = who) -> dict[str, Any]:
                answer = await stack.view(who, mine.order_no)
                return answer.json() if answer.status_code == 200 else {}

            seen = await eventually(
                view,
                until=lambda v, count=count: len(v.get("events", ())) >= count,
                timeout=45,
                what=f"the view of {who}",
            )
            assert len(seen["events"]) == count, who
            assert seen["ebcCode"] == order.seller, who
            assert seen["order"]["ebcCode"] == order.seller, who
            assert seen["parties"]["ebcCode"] == order.seller, who
            assert seen["list"]["invtNo"] == order.invt_no, who
            assert [w["logisticsNo"] for w in seen["logistics"]["waybills"]] == [
                order.logistics_no
            ], who
            assert [d["kind"] for d in seen["discrepancies"]] == ["funds-flagged"], who
            assert seen["status"] == "800", who
        mine_view = (await stack.view("seller", mine.order_no)).json()
        assert [a["invtNo"] for a in mine_view["tax"]["assessments"]] == [mine.invt_no]

        # The platform of both sellers names the one it means.
        both = await stack.view("platform", mine.order_no)
        assert both.status_code == 409, both.text
        assert "ebcCode" in both.text
        for order in (mine, theirs):
            one = await stack.view("platform", mine.order_no, f"?ebcCode={order.seller}")
            assert one.json()["list"]["invtNo"] == order.invt_no
        # A seller naming the other's code is told nothing.
        other = await stack.view("seller", mine.order_no, f"?ebcCode={theirs.seller}")
        assert other.status_code == 404

        async def receipts(who: str) -> list[dict[str, Any]]:
            async with stack.client(who) as client:
                page = (await client.get("/v1/receipts?limit=500")).json()
                return list(page["receipts"])

        my_receipts = await eventually(
            lambda: receipts("seller"),
            until=lambda r: billed.id in {x["eventId"] for x in r},
            what="the tax bill as the seller's receipt",
        )
        their_receipts = await receipts("other")
        assert {r["data"].get("ebcCode") for r in my_receipts} <= {mine.seller, None}
        assert {r["data"].get("ebcCode") for r in their_receipts} == {theirs.seller}
        assert billed.id not in {r["eventId"] for r in their_receipts}
        async with stack.client("seller") as seller:
            listed = (await seller.get("/v1/orders")).json()["orders"]
        assert [(o["orderNo"], o["ebcCode"]) for o in listed] == [(mine.order_no, mine.seller)]
