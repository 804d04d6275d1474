"""The gateway at the edge, running in-process against the real broker and database, with a
stand-in service behind it: registration, signatures, roles, parties, limits, idempotency,
customs XML, and a service that is down."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlmodel import select

from cbec.gateway.app import create_app
from cbec.gateway.cli import add_enterprise
from cbec.gateway.client import AsyncGatewayClient
from cbec.gateway.models import Credential, IdempotencyRecord
from cbec.gateway.services import IssuedCredentials
from cbec.gateway.settings import Settings
from cbec.gateway.signing import signed_headers
from cbec.shared.callers import Caller
from cbec.shared.ceb import parse_message
from tests.integration.gateway.upstream import Upstream
from tests.support.apps import running, service_settings
from tests.unit.gateway.documents import export_order, export_waybill, order_message

pytestmark = [pytest.mark.integration, pytest.mark.postgres]

SELLER = "3301963K69"
OTHER_SELLER = "3301963K70"
CARRIER = "3301980B01"
OPERATOR = "OPERATOR0001"
DECLARATION = "http://declaration.test"
DOWN = "http://127.0.0.1:1"


@dataclass
class Stack:
    app: FastAPI
    anonymous: httpx.AsyncClient
    upstream: Upstream
    credentials: dict[str, IssuedCredentials]

    def client(self, code: str) -> AsyncGatewayClient:
        issued = self.credentials[code]
        return AsyncGatewayClient(
            "http://gateway.test",
            issued.keyId,
            issued.secret,
            transport=httpx.ASGITransport(app=self.app),
        )

    async def idempotency_records(self) -> list[IdempotencyRecord]:
        async with self.app.state.runtime.transaction() as session:
            return list((await session.exec(select(IdempotencyRecord))).all())


@asynccontextmanager
async def gateway(
    kafka_bootstrap: str, database_url: str, **overrides: Any
) -> AsyncIterator[Stack]:
    settings = service_settings(
        Settings,
        kafka_bootstrap_servers=kafka_bootstrap,
        database_url=database_url,
        declaration_url=DECLARATION,
        logistics_url=DOWN,
        upstream_connect_timeout_seconds=2.0,
        # The edge needs no projection; tests of the projection start its consumer.
        consumer_enabled=False,
        **overrides,
    )
    assert isinstance(settings, Settings)
    credentials = {}
    for code, roles in (
        (SELLER, ["ecommerce"]),
        (OTHER_SELLER, ["ecommerce"]),
        (CARRIER, ["logistics"]),
        (OPERATOR, ["operator"]),
    ):
        credentials[code] = await add_enterprise(settings, code=code, name=code, roles=roles)
    upstream = Upstream("declaration")
    app = create_app(settings, mounts={DECLARATION: httpx.ASGITransport(app=upstream.app)})
    async with running(app) as (_app, client):
        yield Stack(app, client, upstream, credentials)


async def test_an_enterprise_applies_an_operator_approves_and_the_credentials_work(
    kafka_bootstrap: str, database_url: str
) -> None:
    async with gateway(kafka_bootstrap, database_url) as stack:
        application = {
            "code": "3301964A01",
            "name": "Example Co",
            "roles": ["ecommerce", "agent"],
            "contact": "ops@example.com",
        }
        applied = await stack.anonymous.post("/v1/enterprises/applications", json=application)
        assert applied.status_code == 201, applied.text
        assert applied.json()["status"] == "pending"
        again = await stack.anonymous.post("/v1/enterprises/applications", json=application)
        assert again.json()["id"] == applied.json()["id"]
        approve = f"/v1/enterprises/applications/{applied.json()['id']}/approve"

        async with stack.client(SELLER) as seller:
            refused = await seller.post(approve)
        assert refused.status_code == 403
        async with stack.client(OPERATOR) as operator:
            approved = await operator.post(approve)
            assert approved.status_code == 201, approved.text
            issued = approved.json()
            status = await operator.get(f"/v1/enterprises/applications/{applied.json()['id']}")
            assert status.json()["status"] == "approved"
            assert (await operator.post(approve)).status_code == 409

        async with AsyncGatewayClient(
            "http://gateway.test",
            issued["keyId"],
            issued["secret"],
            transport=httpx.ASGITransport(app=stack.app),
        ) as newcomer:
            me = await newcomer.get("/v1/enterprises/me")
        assert me.status_code == 200
        assert me.json()["code"] == "3301964A01"
        assert me.json()["roles"] == ["agent", "ecommerce"]


async def test_unsigned_badly_signed_stale_and_replayed_requests_are_refused(
    kafka_bootstrap: str, database_url: str
) -> None:
    async with gateway(kafka_bootstrap, database_url) as stack:
        issued = stack.credentials[SELLER]
        body = json.dumps([export_order("EO1", SELLER)]).encode()
        path = "/v1/export/orders"
        post = stack.anonymous.post

        unsigned = await post(path, content=body)
        assert unsigned.status_code == 401
        assert unsigned.headers["content-type"] == "application/problem+json"
        assert "X-Cbec-Signature" in unsigned.json()["detail"]

        wrong = signed_headers(issued.keyId, issued.secret + "x", "POST", path, body)
        assert (await post(path, content=body, headers=wrong)).status_code == 401

        other_body = signed_headers(issued.keyId, issued.secret, "POST", path, b"[]")
        assert (await post(path, content=body, headers=other_body)).status_code == 401

        stale = signed_headers(
            issued.keyId, issued.secret, "POST", path, body, timestamp=int(time.time()) - 301
        )
        answer = await post(path, content=body, headers=stale)
        assert answer.status_code == 401
        assert "X-Cbec-Timestamp" in answer.json()["detail"]

        unknown = signed_headers("ck_nobody", issued.secret, "POST", path, body)
        assert (await post(path, content=body, headers=unknown)).status_code == 401

        good = signed_headers(issued.keyId, issued.secret, "POST", path, body)
        first = await post(path, content=body, headers=good)
        assert first.status_code == 200, first.text
        replayed = await post(path, content=body, headers=good)
        assert replayed.status_code == 401
        assert "replay" in replayed.json()["detail"]
        assert len(stack.upstream.to(path)) == 1


async def test_a_signed_submission_reaches_the_service_as_the_enterprise(
    kafka_bootstrap: str, database_url: str, unique: str
) -> None:
    async with gateway(kafka_bootstrap, database_url) as stack, stack.client(SELLER) as seller:
        order = export_order(f"EO{unique}", SELLER)
        answer = await seller.post("/v1/export/orders", json=[order])
        assert answer.status_code == 200, answer.text
        assert answer.json()["receipts"][0]["orderNo"] == f"EO{unique}"
        (received,) = stack.upstream.to("/v1/export/orders")
        assert received.caller == Caller(party=SELLER, roles=frozenset({"ecommerce"}))
        assert "x-cbec-party" not in received.headers
        assert "x-cbec-roles" not in received.headers
        assert "x-cbec-signature" not in received.headers
        assert received.documents()[0]["OrderHead"]["orderNo"] == f"EO{unique}"

        lookup = await seller.get(f"/v1/export/orders/EO{unique}", params={"view": "full"})
        assert lookup.status_code == 200
        assert stack.upstream.received[-1].path == f"/v1/export/orders/EO{unique}"


async def test_a_role_submits_only_its_documents_and_only_under_its_own_code(
    kafka_bootstrap: str, database_url: str, unique: str
) -> None:
    async with gateway(kafka_bootstrap, database_url) as stack:
        async with stack.client(CARRIER) as carrier:
            wrong_role = await carrier.post(
                "/v1/export/orders", json=export_order(f"EO{unique}", CARRIER)
            )
            officer_only = await carrier.get("/v1/officer/cases")
        assert wrong_role.status_code == 403
        assert wrong_role.json()["violations"][0]["field"] == "X-Cbec-Roles"
        assert officer_only.status_code == 403

        async with stack.client(SELLER) as seller:
            batch = [
                export_order(f"EO{unique}1", SELLER),
                export_order(f"EO{unique}2", OTHER_SELLER),
            ]
            other_party = await seller.post("/v1/export/orders", json=batch)
            invalid = await seller.post(
                "/v1/export/orders", json={"OrderHead": {"orderNo": f"EO{unique}"}}
            )
        assert other_party.status_code == 403
        violation = other_party.json()["violations"][0]
        assert violation["field"] == "[1].OrderHead.ebcCode"
        assert violation["value"] == OTHER_SELLER
        assert invalid.status_code == 422
        fields = {v["field"] for v in invalid.json()["violations"]}
        assert {"OrderHead.ebcCode", "OrderList"} <= fields
        assert stack.upstream.received == []


async def test_a_body_over_the_limit_is_refused_with_413(
    kafka_bootstrap: str, database_url: str
) -> None:
    async with gateway(kafka_bootstrap, database_url, max_body_bytes=4096) as stack:
        big = json.dumps([export_order(f"EO{i}", SELLER) for i in range(20)]).encode()
        assert len(big) > 4096
        async with stack.client(SELLER) as seller:
            answer = await seller.post("/v1/export/orders", content=big)
        assert answer.status_code == 413
        assert answer.json()["status"] == 413
        assert stack.upstream.received == []


async def test_an_enterprise_over_its_rate_gets_429_with_retry_after(
    kafka_bootstrap: str, database_url: str
) -> None:
    settings = {"rate_limit_burst": 3, "rate_limit_per_second": 0.1}
    async with gateway(kafka_bootstrap, database_url, **settings) as stack:
        async with stack.client(SELLER) as seller:
            answers = [(await seller.get("/v1/enterprises/me")).status_code for _ in range(4)]
        assert answers == [200, 200, 200, 429]
        async with stack.client(SELLER) as seller:
            limited = await seller.get("/v1/enterprises/me")
        assert limited.status_code == 429
        assert 1 <= int(limited.headers["retry-after"]) <= 10
        async with stack.client(CARRIER) as carrier:
            assert (await carrier.get("/v1/enterprises/me")).status_code == 200


ENTITY_BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<ceb:CEB303Message xmlns:ceb="http://www.chinaport.gov.cn/ceb">&lol3;</ceb:CEB303Message>"""


