"""Summary applications as enterprises file them (CEB701 ``SummaryApply``): the receipt names the
summary (CEB702 ``preNo``, 18-character ``sumNo``) and carries its result; a resend answers the
same; what breaks the protocol (a window across months, lists not released) is refused by name."""

from __future__ import annotations

import re
import uuid
from collections import Counter
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select

from cbec.declaration.models import ListRow
from cbec.shared.ceb import build_receipt, document_keys, message_model
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
from tests.support import builders
from tests.support.tokens import as_caller
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

D = Decimal
CHINA = timezone(timedelta(hours=8))
SUM_NO = re.compile(r"4300\d{6}S\d{7}")


def application(ebc: str, cop_no: str, **head: Any) -> dict[str, Any]:
    """A CEB701 SummaryApply of the consignor's lists released this month (China time)."""
    start = datetime.now(CHINA).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    end = (start + timedelta(days=32)).replace(day=1) - timedelta(seconds=1)
    return builders.summary_application(
        app_time=datetime.now(CHINA).strftime("%Y%m%d%H%M%S"),
        cop_no=cop_no,
        ebc_code=ebc,
        start_time=start.strftime("%Y%m%d%H%M%S"),
        end_time=end.strftime("%Y%m%d%H%M%S"),
        **head,
    )


async def _statuses(app: Any, unique: str) -> dict[str, tuple[str, str | None]]:
    async with app.state.runtime.sessions() as session:
        rows = await session.exec(
            select(ListRow.cop_no, ListRow.status, ListRow.invt_no).where(
                col(ListRow.cop_no).contains(unique)
            )
        )
        return {cop: (status, invt) for cop, status, invt in rows.all()}


async def test_a_summary_application_is_answered_with_its_summary_once(
    kafka_bootstrap: str, database_url: str, unique: str, tmp_path: Path
) -> None:
    ebc = f"S{unique[-8:]}1"
    lists = []
    for n, country in enumerate(("502", "502", "303"), start=1):
        lines = [
            export_line(1, country=country),
            export_line(2, gcode="6403990090", country=country),
        ]
        order_no, waybill_no, cop_no = f"EO{unique}{n}", f"W{unique}{n}", f"C{unique}{n}"
        goods = sum((D(line["totalPrice"]) for line in lines), D(0))
        lists.append(
            {
                "cop_no": cop_no,
                "waybill": waybill_no,
                "order": export_order(order_no, ebc, lines),
                "list": export_inventory(cop_no, order_no, ebc, waybill_no, lines, country=country),
                "events": [
                    receipt_of_funds(order_no, ebc, str(goods + 10)),
                    export_waybill(waybill_no, ebc),
                ],
            }
        )
    async with declaration_app(kafka_bootstrap, database_url, tmp_path) as (app, client):
        await client.post(
            "/v1/export/orders",
            json=[item["order"] for item in lists],
            headers=as_caller("declaration", ebc),
        )
        await client.post(
            "/v1/export/inventories",
            json=[item["list"] for item in lists],
            headers=as_caller("declaration", ebc),
        )
        await publish(app, *[event for item in lists for event in item["events"]])
        await eventually(
            lambda: _statuses(app, unique),
            until=lambda s: Counter(v[0] for v in s.values()) == {"800": 3},
            timeout=60,
            what="released",
        )
        # Two lists close; the third is released but its goods have not left.
        await publish(app, *[departed(item["waybill"]) for item in lists[:2]])
        statuses = await eventually(
            lambda: _statuses(app, unique),
            until=lambda s: Counter(v[0] for v in s.values()) == {"899": 2, "800": 1},
            timeout=60,
            what="closed",
        )

        async def apply(*documents: dict[str, Any]) -> list[dict[str, Any]]:
            answer = await client.post(
                "/v1/export/summaries", json=list(documents), headers=as_caller("declaration", ebc)
            )
            assert answer.status_code == 200, answer.text
            receipts: list[dict[str, Any]] = answer.json()["receipts"]
            return receipts

        first = application(ebc, f"SA{unique}")
        (receipt,) = await apply(first)
        assert receipt["returnStatus"] == "399", receipt
        assert SUM_NO.fullmatch(receipt["sumNo"]), receipt["sumNo"]
        assert re.fullmatch(r"B\d{8}\d{9}", receipt["preNo"])
        assert (receipt["copNo"], receipt["agentCode"], receipt["ebcCode"]) == (
            f"SA{unique}",
            ebc,
            ebc,
        )
        (summary,) = receipt["summaries"]
        assert summary["sumNo"] == receipt["sumNo"]
        assert "application" not in summary
        closed = {statuses[item["cop_no"]][1] for item in lists[:2]}
        assert {a["invtNo"] for a in summary["assignments"]} == closed
        assert [f["country"] for f in summary["forms"]] == ["502"]

        # The receipt makes the standard's CEB702 receipt (what the gateway answers in XML).
        document = message_model("CEB701Message").model_validate(
            {
                "guid": str(uuid.uuid4()).upper(),
                "version": "1.0",
                "SummaryApply": [first],
                "BaseTransfer": {"copCode": ebc, "copName": "s", "dxpMode": "DXP", "dxpId": "X"},
            }
        )
        keys = {**document_keys(document.SummaryApply[0]), **receipt}
        xml_receipt = build_receipt(
            "CEB701Message",
            [keys],
            return_status=receipt["returnStatus"],
            return_time=receipt["returnTime"],
            return_info=receipt["returnInfo"],
        )
        assert xml_receipt.SummaryReturn[0].sumNo == receipt["sumNo"]

        # The same application again: the same receipt, no second summary.
        assert await apply(first) == [receipt]
        # Another application under the used copNo is refused, naming the summary.
        changed = application(ebc, f"SA{unique}", summaryFlag="2")
        (refused,) = await apply(changed)
        assert refused["returnStatus"] == "100"
        assert receipt["sumNo"] in refused["returnInfo"]
        # A new application of the same month finds nothing left until the third list closes.
        (nothing,) = await apply(application(ebc, f"SB{unique}"))
        assert nothing["returnStatus"] == "100"
        assert "nothing to summarise" in nothing["returnInfo"]
        await publish(app, departed(lists[2]["waybill"]))
        await eventually(
            lambda: _statuses(app, unique),
            until=lambda s: s[lists[2]["cop_no"]][0] == "899",
            what="the third list closed",
        )
        (supplement,) = await apply(application(ebc, f"SC{unique}"))
        assert supplement["returnStatus"] == "399", supplement
        (extra,) = supplement["summaries"]
        assert extra["supplementary"] is True
        assert [a["invtNo"] for a in extra["assignments"]] == [statuses[lists[2]["cop_no"]][1]] * 2

        # Applications that break the protocol, each refused naming the field.
        window = application(ebc, f"SD{unique}")
        window["SummaryApplyHead"]["endTime"] = "20991231235959"
        unknown = application(ebc, f"SE{unique}")
        del unknown["SummaryApplyHead"]["startTime"], unknown["SummaryApplyHead"]["endTime"]
        unknown["SummaryApplyList"] = [{"invtNo": "43002026E999999999"}]
        empty = application(ebc, f"SF{unique}")
        del empty["SummaryApplyHead"]["startTime"], empty["SummaryApplyHead"]["endTime"]
        flags = application(ebc, f"SG{unique}", summaryFlag="3", itemNameFlag="x")
        answers = await apply(window, unknown, empty, flags)
        assert [a["returnStatus"] for a in answers] == ["100"] * 4
        assert "SummaryApplyHead.endTime" in answers[0]["returnInfo"]
        assert "one calendar month" in answers[0]["returnInfo"]
        assert "SummaryApplyList[0].invtNo" in answers[1]["returnInfo"]
        assert "time window" in answers[2]["returnInfo"]
        assert "summaryFlag" in answers[3]["returnInfo"]
        assert "itemNameFlag" in answers[3]["returnInfo"]

        # The compact form (operators) shows the month's two summaries.
        compact = await client.post(
            "/v1/export/summaries",
            json={"ebcCode": ebc, "period": datetime.now(CHINA).strftime("%Y-%m")},
            headers=as_caller("declaration", "OPS", "operator"),
        )
        assert compact.status_code == 200, compact.text
        shown = compact.json()["summaries"]
        assert [s["sumNo"] for s in shown] == [receipt["sumNo"], supplement["sumNo"]]
        assert all("application" not in s for s in shown)


