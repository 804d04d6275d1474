from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cbec.tax_refund.domain.money import spread, to_fen

D = Decimal


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("13.588235", "13.59"),
        ("11.776470", "11.78"),
        ("0.125", "0.13"),  # half up, where banker's rounding would give 0.12
        ("0.135", "0.14"),
        ("0.134999", "0.13"),
        ("10.01", "10.01"),
    ],
)
def test_amounts_round_half_up_to_the_fen(amount: str, expected: str) -> None:
    assert to_fen(D(amount)) == D(expected)


@pytest.mark.parametrize(
    ("total", "weights", "expected"),
    [
        ("10", ["100"], ["10.00"]),
        ("10", ["60", "40"], ["6.00", "4.00"]),
        ("10", ["1", "1", "1"], ["3.33", "3.33", "3.34"]),
        ("0.02", ["1", "1", "1"], ["0.01", "0.01", "0.00"]),
        ("0", ["5", "7"], ["0.00", "0.00"]),
        # rounding the first shares up would leave the last one negative: they round down
        ("0.01", ["1", "1", "0.0001"], ["0.00", "0.00", "0.01"]),
    ],
)
def test_spreading_puts_the_rounding_remainder_on_the_last_line(
    total: str, weights: list[str], expected: list[str]
) -> None:
    assert spread(D(total), [D(w) for w in weights]) == [D(e) for e in expected]


@pytest.mark.parametrize(
    ("total", "weights"),
    [("10", []), ("10", ["0", "0"]), ("10", ["-1", "2"]), ("-1", ["1"])],
)
def test_spreading_refuses_weights_or_totals_that_cannot_be_shared(
    total: str, weights: list[str]
) -> None:
    with pytest.raises(ValueError, match=r"spread|weights|total"):
        spread(D(total), [D(w) for w in weights])


amounts = st.decimals(min_value=0, max_value=100_000, places=2, allow_nan=False)
positive = st.decimals(min_value=D("0.01"), max_value=100_000, places=2, allow_nan=False)


@given(total=amounts, weights=st.lists(positive, min_size=1, max_size=99))
def test_spread_shares_are_never_negative_and_add_up_exactly(
    total: Decimal, weights: list[Decimal]
) -> None:
    shares = spread(total, weights)
    assert sum(shares, D(0)) == total
    assert all(share >= 0 for share in shares)
    assert all(share == share.quantize(D("0.01")) for share in shares)
