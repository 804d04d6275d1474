"""The buyer's quota is reserved at the tax service outside any transaction: while the tax
service is slow to answer an import list's reservation, the lists of other sellers are decided
and released, and the import list is released once the answer comes."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from tests.integration.declaration.decl_support import (
    EBP,
    declaration_app,
    export_inventory,
    export_line,
    export_order,
    export_waybill,
    import_inventory,
    import_order,
    import_waybill,
    payment,
    publish,
    receipt_of_funds,
)
from tests.support.tokens import as_caller
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


class SlowTax:
    """The tax service's reservation route, answering only when the test lets it."""

    def __init__(self) -> None:
        self.asked = asyncio.Event()
        self.answer = asyncio.Event()
        self.answered = False

    def transport(self) -> None:
        return None  # the quota client goes over the network to TAX_REFUND_URL

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        self.asked.set()
        await asyncio.wait_for(self.answer.wait(), 120)
        invt_no = json.loads(body or b"{}").get("invtNo")
        answer = json.dumps({"invtNo": invt_no, "state": "reserved"}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 201,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": answer})
        self.answered = True


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@asynccontextmanager
async def serving(app: SlowTax) -> AsyncIterator[str]:
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    await eventually(lambda: _started(server), until=bool, what="slow tax server")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        app.answer.set()
        server.should_exit = True
        await asyncio.wait_for(task, 30)


async def _started(server: uvicorn.Server) -> bool:
    return server.started


async def _status(client: httpx.AsyncClient, cop_no: str) -> str | None:
    response = await client.get(f"/v1/lists/{cop_no}")
    return response.json().get("status") if response.status_code == 200 else None


async def test_a_slow_quota_reservation_holds_no_other_list_and_releases_its_own_when_answered(
    kafka_bootstrap: str, database_url: str, unique: str, tmp_path: Path
) -> None:
    buyer = f"37010219900101{unique[-4:]}"
    order_no, cop_no, waybill_no = f"IO{unique}", f"I{unique}", f"Y{unique}"
    ebc = "3701960007"
    export_no, export_cop, export_waybill_no = f"EO{unique}", f"C{unique}", f"W{unique}"
    line = export_line(1)
    tax = SlowTax()
    async with (
        serving(tax) as tax_url,
        declaration_app(kafka_bootstrap, database_url, tmp_path, tax, tax_refund_url=tax_url) as (
            app,
            client,
        ),
    ):
        await client.post(
            "/v1/import/orders",
            json=import_order(order_no, buyer, "300"),
            headers=as_caller("declaration", EBP),
        )
        await client.post(
            "/v1/import/inventories",
            json=import_inventory(cop_no, order_no, buyer, waybill_no, "300"),
        )
        await publish(
            app, payment(order_no, buyer, "310"), import_waybill(waybill_no, order_no, buyer)
        )
        await asyncio.wait_for(tax.asked.wait(), 120)

        # The tax service holds its answer: another seller's export list is decided meanwhile.
        await client.post(
            "/v1/export/orders",
            json=export_order(export_no, ebc, [line]),
            headers=as_caller("declaration", ebc),
        )
        await publish(
            app, export_waybill(export_waybill_no, ebc), receipt_of_funds(export_no, ebc, "90")
        )
        exported = await client.post(
            "/v1/export/inventories",
            json=export_inventory(export_cop, export_no, ebc, export_waybill_no, [line]),
        )
        await eventually(
            lambda: _status(client, export_cop), until=lambda s: s == "800", what="export"
        )
        held = await _status(client, cop_no)
        answered_meanwhile = tax.answered

        tax.answer.set()
        await eventually(lambda: _status(client, cop_no), until=lambda s: s == "800", what="import")
        view = (await client.get(f"/v1/lists/{cop_no}")).json()

    assert exported.status_code == 200, exported.text
    assert not answered_meanwhile
    assert held == "2"  # still declared: the release awaits its reservation
    assert [r["returnStatus"] for r in view["receipts"]][-3:] == ["120", "399", "800"]
