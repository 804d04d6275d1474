"""Only the enterprise that filed a document changes, deletes or revokes it; only the parties a
document names read it (DESIGN.md, "Security": decided on the object, in the service).

Each table names who tries what against a document another enterprise filed: a seller naming
the victim in ``ebcCode`` and itself in ``ebpCode``, another agent, another seller, a party the
document names but that did not file it. A refusal is the standard's negative receipt naming the
field, and leaves the stored document and the events as they were; the filer's own change,
deletion or revocation is accepted.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func
from sqlmodel import col, select

from cbec.declaration.models import ListRow, OrderRow
from cbec.shared.outbox import OutboxRecord
from tests.integration.declaration.decl_support import (
    AGENT,
    EBP,
    LOGISTICS,
    declaration_app,
    departed,
    export_inventory,
    export_line,
    export_order,
    export_waybill,
    guid,
    import_inventory,
    import_order,
    import_waybill,
    payment,
    publish,
    receipt_of_funds,
)
from tests.integration.declaration.test_summary_applications import application
from tests.support.tokens import as_caller
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

SUMMARY_COMPLETED = "cbec.declaration.summary.completed.v1"


def _as(party: str, roles: str) -> dict[str, str]:
    return as_caller("declaration", party, *(r for r in roles.split(",") if r))


def _with(document: dict[str, Any], head: str, **fields: Any) -> dict[str, Any]:
    return {**document, head: {**document[head], "guid": guid(), **fields}}


async def _events(app: FastAPI, key: str) -> int:
    """Events the service has written for a key (its outbox keeps sent rows for a while)."""
    async with app.state.runtime.sessions() as session:
        found = await session.exec(
            select(func.count()).select_from(OutboxRecord).where(col(OutboxRecord.key) == key)
        )
        return int(found.one())


async def _events_of_type(app: FastAPI, event_type: str) -> int:
    async with app.state.runtime.sessions() as session:
        found = await session.exec(
            select(func.count())
            .select_from(OutboxRecord)
            .where(col(OutboxRecord.event_type) == event_type)
        )
        return int(found.one())


async def _order(app: FastAPI, ie: str, order_no: str) -> OrderRow:
    async with app.state.runtime.sessions() as session:
        rows = await session.exec(
            select(OrderRow).where(OrderRow.ie_flag == ie, OrderRow.order_no == order_no)
        )
        return rows.one()


async def _list(app: FastAPI, cop_no: str) -> ListRow:
    async with app.state.runtime.sessions() as session:
        return (await session.exec(select(ListRow).where(ListRow.cop_no == cop_no))).one()


async def _receipt(
    client: httpx.AsyncClient, path: str, document: dict[str, Any], headers: Mapping[str, str]
) -> dict[str, Any]:
    answer = await client.post(path, json=document, headers=dict(headers))
    assert answer.status_code == 200, answer.text
    receipt: dict[str, Any] = answer.json()["receipts"][0]
    return receipt


# Orders: export keyed by orderNo + ebcCode, import by orderNo + ebpCode (DOMAIN.md §2)

ORDER_INTRUDERS = [
    # (who, its party code, the head fields it sends under the victim's key)
    ("a seller naming the victim as ebcCode and itself as ebpCode", "S", {"ebpCode": "S"}),
    ("another platform naming the victim seller", "Q", {"ebpCode": "Q"}),
    ("a stranger resending the victim's parties as they are", "T", {}),
]


@pytest.mark.parametrize("ie", ["E", "I"])
async def test_only_the_filer_changes_or_deletes_its_order(
    ie: str, kafka_bootstrap: str, database_url: str, unique: str, tmp_path: Path
) -> None:
    tag = unique[-8:]
    order_no = f"{ie}O{unique}"
    if ie == "E":
        victim = f"V{tag}"
        path, code, key_field = "/v1/export/orders", "-301010", "OrderHead.ebcCode"
        filed = export_order(order_no, victim, [export_line(1)])
    else:
        # An import order is the platform's: keyed by orderNo + ebpCode.
        victim = f"P{tag}"
        path, code, key_field = "/v1/import/orders", "-301010", "OrderHead.ebpCode"
        filed = import_order(order_no, f"37010219900101{tag[-4:]}", "100", ebpCode=victim)
    async with declaration_app(kafka_bootstrap, database_url, tmp_path) as (app, client):
        accepted = await _receipt(client, path, filed, _as(victim, "ecommerce"))
        assert accepted["returnStatus"] == "2", accepted
        before, events = await _order(app, ie, order_no), await _events(app, order_no)

        for who, prefix, fields in ORDER_INTRUDERS:
            intruder = f"{prefix}{tag}"
            named = {k: intruder for k in fields}
            if ie == "I":  # the key's party is ebpCode: the intruder names itself as ebcCode
                named = {"ebcCode": intruder}
            for app_type in ("2", "3"):
                attempt = _with(filed, "OrderHead", appType=app_type, freight="11", **named)
                receipt = await _receipt(client, path, attempt, _as(intruder, "ecommerce"))
                assert receipt["returnStatus"] == code, (who, app_type, receipt)
                assert key_field in receipt["returnInfo"], (who, receipt)
                assert "filed by another enterprise" in receipt["returnInfo"], (who, receipt)
            again = await _receipt(client, path, filed, _as(intruder, "ecommerce"))
            assert again["returnStatus"] == code, (who, "the same document resent", again)
        after = await _order(app, ie, order_no)
        assert (after.document, after.filed_by, after.cop_code, after.updated_at) == (
            before.document,
            victim,
            before.cop_code,
            before.updated_at,
        )
        assert await _events(app, order_no) == events, "a refused document publishes nothing"

        changed = _with(filed, "OrderHead", appType="2", ebcName="changed")
        receipt = await _receipt(client, path, changed, _as(victim, "ecommerce"))
        assert (receipt["returnStatus"], receipt["returnInfo"]) == ("2", "changed"), receipt
        assert await _events(app, order_no) == events + 1
        deleted = await _receipt(
            client, path, _with(filed, "OrderHead", appType="3"), _as(victim, "ecommerce")
        )
        assert (deleted["returnStatus"], deleted["returnInfo"]) == ("2", "order deleted")


# Lists: keyed by copNo + agentCode


@pytest.mark.parametrize("ie", ["E", "I"])
async def test_only_the_filer_changes_or_deletes_its_list(
    ie: str, kafka_bootstrap: str, database_url: str, unique: str, tmp_path: Path
) -> None:
    tag = unique[-8:]
    order_no, cop_no, waybill_no = f"{ie}O{unique}", f"C{unique}", f"W{unique}"
    seller, agent = "3701960002", f"A{tag}"
    if ie == "E":
        path, code = "/v1/export/inventories", "-603010"
        filed = export_inventory(
            cop_no, order_no, seller, waybill_no, [export_line(1)], agentCode=agent, appStatus="1"
        )
    else:
        path, code = "/v1/import/inventories", "-621010"
        buyer = f"37010219900101{tag[-4:]}"
        filed = import_inventory(
            cop_no, order_no, buyer, waybill_no, "100", agentCode=agent, appStatus="1"
        )
    intruders = [
        ("another agent", f"B{tag}", "agent", {}),
        ("a seller naming itself as ebcCode", f"S{tag}", "ecommerce", {"ebcCode": f"S{tag}"}),
        ("the seller the list names, which did not file it", seller, "ecommerce", {}),
        ("the platform the list names, which did not file it", EBP, "ecommerce", {}),
    ]
    async with declaration_app(kafka_bootstrap, database_url, tmp_path) as (app, client):
        staged = await _receipt(client, path, filed, _as(agent, "agent"))
        assert staged["returnStatus"] == "1", staged
        before, events = await _list(app, cop_no), await _events(app, order_no)

        for who, intruder, role, fields in intruders:
            for app_type in ("2", "3"):
                attempt = _with(filed, "InventoryHead", appType=app_type, freight="11", **fields)
                receipt = await _receipt(client, path, attempt, _as(intruder, role))
                assert receipt["returnStatus"] == code, (who, app_type, receipt)
                assert "InventoryHead.copNo" in receipt["returnInfo"], (who, receipt)
                assert "preNo" not in receipt, (who, "a refusal tells nothing of the list")
        after = await _list(app, cop_no)
        assert (after.document, after.status, after.filed_by, after.submitted_by) == (
            before.document,
            "1",
            agent,
            agent,
        )
        assert await _events(app, order_no) == events, "a refused document publishes nothing"

        changed = _with(filed, "InventoryHead", appType="2", note="corrected")
        receipt = await _receipt(client, path, changed, _as(agent, "agent"))
        assert receipt["returnStatus"] == "1", receipt
        assert (
            json.loads((await _list(app, cop_no)).document)["InventoryHead"]["note"] == "corrected"
        )
        deleted = await _receipt(
            client, path, _with(filed, "InventoryHead", appType="3"), _as(agent, "agent")
        )
        assert deleted["returnStatus"] == "deleted", deleted


# Revocations (CEB605 / CEB623) of released lists


def _export_revocation(row: ListRow, agent_code: str, ebc: str) -> dict[str, Any]:
    return {
        "guid": guid(),
        "appType": "1",
        "appTime": "20260305120000",
        "appStatus": "2",
        "customsCode": "4300",
        "copNo": row.cop_no,
        "invtNo": row.invt_no,
        "reason": "order cancelled",
        "agentCode": agent_code,
        "agentName": "broker",
        "ebcCode": ebc,
        "ebcName": "seller",
    }


def _import_revocation(row: ListRow, agent_code: str, buyer: str) -> dict[str, Any]:
    return {
        "guid": guid(),
        "appType": "1",
        "appTime": "20260305120000",
        "appStatus": "2",
        "customsCode": "4300",
        "orderNo": row.order_no,
        "ebpCode": row.ebp_code,
        "ebpName": "platform",
        "ebcCode": row.ebc_code,
        "ebcName": "seller",
        "logisticsNo": row.logistics_no,
        "logisticsCode": row.logistics_code,
        "logisticsName": "carrier",
        "copNo": row.cop_no,
        "invtNo": row.invt_no,
        "buyerIdType": "1",
        "buyerIdNumber": buyer,
        "buyerName": f"Buyer {buyer}",
        "buyerTelephone": "13800000000",
        "agentCode": agent_code,
        "agentName": "broker",
        "reason": "order cancelled by the buyer",
    }


async def _released(app: FastAPI, cop_no: str) -> ListRow:
    async def status() -> str:
        return (await _list(app, cop_no)).status

    await eventually(status, until=lambda s: s == "800", timeout=60, what=f"{cop_no} released")
    return await _list(app, cop_no)


async def test_an_export_list_is_revoked_only_by_its_filer_or_the_agent_it_names(
    kafka_bootstrap: str, database_url: str, unique: str, tmp_path: Path
) -> None:
    tag = unique[-8:]
    seller, stranger, other_agent = f"V{tag}", f"S{tag}", f"B{tag}"
    line = export_line(1)
    documents = []
    for n in (1, 2):
        order_no, cop_no, waybill_no = f"EO{unique}{n}", f"C{unique}{n}", f"W{unique}{n}"
        documents.append((order_no, cop_no, waybill_no))
    async with declaration_app(kafka_bootstrap, database_url, tmp_path) as (app, client):
        for order_no, cop_no, waybill_no in documents:
            await client.post(
                "/v1/export/orders",
                json=export_order(order_no, seller, [line]),
                headers=_as(seller, "ecommerce"),
            )
            # The seller files the list; the agent it names declares it for the seller.
            await client.post(
                "/v1/export/inventories",
                json=export_inventory(cop_no, order_no, seller, waybill_no, [line]),
                headers=_as(seller, "ecommerce"),
            )
            await publish(
                app, export_waybill(waybill_no, seller), receipt_of_funds(order_no, seller, "90")
            )
        first = await _released(app, documents[0][1])
        second = await _released(app, documents[1][1])
        events = await _events(app, first.order_no)

        refused = [
            ("another agent naming the list's agent", other_agent, "agent", AGENT, seller),
            ("another agent naming itself", other_agent, "agent", other_agent, seller),
            ("a seller naming the victim as ebcCode", stranger, "ecommerce", AGENT, seller),
            ("a stranger naming itself", stranger, "ecommerce", AGENT, stranger),
        ]
        for who, party, role, agent_code, ebc in refused:
            receipt = await _receipt(
                client,
                "/v1/export/revocations",
                _export_revocation(first, agent_code, ebc),
                _as(party, role),
            )
            assert receipt["returnStatus"] == "-605010", (who, receipt)
            assert receipt["returnInfo"].startswith("invtNo: "), (who, receipt)
        assert (await _list(app, first.cop_no)).status == "800"
        assert await _events(app, first.order_no) == events

        by_filer = await _receipt(
            client,
            "/v1/export/revocations",
            _export_revocation(first, AGENT, seller),
            _as(seller, "ecommerce"),
        )
        by_agent = await _receipt(
            client,
            "/v1/export/revocations",
            _export_revocation(second, AGENT, seller),
            _as(AGENT, "agent"),
        )
    assert by_filer["returnStatus"] == "revoked", by_filer
    assert by_agent["returnStatus"] == "revoked", by_agent


async def test_an_import_list_is_not_revoked_by_another_agent(
    kafka_bootstrap: str, database_url: str, unique: str, tmp_path: Path
) -> None:
    tag = unique[-8:]
    buyer = f"37010219900101{tag[-4:]}"
    order_no, cop_no, waybill_no = f"IO{unique}", f"I{unique}", f"Y{unique}"
    other_agent = f"B{tag}"
    async with declaration_app(kafka_bootstrap, database_url, tmp_path) as (app, client):
        await client.post(
            "/v1/import/orders",
            json=import_order(order_no, buyer, "100"),
            headers=_as(EBP, "ecommerce"),
        )
        await client.post(
            "/v1/import/inventories",
            json=import_inventory(cop_no, order_no, buyer, waybill_no, "100"),
            headers=_as(AGENT, "agent"),
        )
        await publish(
            app, payment(order_no, buyer, "110"), import_waybill(waybill_no, order_no, buyer)
        )
        row = await _released(app, cop_no)
        events = await _events(app, order_no)
        refused = [
            ("another agent naming itself", other_agent, "agent", other_agent),
            ("another agent naming the list's agent", other_agent, "agent", AGENT),
            ("the platform the list names, which did not file it", EBP, "ecommerce", AGENT),
        ]
        for who, party, role, agent_code in refused:
            receipt = await _receipt(
                client,
                "/v1/import/revocations",
                _import_revocation(row, agent_code, buyer),
                _as(party, role),
            )
            assert receipt["returnStatus"] == "-623010", (who, receipt)
        assert (await _list(app, cop_no)).status == "800"
        assert await _events(app, order_no) == events
        revoked = await _receipt(
            client,
            "/v1/import/revocations",
            _import_revocation(row, AGENT, buyer),
            _as(AGENT, "agent"),
        )
    assert revoked["returnStatus"] == "revoked", revoked


# Summary applications (CEB701): the consignor's, or its agent's for lists the agent declared


async def test_a_summary_is_applied_for_only_by_the_consignor_or_the_agent_of_its_lists(
    kafka_bootstrap: str, database_url: str, unique: str, tmp_path: Path
) -> None:
    tag = unique[-8:]
    seller, other_agent = f"V{tag}", f"B{tag}"
    order_no, cop_no, waybill_no = f"EO{unique}", f"C{unique}", f"W{unique}"
    line = export_line(1)
    async with declaration_app(kafka_bootstrap, database_url, tmp_path) as (app, client):
        await client.post(
            "/v1/export/orders",
            json=export_order(order_no, seller, [line]),
            headers=_as(seller, "ecommerce"),
        )
        await client.post(
            "/v1/export/inventories",
            json=export_inventory(cop_no, order_no, seller, waybill_no, [line]),
            headers=_as(AGENT, "agent"),
        )
        await publish(
            app, export_waybill(waybill_no, seller), receipt_of_funds(order_no, seller, "90")
        )
        row = await _released(app, cop_no)
        await publish(app, departed(waybill_no))

        async def closed() -> str:
            return (await _list(app, cop_no)).status

        await eventually(closed, until=lambda s: s == "899", timeout=60, what="closed")
        summaries = await _events_of_type(app, SUMMARY_COMPLETED)

        async def apply(party: str, role: str, document: dict[str, Any]) -> dict[str, Any]:
            return await _receipt(client, "/v1/export/summaries", document, _as(party, role))

        window = application(seller, f"SA{unique}", agentCode=other_agent)
        by_lists = application(seller, f"SL{unique}", agentCode=other_agent)
        del by_lists["SummaryApplyHead"]["startTime"], by_lists["SummaryApplyHead"]["endTime"]
        listed = {**by_lists, "SummaryApplyList": [{"invtNo": row.invt_no}]}
        by_window = await apply(other_agent, "agent", window)
        by_list = await apply(other_agent, "agent", listed)
        compact = await client.post(
            "/v1/export/summaries",
            json={"ebcCode": seller, "period": row.released_at.strftime("%Y-%m")},  # type: ignore[union-attr]
            headers=_as(other_agent, "agent"),
        )
        assert by_window["returnStatus"] == "-701010", by_window
        assert "SummaryApplyHead.agentCode" in by_window["returnInfo"]
        assert by_list["returnStatus"] == "100", by_list
        assert "declared by" in by_list["returnInfo"], by_list
        assert compact.status_code == 403, compact.text
        assert (await _list(app, cop_no)).status == "899"
        assert await _events_of_type(app, SUMMARY_COMPLETED) == summaries, "nothing summarised"

        own = application(seller, f"SA{unique}", agentCode=AGENT)
        made = await apply(AGENT, "agent", own)
        assert made["returnStatus"] == "399", made
        # The same copNo + agentCode from anyone else is refused without naming the summary.
        taken = await apply(other_agent, "agent", own)
        assert taken["returnStatus"] == "-701010", taken
        assert made["sumNo"] not in taken["returnInfo"]
        assert "summaries" not in taken
        assert await _events_of_type(app, SUMMARY_COMPLETED) == summaries + 1


# Reads: by the parties a document names, and officers; anyone else is told nothing (404)


async def test_an_order_and_a_list_are_read_only_by_the_parties_they_name(
    kafka_bootstrap: str, database_url: str, unique: str, tmp_path: Path
) -> None:
    tag = unique[-8:]
    seller, stranger = f"V{tag}", f"S{tag}"
    order_no, cop_no, waybill_no = f"EO{unique}", f"C{unique}", f"W{unique}"
    line = export_line(1)
    async with declaration_app(kafka_bootstrap, database_url, tmp_path) as (_app, client):
        await client.post(
            "/v1/export/orders",
            json=export_order(order_no, seller, [line]),
            headers=_as(seller, "ecommerce"),
        )
        await client.post(
            "/v1/export/inventories",
            json=export_inventory(cop_no, order_no, seller, waybill_no, [line]),
            headers=_as(AGENT, "agent"),
        )

        async def status(path: str, caller: str, role: str, **params: str) -> int:
            answer = await client.get(path, params=params, headers=_as(caller, role))
            return answer.status_code

        list_path, order_path = f"/v1/lists/{cop_no}", f"/v1/orders/{order_no}"
        readers = [
            # (who, party, role, list, list with ?agentCode=, order)
            ("the seller", seller, "ecommerce", 200, 200, 200),
            ("the platform", EBP, "ecommerce", 200, 200, 200),
            ("the agent", AGENT, "agent", 200, 200, 404),
            ("the logistics enterprise", LOGISTICS, "logistics", 200, 200, 404),
            ("a stranger", stranger, "ecommerce", 404, 404, 404),
            ("a stranger with the agent role", stranger, "agent", 404, 404, 404),
            ("a customs officer", "OFFICER01", "customs-officer", 200, 200, 200),
        ]
        for who, party, role, by_cop, by_key, order in readers:
            found = (
                await status(list_path, party, role),
                await status(list_path, party, role, agentCode=AGENT),
                await status(order_path, party, role, party=seller),
            )
            assert found == (by_cop, by_key, order), who
        nobody = await client.get(list_path, headers=_as("3702999999", ""))
        assert nobody.status_code == 404
