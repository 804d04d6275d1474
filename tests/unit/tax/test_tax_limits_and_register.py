"""The limit check shared by reservations and assessments, revocations in the ledger, and the
zone's register of enterprises (DOMAIN.md §6.1, §6.4)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from cbec.tax_refund.domain import (
    RETURN_STATUS_OVER_ANNUAL_LIMIT,
    RETURN_STATUS_OVER_SINGLE_LIMIT,
    DataFileError,
    QuotaError,
    QuotaLedger,
    QuotaState,
    TaxMode,
    check_limits,
)
from cbec.tax_refund.domain.table_files import parse_zone_enterprises

D = Decimal
BUYER = "370102199001011234"


@pytest.mark.parametrize(
    ("amount", "used", "single", "mode", "status"),
    [
        ("5000.00", "21000.00", False, TaxMode.RETAIL, None),
        ("5000.01", "0", False, None, RETURN_STATUS_OVER_SINGLE_LIMIT),
        ("8000.00", "18000.00", True, TaxMode.GENERAL_TRADE, None),
        ("8000.00", "18000.01", True, None, RETURN_STATUS_OVER_SINGLE_LIMIT),
        ("100.00", "25900.01", False, None, RETURN_STATUS_OVER_ANNUAL_LIMIT),
    ],
)
def test_the_limits_of_one_transaction(
    amount: str, used: str, single: bool, mode: TaxMode | None, status: int | None
) -> None:
    result = check_limits(D(amount), annual_used=D(used), single_item=single)
    assert result.passed is (status is None)
    if status is None:
        assert result.mode is mode
    else:
        assert result.return_status == status
        assert result.violations


def test_a_revoked_list_stops_counting_even_after_release_and_may_be_declared_again() -> None:
    ledger = QuotaLedger()
    ledger.reserve("L1", BUYER, D("3000.00"), on=date(2026, 3, 1))
    ledger.use("L1", released_on=date(2026, 3, 2))
    assert ledger.withdraw("L1").state is QuotaState.CANCELLED
    assert ledger.withdraw("L1").state is QuotaState.CANCELLED
    assert ledger.counted(BUYER, 2026) == 0
    again = ledger.reserve("L1", BUYER, D("2500.00"), on=date(2026, 3, 5))
    assert (again.state, again.amount) == (QuotaState.RESERVED, D("2500.00"))


def test_a_restored_list_cannot_be_withdrawn() -> None:
    ledger = QuotaLedger()
    ledger.reserve("L1", BUYER, D("100.00"), on=date(2026, 3, 1))
    ledger.use("L1", released_on=date(2026, 3, 1))
    ledger.restore_on_return("L1", applied_on=date(2026, 3, 2), goods_back_on=date(2026, 3, 3))
    with pytest.raises(QuotaError):
        ledger.withdraw("L1")


def test_the_zone_register_reads_codes_and_the_small_low_profit_flag() -> None:
    register = parse_zone_enterprises(
        "# example\nebc_code,name,small_low_profit\n3702960001,A,no\n"
        "91370100MA3C000000,B,yes\n3702960003,C,\n",
        source="zone_enterprises.csv",
    )
    assert register.codes == {"3702960001", "91370100MA3C000000", "3702960003"}
    assert register.small_low_profit == {"91370100MA3C000000"}


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("37029,A,no", "10 or 18"),
        ("3702960001,A,maybe", "yes or no"),
        ("3702960001,A,no\n3702960001,B,no", "already given on line 2"),
    ],
)
def test_a_malformed_register_names_its_line(row: str, reason: str) -> None:
    with pytest.raises(DataFileError, match=reason) as error:
        parse_zone_enterprises(f"ebc_code,name,small_low_profit\n{row}\n", source="z.csv")
    assert error.value.line >= 2
