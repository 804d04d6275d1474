"""The gateway's edge against hostile input, on the real broker and database: one canonical path
(over real sockets, to a service that records the bytes it gets), malformed headers and bodies
answered 4xx, failed authentications and floods limited before the work, and keys that are
listed, rotated and revoked, a revocation holding at once on every replica."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from cbec.gateway.app import create_app
from cbec.gateway.cli import add_enterprise
from cbec.gateway.client import AsyncGatewayClient
from cbec.gateway.settings import Settings
from cbec.gateway.signing import signed_headers
from cbec.shared.embedded import free_port
from tests.integration.gateway.test_gateway import (
    CARRIER,
    OPERATOR,
    OTHER_SELLER,
    SELLER,
    Stack,
    gateway,
)
from tests.support.apps import running, service_settings
from tests.unit.gateway.documents import export_order, order_message

pytestmark = pytest.mark.integration


# -- one canonical path, over real sockets ---------------------------------------------------


class Recorder:
    """A service that records the exact target (path and query bytes) of each request."""

    def __init__(self) -> None:
        self.targets: list[bytes] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        query = scope.get("query_string") or b""
        self.targets.append(scope["raw_path"] + (b"?" + query if query else b""))
        body = b'{"seen": true}'
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": body})


@contextlib.asynccontextmanager
async def serving(app: Any) -> AsyncIterator[int]:
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    task = asyncio.create_task(server.serve())
    deadline = time.monotonic() + 60
    while not server.started:
        if task.done() or time.monotonic() > deadline:
            raise AssertionError("the server did not start")
        await asyncio.sleep(0.05)
    try:
        yield port
    finally:
        server.should_exit = True
        await task


async def raw_request(
    port: int, method: str, target: bytes, headers: dict[str, str]
) -> tuple[int, dict[str, Any]]:
    """Send ``target`` byte for byte (no client library normalises it)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    lines = [method.encode() + b" " + target + b" HTTP/1.1", b"Host: gateway.test"]
    lines += [f"{k}: {v}".encode() for k, v in headers.items()]
    lines += [b"Content-Length: 0", b"Connection: close", b"", b""]
    writer.write(b"\r\n".join(lines))
    await writer.drain()
    answer = await reader.read()
    writer.close()
    head, _, body = answer.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, json.loads(body) if body else {}


TRAVERSALS = [
    b"/v1/export/orders/../../lists/C1",
    b"/v1/export/orders/%2e%2e/%2e%2e/lists/C1",
    b"/v1/export/orders/%2E%2E/%2E%2E/lists/C1",
    b"/v1/export/orders/.%2e/.%2e/lists/C1",
    b"/v1/export/orders%2f..%2f..%2flists%2fC1",
    b"/v1/export/orders/%5c..%5c..%5clists",
    b"/v1/export/orders/%252e%252e/%252e%252e/lists/C1",
    b"/v1/export/orders//EO1",
    b"/v1/export/./orders/EO1",
    b"/v1/export/orders/EO1%00",
    b"/v1/export/%6frders/EO1",
]


async def test_a_path_that_is_not_canonical_is_refused_before_authentication_and_an_authorised_one_reaches_the_service_byte_for_byte(  # noqa: E501
    kafka_bootstrap: str, database_url: str
) -> None:
    recorder = Recorder()
    async with serving(recorder) as service_port:
        settings = service_settings(
            Settings,
            kafka_bootstrap_servers=kafka_bootstrap,
            database_url=database_url,
            declaration_url=f"http://127.0.0.1:{service_port}",
            consumer_enabled=False,
        )
        assert isinstance(settings, Settings)
        seller = await add_enterprise(settings, code=SELLER, name="S", roles=["ecommerce"])
        async with serving(create_app(settings)) as port:
            for target in TRAVERSALS:
                signed = signed_headers(
                    seller.keyId, seller.secret, "GET", target.decode("latin-1"), b""
                )
                for headers in (signed, {}):
                    status, problem = await raw_request(port, "GET", target, headers)
                    assert status == 400, (target, problem)
                    assert problem["violations"][0]["field"] == "path", target
                    assert problem["title"] == "non-canonical-path"
            assert recorder.targets == []

            target = b"/v1/export/orders/EO%20X%E6%9D%AD:1?view=full&q=%2F..%2F&r=..&s=%2e"
            signed = signed_headers(
                seller.keyId, seller.secret, "GET", target.decode("latin-1"), b""
            )
            status, answer = await raw_request(port, "GET", target, signed)
            assert status == 200, answer
            assert recorder.targets == [target]


