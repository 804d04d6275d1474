"""Quota reservations of the tax service over HTTP, against a real database and broker."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest

from cbec.tax_refund.app import create_app
from cbec.tax_refund.settings import Settings
from tests.support.apps import running, service_settings
from tests.support.tokens import as_service, vouch

pytestmark = [pytest.mark.integration, pytest.mark.postgres]


def from_declaration() -> dict[str, str]:
    """The quota reservations are the declaration service's calls."""
    return as_service("tax-refund", "declaration")


OFFICER = vouch("4300000003", "tax-officer")

D = Decimal


def _app(kafka_bootstrap: str, database_url: str):  # type: ignore[no-untyped-def]
    # The reservations are HTTP only: no consumer group to join.
    return create_app(
        service_settings(  # type: ignore[arg-type]
            Settings,
            kafka_bootstrap_servers=kafka_bootstrap,
            database_url=database_url,
            consumer_enabled=False,
        )
    )


def _reservation(unique: str, n: int, amount: str, **extra: object) -> dict[str, object]:
    return {
        "invtNo": f"4300I{unique[1:]}{n:03d}",
        "orderNo": f"IO{unique}{n}",
        "buyerIdNumber": f"B{unique}",
        "amount": amount,
        "singleItem": False,
        "date": "2026-03-01",
        **extra,
    }


async def test_a_reservation_counts_at_once_and_is_idempotent_per_list(
    kafka_bootstrap: str, database_url: str, unique: str
) -> None:
    async with running(_app(kafka_bootstrap, database_url)) as (_, client):
        body = _reservation(unique, 1, "110.00")
        first = await client.post(
            "/v1/import/quota/reservations", json=body, headers=from_declaration()
        )
        again = await client.post(
            "/v1/import/quota/reservations", json=body, headers=from_declaration()
        )

        assert first.status_code == 201, first.text
        assert first.json() == {
            "invtNo": body["invtNo"],
            "buyerIdNumber": f"B{unique}".upper(),
            "year": 2026,
            "reserved": "110.00",
            "yearTotalAfter": "110.00",
        }
        assert again.status_code == 201
        assert again.json() == first.json()
        changed = await client.post(
            "/v1/import/quota/reservations",
            json={**body, "amount": "120.00"},
            headers=from_declaration(),
        )
        assert changed.status_code == 409
        quota = await client.get(f"/v1/import/quota/B{unique}/2026", headers=OFFICER)
        assert quota.json()["counted"] == "110.00"
        assert quota.json()["room"] == "25890.00"


async def test_over_the_annual_limit_is_refused_with_621018_and_the_amounts(
    kafka_bootstrap: str, database_url: str, unique: str
) -> None:
    async with running(_app(kafka_bootstrap, database_url)) as (_, client):
        for n in range(5):
            ok = await client.post(
                "/v1/import/quota/reservations",
                json=_reservation(unique, n, "5000.00"),
                headers=from_declaration(),
            )
            assert ok.status_code == 201, ok.text
        over = await client.post(
            "/v1/import/quota/reservations",
            json=_reservation(unique, 9, "1000.01"),
            headers=from_declaration(),
        )

        assert over.status_code == 409
        assert over.headers["content-type"] == "application/problem+json"
        problem = over.json()
        assert problem["returnStatus"] == "-621018"
        assert "25,000.00" in problem["detail"]
        assert "26,000.01" in problem["detail"]
        exact = await client.post(
            "/v1/import/quota/reservations",
            json=_reservation(unique, 10, "1000.00"),
            headers=from_declaration(),
        )
        assert exact.status_code == 201
        assert exact.json()["yearTotalAfter"] == "26000.00"


