"""Settlement in CNY per institution, payee and day: exact conversion, fees, rounding, idempotence.

The rule: convert each receipt exactly, sum per settlement, fee on the exact sum (at least the
minimum, at most the sum), round gross and fee each to 0.01 CNY half-up, net = gross − fee.
"""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cbec.payments.domain import (
    FeeTable,
    InconsistentInput,
    RateTable,
    ReceiptOfFunds,
    parse_fee_table,
    parse_rate_table,
    settle,
)
from tests.unit.payments.payments_factories import receipt

D = Decimal
DAY = date(2024, 5, 7)
NEXT_DAY = date(2024, 5, 8)
TENPAY = "4403169D3W"
OTHER_INSTITUTION = "1101110323"
SELLER = "1105910159"
OTHER_SELLER = "3702960AB1"

RATES = parse_rate_table(
    """date,currency,cnyPerUnit
2024-05-07,502,7.1225
2024-05-07,300,2.5
2024-05-07,303,8.901
2024-05-08,502,7.1301
"""
)


def fees(basis_points: str = "0", minimum: str = "0") -> FeeTable:
    return parse_fee_table(
        f"payCode,basisPoints,minimumFee\n{TENPAY},{basis_points},{minimum}\n"
        f"{OTHER_INSTITUTION},{basis_points},{minimum}\n"
    )


def usd(order: int, charge: str, **changes: Any) -> ReceiptOfFunds:
    fields: dict[str, Any] = {
        "orderNo": f"order2024050700{order:04d}",
        "charge": charge,
        "currency": "502",
        "payCode": TENPAY,
        "ebcCode": SELLER,
        "accountingDate": "20240507101500",
    }
    fields.update(changes)
    return receipt(**fields)


@pytest.mark.parametrize(
    ("charges", "currency", "gross_exact", "gross"),
    [
        (["10.00"], "502", "71.225000", "71.23"),  # x.xx5 rounds up
        (["2.00"], "502", "14.245000", "14.25"),  # half-up, where banker's rounding gives 14.24
        (["1.00", "1.00"], "502", "14.245000", "14.25"),  # sum then round: not 7.12 + 7.12
        (["0.001"], "502", "0.0071225", "0.01"),
        (["0.0007"], "502", "0.00498575", "0.00"),  # just under half a fen
        (["1.123"], "303", "9.995823", "10.00"),
        (["200.50"], "300", "501.250", "501.25"),
    ],
)
def test_receipts_convert_exactly_and_round_half_up_only_at_the_end(
    charges: list[str], currency: str, gross_exact: str, gross: str
) -> None:
    receipts = [usd(i, c, currency=currency) for i, c in enumerate(charges)]

    [settlement] = settle(receipts, through=DAY, rates=RATES, fees=fees()).settlements

    assert settlement.gross_exact == D(gross_exact)
    assert settlement.gross == D(gross)
    assert settlement.fee == D("0.00")
    assert settlement.net == D(gross)


@pytest.mark.parametrize(
    ("charge_eur", "basis_points", "minimum", "fee", "net"),
    [
        ("410", "10", "0", "1.03", "1023.97"),  # fee 1.025 exactly: half-up to 1.03
        ("409.8", "10", "0", "1.02", "1023.48"),  # fee 1.0245
        ("40000", "10", "5.00", "100.00", "99900.00"),  # proportional above the minimum
        ("40", "10", "5.00", "5.00", "95.00"),  # fee 0.10: the minimum applies
        ("2000", "10", "5.00", "5.00", "4995.00"),  # fee exactly the minimum
        ("2000.4", "10", "5.00", "5.00", "4996.00"),  # fee 5.001 rounds back to 5.00
        ("1", "10", "5.00", "2.50", "0.00"),  # the minimum exceeds the gross: capped at the gross
        ("100", "12.5", "0", "0.31", "249.69"),  # fractional basis points: 0.3125
    ],
)
def test_the_institutions_fee_is_its_basis_points_of_the_sum_at_least_its_minimum(
    charge_eur: str, basis_points: str, minimum: str, fee: str, net: str
) -> None:
    eur = usd(1, charge_eur, currency="300")

    [settlement] = settle(
        [eur], through=DAY, rates=RATES, fees=fees(basis_points, minimum)
    ).settlements

    assert settlement.fee == D(fee)
    assert settlement.net == D(net)
    assert settlement.net == settlement.gross - settlement.fee