async def test_an_application_naming_its_lists_summarises_those_of_their_month(
    kafka_bootstrap: str, database_url: str, unique: str, tmp_path: Path
) -> None:
    ebc = f"S{unique[-8:]}2"
    lists = []
    for n in range(1, 4):
        lines = [export_line(1)]
        order_no, waybill_no, cop_no = f"EO{unique}{n}", f"W{unique}{n}", f"C{unique}{n}"
        lists.append(
            {
                "cop_no": cop_no,
                "waybill": waybill_no,
                "order": export_order(order_no, ebc, lines),
                "list": export_inventory(cop_no, order_no, ebc, waybill_no, lines),
                "events": [receipt_of_funds(order_no, ebc, "90"), export_waybill(waybill_no, ebc)],
            }
        )
    async with declaration_app(kafka_bootstrap, database_url, tmp_path) as (app, client):
        await client.post(
            "/v1/export/orders",
            json=[item["order"] for item in lists],
            headers=as_caller("declaration", ebc),
        )
        await client.post(
            "/v1/export/inventories",
            json=[item["list"] for item in lists],
            headers=as_caller("declaration", ebc),
        )
        await publish(app, *[event for item in lists for event in item["events"]])
        await eventually(
            lambda: _statuses(app, unique),
            until=lambda s: Counter(v[0] for v in s.values()) == {"800": 3},
            timeout=60,
            what="released",
        )
        await publish(app, *[departed(item["waybill"]) for item in lists])
        statuses = await eventually(
            lambda: _statuses(app, unique),
            until=lambda s: Counter(v[0] for v in s.values()) == {"899": 3},
            timeout=60,
            what="closed",
        )
        named = [statuses[item["cop_no"]][1] for item in lists[:2]]
        document = application(ebc, f"SN{unique}")
        del document["SummaryApplyHead"]["startTime"], document["SummaryApplyHead"]["endTime"]
        document["SummaryApplyList"] = [{"invtNo": invt_no} for invt_no in named]
        answer = await client.post(
            "/v1/export/summaries", json=document, headers=as_caller("declaration", ebc)
        )
        assert answer.status_code == 200, answer.text
        (receipt,) = answer.json()["receipts"]
        assert receipt["returnStatus"] == "399", receipt
        (summary,) = receipt["summaries"]
        assert sorted({a["invtNo"] for a in summary["assignments"]}) == sorted(named)
