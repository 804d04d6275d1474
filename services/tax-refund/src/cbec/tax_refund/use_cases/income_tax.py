"""The deemed corporate income tax of an enterprise's year from its exempt export lines
(revenue × 4% × the rate; 国家税务总局公告2019年第36号, DOMAIN.md §6.2).
"""

from __future__ import annotations

from typing import Any

from cbec.shared.clock import utcnow
from cbec.shared.errors import NotFound, Violation
from cbec.tax_refund.domain import (
    DeemedIncomeTax,
    IncomeTaxPolicy,
    TaxTables,
    deemed_income_tax,
    deemed_income_taxes,
)
from cbec.tax_refund.domain.access import Who, may_read
from cbec.tax_refund.domain.money import ZERO
from cbec.tax_refund.unit_of_work import TaxWork


async def statement(
    work: TaxWork, who: Who, ebc_code: str, year: int, tables: TaxTables
) -> dict[str, Any]:
    """The statement of ``ebc_code``'s year, recorded as computed now; for the enterprise
    itself, officers and operators (not on file for anyone else)."""
    if not may_read(who, [ebc_code]):
        raise NotFound(
            f"no income tax statement of {ebc_code} for {year}",
            [Violation(field="ebcCode", rule="must be the calling enterprise", value=ebc_code)],
        )
    decisions = await work.exports.exempt_lines(ebc_code, year)
    relieved = await work.register.small_low_profit(ebc_code)
    policy = IncomeTaxPolicy(relief=tables.income_tax_relief)
    found = deemed_income_taxes(
        decisions,
        tables.exchange_rates,
        policy=policy,
        small_low_profit=frozenset({ebc_code}) if relieved else frozenset(),
    )
    tax: DeemedIncomeTax
    if found:
        (tax,) = found
    else:
        tax = deemed_income_tax(ebc_code, year, ZERO, policy=policy, small_low_profit=relieved)
    row = await work.statements.get_or_new(ebc_code, year)
    row.revenue = str(tax.revenue)
    row.taxable_income = str(tax.taxable_income)
    row.tax = str(tax.tax)
    row.relief_applied = tax.relief_applied
    row.lines = len(decisions)
    row.computed_at = utcnow()
    work.statements.save(row)
    return {
        "ebcCode": ebc_code,
        "year": year,
        "exemptLines": len(decisions),
        "revenue": str(tax.revenue),
        "deemedProfitRate": str(policy.deemed_profit_rate),
        "taxableIncome": str(tax.taxable_income),
        "tax": str(tax.tax),
        "reliefApplied": tax.relief_applied,
        "standardRate": str(policy.standard_rate),
        "computedAt": row.computed_at.isoformat(),
    }
