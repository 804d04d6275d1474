"""A list and the last of its documents filed at the same moment: the list is decided at once.

On PostgreSQL (READ COMMITTED) the transaction declaring the list and the one filing the
receipt of funds ran side by side: neither saw the other's row, both committed, and the list
waited, with everything on file, for the periodic check (every 5 minutes). Found by restarting
PostgreSQL under load (tests/faults): the ERPs' resends after the restart filed many lists and
their documents together. On SQLite the two transactions already run one after the other.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from cbec.declaration import handlers
from cbec.declaration.domain.directions import EXPORT
from cbec.declaration.unit_of_work import DeclarationWork, declaration_of
from cbec.declaration.use_cases import funds_and_waybills, lists
from cbec.shared.ceb import export_models as ex
from cbec.shared.clock import utcnow
from tests.integration.declaration.decl_support import (
    declaration_app,
    export_inventory,
    export_line,
    export_order,
    export_waybill,
    receipt_of_funds,
)
from tests.support.tokens import as_caller

pytestmark = [pytest.mark.integration, pytest.mark.postgres]


async def test_a_list_declared_while_its_last_document_is_filed_is_released(
    kafka_bootstrap: str, database_url: str, unique: str, tmp_path: Path
) -> None:
    ebc = "3701960002"
    order_no, cop_no, waybill_no = f"EO{unique}", f"C{unique}", f"W{unique}"
    line = export_line(1)
    async with declaration_app(kafka_bootstrap, database_url, tmp_path) as (app, client):
        runtime = app.state.runtime
        decl = declaration_of(runtime)
        order = await client.post(
            "/v1/export/orders",
            json=export_order(order_no, ebc, [line]),
            headers=as_caller("declaration", ebc),
        )
        assert order.status_code == 200, order.text
        waybill = handlers.WaybillSeen.model_validate(export_waybill(waybill_no, ebc).to_data())
        async with runtime.transaction() as session:
            await funds_and_waybills.waybill_arrived(
                DeclarationWork(session, decl), handlers.data_of(waybill), utcnow()
            )
        funds = handlers.ReceiptSeen.model_validate(receipt_of_funds(order_no, ebc, "90").to_data())
        inventory = ex.Inventory.model_validate(
            export_inventory(cop_no, order_no, ebc, waybill_no, [line])
        )

        async def file_the_funds() -> None:
            async with runtime.transaction() as session:
                await funds_and_waybills.funds_arrived(
                    DeclarationWork(session, decl),
                    EXPORT,
                    order_no,
                    ebc,
                    handlers.data_of(funds),
                    utcnow(),
                )

        async with runtime.transaction() as session:
            receipt = await lists.submit_list(
                DeclarationWork(session, decl), EXPORT, inventory, None, utcnow()
            )
            # The funds arrive while the list's transaction is still open.
            filing = asyncio.create_task(file_the_funds())
            await asyncio.sleep(0.5)
        await asyncio.wait_for(filing, 30)
        listed = (await client.get(f"/v1/lists/{cop_no}")).json()

    assert receipt["returnStatus"] == "2"  # declared; the funds were not on file yet
    assert listed["status"] == "800", listed