# -- no 500 on any input --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("timestamp", "rule"),
    [
        ("\u0661\u0667\u0661\u0664\u0660\u0660\u0660\u0660\u0660\u0660", "ASCII digits"),
        ("\u00b9\u00b2", "ASCII digits"),
        ("9" * 5000, "ASCII digits"),
        ("-1714000000", "ASCII digits"),
        ("1e9", "ASCII digits"),
    ],
)
async def test_a_timestamp_that_is_not_ascii_unix_seconds_is_400_naming_the_header(
    kafka_bootstrap: str, database_url: str, timestamp: str, rule: str
) -> None:
    async with gateway(kafka_bootstrap, database_url) as stack:
        issued = stack.credentials[SELLER]
        headers = signed_headers(issued.keyId, issued.secret, "GET", "/v1/enterprises/me", b"")
        headers["X-Cbec-Timestamp"] = timestamp
        sent = {k: v.encode("utf-8") for k, v in headers.items()}
        answer = await stack.anonymous.get("/v1/enterprises/me", headers=sent)
        assert answer.status_code == 400, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
        (violation,) = answer.json()["violations"]
        assert violation["field"] == "X-Cbec-Timestamp"
        assert rule in violation["rule"]


async def test_malformed_bodies_are_refused_with_their_rule_and_never_500(
    kafka_bootstrap: str, database_url: str, unique: str
) -> None:
    async with gateway(kafka_bootstrap, database_url) as stack, stack.client(SELLER) as seller:
        path = "/v1/export/orders"
        json_type = {"Content-Type": "application/json"}

        deep = await seller.post(path, content=b"[" * 10_000 + b"]" * 10_000, headers=json_type)
        assert deep.status_code == 422, deep.text
        assert deep.json()["violations"][0]["rule"] == "JSON nested at most 64 levels deep"

        deep_untyped = await seller.post(path, content=b" " + b"{" * 10_000)
        assert deep_untyped.status_code == 422

        deep_in_a_field = export_order(f"EO{unique}", SELLER)
        nested: Any = "x"
        for _ in range(100):
            nested = [nested]
        deep_in_a_field["OrderHead"]["note"] = nested
        answer = await seller.post(path, json=deep_in_a_field)
        assert answer.status_code == 422
        assert "64 levels" in answer.json()["violations"][0]["rule"]

        not_utf8 = await seller.post(path, content=b'{"OrderHead": "\xff\xfe"}', headers=json_type)
        assert not_utf8.status_code == 422
        assert not_utf8.json()["violations"][0]["field"] == "<body>"

        wrong_type = await seller.post(
            path,
            content=json.dumps(export_order(f"EO{unique}", SELLER)),
            headers={"Content-Type": "text/plain"},
        )
        assert wrong_type.status_code == 415
        assert wrong_type.json()["violations"][0]["field"] == "Content-Type"

        json_as_xml = await seller.post(
            "/v1/messages", content=b"{}", headers={"Content-Type": "application/json"}
        )
        assert json_as_xml.status_code == 415

        order = export_order(f"EO{unique}", SELLER)
        order["OrderHead"]["ebcName"] = "Example\x00seller"
        with_nul = await seller.post(path, json=order)
        assert with_nul.status_code == 422
        rules = " ".join(v["rule"] for v in with_nul.json()["violations"])
        assert "U+0000" in rules
        assert "{code" not in rules
        assert stack.upstream.received == []

        xml = order_message(export_order(f"EO{unique}", SELLER)).replace(
            b"Example seller", b"Example&#x1;seller"
        )
        xml_answer = await seller.post(
            "/v1/messages", content=xml, headers={"Content-Type": "application/xml"}
        )
        assert xml_answer.status_code in (400, 422)
        assert "{code" not in xml_answer.text


# -- limits before work ---------------------------------------------------------------------


