"""Money arithmetic of the tax rules: Decimal only, rounded to the fen (0.01 CNY).

Rounding is ROUND_HALF_UP (四舍五入), the rounding customs and the tax authority apply to tax
amounts; ``Decimal``'s default (ROUND_HALF_EVEN, banker's rounding) would turn 0.125 into 0.12
where a tax bill shows 0.13. Only final amounts are rounded: intermediate results (such as the
dutiable value divided by 1 − c) keep full precision.

    >>> to_fen(Decimal("13.588235"))
    Decimal('13.59')
    >>> spread(Decimal("10"), [Decimal("60"), Decimal("40")])
    [Decimal('6.00'), Decimal('4.00')]
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

FEN = Decimal("0.01")
ZERO = Decimal("0.00")


def to_fen(amount: Decimal) -> Decimal:
    """``amount`` rounded half up to 0.01."""
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)


def spread(total: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """Split ``total`` over ``weights`` in proportion, each share in fen, summing exactly.

    Every share but the last is rounded half up; the last takes the remainder, so the shares
    add up to ``total`` (rounded to the fen) exactly. In the rare case where rounding up the
    other shares would leave the last one negative (a last weight far smaller than the
    rounding), the other shares are rounded down instead.
    """
    if not weights:
        raise ValueError("spread needs at least one weight")
    if any(w < 0 for w in weights):
        raise ValueError("weights must not be negative")
    whole = sum(weights, Decimal(0))
    if whole <= 0:
        raise ValueError("weights must add up to more than 0")
    if total < 0:
        raise ValueError("the total to spread must not be negative")
    target = to_fen(total)
    shares = _shares(target, weights[:-1], whole, ROUND_HALF_UP)
    if sum(shares, ZERO) > target:
        shares = _shares(target, weights[:-1], whole, ROUND_DOWN)
    return [*shares, target - sum(shares, ZERO)]


def _shares(
    target: Decimal, weights: Sequence[Decimal], whole: Decimal, rounding: str
) -> list[Decimal]:
    return [(target * w / whole).quantize(FEN, rounding=rounding) for w in weights]
