"""The services trust only callers they can verify: each of the four, as a running app, refuses
every route but the probes without a valid caller token of the gateway, ignores the headers a
caller could set, and takes the identity its token names.

The routes are read from the app itself (its OpenAPI document and its route table), so a route
added later is covered without changing this test.
"""

from __future__ import annotations

import base64
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from starlette.routing import BaseRoute

from cbec.shared import keys
from cbec.shared.callers import OPEN_PATHS
from cbec.shared.settings import ServiceSettings
from tests.support.apps import running, service_settings
from tests.support.tokens import as_caller, as_service, caller_token

pytestmark = pytest.mark.integration

FORGED = {"X-Cbec-Party": "3301963K69", "X-Cbec-Roles": "operator,customs-officer,tax-officer"}


@dataclass(frozen=True)
class Service:
    name: str
    create_app: Callable[..., FastAPI]
    settings: type[ServiceSettings]
    privileged: tuple[str, str]
    """A route that needs a role (method, path), and that role."""
    role: str


def _services() -> list[Service]:
    from cbec.declaration.app import create_app as declaration
    from cbec.declaration.settings import Settings as DeclarationSettings
    from cbec.logistics.app import create_app as logistics
    from cbec.logistics.settings import Settings as LogisticsSettings
    from cbec.payments.app import create_app as payments
    from cbec.payments.settings import Settings as PaymentsSettings
    from cbec.tax_refund.app import create_app as tax
    from cbec.tax_refund.settings import Settings as TaxSettings

    return [
        Service(
            "declaration",
            declaration,
            DeclarationSettings,
            ("GET", "/v1/officer/cases"),
            "customs-officer",
        ),
        Service(
            "logistics",
            logistics,
            LogisticsSettings,
            ("POST", "/v1/maintenance/overdue-parcels"),
            "operator",
        ),
        Service(
            "payments", payments, PaymentsSettings, ("POST", "/v1/reconciliation/run"), "operator"
        ),
        Service("tax-refund", tax, TaxSettings, ("POST", "/v1/tables/reload"), "operator"),
    ]


SERVICES = {s.name: s for s in _services()}


def _app(service: Service, kafka_bootstrap: str, database_url: str) -> FastAPI:
    settings = service_settings(
        service.settings,
        kafka_bootstrap_servers=kafka_bootstrap,
        database_url=database_url,
        consumer_enabled=False,
    )
    return service.create_app(settings)


def _concrete(path: str) -> str:
    """A path of the route with every parameter filled in."""
    return re.sub(r"\{[^}]+\}", "X2026", path)


def _operations(document: dict[str, Any], app: FastAPI) -> set[tuple[str, str]]:
    """Every (method, path) of the OpenAPI document, and of the app's routes (the documents
    and the routes left out of the schema), but the probes."""
    found = {
        (method.upper(), _concrete(path))
        for path, operations in document["paths"].items()
        for method in operations
        if method in {"get", "post", "put", "patch", "delete"}
    }
    for route in app.routes:
        found |= {(m, _concrete(p)) for m, p in _route_operations(route)}
    found.add(("GET", "/no/such/path"))
    return {(m, p) for m, p in found if p not in OPEN_PATHS}


def _route_operations(route: BaseRoute) -> set[tuple[str, str]]:
    path = getattr(route, "path", None)
    methods = getattr(route, "methods", None) or {"GET"}
    if path is None:
        return set()
    return {(m, path) for m in methods if m != "HEAD"}


def _unsigned(claims: dict[str, Any]) -> str:
    def part(value: dict[str, Any]) -> str:
        raw = json.dumps(value).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


def _refused(answer: httpx.Response, rule: str = "") -> None:
    assert answer.status_code == 401, (answer.request.method, answer.request.url, answer.text)
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.headers["www-authenticate"].startswith("Bearer ")
    problem = answer.json()
    assert problem["status"] == 401
    assert problem["violations"][0]["field"] == "Authorization"
    assert problem["violations"][0]["rule"].startswith(rule), problem


@pytest.mark.parametrize("name", list(SERVICES))
async def test_a_service_refuses_every_route_without_a_valid_token_of_the_gateway(
    name: str, kafka_bootstrap: str, database_url: str
) -> None:
    service = SERVICES[name]
    async with running(_app(service, kafka_bootstrap, database_url), party="4300000001") as (
        app,
        client,
    ):
        document = (await client.get("/openapi.json")).json()
        operations = _operations(document, app)
        assert ("GET", "/openapi.json") in operations
        assert ("GET", "/docs") in operations
        assert len(operations) > 8, operations

        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://service.test"
        ) as bare:
            for method, path in sorted(operations):
                _refused(await bare.request(method, path), "missing")
                _refused(await bare.request(method, path, headers=FORGED), "missing")

            # The probes stay open.
            assert (await bare.get("/healthz")).status_code == 200
            assert (await bare.get("/readyz")).status_code == 200
            assert (await bare.get("/metrics")).status_code == 200

            docs = "/openapi.json"
            now = time.time()
            expired = caller_token(name, "4300000001", issued_at=now - 600)
            _refused(
                await bare.get(docs, headers={"Authorization": f"Bearer {expired}"}), "expired"
            )
            other = "payments" if name != "payments" else "logistics"
            elsewhere = caller_token(other, "4300000001")
            _refused(
                await bare.get(docs, headers={"Authorization": f"Bearer {elsewhere}"}),
                "wrong audience",
            )
            forged = caller_token(name, "4300000001", key=keys.generate_private_key())
            _refused(
                await bare.get(docs, headers={"Authorization": f"Bearer {forged}"}),
                "bad signature",
            )
            claims = {"iss": "gateway", "aud": name, "sub": "4300000001", "roles": ["operator"]}
            claims |= {"iat": int(now), "exp": int(now) + 60, "jti": "none"}
            _refused(
                await bare.get(docs, headers={"Authorization": f"Bearer {_unsigned(claims)}"}),
                "algorithm 'none' is not accepted",
            )
            stranger = caller_token(name, "logistics", issuer="logistics")
            _refused(
                await bare.get(docs, headers={"Authorization": f"Bearer {stranger}"}),
                "issuer 'logistics' is not trusted",
            )
            twice = as_caller(name, "4300000001")["Authorization"]
            answer = await bare.get(
                docs, headers=[("Authorization", twice), ("Authorization", twice)]
            )
            _refused(answer, "sent more than once")

            # A valid token: the docs answer.
            assert (await bare.get(docs, headers=as_caller(name, "4300000001"))).status_code == 200
            assert (
                await bare.get("/docs", headers=as_caller(name, "4300000001"))
            ).status_code == 200