async def test_failed_authentications_are_limited_per_address_and_per_key_id(
    kafka_bootstrap: str, database_url: str
) -> None:
    limits = {"auth_failure_limit_burst": 3, "auth_failure_limit_per_second": 0.01}
    async with gateway(kafka_bootstrap, database_url, **limits) as stack:
        issued = stack.credentials[SELLER]
        path = "/v1/enterprises/me"

        def bad(attempt: int) -> dict[str, str]:
            # Another made-up key id each time: only the address's limit applies.
            return signed_headers(f"ck_made_up_{attempt}", issued.secret, "GET", path, b"")

        answers = [(await stack.anonymous.get(path, headers=bad(i))) for i in range(4)]
        assert [a.status_code for a in answers] == [401, 401, 401, 429]
        assert int(answers[-1].headers["retry-after"]) >= 1
        assert "this address" in answers[-1].json()["detail"]

        # The address is refused even with a good signature: nothing is checked.
        good = signed_headers(issued.keyId, issued.secret, "GET", path, b"")
        assert (await stack.anonymous.get(path, headers=good)).status_code == 429

        # The carrier's key, held by the gateway after a good request, is not locked out by
        # bad signatures others send with its id; its key id's limit stops them all the same.
        carrier = stack.credentials[CARRIER]

        def from_address(address: str, key_id: str, secret: str) -> AsyncGatewayClient:
            transport = httpx.ASGITransport(app=stack.app, client=(address, 1234))
            return AsyncGatewayClient("http://g", key_id, secret, transport=transport)

        async with from_address("192.0.2.20", carrier.keyId, carrier.secret) as own:
            assert (await own.get(path)).status_code == 200
        for attacker in ("192.0.2.21", "192.0.2.22", "192.0.2.23", "192.0.2.24"):
            async with from_address(attacker, carrier.keyId, "forged") as forger:
                last = await forger.get(path)
        assert last.status_code == 401  # a held key's signature is checked: 401, not 429
        async with from_address("192.0.2.20", carrier.keyId, carrier.secret) as own:
            assert (await own.get(path)).status_code == 200

        # From four other addresses: the key id's own limit stops the fourth attempt.
        codes = []
        answer = None
        for address in ("192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4"):
            transport = httpx.ASGITransport(app=stack.app, client=(address, 1234))
            async with httpx.AsyncClient(transport=transport, base_url="http://g") as client:
                headers = signed_headers(issued.keyId, "wrong", "GET", path, b"")
                answer = await client.get(path, headers=headers)
                codes.append(answer.status_code)
        assert codes == [401, 401, 401, 429]
        assert answer is not None
        assert "this key" in answer.json()["detail"]
        # Other keys from other addresses are not affected.
        async with AsyncGatewayClient(
            "http://g",
            carrier.keyId,
            carrier.secret,
            transport=httpx.ASGITransport(app=stack.app, client=("192.0.2.9", 1234)),
        ) as other:
            assert (await other.get(path)).status_code == 200


class SlowService:
    """A service whose answers wait until released: requests stay in flight."""

    def __init__(self) -> None:
        self.app = FastAPI()
        self.release = asyncio.Event()
        self.waiting = 0
        self._arrived = asyncio.Condition()
        self.app.add_api_route("/{path:path}", self._answer, methods=["GET"])

    async def until_waiting(self, count: int) -> None:
        async with self._arrived:
            await asyncio.wait_for(self._arrived.wait_for(lambda: self.waiting >= count), 30)

    async def _answer(self, request: Request) -> JSONResponse:
        async with self._arrived:
            self.waiting += 1
            self._arrived.notify_all()
        await self.release.wait()
        return JSONResponse({"path": request.url.path})


async def test_an_enterprise_over_its_requests_in_flight_gets_429_and_others_go_on(
    kafka_bootstrap: str, database_url: str
) -> None:
    slow = SlowService()
    settings = service_settings(
        Settings,
        kafka_bootstrap_servers=kafka_bootstrap,
        database_url=database_url,
        declaration_url="http://declaration.test",
        consumer_enabled=False,
        max_in_flight_per_enterprise=2,
    )
    assert isinstance(settings, Settings)
    issued = {
        code: await add_enterprise(settings, code=code, name=code, roles=["ecommerce"])
        for code in (SELLER, OTHER_SELLER)
    }
    app = create_app(
        settings, mounts={"http://declaration.test": httpx.ASGITransport(app=slow.app)}
    )

    def client(code: str) -> AsyncGatewayClient:
        return AsyncGatewayClient(
            "http://gateway.test",
            issued[code].keyId,
            issued[code].secret,
            transport=httpx.ASGITransport(app=app),
        )

    async with running(app), client(SELLER) as flooder, client(OTHER_SELLER) as quiet:
        held = [asyncio.create_task(flooder.get(f"/v1/export/orders/EO{i}")) for i in range(2)]
        await slow.until_waiting(2)
        refused = await flooder.get("/v1/export/orders/EO3")
        assert refused.status_code == 429
        assert refused.headers["retry-after"] == "1"
        other = asyncio.create_task(quiet.get("/v1/export/orders/EO4"))
        await slow.until_waiting(3)
        slow.release.set()
        assert [(await t).status_code for t in held] == [200, 200]
        assert (await other).status_code == 200
        assert (await flooder.get("/v1/export/orders/EO5")).status_code == 200
        assert app.state.gateway.in_flight.running(SELLER) == 0


# -- credentials with a lifecycle -----------------------------------------------------------


def _client_of(stack: Stack, key_id: str, secret: str, app: Any = None) -> AsyncGatewayClient:
    return AsyncGatewayClient(
        "http://gateway.test",
        key_id,
        secret,
        transport=httpx.ASGITransport(app=app or stack.app),
    )