def test_the_fee_is_taken_on_the_exact_sum_not_on_the_rounded_one() -> None:
    receipts = [usd(1, "1.00"), usd(2, "1.00")]  # exact gross 14.245

    [settlement] = settle(receipts, through=DAY, rates=RATES, fees=fees("1000")).settlements

    assert settlement.fee_exact == D("1.4245")
    assert settlement.fee == D("1.42")  # 10% of the rounded 14.25 would give 1.43
    assert settlement.net == D("12.83")


def test_large_amounts_stay_exact_beyond_the_default_decimal_precision() -> None:
    rates = parse_rate_table("date,currency,cnyPerUnit\n2024-05-07,502,7.123456789012345\n")
    big = usd(1, "12345678901234.56789")

    [settlement] = settle([big], through=DAY, rates=rates, fees=fees()).settlements

    assert settlement.gross_exact == D("87943910183965.85052353764595060205")
    # the default 28-digit context would have rounded it to 87943910183965.85052353764595


def test_a_settlement_groups_per_institution_per_payee_per_day_and_lists_its_documents() -> None:
    a = usd(1, "100")
    b = usd(2, "50", currency="300")
    other_payee = usd(3, "10", ebcCode=OTHER_SELLER)
    other_day = usd(4, "10", accountingDate="20240508093000")
    other_institution = usd(5, "10", payCode=OTHER_INSTITUTION)

    run = settle(
        [a, b, other_payee, other_day, other_institution],
        through=NEXT_DAY,
        rates=RATES,
        fees=fees(),
    )

    groups = {(s.pay_code, s.payee, s.day): s.document_ids for s in run.settlements}
    assert groups == {
        (TENPAY, SELLER, DAY): tuple(sorted((a.document_id, b.document_id))),
        (TENPAY, OTHER_SELLER, DAY): (other_payee.document_id,),
        (TENPAY, SELLER, NEXT_DAY): (other_day.document_id,),
        (OTHER_INSTITUTION, SELLER, DAY): (other_institution.document_id,),
    }
    mixed = next(s for s in run.settlements if len(s.lines) == 2)
    assert mixed.gross == D("837.25")  # 100 × 7.1225 + 50 × 2.5
    assert run.settled_document_ids == {
        r.document_id for r in (a, b, other_payee, other_day, other_institution)
    }


def test_each_receipt_converts_at_the_rate_of_its_own_accounting_day() -> None:
    late_day = usd(1, "100", accountingDate="20240508000000")

    [settlement] = settle([late_day], through=NEXT_DAY, rates=RATES, fees=fees()).settlements

    assert settlement.lines[0].rate == D("7.1301")
    assert settlement.gross == D("713.01")


def test_settling_the_same_day_twice_changes_nothing() -> None:
    receipts = [usd(1, "100"), usd(2, "20")]
    first = settle(receipts, through=DAY, rates=RATES, fees=fees("10", "5"))

    second = settle(
        receipts,
        through=DAY,
        rates=RATES,
        fees=fees("10", "5"),
        already_settled=first.settled_document_ids,
    )

    assert len(first.settlements) == 1
    assert second.settlements == ()
    assert second.held == ()


def test_the_same_receipts_in_any_order_make_the_same_settlements() -> None:
    receipts = [usd(i, f"{i}.5", currency=("502", "300")[i % 2]) for i in range(1, 9)]
    shuffled = receipts[:]
    random.Random(7).shuffle(shuffled)

    one = settle(receipts, through=DAY, rates=RATES, fees=fees("10", "5"))
    other = settle(shuffled, through=DAY, rates=RATES, fees=fees("10", "5"))

    assert one == other


def test_a_late_receipt_for_a_settled_day_goes_into_the_next_run_on_its_own() -> None:
    on_time = usd(1, "100")
    first = settle([on_time], through=DAY, rates=RATES, fees=fees("10", "5"))
    late = usd(2, "1")

    second = settle(
        [on_time, late],
        through=NEXT_DAY,
        rates=RATES,
        fees=fees("10", "5"),
        already_settled=first.settled_document_ids,
    )

    [supplement] = second.settlements
    assert supplement.document_ids == (late.document_id,)
    assert supplement.day == DAY
    assert supplement.lines[0].rate == D("7.1225")
    assert supplement.fee == D("5.00")
    assert supplement.settlement_id != first.settlements[0].settlement_id


