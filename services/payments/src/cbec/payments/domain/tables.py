"""Data tables of settlement: the day's exchange rates and the payment institutions' fees.

Neither is published as data the platform can rely on, so both are CSV files a deployment
provides (``cbec/payments/data`` ships clearly marked examples). The parsers here are pure:
they take the text and refuse a malformed table as a whole, naming every bad line::

    rates = parse_rate_table(text, source="fx_rates.csv")
    rates.rate(date(2024, 5, 7), "502")   # CNY per 1 USD on that day, as a Decimal

Rate file columns: ``date`` (yyyy-mm-dd), ``currency`` (3-digit customs code), ``cnyPerUnit``
(CNY for one unit of the currency). Fee file columns: ``payCode``, ``basisPoints`` (fee as
1/10000 of the settled amount), ``minimumFee`` (CNY). Lines starting with ``#`` and blank
lines are ignored; the first other line is the header.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from cbec.payments.domain.errors import MalformedDataFile
from cbec.payments.domain.money import CNY, ZERO, exact_arithmetic
from cbec.shared.errors import Violation

RATE_COLUMNS = ("date", "currency", "cnyPerUnit")
FEE_COLUMNS = ("payCode", "basisPoints", "minimumFee")
BASIS_POINTS_PER_UNIT = Decimal(10000)

_CURRENCY_CODE = re.compile(r"\d{3}")
_DECIMAL_TEXT = re.compile(r"\d+(\.\d+)?")


def _rows(
    text: str, columns: tuple[str, ...], violations: list[Violation]
) -> list[tuple[int, str, list[str]]]:
    """(line number, line, cells) of every data line; a bad header or width is a violation."""
    rows: list[tuple[int, str, list[str]]] = []
    header_seen = False
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = [cell.strip() for cell in next(csv.reader([line]))]
        if not header_seen:
            header_seen = True
            if tuple(cells) != columns:
                violations.append(
                    Violation(
                        f"line {number}", "header must name the columns", line, ",".join(columns)
                    )
                )
            continue
        if len(cells) != len(columns):
            violations.append(
                Violation(f"line {number}", f"must have {len(columns)} columns", line, len(columns))
            )
            continue
        rows.append((number, line, cells))
    if not header_seen:
        violations.append(Violation("line 1", "header is missing", None, ",".join(columns)))
    return rows


def _non_negative_decimal(text: str) -> Decimal | None:
    if not _DECIMAL_TEXT.fullmatch(text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


@dataclass(frozen=True, slots=True)
class RateTableVersion:
    """A rate table as loaded: its version (the newest is in force), source and size."""

    version: int
    source: str
    rates: int
    loaded_by: str | None
    loaded_at: datetime


@dataclass(frozen=True, slots=True)
class RateTable:
    """CNY per unit of a foreign currency, per calendar day."""

    rates: Mapping[tuple[date, str], Decimal]

    def rate(self, day: date, currency: str) -> Decimal | None:
        """The day's rate; 1 for CNY itself; None when the table has no rate for that day."""
        if currency == CNY:
            return Decimal(1)
        return self.rates.get((day, currency))


def parse_rate_table(text: str, *, source: str = "rate table") -> RateTable:
    """Read a rate table; :class:`MalformedDataFile` names each malformed line."""
    violations: list[Violation] = []
    rates: dict[tuple[date, str], Decimal] = {}
    first_line: dict[tuple[date, str], int] = {}
    for number, line, (day_text, currency, rate_text) in _rows(text, RATE_COLUMNS, violations):
        where = f"line {number}"
        ok = True
        try:
            day = date.fromisoformat(day_text)
            if len(day_text) != len("yyyy-mm-dd"):
                raise ValueError(day_text)
        except ValueError:
            violations.append(Violation(where, "date must be yyyy-mm-dd", line))
            ok = False
        if not _CURRENCY_CODE.fullmatch(currency):
            violations.append(Violation(where, "currency must be a 3-digit customs code", line))
            ok = False
        elif currency == CNY:
            violations.append(Violation(where, "currency 142 (CNY) takes no rate", line))
            ok = False
        rate = _non_negative_decimal(rate_text)
        if rate is None or rate == ZERO:
            violations.append(Violation(where, "cnyPerUnit must be a decimal > 0", line))
            ok = False
        if not ok or rate is None:
            continue
        key = (day, currency)
        if key in first_line:
            violations.append(
                Violation(
                    where,
                    f"duplicate rate for {currency} on {day}",
                    line,
                    f"only line {first_line[key]}",
                )
            )
            continue
        first_line[key] = number
        rates[key] = rate
    if violations:
        raise MalformedDataFile(source, violations)
    return RateTable(rates)


@dataclass(frozen=True, slots=True)
class FeeSchedule:
    """A payment institution's settlement fee: basis points of the amount, at least a minimum."""

    pay_code: str
    basis_points: Decimal
    minimum_fee: Decimal

    def fee_on(self, gross: Decimal) -> Decimal:
        """The exact fee on an exact CNY amount: ``max(gross × bp / 10000, minimum)``."""
        with exact_arithmetic():
            proportional = gross * self.basis_points / BASIS_POINTS_PER_UNIT
        return max(proportional, self.minimum_fee)


@dataclass(frozen=True, slots=True)
class FeeTable:
    """The fee schedule of each payment institution, by its customs code ``payCode``."""

    schedules: Mapping[str, FeeSchedule]

    def schedule(self, pay_code: str | None) -> FeeSchedule | None:
        return None if pay_code is None else self.schedules.get(pay_code)


def parse_fee_table(text: str, *, source: str = "fee table") -> FeeTable:
    """Read a fee table; :class:`MalformedDataFile` names each malformed line."""
    violations: list[Violation] = []
    schedules: dict[str, FeeSchedule] = {}
    first_line: dict[str, int] = {}
    for number, line, (pay_code, bp_text, minimum_text) in _rows(text, FEE_COLUMNS, violations):
        where = f"line {number}"
        ok = True
        if not pay_code or len(pay_code) > 18:
            violations.append(Violation(where, "payCode must be 1 to 18 characters", line))
            ok = False
        basis_points = _non_negative_decimal(bp_text)
        if basis_points is None or basis_points > BASIS_POINTS_PER_UNIT:
            violations.append(Violation(where, "basisPoints must be a decimal 0 to 10000", line))
            ok = False
        minimum = _non_negative_decimal(minimum_text)
        if minimum is None:
            violations.append(Violation(where, "minimumFee must be a decimal >= 0 (CNY)", line))
            ok = False
        if not ok or basis_points is None or minimum is None:
            continue
        if pay_code in first_line:
            violations.append(
                Violation(
                    where,
                    f"duplicate fee schedule for {pay_code}",
                    line,
                    f"only line {first_line[pay_code]}",
                )
            )
            continue
        first_line[pay_code] = number
        schedules[pay_code] = FeeSchedule(pay_code, basis_points, minimum)
    if violations:
        raise MalformedDataFile(source, violations)
    return FeeTable(schedules)
