"""Exact decimal arithmetic for money: no binary floats, rounding only where a rule says so."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import ROUND_HALF_UP, Context, Decimal, Inexact, localcontext

CNY = "142"  # customs currency code of the renminbi (codes/currency.csv)
CENT = Decimal("0.01")
ZERO = Decimal(0)

# Enough digits for any product of two customs amounts (19 total digits each) without rounding.
_EXACT_PRECISION = 80


@contextmanager
def exact_arithmetic() -> Iterator[Context]:
    """A decimal context in which any rounding raises ``decimal.Inexact`` instead of happening."""
    with localcontext() as ctx:
        ctx.prec = _EXACT_PRECISION
        ctx.traps[Inexact] = True
        yield ctx


def round_cny(amount: Decimal) -> Decimal:
    """Round to 0.01 CNY, half away from zero (x.xx5 goes up), as settlement amounts are paid."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def fraction_digits(value: Decimal) -> int:
    """Fraction digits as the XSD ``fractionDigits`` facet counts them (trailing zeros are not)."""
    exponent = value.normalize().as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def total_digits(value: Decimal) -> int:
    """Significant digits as the XSD ``totalDigits`` facet counts them (``0.0120`` has 2)."""
    normalized = value.normalize().as_tuple()
    exponent = normalized.exponent
    digits = len(normalized.digits)
    if isinstance(exponent, int) and exponent > 0:
        return digits + exponent
    return digits