def test_a_receipt_without_a_rate_for_its_day_is_held_until_the_rate_is_there() -> None:
    gbp_next_day = usd(1, "10", currency="303", accountingDate="20240508120000")

    first = settle([gbp_next_day], through=NEXT_DAY, rates=RATES, fees=fees())
    with_rate = parse_rate_table("date,currency,cnyPerUnit\n2024-05-08,303,8.9\n")
    second = settle(
        [gbp_next_day],
        through=NEXT_DAY,
        rates=with_rate,
        fees=fees(),
        already_settled=first.settled_document_ids,
    )

    assert first.settlements == ()
    assert [h.reason for h in first.held] == ["no rate for 303 on 2024-05-08"]
    assert second.settled_document_ids == {gbp_next_day.document_id}


def test_a_receipt_of_an_institution_without_a_fee_schedule_is_held() -> None:
    unknown = usd(1, "10", payCode="9999999999")

    run = settle([unknown], through=DAY, rates=RATES, fees=fees())

    assert run.settlements == ()
    assert [h.reason for h in run.held] == ["no fee schedule for payCode 9999999999"]


def test_cny_receipts_and_receipts_without_an_institution_are_not_settled() -> None:
    cny = usd(1, "100", currency="142")
    cash = usd(2, "100", payCode=None, payNo=None, payName="现金支付")

    run = settle([cny, cash], through=DAY, rates=RATES, fees=fees())

    assert run.settlements == ()
    assert run.held == ()
    assert {s.document_id for s in run.not_applicable} == {cny.document_id, cash.document_id}


def test_receipts_credited_after_the_run_day_wait_for_a_later_run() -> None:
    tomorrow = usd(1, "100", accountingDate="20240508000000")

    run = settle([tomorrow], through=DAY, rates=RATES, fees=fees())

    assert run.settlements == ()
    assert run.held == ()


def test_the_same_receipt_given_twice_is_refused() -> None:
    with pytest.raises(InconsistentInput, match="given twice"):
        settle([usd(1, "1"), usd(1, "1")], through=DAY, rates=RATES, fees=fees())


def test_an_empty_rate_table_holds_every_foreign_receipt() -> None:
    run = settle([usd(1, "1")], through=DAY, rates=RateTable({}), fees=fees())

    assert len(run.held) == 1


charges = st.decimals(min_value=D("0.00001"), max_value=D("99999999"), places=5)


@given(
    amounts=st.lists(charges, min_size=1, max_size=8),
    settled_first=st.lists(st.booleans(), min_size=8, max_size=8),
)
def test_any_receipts_are_each_settled_exactly_once_across_runs(
    amounts: list[Decimal], settled_first: list[bool]
) -> None:
    receipts = [usd(i, str(a)) for i, a in enumerate(amounts)]
    first_batch = [r for r, first in zip(receipts, settled_first, strict=False) if first]
    table = fees("10", "5")

    first = settle(first_batch, through=DAY, rates=RATES, fees=table)
    second = settle(
        receipts,
        through=DAY,
        rates=RATES,
        fees=table,
        already_settled=first.settled_document_ids,
    )
    third = settle(
        receipts,
        through=DAY,
        rates=RATES,
        fees=table,
        already_settled=first.settled_document_ids | second.settled_document_ids,
    )

    assert first.settled_document_ids.isdisjoint(second.settled_document_ids)
    assert first.settled_document_ids | second.settled_document_ids == {
        r.document_id for r in receipts
    }
    assert third.settlements == ()
    for settlement in (*first.settlements, *second.settlements):
        exact = sum((line.amount * D("7.1225") for line in settlement.lines), D(0))
        assert settlement.gross == exact.quantize(D("0.01"), rounding="ROUND_HALF_UP")
        assert D(0) <= settlement.fee <= settlement.gross
        assert settlement.net == settlement.gross - settlement.fee