@pytest.mark.parametrize(
    "body",
    [ENTITY_BOMB, b"<ceb:CEB303Message xmlns:ceb='http://www.chinaport.gov.cn/ceb'><ceb:Order>"],
    ids=["entity-bomb", "malformed"],
)
async def test_hostile_or_malformed_xml_is_refused_with_400_and_nothing_stored(
    kafka_bootstrap: str, database_url: str, body: bytes
) -> None:
    async with gateway(kafka_bootstrap, database_url) as stack, stack.client(SELLER) as seller:
        answer = await seller.post(
            "/v1/messages",
            content=body,
            headers={"Content-Type": "application/xml", "Idempotency-Key": "xml-1"},
        )
        assert answer.status_code == 400
        assert answer.json()["title"] == "malformed-ceb-message"
        assert stack.upstream.received == []
        assert await stack.idempotency_records() == []


async def test_a_ceb_message_is_forwarded_as_json_and_answered_with_its_receipt_message(
    kafka_bootstrap: str, database_url: str, unique: str
) -> None:
    async with gateway(kafka_bootstrap, database_url) as stack, stack.client(SELLER) as seller:
        xml = order_message(
            export_order(f"EO{unique}1", SELLER), export_order(f"EO{unique}2", SELLER)
        )
        answer = await seller.post(
            "/v1/messages", content=xml, headers={"Content-Type": "application/xml"}
        )
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"].startswith("application/xml")
        receipt = parse_message(answer.content)
        assert receipt.message_type() == "CEB304Message"
        returns = receipt.OrderReturn  # type: ignore[attr-defined]
        assert [r.orderNo for r in returns] == [f"EO{unique}1", f"EO{unique}2"]
        assert {r.returnStatus for r in returns} == {"2"}
        (received,) = stack.upstream.to("/v1/export/orders")
        assert received.headers["content-type"] == "application/json"
        assert b'"goodsValue":12345678912345.12345' in received.body

        foreign = order_message(export_order(f"EO{unique}3", OTHER_SELLER))
        refused = await seller.post(
            "/v1/messages", content=foreign, headers={"Content-Type": "application/xml"}
        )
        assert refused.status_code == 403
        assert len(stack.upstream.received) == 1


