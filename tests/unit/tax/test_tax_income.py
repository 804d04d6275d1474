from datetime import date
from decimal import Decimal

import pytest

from cbec.tax_refund.domain.errors import TaxError
from cbec.tax_refund.domain.exemption import ExemptionDecision
from cbec.tax_refund.domain.income_tax import (
    IncomeTaxPolicy,
    annual_exempt_revenue,
    deemed_income_tax,
    deemed_income_taxes,
)
from cbec.tax_refund.domain.table_files import parse_income_tax_relief
from cbec.tax_refund.domain.tables import ExchangeRates

D = Decimal
RELIEF = parse_income_tax_relief(
    "from_year,to_year,income_over,income_up_to,effective_rate\n"
    "2020,2020,0,1000000,0.05\n"
    "2020,2020,1000000,3000000,0.10\n"
    "2023,2027,0,3000000,0.05\n",
    "relief.csv",
)
POLICY = IncomeTaxPolicy(relief=RELIEF)


def test_the_worked_example_of_announcement_2019_36() -> None:
    # DOMAIN.md §6.2: revenue 10,000,000 -> taxable income 400,000 -> tax 100,000 at 25%
    result = deemed_income_tax("3701960002", 2025, D("10000000"), policy=POLICY)
    assert result.taxable_income == D("400000.00")
    assert result.tax == D("100000.00")
    assert not result.relief_applied


@pytest.mark.parametrize(
    ("year", "revenue", "taxable", "tax", "relieved"),
    [
        (2025, "10000000", "400000.00", "20000.00", True),  # 400,000 × 5%
        (2025, "75000000", "3000000.00", "150000.00", True),  # the top of the bracket
        (2025, "75000000.25", "3000000.01", "750000.00", False),  # above it: standard 25%
        # 2020: 1,000,000 × 5% + 1,000,000 × 10% = 150,000
        (2020, "50000000", "2000000.00", "150000.00", True),
        (2021, "10000000", "400000.00", "100000.00", False),  # no relief configured
    ],
)
def test_small_low_profit_enterprises_pay_the_configured_bracket_rates(
    year: int, revenue: str, taxable: str, tax: str, relieved: bool
) -> None:
    result = deemed_income_tax("3701960002", year, D(revenue), policy=POLICY, small_low_profit=True)
    assert (result.taxable_income, result.tax, result.relief_applied) == (
        D(taxable),
        D(tax),
        relieved,
    )


@pytest.mark.parametrize(("year", "revenue"), [(2019, "100"), (2025, "-1")])
def test_a_year_before_the_announcement_or_a_negative_revenue_is_refused(
    year: int, revenue: str
) -> None:
    with pytest.raises(TaxError):
        deemed_income_tax("3701960002", year, D(revenue), policy=POLICY)


def decision(ebc: str, day: date, total: str, currency: str, exempt: bool = True):
    return ExemptionDecision(
        invt_no="43002025E000000001",
        gnum=1,
        gcode="6109100000",
        ebc_code=ebc,
        ie_date=day,
        currency=currency,
        total_price=D(total),
        exempt=exempt,
    )


FX = ExchangeRates("fx", {("2025-12", "502"): D("7.0500"), ("2026-01", "502"): D("7.0000")})


def test_revenue_counts_exempt_lines_per_enterprise_and_calendar_year() -> None:
    decisions = [
        decision("A", date(2025, 12, 31), "100", "502"),  # 705.00
        decision("A", date(2025, 12, 1), "1000", "142"),
        decision("A", date(2026, 1, 1), "100", "502"),  # 700.00, next year
        decision("B", date(2025, 12, 31), "10", "502"),  # 70.50
        decision("A", date(2025, 12, 31), "999999", "142", exempt=False),
    ]
    assert annual_exempt_revenue(decisions, FX) == {
        ("A", 2025): D("1705.00"),
        ("A", 2026): D("700.00"),
        ("B", 2025): D("70.50"),
    }


def test_a_missing_exchange_rate_stops_the_revenue_with_the_line_named() -> None:
    with pytest.raises(TaxError, match="2025-11"):
        annual_exempt_revenue([decision("A", date(2025, 11, 30), "1", "502")], FX)


def test_the_tax_of_every_enterprise_year_is_computed_from_the_decisions() -> None:
    decisions = [
        decision("A", date(2025, 12, 31), "10000000", "142"),
        decision("B", date(2025, 12, 31), "10000000", "142"),
    ]
    results = deemed_income_taxes(decisions, FX, policy=POLICY, small_low_profit={"B"})
    assert [(r.ebc_code, r.year, r.tax) for r in results] == [
        ("A", 2025, D("100000.00")),
        ("B", 2025, D("20000.00")),
    ]
