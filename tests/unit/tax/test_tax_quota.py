from datetime import date
from decimal import Decimal

import pytest

from cbec.tax_refund.domain.errors import ImportTaxRefused, QuotaError, UnknownQuotaEntry
from cbec.tax_refund.domain.quota import QuotaEntry, QuotaLedger, QuotaState

D = Decimal
BUYER = "370102199001011234"


def released(ledger: QuotaLedger, key: str, amount: str, on: date) -> None:
    ledger.reserve(key, BUYER, D(amount), on=on)
    ledger.use(key, released_on=on)


def test_a_reservation_counts_in_the_buyers_year_at_once() -> None:
    ledger = QuotaLedger()
    ledger.reserve("L1", BUYER, D("1000.00"), on=date(2025, 3, 1))
    assert ledger.counted(BUYER, 2025) == D("1000.00")
    assert ledger.room(BUYER, 2025) == D("25000.00")


def test_the_year_may_reach_exactly_26000() -> None:
    ledger = QuotaLedger()
    released(ledger, "L1", "25000.00", date(2025, 3, 1))
    ledger.reserve("L2", BUYER, D("1000.00"), on=date(2025, 3, 2))
    assert ledger.counted(BUYER, 2025) == D("26000.00")
    assert ledger.room(BUYER, 2025) == 0


def test_a_reservation_taking_the_year_to_26000_01_is_refused_with_the_amounts() -> None:
    ledger = QuotaLedger()
    released(ledger, "L1", "25000.00", date(2025, 3, 1))
    with pytest.raises(ImportTaxRefused) as refused:
        ledger.reserve("L2", BUYER, D("1000.01"), on=date(2025, 3, 2))
    assert refused.value.return_status == -621018
    assert "25,000.00 CNY" in refused.value.return_info
    assert "26,000.01 CNY" in refused.value.return_info
    assert ledger.counted(BUYER, 2025) == D("25000.00")


@pytest.mark.parametrize(
    ("first", "second", "second_passes"),
    [
        (date(2025, 12, 31), date(2025, 12, 31), False),  # the same year: no room left
        (date(2025, 12, 31), date(2026, 1, 1), True),  # a new year starts with full room
    ],
)
def test_the_annual_limit_is_per_calendar_year(
    first: date, second: date, second_passes: bool
) -> None:
    ledger = QuotaLedger()
    released(ledger, "L1", "26000.00", first)
    if second_passes:
        ledger.reserve("L2", BUYER, D("5000.00"), on=second)
        assert ledger.counted(BUYER, 2026) == D("5000.00")
        assert ledger.counted(BUYER, 2025) == D("26000.00")
    else:
        with pytest.raises(ImportTaxRefused):
            ledger.reserve("L2", BUYER, D("0.01"), on=second)


def test_a_list_reserved_on_31_december_stays_in_that_year_when_released_in_january() -> None:
    ledger = QuotaLedger()
    ledger.reserve("L1", BUYER, D("100.00"), on=date(2025, 12, 31))
    ledger.use("L1", released_on=date(2026, 1, 1))
    assert ledger.counted(BUYER, 2025) == D("100.00")
    assert ledger.counted(BUYER, 2026) == 0


def test_buyers_do_not_share_a_quota_and_the_id_check_letter_is_case_blind() -> None:
    ledger = QuotaLedger()
    ledger.reserve("L1", "37010219900101123x", D("26000.00"), on=date(2025, 5, 1))
    assert ledger.counted("37010219900101123X", 2025) == D("26000.00")
    assert ledger.room("370102199001019999", 2025) == D("26000.00")


@pytest.mark.parametrize(
    ("applied_on", "goods_back_on", "restored", "failed"),
    [
        (date(2025, 3, 31), date(2025, 4, 15), True, []),  # day 30 and day 45: inside
        (date(2025, 3, 10), date(2025, 3, 20), True, []),
        (date(2025, 4, 1), date(2025, 4, 10), False, ["appTime"]),  # applied on day 31
        (date(2025, 3, 20), date(2025, 4, 16), False, ["goodsBackOn"]),  # back on day 46
        (date(2025, 5, 1), date(2025, 5, 20), False, ["appTime", "goodsBackOn"]),
    ],
)
def test_a_return_restores_the_quota_only_inside_the_30_and_45_day_window(
    applied_on: date, goods_back_on: date, restored: bool, failed: list[str]
) -> None:
    ledger = QuotaLedger()
    released(ledger, "L1", "6000.00", date(2025, 3, 1))
    outcome = ledger.restore_on_return("L1", applied_on=applied_on, goods_back_on=goods_back_on)
    assert outcome.restored is restored
    assert [reason.field for reason in outcome.reasons] == failed
    assert ledger.counted(BUYER, 2025) == (D(0) if restored else D("6000.00"))