async def test_the_single_limit_refuses_with_621005_unless_one_indivisible_item_fits_the_year(
    kafka_bootstrap: str, database_url: str, unique: str
) -> None:
    async with running(_app(kafka_bootstrap, database_url)) as (_, client):
        split = await client.post(
            "/v1/import/quota/reservations",
            json=_reservation(unique, 1, "5000.01"),
            headers=from_declaration(),
        )
        single = await client.post(
            "/v1/import/quota/reservations",
            headers=from_declaration(),
            json=_reservation(unique, 2, "8000.00", singleItem=True),
        )
        too_big = await client.post(
            "/v1/import/quota/reservations",
            headers=from_declaration(),
            json=_reservation(unique, 3, "18000.01", singleItem=True),
        )

        assert split.status_code == 409
        assert split.json()["returnStatus"] == "-621005"
        assert "5,000.01" in split.json()["detail"]
        assert single.status_code == 201, single.text
        assert single.json()["yearTotalAfter"] == "8000.00"
        assert too_big.status_code == 409
        assert too_big.json()["returnStatus"] == "-621005"


async def test_a_cancelled_reservation_frees_the_room_and_cancelling_again_is_harmless(
    kafka_bootstrap: str, database_url: str, unique: str
) -> None:
    async with running(_app(kafka_bootstrap, database_url)) as (_, client):
        body = _reservation(unique, 1, "4000.00")
        await client.post("/v1/import/quota/reservations", json=body, headers=from_declaration())
        first = await client.delete(
            f"/v1/import/quota/reservations/{body['invtNo']}", headers=from_declaration()
        )
        second = await client.delete(
            f"/v1/import/quota/reservations/{body['invtNo']}", headers=from_declaration()
        )
        unknown = await client.delete(
            "/v1/import/quota/reservations/NOSUCHLIST", headers=from_declaration()
        )

        assert (first.status_code, second.status_code, unknown.status_code) == (204, 204, 204)
        quota = await client.get(f"/v1/import/quota/B{unique}/2026", headers=OFFICER)
        assert quota.json()["counted"] == "0.00"
        again = await client.post(
            "/v1/import/quota/reservations", json=body, headers=from_declaration()
        )
        assert again.status_code == 201
        assert again.json()["yearTotalAfter"] == "4000.00"


async def test_amounts_must_be_decimal_strings_and_bad_fields_are_named(
    kafka_bootstrap: str, database_url: str, unique: str
) -> None:
    async with running(_app(kafka_bootstrap, database_url)) as (_, client):
        as_number = await client.post(
            "/v1/import/quota/reservations",
            headers=from_declaration(),
            json={**_reservation(unique, 1, "1"), "amount": 110.1},
        )
        bad_date = await client.post(
            "/v1/import/quota/reservations",
            headers=from_declaration(),
            json={**_reservation(unique, 1, "110.00"), "date": "2026-13-01"},
        )

        assert as_number.status_code == 422
        assert as_number.json()["violations"][0]["field"] == "amount"
        assert bad_date.status_code == 422
        assert bad_date.json()["violations"][0]["field"] == "date"


async def test_concurrent_reservations_of_one_buyer_never_exceed_26000(
    kafka_bootstrap: str, database_url: str, unique: str
) -> None:
    async with running(_app(kafka_bootstrap, database_url)) as (_, client):
        # 80 lists of 1,000.00 at once: exactly 26 fit in the year.
        answers = await asyncio.gather(
            *(
                client.post(
                    "/v1/import/quota/reservations",
                    json=_reservation(unique, n, "1000.00"),
                    headers=from_declaration(),
                )
                for n in range(80)
            )
        )

        statuses = sorted(a.status_code for a in answers)
        assert statuses.count(201) == 26
        assert statuses.count(409) == 54
        assert {a.json()["returnStatus"] for a in answers if a.status_code == 409} == {"-621018"}
        totals = sorted(D(a.json()["yearTotalAfter"]) for a in answers if a.status_code == 201)
        assert totals == [D(1000) * n for n in range(1, 27)]
        quota = await client.get(f"/v1/import/quota/B{unique}/2026", headers=OFFICER)
        assert quota.json()["counted"] == "26000.00"
        assert len(quota.json()["entries"]) == 26
