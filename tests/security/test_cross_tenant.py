"""Cross-tenant attacks on a running platform through every operation of the gateway's OpenAPI
document: one enterprise tries to read and change another's documents.

The platform runs as real processes (broker, four services, gateway). A victim seller, with its
platform, carrier, payment institution and customs broker, files an export order and an import
order with every document of their three flows through the gateway. An attacker enterprise that
holds every enterprise role (ecommerce, logistics, payment, agent), so that nothing is refused
for its role alone, then attacks each operation the gateway's OpenAPI document lists:

- a submission (JSON path or ``POST /v1/messages`` in customs XML): the victim's document of that
  message sent again as a change (``appType`` 2), a delete (3) and a new filing (1), with the
  attacker's own code in each party field the attacker may claim while the document keeps the
  victim's business key. Each must be refused (403 / 404, or a receipt with a negative
  ``returnStatus``).
- a path with parameters (``/v1/orders/{order_no}``, ``/v1/warehouses/{rest}``, ...): the
  victim's numbers and codes. A read answers 403 or 404, or shows none of the victim's data; a
  change answers 403 or 404.
- every other operation: whatever it answers the attacker shows none of the victim's data.

The cases are generated from the OpenAPI document: an operation this module cannot attack (a new
message without a victim document, a new path parameter without a value) fails
``test_every_operation_is_attacked`` until the victim's world covers it. The attacker also files
orders under the victim's order numbers, as another seller may: each sees only its own view.

At the end, every view of the victim's orders is what it was before the attacks, and the
attacker's documents (sent after the attacks, as a barrier) are through.

Each traversal form of every operation's path is refused with 400 before authentication.
"""

from __future__ import annotations

import asyncio
import copy
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal as D
from typing import Any

import httpx
import pytest
import pytest_asyncio

from cbec.gateway.client import AsyncGatewayClient
from cbec.gateway.routing import (
    MESSAGE_ROUTES,
    PARTY_FIELDS,
    ROUTES,
    Role,
    document_field,
    head_field,
)
from cbec.gateway.schemas import IssuedCredentials
from cbec.gateway.signing import signed_headers
from cbec.shared.ceb import message_model
from tests.e2e.trade import (
    BROKER,
    BUYERS,
    CARRIER,
    CHINA,
    CREAM,
    PAYER,
    PLATFORM,
    TSHIRT,
    ExportOrder,
    ExportReturn,
    ImportOrder,
    Line,
    Seller,
    arrival,
    departure,
    master_bill,
    message_xml,
    now,
    site_entry,
    summary_application,
)
from tests.support.platform import Platform, started_platform
from tests.support.waiting import eventually

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

VICTIM = Seller("3702960001", "Victim ceramics e-commerce")
ATTACKER = ("3702969999", "Attacker trading")
ATTACKER_ROLES = ["ecommerce", "logistics", "payment", "agent"]

RULES = """
[three_document]
amount_tolerance = "0"
document_wait = "P3D"

[import_limits]
per_transaction = "5000"
annual = "26000"

[risk]
negative_list = []
usual_prices = []
price_tolerance_factor = "3"
split_order_limit = "5000"
repeated_mismatch_threshold = 3
inspection_rate = "0"
selection_seed = "security"

[summary]
max_items_per_form = 50
deadline_day = 15
"""

EXPORT = ExportOrder("EV9610001", VICTIM, "9610", (Line(TSHIRT, D(2)),))
IMPORT = ImportOrder(
    "IV9610001", VICTIM, "9610", (Line(CREAM, D(1)),), BUYERS[6], BROKER, BROKER[0]
)
MARKERS = (VICTIM.name, BUYERS[6].name, BUYERS[6].id_number, BUYERS[6].telephone)
"""The victim's data that no document of the attacker carries: names, the buyer's identity."""

_SCRUBBED = {
    "ebcName": ATTACKER[1],
    "ebpName": ATTACKER[1],
    "agentName": ATTACKER[1],
    "buyerName": "Attacker buyer",
    "buyerIdNumber": "110101199001010011",
    "buyerTelephone": "13900000000",
    "payerName": "Attacker buyer",
    "payerIdNumber": "110101199001010011",
    "payerTelephone": "13900000000",
    "consignee": "Attacker buyer",
    "consigneeTelephone": "13900000000",
}