def test_a_restored_amount_can_be_spent_again() -> None:
    ledger = QuotaLedger()
    released(ledger, "L1", "26000.00", date(2025, 3, 1))
    ledger.restore_on_return("L1", applied_on=date(2025, 3, 5), goods_back_on=date(2025, 3, 9))
    ledger.reserve("L2", BUYER, D("26000.00"), on=date(2025, 3, 10))
    assert ledger.counted(BUYER, 2025) == D("26000.00")


def test_a_cancelled_reservation_no_longer_counts() -> None:
    ledger = QuotaLedger()
    ledger.reserve("L1", BUYER, D("3000.00"), on=date(2025, 3, 1))
    assert ledger.cancel("L1").state is QuotaState.CANCELLED
    assert ledger.counted(BUYER, 2025) == 0


def test_repeating_an_operation_changes_nothing() -> None:
    ledger = QuotaLedger()
    first = ledger.reserve("L1", BUYER, D("3000.00"), on=date(2025, 3, 1))
    assert ledger.reserve("L1", BUYER, D("3000.00"), on=date(2025, 3, 1)) == first
    ledger.use("L1", released_on=date(2025, 3, 2))
    ledger.use("L1", released_on=date(2025, 3, 2))
    ledger.restore_on_return("L1", applied_on=date(2025, 3, 3), goods_back_on=date(2025, 3, 4))
    again = ledger.restore_on_return(
        "L1", applied_on=date(2025, 3, 3), goods_back_on=date(2025, 3, 4)
    )
    assert again.restored
    assert ledger.counted(BUYER, 2025) == 0
    assert len(ledger.entries()) == 1


@pytest.mark.parametrize(
    "operation",
    [
        lambda ledger: ledger.reserve("L1", BUYER, D("3000.01"), on=date(2025, 3, 1)),
        lambda ledger: ledger.cancel("L2"),  # released: cannot be cancelled
        lambda ledger: ledger.use("L1", released_on=date(2025, 2, 28)),  # before reservation
        lambda ledger: ledger.restore_on_return(
            "L1", applied_on=date(2025, 3, 2), goods_back_on=date(2025, 3, 2)
        ),  # never released
        lambda ledger: ledger.reserve("L3", BUYER, D("0"), on=date(2025, 3, 1)),
    ],
)
def test_an_operation_that_contradicts_the_ledger_is_refused(operation) -> None:
    ledger = QuotaLedger()
    ledger.reserve("L1", BUYER, D("3000.00"), on=date(2025, 3, 1))
    released(ledger, "L2", "100.00", date(2025, 3, 1))
    before = ledger.entries()
    with pytest.raises(QuotaError):
        operation(ledger)
    assert ledger.entries() == before


def test_an_unknown_list_is_reported_as_not_found() -> None:
    with pytest.raises(UnknownQuotaEntry) as error:
        QuotaLedger().use("nope", released_on=date(2025, 1, 1))
    assert error.value.status_code == 404


def test_a_ledger_is_rebuilt_from_its_stored_entries() -> None:
    ledger = QuotaLedger()
    released(ledger, "L1", "1000.00", date(2025, 3, 1))
    rebuilt = QuotaLedger(ledger.entries())
    assert rebuilt.counted(BUYER, 2025) == D("1000.00")
    assert rebuilt.entry("L1") == QuotaEntry(
        "L1",
        BUYER,
        2025,
        D("1000.00"),
        QuotaState.USED,
        reserved_on=date(2025, 3, 1),
        released_on=date(2025, 3, 1),
    )
    with pytest.raises(QuotaError):
        QuotaLedger([*ledger.entries(), *ledger.entries()])
