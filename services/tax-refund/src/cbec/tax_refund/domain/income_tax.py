"""Deemed corporate income tax of exempt exports (DOMAIN.md §6.2).

国家税务总局公告2019年第36号, from 2020-01-01: an enterprise of the zone whose exports meet the
three conditions of 财税〔2018〕103号 is taxed on a deemed income: taxable income = revenue × 4%,
tax = taxable income × the income tax rate (25% standard, 企业所得税法 art. 4). A small
low-profit enterprise pays the effective rates of its bracket instead, as configured in the
relief table (``tables.IncomeTaxRelief``), each on its portion of the taxable income; above the
last bracket it is not small low-profit and pays the standard rate on all of it.

Example: revenue 10,000,000 CNY -> taxable income 400,000 -> tax 100,000 at 25%::

    deemed_income_tax("3701960002", 2025, Decimal("10000000"), policy=IncomeTaxPolicy())

Revenue is the exempt lines' values in CNY, each converted at the customs exchange rate of the
month of its export date and rounded half up to the fen; taxable income and tax are rounded
half up to the fen too.
"""

from __future__ import annotations

from collections.abc import Container, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from cbec.tax_refund.domain.errors import TaxError, Violation
from cbec.tax_refund.domain.exemption import ExemptionDecision
from cbec.tax_refund.domain.money import ZERO, to_fen
from cbec.tax_refund.domain.tables import ExchangeRates, IncomeTaxRelief


@dataclass(frozen=True, slots=True)
class IncomeTaxPolicy:
    # 国家税务总局公告2019年第36号: the deemed taxable income is 4% of revenue.
    deemed_profit_rate: Decimal = Decimal("0.04")
    # 企业所得税法 art. 4: the standard corporate income tax rate.
    standard_rate: Decimal = Decimal("0.25")
    relief: IncomeTaxRelief = field(default_factory=lambda: IncomeTaxRelief("<none>"))
    # The announcement applies from 2020-01-01.
    first_year: int = 2020


@dataclass(frozen=True, slots=True)
class DeemedIncomeTax:
    ebc_code: str
    year: int
    revenue: Decimal
    taxable_income: Decimal
    tax: Decimal
    relief_applied: bool


def deemed_income_tax(
    ebc_code: str,
    year: int,
    revenue: Decimal,
    *,
    policy: IncomeTaxPolicy,
    small_low_profit: bool = False,
) -> DeemedIncomeTax:
    """The deemed income tax of one enterprise's year of exempt export revenue."""
    violations: list[Violation] = []
    if revenue < 0:
        violations.append(
            Violation(field="revenue", rule="revenue must not be negative", value=revenue)
        )
    if year < policy.first_year:
        violations.append(
            Violation(
                field="year",
                rule=f"the deemed income tax applies from {policy.first_year}",
                value=year,
                expected=f">= {policy.first_year}",
            )
        )
    if violations:
        raise TaxError(violations)
    taxable = to_fen(revenue * policy.deemed_profit_rate)
    relieved = _relieved_tax(taxable, year, policy.relief) if small_low_profit else None
    tax = relieved if relieved is not None else to_fen(taxable * policy.standard_rate)
    return DeemedIncomeTax(
        ebc_code=ebc_code,
        year=year,
        revenue=revenue,
        taxable_income=taxable,
        tax=tax,
        relief_applied=relieved is not None,
    )


def _relieved_tax(taxable: Decimal, year: int, relief: IncomeTaxRelief) -> Decimal | None:
    brackets = relief.brackets_for(year)
    if not brackets or taxable > brackets[-1].income_up_to:
        return None
    tax = ZERO
    for bracket in brackets:
        portion = min(taxable, bracket.income_up_to) - bracket.income_over
        if portion > 0:
            tax += portion * bracket.effective_rate
    return to_fen(tax)


def annual_exempt_revenue(
    decisions: Iterable[ExemptionDecision], exchange_rates: ExchangeRates
) -> dict[tuple[str, int], Decimal]:
    """Revenue in CNY of the exempt lines, per (ebcCode, calendar year of the export date)."""
    revenue: dict[tuple[str, int], Decimal] = {}
    violations: list[Violation] = []
    for decision in decisions:
        if not decision.exempt:
            continue
        rate = exchange_rates.rate(decision.currency, decision.ie_date)
        if rate is None:
            violations.append(
                Violation(
                    field="currency",
                    rule=(
                        f"no customs exchange rate in {decision.ie_date:%Y-%m} "
                        f"(list {decision.invt_no}, line {decision.gnum})"
                    ),
                    value=decision.currency,
                )
            )
            continue
        key = (decision.ebc_code, decision.ie_date.year)
        revenue[key] = revenue.get(key, ZERO) + to_fen(decision.total_price * rate)
    if violations:
        raise TaxError(violations)
    return revenue


def deemed_income_taxes(
    decisions: Iterable[ExemptionDecision],
    exchange_rates: ExchangeRates,
    *,
    policy: IncomeTaxPolicy,
    small_low_profit: Container[str] = frozenset(),
) -> tuple[DeemedIncomeTax, ...]:
    """The deemed income tax of every enterprise and year found in ``decisions``;
    ``small_low_profit`` holds the codes of the enterprises that qualify for the relief."""
    revenue = annual_exempt_revenue(decisions, exchange_rates)
    return tuple(
        deemed_income_tax(
            ebc_code,
            year,
            amount,
            policy=policy,
            small_low_profit=ebc_code in small_low_profit,
        )
        for (ebc_code, year), amount in sorted(revenue.items())
    )