KEY_FIELDS: dict[str, tuple[str, ...]] = {
    # DOMAIN.md §2: the business key of each document; a variant that keeps it is the victim's.
    "CEB303Message": ("orderNo", "ebcCode"),
    "CEB311Message": ("orderNo", "ebpCode"),
    "CEB403Message": ("orderNo", "ebcCode"),
    "CEB411Message": ("payCode", "payTransactionId"),
    "CEB505Message": ("logisticsCode", "logisticsNo"),
    "CEB511Message": ("logisticsCode", "logisticsNo"),
    "CEB507Message": ("copNo",),
    "CEB509Message": ("copNo",),
    "CEB607Message": ("copNo", "billNo"),
    "CEB513Message": ("logisticsNo",),
    "CEB603Message": ("copNo", "agentCode"),
    "CEB621Message": ("copNo", "agentCode"),
    "CEB605Message": ("invtNo",),
    "CEB623Message": ("invtNo",),
    "CEB625Message": ("invtNo",),
    "CEB213Message": ("invtNo",),
    "CEB215Message": ("invtNo",),
    "CEB701Message": ("copNo",),
    "CEB711Message": ("copNo",),
}


# -- the platform, the parties and the victim's world ----------------------------------------


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    folder = tmp_path_factory.mktemp("security")
    rules = folder / "declaration-rules.toml"
    rules.write_text(RULES, encoding="utf-8")
    env = {"DECLARATION_RULES_FILE": str(rules), "CUSTOMS_ADAPTER": "rules"}
    with started_platform(folder / "data", env=env) as started:
        yield started


@dataclass
class World:
    platform: Platform
    who: dict[str, IssuedCredentials]
    application_id: str
    """An application the victim side sent for another enterprise."""
    documents: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    """The victim side's documents by CEB message, as filed."""
    plain: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    """The victim side's documents of the paths that take no CEB message, by path."""
    invt_nos: dict[str, str] = field(default_factory=dict)
    views: dict[str, Any] = field(default_factory=dict)
    """The victim's one-stop views before the attacks."""

    def client(self, name: str) -> AsyncGatewayClient:
        return self.platform.async_client(self.who[name], timeout=60)

    @property
    def attacker_code(self) -> str:
        return ATTACKER[0]

    def path_values(self) -> dict[str, list[str]]:
        """Values of the path parameters that name the victim's things."""
        year = datetime.now(CHINA).year
        invt = self.invt_nos[EXPORT.order_no]
        return {
            "order_no": [EXPORT.order_no, IMPORT.order_no],
            "application_id": [self.application_id],
            "/v1/warehouses": [
                f"{VICTIM.code}/WH-LA-01/stock",
                f"{VICTIM.code}/WH-LA-01/bookings",
                f"{VICTIM.code}/WH-LA-01/sales",
            ],
            "/v1/export/income-tax": [f"{VICTIM.code}/{year}"],
            "/v1/officer": ["cases", f"cases/{invt}/decision"],
            "code": [VICTIM.code],
            "key_id": [self.who["victim"].keyId],
        }

    def rest_bodies(self) -> dict[str, Any]:
        """What the attacker sends to the paths below a route that take a body."""
        return {
            "bookings": {"orderNo": EXPORT.order_no},
            "sales": {
                "saleNo": "SALE-X-1",
                "bookingNo": EXPORT.order_no,
                "lines": [{"itemNo": TSHIRT.item_no, "qty": "1"}],
            },
            "decision": {"action": "release", "reason": "the attacker says so"},
        }


def _accepted(response: httpx.Response, statuses: tuple[str, ...] = ("2",)) -> None:
    assert response.status_code in (200, 201), response.text
    receipts = response.json()["receipts"]
    refused = [r for r in receipts if r["returnStatus"] not in statuses]
    assert not refused, refused


async def _until_ok(client: AsyncGatewayClient, path: str, body: Any, what: str) -> None:
    async def call() -> httpx.Response:
        return await client.post(path, json=body)

    def ok(response: httpx.Response) -> bool:
        if response.status_code not in (200, 201):
            return False
        return all(r["returnStatus"] == "2" for r in response.json().get("receipts", []))

    await eventually(call, until=ok, timeout=60, interval=0.3, what=what)


async def _view(client: AsyncGatewayClient, order_no: str) -> dict[str, Any]:
    response = await client.get(f"/v1/orders/{order_no}")
    return response.json() if response.status_code == 200 else {}