async def test_the_same_idempotency_key_answers_the_first_answer_and_refuses_another_body(
    kafka_bootstrap: str, database_url: str, unique: str
) -> None:
    async with gateway(kafka_bootstrap, database_url) as stack, stack.client(SELLER) as seller:
        headers = {"Idempotency-Key": f"key-{unique}"}
        order = export_order(f"EO{unique}", SELLER)
        first = await seller.post("/v1/export/orders", json=order, headers=headers)
        again = await seller.post("/v1/export/orders", json=order, headers=headers)
        assert first.status_code == again.status_code == 200
        assert again.content == first.content
        assert again.headers["idempotent-replayed"] == "true"
        assert len(stack.upstream.to("/v1/export/orders")) == 1

        changed = export_order(f"EO{unique}", SELLER)
        reused = await seller.post("/v1/export/orders", json=changed, headers=headers)
        assert reused.status_code == 422
        assert reused.json()["title"] == "idempotency-key-reused"

        # keys are per enterprise: another one may use the same key
        async with stack.client(OTHER_SELLER) as other:
            own = export_order(f"EO{unique}", OTHER_SELLER)
            assert (await other.post("/v1/export/orders", json=own, headers=headers)).is_success
        assert len(stack.upstream.to("/v1/export/orders")) == 2