async def test_an_enterprise_rotates_and_revokes_its_keys_and_only_its_own(
    kafka_bootstrap: str, database_url: str
) -> None:
    async with gateway(kafka_bootstrap, database_url, key_rotation_grace_seconds=3600) as stack:
        first = stack.credentials[SELLER]
        async with stack.client(SELLER) as seller:
            listed = await seller.get("/v1/enterprises/me/keys")
            assert listed.status_code == 200
            assert [(k["keyId"], k["status"]) for k in listed.json()] == [(first.keyId, "active")]
            assert "secret" not in listed.text

            rotated = await seller.post("/v1/enterprises/me/keys")
            assert rotated.status_code == 201, rotated.text
            new = rotated.json()
            assert new["keyId"] != first.keyId
            assert new["secret"]
            assert [(k["keyId"], k["status"]) for k in new["replaced"]] == [
                (first.keyId, "expiring")
            ]
            # The old key keeps working during the grace period.
            assert (await seller.get("/v1/enterprises/me")).status_code == 200

        async with _client_of(stack, new["keyId"], new["secret"]) as renewed:
            me = await renewed.get("/v1/enterprises/me")
            assert me.json()["keyId"] == new["keyId"]
            keys = (await renewed.get("/v1/enterprises/me/keys")).json()
            assert {k["keyId"]: k["status"] for k in keys} == {
                first.keyId: "expiring",
                new["keyId"]: "active",
            }
            assert new["secret"] not in json.dumps(keys)

            # Another enterprise's key is not found, whether listed through the operator
            # path or revoked through its own.
            other = stack.credentials[OTHER_SELLER]
            assert (await renewed.delete(f"/v1/enterprises/me/keys/{other.keyId}")).status_code == (
                404
            )
            assert (await renewed.get(f"/v1/enterprises/{OTHER_SELLER}/keys")).status_code == 403
            assert (
                await renewed.delete(f"/v1/enterprises/{OTHER_SELLER}/keys/{other.keyId}")
            ).status_code == 403
            async with stack.client(OTHER_SELLER) as neighbour:
                assert (await neighbour.get("/v1/enterprises/me")).status_code == 200

            revoked = await renewed.delete(f"/v1/enterprises/me/keys/{first.keyId}")
            assert revoked.status_code == 200
            assert revoked.json()["status"] == "revoked"

        async with stack.client(SELLER) as old:
            refused = await old.get("/v1/enterprises/me")
        assert refused.status_code == 401


async def test_an_operator_lists_rotates_and_revokes_an_enterprises_keys(
    kafka_bootstrap: str, database_url: str
) -> None:
    async with gateway(kafka_bootstrap, database_url, key_rotation_grace_seconds=0) as stack:
        seller = stack.credentials[SELLER]
        async with stack.client(OPERATOR) as operator:
            listed = await operator.get(f"/v1/enterprises/{SELLER}/keys")
            assert [k["keyId"] for k in listed.json()] == [seller.keyId]
            assert (await operator.get("/v1/enterprises/3301999X99/keys")).status_code == 404
            assert (await operator.get("/v1/enterprises/not-a-code/keys")).status_code == 422

            rotated = (await operator.post(f"/v1/enterprises/{SELLER}/keys")).json()
            # No grace: the old key ends at once.
            async with stack.client(SELLER) as old:
                assert (await old.get("/v1/enterprises/me")).status_code == 401
            async with _client_of(stack, rotated["keyId"], rotated["secret"]) as new:
                assert (await new.get("/v1/enterprises/me")).status_code == 200
                gone = await operator.delete(f"/v1/enterprises/{SELLER}/keys/{rotated['keyId']}")
                assert gone.json()["status"] == "revoked"
                assert (await new.get("/v1/enterprises/me")).status_code == 401
            statuses = {
                k["keyId"]: k["status"]
                for k in (await operator.get(f"/v1/enterprises/{SELLER}/keys")).json()
            }
            assert statuses == {seller.keyId: "expired", rotated["keyId"]: "revoked"}


async def test_a_revocation_holds_at_once_on_every_replica_whatever_it_holds_in_memory(
    kafka_bootstrap: str, database_url: str
) -> None:
    async with gateway(kafka_bootstrap, database_url, credential_cache_seconds=3600) as first:
        replica = create_app(first.app.state.gateway.settings)
        async with running(replica):
            seller = first.credentials[SELLER]
            async with (
                first.client(SELLER) as on_first,
                _client_of(first, seller.keyId, seller.secret, replica) as on_second,
            ):
                assert (await on_first.get("/v1/enterprises/me")).status_code == 200
                assert (await on_second.get("/v1/enterprises/me")).status_code == 200
                assert replica.state.gateway.credentials.get(seller.keyId) is not None

                async with first.client(OPERATOR) as operator:
                    revoked = await operator.delete(f"/v1/enterprises/{SELLER}/keys/{seller.keyId}")
                assert revoked.status_code == 200

                answer = await on_second.get("/v1/enterprises/me")
                assert answer.status_code == 401
                assert "revoked" in answer.json()["detail"]
                assert (await on_first.get("/v1/enterprises/me")).status_code == 401