async def _until_status(client: AsyncGatewayClient, order_no: str, status: str) -> dict[str, Any]:
    return await eventually(
        lambda: _view(client, order_no),
        until=lambda v: v.get("status") == status,
        timeout=90,
        interval=0.3,
        what=f"{order_no} at {status}",
    )


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(platform: Platform) -> World:
    """The victim side files both orders' documents through the gateway; the export leaves
    the country and is returned in part, the import is delivered; the month is summarised."""
    who = {
        "victim": platform.enroll(VICTIM.code, VICTIM.name, ["ecommerce", "agent"]),
        "platform": platform.enroll(*PLATFORM, ["ecommerce"]),
        "carrier": platform.enroll(*CARRIER, ["logistics"]),
        "payer": platform.enroll(*PAYER, ["payment"]),
        "broker": platform.enroll(*BROKER, ["agent"]),
        "attacker": platform.enroll(*ATTACKER, ATTACKER_ROLES),
    }
    async with httpx.AsyncClient(base_url=platform.gateway_url) as anonymous:
        application = await anonymous.post(
            "/v1/enterprises/applications",
            json={
                "code": "3702960003",
                "name": VICTIM.name,
                "roles": ["ecommerce"],
                "contact": "ops@victim.example",
            },
        )
        assert application.status_code == 201, application.text
    world = World(platform, who, application_id=application.json()["id"])
    docs = world.documents
    async with (
        world.client("victim") as victim,
        world.client("carrier") as carrier,
        world.client("payer") as payer,
        world.client("broker") as broker,
    ):
        docs["CEB303Message"] = [EXPORT.order()]
        _accepted(await victim.post("/v1/export/orders", json=docs["CEB303Message"]))
        docs["CEB311Message"] = [IMPORT.order()]
        _accepted(await victim.post("/v1/import/orders", json=docs["CEB311Message"]))
        docs["CEB403Message"] = [EXPORT.receipt_of_funds()]
        _accepted(await payer.post("/v1/export/receipts", json=docs["CEB403Message"]))
        docs["CEB411Message"] = [IMPORT.payment()]
        _accepted(await payer.post("/v1/import/payments", json=docs["CEB411Message"]))
        docs["CEB505Message"] = [EXPORT.waybill()]
        _accepted(await carrier.post("/v1/export/waybills", json=docs["CEB505Message"]))
        docs["CEB511Message"] = [IMPORT.waybill()]
        _accepted(await carrier.post("/v1/import/waybills", json=docs["CEB511Message"]))
        docs["CEB711Message"] = [site_entry("SE-V-1", [IMPORT], now() - timedelta(minutes=5))]
        _accepted(await carrier.post("/v1/import/site-entries", json=docs["CEB711Message"]))
        decided = ("2", "120", "399", "800")
        docs["CEB603Message"] = [EXPORT.inventory()]
        _accepted(await victim.post("/v1/export/inventories", json=docs["CEB603Message"]), decided)
        docs["CEB621Message"] = [IMPORT.inventory()]
        _accepted(await broker.post("/v1/import/inventories", json=docs["CEB621Message"]), decided)
        for order in (EXPORT, IMPORT):
            view = await _until_status(carrier, order.order_no, "800")
            world.invt_nos[order.order_no] = view["list"]["invtNo"]
        export_invt = world.invt_nos[EXPORT.order_no]
        import_invt = world.invt_nos[IMPORT.order_no]

        at = now() - timedelta(minutes=2)
        docs["CEB507Message"] = [arrival("AR-V-1", [EXPORT], at)]
        _accepted(await carrier.post("/v1/export/arrivals", json=docs["CEB507Message"]))
        docs["CEB607Message"] = [master_bill("MB-V-1", "999-20000001", "CA981", [EXPORT], at)]
        await _until_ok(carrier, "/v1/export/master-bills", docs["CEB607Message"], "linked")
        docs["CEB509Message"] = [departure("DP-V-1", "999-20000001", "CA981", [EXPORT], now())]
        _accepted(await carrier.post("/v1/export/departures", json=docs["CEB509Message"]))
        docs["CEB513Message"] = [IMPORT.delivered(now())]
        await _until_ok(carrier, "/v1/import/waybill-statuses", docs["CEB513Message"], "signed")
        for order in (EXPORT, IMPORT):
            await _until_status(carrier, order.order_no, "899")

        back = ExportReturn(EXPORT, ((1, D(1)),))
        docs["CEB213Message"] = [back.application(export_invt, now())]
        _accepted(await victim.post("/v1/export/returns", json=docs["CEB213Message"]))
        docs["CEB215Message"] = [back.tally(export_invt, now())]
        _accepted(await carrier.post("/v1/export/return-tallies", json=docs["CEB215Message"]))
        docs["CEB625Message"] = [IMPORT.return_application(import_invt, now())]
        _accepted(await broker.post("/v1/import/returns", json=docs["CEB625Message"]))
        world.plain["/v1/import/return-receipts"] = [IMPORT.goods_back(import_invt, now())]
        _accepted(
            await carrier.post(
                "/v1/import/return-receipts", json=world.plain["/v1/import/return-receipts"]
            )
        )
        world.plain["/v1/export/invoices"] = [EXPORT.invoices(export_invt)]

        start = now().astimezone(CHINA).replace(day=1, hour=0, minute=0, second=0)
        end = (start + timedelta(days=32)).replace(day=1) - timedelta(seconds=1)
        docs["CEB701Message"] = [summary_application(VICTIM, "SUM-V-1", start, end)]
        answer = await victim.post("/v1/export/summaries", json=docs["CEB701Message"])
        assert answer.status_code in (200, 201), answer.text

        # Revocations of the victim's lists, as the list's filer would send them (not sent:
        # a revocation would end the lists the other attacks aim at).
        docs["CEB605Message"] = [
            _revocation("CEB605Message", EXPORT.inventory()["InventoryHead"], export_invt)
        ]
        docs["CEB623Message"] = [
            _revocation("CEB623Message", IMPORT.inventory()["InventoryHead"], import_invt)
        ]

        await asyncio.sleep(2)
        for order in (EXPORT, IMPORT):
            world.views[order.order_no] = _stable(await _view(victim, order.order_no))
    return world


