"""Purchase invoices turn a closed export line's exemption into a refund claim only when its
consignor registers them: another enterprise's invoices, before the list closes, do not count;
after, they are refused."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cbec.tax_refund.app import create_app
from cbec.tax_refund.settings import Settings
from tests.integration.tax.test_tax_exports import REGISTERED, SMALL, closed, line
from tests.support.apps import running, service_settings
from tests.support.signing import publish_events
from tests.support.tokens import as_caller, vouch
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

OFFICER = vouch("4300000003", "tax-officer")


def _as(code: str) -> dict[str, str]:
    return as_caller("tax-refund", code, "ecommerce")


async def test_only_the_consignors_invoices_make_a_line_refundable(
    kafka_bootstrap: str, database_url: str, unique: str
) -> None:
    settings = service_settings(
        Settings, kafka_bootstrap_servers=kafka_bootstrap, database_url=database_url
    )
    export = closed(unique, 1, (line(1, "6109100010", "200.00"), line(2, "8516500000", "1000.00")))
    invt_no = export.invtNo
    async with running(create_app(settings)) as (app, client):  # type: ignore[arg-type]
        # Before the list closes the tax service cannot tell whose it is: both are recorded.
        for code, gnum in ((SMALL, 1), (REGISTERED, 2)):
            early = await client.post(
                "/v1/export/invoices",
                json={"invtNo": invt_no, "lines": [{"gnum": gnum, "invoiceNo": f"I{code}"}]},
                headers=_as(code),
            )
            assert early.status_code == 201, early.text
        await publish_events(app.state.runtime.publisher, [export])

        async def outcome() -> dict:  # type: ignore[type-arg]
            answer = await client.get(f"/v1/export/lists/{invt_no}", headers=OFFICER)
            return answer.json() if answer.status_code == 200 else {}

        view = await eventually(outcome, until=lambda v: v.get("closed") is True, what="closed")
        stranger_after = await client.post(
            "/v1/export/invoices",
            json={"invtNo": invt_no, "lines": [{"gnum": 1, "invoiceNo": "LATE"}]},
            headers=_as(SMALL),
        )
        after = await outcome()

    # Line 1 (the other enterprise's invoice) stays exempt; line 2 (the consignor's) is refunded.
    assert [(e["gnum"], e["exempt"], e["superseded"]) for e in view["exemptions"]] == [
        (1, True, False)
    ]
    assert [(r["gnum"], Decimal(r["refund"])) for r in view["refunds"]] == [(2, Decimal("130"))]
    assert stranger_after.status_code == 403
    (violation,) = stranger_after.json()["violations"]
    assert (violation["field"], violation["value"], violation["expected"]) == (
        "invtNo",
        SMALL,
        REGISTERED,
    )
    assert after["exemptions"] == view["exemptions"]
    assert after["refunds"] == view["refunds"]
