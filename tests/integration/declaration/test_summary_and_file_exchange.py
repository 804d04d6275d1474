"""The summary declaration of a month's closed export lists, and the file exchange with customs."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select

from cbec.declaration.models import ListRow
from cbec.shared.ceb import build_receipt, parse_message, to_xml
from tests.integration.declaration.decl_support import (
    declaration_app,
    departed,
    export_inventory,
    export_line,
    export_order,
    export_waybill,
    publish,
    receipt_of_funds,
)
from tests.support.kafka import headers_of, read_topic
from tests.support.tokens import DEFAULT_PARTY, as_caller
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

D = Decimal
CHINA = timezone(timedelta(hours=8))
COUNTRIES = ("502", "303", "116")
PORTS = ("4301", "4302")
HS_CODES = ("6109100022", "4202920000", "6911101900", "9503008900", "8517130000")
CURRENCIES = ("502", "142")


async def _statuses(app: Any, unique: str) -> dict[str, tuple[str, str | None]]:
    async with app.state.runtime.sessions() as session:
        rows = await session.exec(
            select(ListRow.cop_no, ListRow.status, ListRow.invt_no).where(
                col(ListRow.cop_no).contains(unique)
            )
        )
        return {cop: (status, invt) for cop, status, invt in rows.all()}


async def test_a_month_of_closed_lists_is_summarised_once_and_a_late_list_goes_to_a_supplement(
    kafka_bootstrap: str, database_url: str, unique: str, tmp_path: Path
) -> None:
    # Consignor codes of this test only: the topic is shared by every test of the run.
    enterprises = tuple(f"E{unique[-8:]}{k}" for k in range(3))
    lists: list[dict[str, Any]] = []
    n = 0
    for ebc in enterprises:
        for country in COUNTRIES:
            for port in PORTS:
                for currency in CURRENCIES:
                    for copy in range(2):
                        n += 1
                        lines = [
                            export_line(
                                g + 1,
                                gcode=code,
                                gname=f"goods {code}",
                                itemName=f"item {code}",
                                country=country,
                                currency=currency,
                                qty=str(g + 1 + copy),
                                price="2.5",
                                totalPrice=str(D("2.5") * (g + 1 + copy)),
                            )
                            for g, code in enumerate(HS_CODES)
                        ]
                        order_no, waybill_no = f"EO{unique}{n:03d}", f"W{unique}{n:03d}"
                        goods = sum((D(line["totalPrice"]) for line in lines), D(0))
                        lists.append(
                            {
                                "ebc": ebc,
                                "cop_no": f"C{unique}{n:03d}",
                                "waybill": waybill_no,
                                "order": export_order(order_no, ebc, lines),
                                "list": export_inventory(
                                    f"C{unique}{n:03d}",
                                    order_no,
                                    ebc,
                                    waybill_no,
                                    lines,
                                    country=country,
                                    portCode=port,
                                ),
                                "events": [
                                    receipt_of_funds(order_no, ebc, str(goods + 10), currency),
                                    export_waybill(waybill_no, ebc, currency=currency),
                                ],
                            }
                        )
    late = lists[5]
    period = datetime.now(CHINA).strftime("%Y-%m")
    async with declaration_app(kafka_bootstrap, database_url, tmp_path) as (app, client):
        for ebc in enterprises:
            orders = [item["order"] for item in lists if item["ebc"] == ebc]
            await client.post(
                "/v1/export/orders", json=orders, headers=as_caller("declaration", ebc)
            )
        for start in range(0, len(lists), 100):
            batch = [item["list"] for item in lists[start : start + 100]]
            await client.post("/v1/export/inventories", json=batch)
        await publish(app, *[event for item in lists for event in item["events"]])
        await eventually(
            lambda: _statuses(app, unique),
            until=lambda s: len(s) == len(lists) and all(v[0] == "800" for v in s.values()),
            timeout=60,
            what="all released",
        )
        await publish(app, *[departed(item["waybill"]) for item in lists if item is not late])
        statuses = await eventually(
            lambda: _statuses(app, unique),
            until=lambda s: Counter(v[0] for v in s.values()) == {"899": len(lists) - 1, "800": 1},
            timeout=60,
            what="closed",
        )
        first = {
            ebc: (
                await client.post("/v1/export/summaries", json={"ebcCode": ebc, "period": period})
            ).json()["summaries"]
            for ebc in enterprises
        }
        rerun = (
            await client.post(
                "/v1/export/summaries", json={"ebcCode": enterprises[0], "period": period}
            )
        ).json()["summaries"]
        await publish(app, departed(late["waybill"]))
        await eventually(
            lambda: _statuses(app, unique),
            until=lambda s: s[late["cop_no"]][0] == "899",
            what="late list closed",
        )
        supplement = (
            await client.post(
                "/v1/export/summaries", json={"ebcCode": late["ebc"], "period": period}
            )
        ).json()["summaries"]
        again = (
            await client.post(
                "/v1/export/summaries", json={"ebcCode": late["ebc"], "period": period}
            )
        ).json()["summaries"]
        records = await eventually(
            lambda: read_topic(kafka_bootstrap, "cbec.declaration.v1", expected=1),
            until=lambda rs: (
                sum(
                    1
                    for r in rs
                    if headers_of(r)["ce_type"] == "cbec.declaration.summary.completed.v1"
                    and json.loads(r.value)["ebcCode"] in enterprises
                    and any(
                        a["invtNo"] == statuses[late["cop_no"]][1]
                        for a in json.loads(r.value)["assignments"]
                    )
                )
                >= 1
            ),
            what="summary events",
        )

    invt_of = {cop: invt for cop, (_status, invt) in statuses.items()}
    for ebc in enterprises:
        (summary,) = first[ebc]
        assert summary["supplementary"] is False
        # One form per consignor, transport, destination country and exit customs (§5).
        forms = summary["forms"]
        assert len(forms) == len(COUNTRIES) * len(PORTS)
        assert {(f["country"], f["portCode"]) for f in forms} == {
            (c, p) for c in COUNTRIES for p in PORTS
        }
        for form in forms:
            # One item per HS code, destination and currency; the two lists' lines summed.
            assert len(form["items"]) == len(HS_CODES) * len(CURRENCIES)
            for item in form["items"]:
                g = HS_CODES.index(item["gcode"])
                copies = [0, 1]
                if (
                    ebc == late["ebc"]
                    and form["country"] == late["list"]["InventoryHead"]["country"]
                    and form["portCode"] == late["list"]["InventoryHead"]["portCode"]
                    and item["currency"] == late["list"]["InventoryList"][0]["currency"]
                ):
                    copies = [0]
                assert D(item["qty"]) == sum(D(g + 1 + c) for c in copies)
                assert D(item["totalPrice"]) == sum(D("2.5") * (g + 1 + c) for c in copies)
        assigned = {a["invtNo"] for a in summary["assignments"]}
        expected = {
            invt_of[item["cop_no"]] for item in lists if item["ebc"] == ebc and item is not late
        }
        assert assigned == expected
        assert len(summary["assignments"]) == len(expected) * len(HS_CODES)
    assert rerun == first[enterprises[0]]
    assert len(supplement) == 2
    assert supplement[1]["supplementary"] is True
    assert {a["invtNo"] for a in supplement[1]["assignments"]} == {invt_of[late["cop_no"]]}
    assert again == supplement
    completed = [
        json.loads(r.value)
        for r in records
        if headers_of(r)["ce_type"] == "cbec.declaration.summary.completed.v1"
        and json.loads(r.value)["ebcCode"] in enterprises
    ]
    assert len(completed) == len(enterprises) + 1


async def test_lists_go_to_customs_as_xml_files_and_customs_receipts_move_them(
    kafka_bootstrap: str, database_url: str, unique: str, tmp_path: Path
) -> None:
    ebc = "3701960002"
    order_no, cop_no, waybill_no = f"EO{unique}", f"C{unique}", f"W{unique}"
    outbox, inbox = tmp_path / "to-customs", tmp_path / "from-customs"
    line = export_line(1)
    async with declaration_app(
        kafka_bootstrap,
        database_url,
        tmp_path,
        customs_adapter="files",
        customs_outbox_dir=outbox,
        customs_inbox_dir=inbox,
    ) as (_app, client):
        await client.post(
            "/v1/export/orders",
            json=export_order(order_no, ebc, [line]),
            headers=as_caller("declaration", ebc),
        )
        receipt = (
            await client.post(
                "/v1/export/inventories",
                json=export_inventory(cop_no, order_no, ebc, waybill_no, [line]),
            )
        ).json()["receipts"][0]
        (sent,) = sorted(outbox.glob("*.xml"))
        message = parse_message(sent.read_bytes())
        # Customs plays its part: the list is stored, then concluded and released.
        keys = {
            "guid": message.Inventory[0].InventoryHead.guid,  # type: ignore[attr-defined]
            "agentCode": "3701980003",
            "copNo": cop_no,
            "preNo": receipt["preNo"],
            "invtNo": "43012026E000000777",
            "ebcCode": ebc,
            "ebpCode": "3701960001",
            "orderNo": order_no,
            "statisticsFlag": "B",
        }
        inbox.mkdir(parents=True)
        stored = build_receipt(
            "CEB603Message",
            [keys],
            return_status="120",
            return_time="20260305120000000",
            return_info="stored",
        )
        (inbox / "001.xml").write_bytes(to_xml(stored))
        (inbox / "000-garbage.xml").write_bytes(b"<not-a-receipt/>")
        first = (await client.post("/v1/maintenance/customs-receipts")).json()
        after_first = (await client.get(f"/v1/lists/{cop_no}")).json()
        for name, status in (("002.xml", "399"), ("003.xml", "800")):
            answer = build_receipt(
                "CEB603Message",
                [keys],
                return_status=status,
                return_time="20260305130000000",
                return_info=f"customs {status}",
            )
            (inbox / name).write_bytes(to_xml(answer))
        second = (await client.post("/v1/maintenance/customs-receipts")).json()
        released = (await client.get(f"/v1/lists/{cop_no}")).json()

    assert sent.name.startswith("CEB603Message_3701980003_")
    assert message.message_type() == "CEB603Message"
    head = message.Inventory[0].InventoryHead  # type: ignore[attr-defined]
    assert head.preNo == receipt["preNo"]
    assert head.copNo == cop_no
    assert receipt["returnStatus"] == "2"
    assert [f["file"] for f in first["files"]] == ["000-garbage.xml", "001.xml"]
    assert first["files"][0]["outcome"].startswith("refused")
    assert (inbox / "failed" / "000-garbage.xml").exists()
    assert after_first["status"] == "120"
    assert after_first["invtNo"] == "43012026E000000777"
    assert [f["file"] for f in second["files"]] == ["002.xml", "003.xml"]
    assert released["status"] == "800"
    assert [r["returnStatus"] for r in released["receipts"]] == ["2", "120", "399", "800"]
    assert list(inbox.glob("*.xml")) == []


async def test_the_monthly_run_summarises_last_month_and_reports_a_month_left_unsummarised(
    kafka_bootstrap: str, database_url: str, unique: str, tmp_path: Path
) -> None:
    ebc = f"E{unique[-8:]}9"
    line = export_line(1)
    documents = []
    for n in range(2):
        order_no, cop_no, waybill_no = f"EO{unique}{n}", f"C{unique}{n}", f"W{unique}{n}"
        documents.append((order_no, cop_no, waybill_no))
    now = datetime.now(CHINA)
    following = (now.replace(day=1) + timedelta(days=32)).replace(day=20)
    async with declaration_app(kafka_bootstrap, database_url, tmp_path) as (app, client):
        for order_no, cop_no, waybill_no in documents:
            await client.post(
                "/v1/export/orders",
                json=export_order(order_no, ebc, [line]),
                headers=as_caller("declaration", ebc),
            )
            await client.post(
                "/v1/export/inventories",
                json=export_inventory(cop_no, order_no, ebc, waybill_no, [line]),
            )
            await publish(
                app, receipt_of_funds(order_no, ebc, "90"), export_waybill(waybill_no, ebc)
            )
        await eventually(
            lambda: _statuses(app, unique),
            until=lambda s: [v[0] for v in s.values()] == ["800", "800"],
            what="released",
        )
        # Only the first list's goods depart: the second stays released, not summarisable.
        await publish(app, departed(documents[0][2]))
        await eventually(
            lambda: _statuses(app, unique),
            until=lambda s: s[documents[0][1]][0] == "899",
            what="closed",
        )
        run = await client.post(
            "/v1/maintenance/summaries", params={"today": following.date().isoformat()}
        )
        rerun = await client.post(
            "/v1/maintenance/summaries", params={"today": following.date().isoformat()}
        )
        refused = await client.post(
            "/v1/maintenance/summaries",
            headers=as_caller("declaration", DEFAULT_PARTY, "ecommerce"),
        )

    period = now.strftime("%Y-%m")
    # The summary numbers are 18 characters, as the standard's receipts (CEB702) require.
    assert [s for s in run.json()["summaries"] if re.fullmatch(r"4300\d{6}S\d{7}", s)] != []
    assert f"{ebc} {period}" in run.json()["overdue"]
    assert f"{ebc} {period}" not in rerun.json()["overdue"]
    assert rerun.json()["summaries"] == []
    assert refused.status_code == 403