def _revocation(message: str, list_head: dict[str, Any], invt_no: str) -> dict[str, Any]:
    """The revocation (CEB605 / CEB623) of a list, with the fields of the list the message has."""
    model = message_model(message)
    fields = model.xml_spec.children[document_field(message)].model_fields
    document = {k: v for k, v in list_head.items() if k in fields}
    return document | {"invtNo": invt_no, "reason": "the buyer cancelled"}


def _stable(view: dict[str, Any]) -> dict[str, Any]:
    """A view without what changes on its own (the time it was read)."""
    return {k: v for k, v in view.items() if k not in ("asOf", "readAt")}


# -- the attacks -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Attack:
    method: str
    path: str
    what: str
    json_body: Any = None
    xml: bytes | None = None
    change: bool = True
    """True when the attack tries to change something; False for a read."""


def _openapi(world: World) -> dict[str, Any]:
    response = httpx.get(world.platform.gateway_url + "/openapi.json", timeout=30)
    assert response.status_code == 200, response.text
    document: dict[str, Any] = response.json()
    return document


def _operations(openapi: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    methods = ("get", "post", "put", "patch", "delete")
    return [
        (method.upper(), path, operation)
        for path, item in openapi["paths"].items()
        for method, operation in item.items()
        if method in methods
    ]


def _route_of(path: str) -> Any:
    return next((r for r in ROUTES if r.path == path or path.startswith(r.path + "/")), None)


def _variants(message: str, document: dict[str, Any], attacker: str) -> list[tuple[str, Any]]:
    """The victim's document with the attacker's code in one claimable party field, as a new
    filing, a change and a delete, keeping the document's business key."""
    route = MESSAGE_ROUTES[message]
    head = head_field(message)
    claimable = {
        f
        for role in route.roles & {Role(r) for r in ATTACKER_ROLES}
        for f in PARTY_FIELDS.get(role, ())
    }
    keys = set(KEY_FIELDS[message])
    inner = document.get(head, document) if head else document
    out: list[tuple[str, Any]] = []
    for name in sorted((claimable & set(inner)) - keys):
        for app_type in ("1", "2", "3"):
            forged = _scrub(copy.deepcopy(document))
            target = forged.get(head, forged) if head else forged
            target[name] = attacker
            if "appType" in target:
                target["appType"] = app_type
            out.append((f"{name}={attacker} appType={app_type}", forged))
    return out


def _scrub(value: Any) -> Any:
    """The attacker's copy carries none of the victim's names or the buyer's identity."""
    if isinstance(value, dict):
        return {
            k: _SCRUBBED.get(k, _scrub(v)) if k in _SCRUBBED else _scrub(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    return value


def _attacks(world: World, openapi: dict[str, Any]) -> tuple[list[Attack], list[str]]:
    """Every attack of every operation, and the operations that got none."""
    attacks: list[Attack] = []
    uncovered: list[str] = []
    values = world.path_values()
    for method, path, operation in _operations(openapi):
        made = _attacks_of(world, method, path, operation, values)
        if made is None:
            uncovered.append(f"{method} {path}")
        else:
            attacks.extend(made)
    return attacks, uncovered


def _attacks_of(
    world: World, method: str, path: str, operation: dict[str, Any], values: dict[str, list[str]]
) -> list[Attack] | None:
    params = [p["name"] for p in operation.get("parameters", []) if p["in"] == "path"]
    route = _route_of(path)
    if params:
        key = params[0] if params[0] != "rest" else route.path if route else ""
        if key not in values:
            return None
        template = "{" + params[0] + "}"
        bodies = world.rest_bodies()
        return [
            Attack(
                method,
                path.replace(template, value),
                f"{method} {path} {value}",
                bodies.get(value.rsplit("/", 1)[-1])
                if method in ("POST", "PUT", "PATCH")
                else None,
                None,
                method != "GET",
            )
            for value in values[key]
        ]
    if path == "/v1/messages":
        attacks = []
        for message, documents in world.documents.items():
            for what, forged in _variants(message, documents[0], world.attacker_code):
                xml = message_xml(message, [forged], sender=world.attacker_code)
                attacks.append(Attack("POST", path, f"XML {message} {what}", None, xml))
        return attacks
    if method == "POST" and route is not None and route.message is not None:
        documents = world.documents.get(route.message)
        if documents is None:
            return None
        return [
            Attack(method, path, f"{route.message} {what}", [forged])
            for what, forged in _variants(route.message, documents[0], world.attacker_code)
        ]
    if method == "POST" and route is not None and path == route.path:
        documents = world.plain.get(path)
        if documents is None:
            return None
        return [Attack(method, path, f"{path} as the attacker", _scrub(d)) for d in documents]
    # An operation about the caller itself (its receipts, webhooks, feeds, registration):
    # whatever it answers must show none of the victim's data.
    return [Attack(method, path, f"{method} {path}", None, None, False)]


def _refused(response: httpx.Response) -> bool:
    """403, 404 or 405 (nothing there for the caller), 409, or receipts that each refuse
    (a negative status, or 100: sent back, DOMAIN.md §3). A 422 is not a refusal: it says the
    attack's own document is malformed, which would hide whether it reached the owner check."""
    if response.status_code in (403, 404, 405, 409):
        return True
    if response.status_code not in (200, 201):
        return False
    if response.headers.get("content-type", "").startswith("application/xml"):
        found = re.findall(rb"<(?:\w+:)?returnStatus>([^<]*)<", response.content)
        statuses = [s.decode() for s in found]
    else:
        statuses = [str(r["returnStatus"]) for r in response.json().get("receipts") or []]
    return bool(statuses) and all(s.startswith("-") or s == "100" for s in statuses)


def _leaks(response: httpx.Response) -> list[str]:
    text = response.content.decode("utf-8", "replace")
    return [m for m in MARKERS if m in text]


async def _send(client: AsyncGatewayClient, attack: Attack) -> httpx.Response:
    if attack.xml is not None:
        return await client.request(
            attack.method,
            attack.path,
            content=attack.xml,
            headers={"Content-Type": "application/xml"},
        )
    if attack.method in ("GET", "DELETE") or attack.json_body is None:
        return await client.request(attack.method, attack.path)
    return await client.request(attack.method, attack.path, json=attack.json_body)


def test_every_operation_is_attacked(world: World) -> None:
    attacks, uncovered = _attacks(world, _openapi(world))
    assert not uncovered, f"operations without a cross-tenant case: {uncovered}"
    assert len(attacks) > 50, len(attacks)


async def test_no_enterprise_reads_or_changes_anothers_documents(world: World) -> None:
    attacks, _ = _attacks(world, _openapi(world))
    failures: list[str] = []
    async with world.client("attacker") as attacker:
        for attack in attacks:
            response = await _send(attacker, attack)
            if response.status_code >= 500:
                failures.append(f"{attack.what}: {response.status_code} {response.text[:200]}")
                continue
            leaked = _leaks(response)
            if leaked:
                failures.append(f"{attack.what}: shows the victim's {leaked}")
            if attack.change and not _refused(response):
                failures.append(
                    f"{attack.what}: not refused ({response.status_code} {response.text[:300]})"
                )
        # A barrier: the attacker's own orders under the victim's numbers go through.
        own = [_own_order(EXPORT.order())]
        _accepted(await attacker.post("/v1/export/orders", json=own))
        view = await eventually(
            lambda: _view(attacker, EXPORT.order_no),
            until=lambda v: v.get("status") is not None,
            timeout=60,
            interval=0.3,
            what="the attacker's own order",
        )
        if _leaks(httpx.Response(200, content=json.dumps(view).encode())):
            failures.append("the attacker's view of its own order shows the victim's")
    await asyncio.sleep(2)
    async with world.client("victim") as victim:
        for order_no, before in world.views.items():
            after = _stable(await _view(victim, order_no))
            if after != before:
                failures.append(f"the victim's view of {order_no} changed: {before} -> {after}")
    assert not failures, "\n".join(failures)


def _own_order(order: dict[str, Any]) -> dict[str, Any]:
    mine = _scrub(copy.deepcopy(order))
    mine["OrderHead"]["ebcCode"] = ATTACKER[0]
    mine["OrderHead"]["ebpCode"] = ATTACKER[0]
    return mine


TRAVERSALS = (
    "/../../v1/lists/{x}",
    "/%2e%2e/%2e%2e/v1/lists/{x}",
    "/%2E%2E/v1/lists/{x}",
    "/.%2e/v1/lists/{x}",
    "/%252e%252e/v1/lists/{x}",
    "/..%2fv1%2flists%2f{x}",
    "/..%2Fv1/lists/{x}",
    "/..%5cv1/lists/{x}",
    "/..\\v1\\lists\\{x}",
    "//{x}",
    "/./{x}",
    "/{x}/.",
    "/{x}/..",
)


def _traversal_paths(openapi: dict[str, Any], invt_no: str) -> list[str]:
    paths = []
    for _, path, _ in _operations(openapi):
        base = re.sub(r"/\{[^}]+\}.*$", "", path)
        for form in TRAVERSALS:
            paths.append(base + form.replace("{x}", invt_no))
    return sorted(set(paths))


async def _raw_status(url: str, method: str, target: str, headers: dict[str, str]) -> int:
    """Send a request line exactly as given (an HTTP client would normalise its dot segments)
    and answer the response's status."""
    address = httpx.URL(url)
    reader, writer = await asyncio.open_connection(address.host, address.port)
    lines = [f"{method} {target} HTTP/1.1", f"Host: {address.host}:{address.port}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    lines += ["Content-Length: 0", "Connection: close", "", ""]
    writer.write("\r\n".join(lines).encode("latin-1"))
    await writer.drain()
    status_line = await reader.readline()
    writer.close()
    return int(status_line.split()[1])


async def test_every_traversal_form_is_refused_before_authentication(world: World) -> None:
    paths = _traversal_paths(_openapi(world), world.invt_nos[EXPORT.order_no])
    attacker = world.who["attacker"]
    url = world.platform.gateway_url
    wrong: list[str] = []
    for path in paths:
        for method in ("GET", "POST", "DELETE"):
            headers = signed_headers(attacker.keyId, attacker.secret, method, path, b"")
            signed = await _raw_status(url, method, path, headers)
            if signed != 400:
                wrong.append(f"{method} {path} signed: {signed}")
        unsigned = await _raw_status(url, "GET", path, {})
        if unsigned != 400:
            wrong.append(f"GET {path} unsigned: {unsigned}")
    assert not wrong, "\n".join(wrong)


def test_the_victims_documents_were_all_filed(world: World) -> None:
    """The world covers every CEB business message the gateway routes."""
    assert set(world.documents) == set(MESSAGE_ROUTES), set(MESSAGE_ROUTES) - set(world.documents)