@pytest.mark.parametrize("name", list(SERVICES))
async def test_forged_headers_beside_a_valid_token_change_nothing(
    name: str, kafka_bootstrap: str, database_url: str
) -> None:
    service = SERVICES[name]
    method, path = service.privileged
    async with running(_app(service, kafka_bootstrap, database_url)) as (_, client):
        # A seller's token with headers claiming the privileged role: the token's roles count.
        seller = as_caller(name, "3301963K69", "ecommerce")
        refused = await client.request(method, path, headers={**FORGED, **seller})
        assert refused.status_code == 403, refused.text
        violation = refused.json()["violations"][0]
        assert violation["field"] == "roles"
        assert violation["value"] == "ecommerce"

        # The role in the token opens the route, whatever the headers say.
        holder = as_caller(name, "4300000001", service.role)
        headers = {**holder, "X-Cbec-Roles": "ecommerce", "X-Cbec-Party": "OTHER"}
        allowed = await client.request(method, path, headers=headers)
        assert allowed.status_code not in (401, 403), allowed.text


async def test_the_party_of_the_token_is_the_one_recorded(
    kafka_bootstrap: str, database_url: str
) -> None:
    service = SERVICES["payments"]
    table = "date,currency,cnyPerUnit\n2024-05-09,502,7.1400\n"
    async with running(_app(service, kafka_bootstrap, database_url)) as (_, client):
        operator = as_caller("payments", "4300000009", "operator")
        answer = await client.put(
            "/v1/rates", content=table, headers={**operator, "X-Cbec-Party": "3301963K69"}
        )
        assert answer.status_code == 200, answer.text
        current = (await client.get("/v1/rates")).json()
    assert current["loadedBy"] == "4300000009"


async def test_the_quota_reservations_take_the_declaration_services_tokens_only(
    kafka_bootstrap: str, database_url: str
) -> None:
    service = SERVICES["tax-refund"]
    body = {
        "invtNo": "4300I2026000000001",
        "orderNo": "IO2026000001",
        "buyerIdNumber": "B2026",
        "amount": "100.00",
        "singleItem": False,
        "date": "2026-03-01",
    }
    reservations = "/v1/import/quota/reservations"
    async with running(_app(service, kafka_bootstrap, database_url)) as (_, client):
        as_gateway = await client.post(
            reservations, json=body, headers=as_caller("tax-refund", "4300000001", "operator")
        )
        cancel_as_gateway = await client.delete(
            f"{reservations}/{body['invtNo']}",
            headers=as_caller("tax-refund", "4300000001", "operator"),
        )
        from_payments = await client.post(
            reservations, json=body, headers=as_service("tax-refund", "payments")
        )
        from_declaration = await client.post(
            reservations, json=body, headers=as_service("tax-refund", "declaration")
        )
        # The declaration service's token is good for its routes only.
        tables = await client.get("/v1/tables", headers=as_service("tax-refund", "declaration"))
        docs = await client.get("/openapi.json", headers=as_service("tax-refund", "declaration"))

    for refused in (as_gateway, cancel_as_gateway, tables, docs):
        assert refused.status_code == 403, refused.text
        assert refused.json()["violations"][0]["field"] == "Authorization"
    assert as_gateway.json()["violations"][0]["rule"] == (
        "this route takes the tokens of the declaration only"
    )
    assert (
        tables.json()["violations"][0]["rule"] == "this route takes the tokens of the gateway only"
    )
    _refused(from_payments, "issuer 'payments' is not trusted")
    assert from_declaration.status_code == 201, from_declaration.text


async def test_a_service_refuses_to_start_in_production_with_a_development_key(
    kafka_bootstrap: str, database_url: str
) -> None:
    for service in SERVICES.values():
        settings = service_settings(
            service.settings,
            kafka_bootstrap_servers=kafka_bootstrap,
            database_url=database_url,
            cbec_env="production",
            # Its own key to sign with (the declaration service signs its calls to tax).
            service_token_private_key=keys.private_text(keys.generate_private_key()),
        )
        with pytest.raises(ValueError, match="SERVICE_TOKEN_PUBLIC_KEY is not set"):
            service.create_app(settings)
        public = keys.development_public_text("gateway-token")
        with pytest.raises(ValueError, match="SERVICE_TOKEN_PUBLIC_KEY is a public development"):
            service.create_app(settings.model_copy(update={"service_token_public_key": public}))