async def test_a_service_that_is_down_gives_503_with_retry_after_and_keeps_nothing(
    kafka_bootstrap: str, database_url: str, unique: str
) -> None:
    async with gateway(kafka_bootstrap, database_url) as stack, stack.client(CARRIER) as carrier:
        headers = {"Idempotency-Key": f"waybill-{unique}"}
        waybill = export_waybill(f"LN{unique}", CARRIER)
        for _ in range(2):
            answer = await carrier.post("/v1/export/waybills", json=waybill, headers=headers)
            assert answer.status_code == 503
            assert answer.headers["retry-after"] == "5"
            assert "logistics" in answer.json()["detail"]
        assert await stack.idempotency_records() == []


async def test_the_operator_cleans_expired_nonces_and_keys_on_demand(
    kafka_bootstrap: str, database_url: str
) -> None:
    async with gateway(kafka_bootstrap, database_url) as stack:
        async with stack.client(SELLER) as seller:
            refused = await seller.post("/v1/gateway/housekeeping")
        async with stack.client(OPERATOR) as operator:
            done = await operator.post("/v1/gateway/housekeeping")
        assert refused.status_code == 403
        assert done.status_code == 200
        assert set(done.json()) == {"nonces", "idempotencyRecords", "rateBuckets"}


async def _revoke(stack: Stack, key_id: str) -> None:
    async with stack.app.state.runtime.transaction() as session:
        credential = await session.get(Credential, key_id)
        assert credential is not None
        credential.revoked_at = datetime.now(UTC)
        session.add(credential)


@pytest.mark.parametrize("cache_seconds", [0.0, 3600.0])
async def test_a_revoked_key_is_refused_at_once_whether_or_not_the_gateway_holds_it(
    kafka_bootstrap: str, database_url: str, cache_seconds: float
) -> None:
    """A gateway keeps a key it has checked for CREDENTIAL_CACHE_SECONDS, but spends a request's
    nonce only while the key is valid: a revocation in the database takes effect at once."""
    async with gateway(
        kafka_bootstrap, database_url, credential_cache_seconds=cache_seconds
    ) as stack:
        issued = stack.credentials[SELLER]
        async with stack.client(SELLER) as seller:
            assert (await seller.get("/v1/enterprises/me")).status_code == 200
            await _revoke(stack, issued.keyId)
            held = await seller.get("/v1/enterprises/me")
            assert held.status_code == 401
            stack.app.state.gateway.credentials.forget(issued.keyId)
            refused = await seller.get("/v1/enterprises/me")
        assert refused.status_code == 401
        assert "unknown key" in refused.json()["detail"]
