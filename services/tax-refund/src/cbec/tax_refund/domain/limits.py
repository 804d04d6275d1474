"""The two limits of CBEC retail imports (DOMAIN.md §6.4, 财关税〔2018〕49号).

Within the limits (5,000.00 CNY per transaction, 26,000.00 per buyer and calendar year, both
inclusive) a list is taxed at the retail rates; a single indivisible item above 5,000 but within
the buyer's annual room passes, taxed in full as general trade; anything else over a limit is
refused (-621005 / -621018) with every broken limit and its amounts::

    check = check_limits(Decimal("110.00"), annual_used=Decimal("25900.00"), single_item=False)
    check.passed, check.return_status    # (False, -621018)
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from cbec.tax_refund.domain.errors import (
    RETURN_STATUS_OVER_ANNUAL_LIMIT,
    RETURN_STATUS_OVER_SINGLE_LIMIT,
    RETURN_STATUS_REJECTED,
    Violation,
)
from cbec.tax_refund.domain.money import ZERO, to_fen

NOTICE = "财关税〔2018〕49号"


@dataclass(frozen=True, slots=True)
class ImportTaxPolicy:
    """The figures of 财关税〔2018〕49号 (DOMAIN.md §6.4); a deployment may pass others."""

    single_limit: Decimal = Decimal("5000.00")
    annual_limit: Decimal = Decimal("26000.00")
    # VAT and consumption tax within the limits are levied at 70% of the statutory amount.
    retail_share: Decimal = Decimal("0.7")
    # A return applied for within 30 days of release, goods back within 45 days, is not taxed
    # and restores the buyer's annual amount.
    return_apply_days: int = 30
    return_goods_days: int = 45


DEFAULT_POLICY = ImportTaxPolicy()


class TaxMode(StrEnum):
    """How a list is taxed: the retail rates, or in full as general trade (single item)."""

    RETAIL = "retail"
    GENERAL_TRADE = "general-trade"


@dataclass(frozen=True, slots=True)
class LimitCheck:
    """The limits of one transaction: how it is taxed, or every limit it breaks."""

    mode: TaxMode
    violations: tuple[Violation, ...] = ()
    return_status: int = RETURN_STATUS_REJECTED

    @property
    def passed(self) -> bool:
        return not self.violations


def check_limits(
    transaction: Decimal,
    *,
    annual_used: Decimal,
    single_item: bool,
    policy: ImportTaxPolicy = DEFAULT_POLICY,
) -> LimitCheck:
    """The two limits of 财关税〔2018〕49号 for a transaction of dutiable value ``transaction``.

    ``annual_used`` is what the buyer's year already counts without it. Above the single limit
    the transaction is refused (-621005) unless it is a single indivisible item within the
    annual room, which passes taxed as general trade; above the annual room it is refused
    (-621018, or -621005 when the single limit is broken too).
    """
    violations: list[Violation] = []
    within_room = annual_used + transaction <= policy.annual_limit
    over_single = transaction > policy.single_limit
    # The single indivisible item above the single limit passes when the year has room.
    single_item_passes = over_single and single_item and within_room
    status = RETURN_STATUS_REJECTED
    if over_single and not single_item_passes:
        status = RETURN_STATUS_OVER_SINGLE_LIMIT
        violations.append(single_limit_violation(transaction, policy, single_item))
    if not within_room:
        if status == RETURN_STATUS_REJECTED:
            status = RETURN_STATUS_OVER_ANNUAL_LIMIT
        violations.append(annual_limit_violation(annual_used, transaction, policy))
    mode = TaxMode.GENERAL_TRADE if single_item_passes else TaxMode.RETAIL
    return LimitCheck(mode, tuple(violations), status)


def single_limit_violation(
    transaction: Decimal, policy: ImportTaxPolicy, single_item: bool
) -> Violation:
    rule = (
        f"{RETURN_STATUS_OVER_SINGLE_LIMIT}: the transaction's dutiable value "
        f"{_cny(transaction)} exceeds the single transaction limit {_cny(policy.single_limit)}"
    )
    if single_item:
        rule += " and the buyer's annual room"
    return Violation(
        field="taxPrice",
        rule=f"{rule} ({NOTICE})",
        value=_cny(transaction),
        expected=f"<= {_cny(policy.single_limit)}",
    )


def annual_limit_violation(
    used: Decimal, transaction: Decimal, policy: ImportTaxPolicy
) -> Violation:
    total = used + transaction
    room = max(policy.annual_limit - used, ZERO)
    return Violation(
        field="taxPrice",
        rule=(
            f"{RETURN_STATUS_OVER_ANNUAL_LIMIT}: the buyer's year already counts {_cny(used)}; "
            f"with this transaction's {_cny(transaction)} it would reach {_cny(total)}, over the "
            f"annual limit {_cny(policy.annual_limit)}, room left {_cny(room)} ({NOTICE})"
        ),
        value=_cny(total),
        expected=f"<= {_cny(policy.annual_limit)}",
    )


def _cny(amount: Decimal) -> str:
    return f"{to_fen(amount):,.2f} CNY"
