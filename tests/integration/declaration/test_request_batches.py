"""A request's lists are one unit of work: what they need on file (the lists by key, their
orders, funds documents and waybills) is looked up with a statement per table for the whole
request, and their receipts are inserted with one statement, so that the statements per list
do not grow with lookups row by row."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import event

from cbec.declaration import handlers
from cbec.declaration.domain.directions import EXPORT
from cbec.declaration.unit_of_work import DeclarationWork, declaration_of
from cbec.declaration.use_cases import funds_and_waybills
from cbec.shared.clock import utcnow
from tests.integration.declaration.decl_support import (
    AGENT,
    declaration_app,
    export_inventory,
    export_line,
    export_order,
    export_waybill,
    receipt_of_funds,
)
from tests.support.tokens import as_caller

pytestmark = pytest.mark.integration

LISTS = 40
RELEASED = "800"


async def test_a_request_of_forty_lists_takes_a_few_statements_per_list(
    kafka_bootstrap: str, database_url: str, unique: str, tmp_path: Path
) -> None:
    ebc = "3701960004"
    line = export_line(1)
    numbers = [
        (f"EO{unique}{i:03d}", f"C{unique}{i:03d}", f"W{unique}{i:03d}") for i in range(LISTS)
    ]
    async with declaration_app(kafka_bootstrap, database_url, tmp_path) as (app, client):
        runtime = app.state.runtime
        decl = declaration_of(runtime)
        orders = await client.post(
            "/v1/export/orders",
            json=[export_order(order_no, ebc, [line]) for order_no, _, _ in numbers],
            headers=as_caller("declaration", ebc),
        )
        assert orders.status_code == 200, orders.text
        async with runtime.transaction() as session:
            work = DeclarationWork(session, decl)
            for order_no, _, waybill_no in numbers:
                waybill = handlers.WaybillSeen.model_validate(
                    export_waybill(waybill_no, ebc).to_data()
                )
                await funds_and_waybills.waybill_arrived(work, handlers.data_of(waybill), utcnow())
                funds = handlers.ReceiptSeen.model_validate(
                    receipt_of_funds(order_no, ebc, "90").to_data()
                )
                await funds_and_waybills.funds_arrived(
                    work, EXPORT, order_no, ebc, handlers.data_of(funds), utcnow()
                )

        statements: list[str] = []

        def count(*args: object) -> None:
            statement = str(args[2])
            if "decl_" in statement:  # not the relay's and the consumers' own
                statements.append(" ".join(statement.split())[:90])

        event.listen(runtime.engine.sync_engine, "before_cursor_execute", count)
        try:
            answer = await client.post(
                "/v1/export/inventories",
                json=[
                    export_inventory(cop_no, order_no, ebc, waybill_no, [line])
                    for order_no, cop_no, waybill_no in numbers
                ],
                headers=as_caller("declaration", AGENT),
            )
        finally:
            event.remove(runtime.engine.sync_engine, "before_cursor_execute", count)

    assert answer.status_code == 200, answer.text
    receipts = answer.json()["receipts"]
    assert [r["returnStatus"] for r in receipts] == [RELEASED] * LISTS, receipts[0]
    lookups = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    receipt_inserts = [s for s in statements if "INSERT INTO decl_list_receipt" in s]
    # One lookup per table for the request (and the seller's rejections counted once), not
    # one per list; every receipt of every list in one INSERT.
    assert len(lookups) <= 8, lookups
    assert len(receipt_inserts) == 1
    assert len(statements) <= 3 * LISTS, len(statements)
