"""The rate and fee tables: Decimal values, and malformed lines refused by line number."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from importlib.resources import files

import pytest

from cbec.payments.data import load_fee_table, load_rate_table
from cbec.payments.domain import MalformedDataFile, parse_fee_table, parse_rate_table

RATES_HEADER = "date,currency,cnyPerUnit"
FEES_HEADER = "payCode,basisPoints,minimumFee"


def test_the_shipped_example_tables_load() -> None:
    rates = load_rate_table()
    fees = load_fee_table()

    assert rates.rate(date(2024, 5, 7), "502") == Decimal("7.1225")
    schedule = fees.schedule("4403169D3W")
    assert schedule is not None
    assert schedule.minimum_fee == Decimal("5.00")


def test_the_shipped_tables_say_they_are_examples() -> None:
    data = files("cbec.payments.data")

    for name in ("fx_rates.example.csv", "institution_fees.example.csv"):
        text = data.joinpath(name).read_text(encoding="utf-8")
        assert text.startswith("# EXAMPLE DATA, NOT REAL")


def test_rates_are_decimals_read_from_their_text_exactly() -> None:
    rates = parse_rate_table(f"{RATES_HEADER}\n2024-05-07,110,0.91104\n")

    rate = rates.rate(date(2024, 5, 7), "110")
    assert isinstance(rate, Decimal)
    assert str(rate) == "0.91104"


def test_cny_needs_no_rate_and_a_day_without_a_rate_has_none() -> None:
    rates = parse_rate_table(f"# comment\n\n{RATES_HEADER}\n2024-05-07,502,7.1225\n")

    assert rates.rate(date(2024, 5, 7), "142") == Decimal(1)
    assert rates.rate(date(2024, 5, 8), "502") is None


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        ("2024-13-01,502,7.1", "date must be yyyy-mm-dd"),
        ("20240507,502,7.1", "date must be yyyy-mm-dd"),
        ("2024-05-07,USD,7.1", "currency must be a 3-digit customs code"),
        ("2024-05-07,142,1", "currency 142 (CNY) takes no rate"),
        ("2024-05-07,502,seven", "cnyPerUnit must be a decimal > 0"),
        ("2024-05-07,502,0", "cnyPerUnit must be a decimal > 0"),
        ("2024-05-07,502,-7.1", "cnyPerUnit must be a decimal > 0"),
        ("2024-05-07,502", "must have 3 columns"),
        ("2024-05-07,502,7.1,extra", "must have 3 columns"),
    ],
)
def test_a_malformed_rate_line_is_refused_naming_the_line(line: str, rule: str) -> None:
    text = f"# example\n{RATES_HEADER}\n2024-05-06,502,7.1190\n{line}\n"

    with pytest.raises(MalformedDataFile) as caught:
        parse_rate_table(text, source="rates.csv")

    [violation] = caught.value.violations
    assert violation.field == "line 4"
    assert violation.rule == rule
    assert violation.value == line
    assert caught.value.source == "rates.csv"
    assert "rates.csv: line 4" in caught.value.message


def test_every_malformed_rate_line_is_reported_at_once() -> None:
    text = f"{RATES_HEADER}\nbad,502,7.1\n2024-05-07,502,7.1\n2024-05-07,USD,x\n"

    with pytest.raises(MalformedDataFile) as caught:
        parse_rate_table(text)

    assert [(v.field, v.rule) for v in caught.value.violations] == [
        ("line 2", "date must be yyyy-mm-dd"),
        ("line 4", "currency must be a 3-digit customs code"),
        ("line 4", "cnyPerUnit must be a decimal > 0"),
    ]


def test_a_second_rate_for_the_same_day_and_currency_is_refused() -> None:
    text = f"{RATES_HEADER}\n2024-05-07,502,7.1225\n2024-05-07,502,7.2000\n"

    with pytest.raises(MalformedDataFile) as caught:
        parse_rate_table(text)

    [violation] = caught.value.violations
    assert (violation.field, violation.expected) == ("line 3", "only line 2")


@pytest.mark.parametrize(
    "text", ["", "# only a comment\n", "day,currency,rate\n2024-05-07,502,7.1\n"]
)
def test_a_rate_table_without_its_header_is_refused(text: str) -> None:
    with pytest.raises(MalformedDataFile, match="header"):
        parse_rate_table(text)


def test_fee_schedules_are_read_per_institution() -> None:
    fees = parse_fee_table(f"{FEES_HEADER}\n4403169D3W,12.5,5\n")

    schedule = fees.schedule("4403169D3W")
    assert schedule is not None
    assert schedule.basis_points == Decimal("12.5")
    assert fees.schedule("1101110323") is None
    assert fees.schedule(None) is None


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        (",10,5", "payCode must be 1 to 18 characters"),
        ("4403169D3W,ten,5", "basisPoints must be a decimal 0 to 10000"),
        ("4403169D3W,10001,5", "basisPoints must be a decimal 0 to 10000"),
        ("4403169D3W,10,-5", "minimumFee must be a decimal >= 0 (CNY)"),
        ("4403169D3W,10", "must have 3 columns"),
    ],
)
def test_a_malformed_fee_line_is_refused_naming_the_line(line: str, rule: str) -> None:
    with pytest.raises(MalformedDataFile) as caught:
        parse_fee_table(f"{FEES_HEADER}\n{line}\n")

    [violation] = caught.value.violations
    assert (violation.field, violation.rule) == ("line 2", rule)


def test_a_second_fee_schedule_for_one_institution_is_refused() -> None:
    with pytest.raises(MalformedDataFile, match="duplicate fee schedule for 4403169D3W"):
        parse_fee_table(f"{FEES_HEADER}\n4403169D3W,10,5\n4403169D3W,12,5\n")
