"""Field rules of the customs CBEC message standard (202205 edition).

Each message type is described by a table of :class:`FieldRule` taken from the standard's XML
schemas (required or not, length, decimal digits, allowed codes); :mod:`.parsing` checks a raw
message against its table and builds the typed, immutable model (a
:class:`~cbec.shared.ceb.base.CebDocument`)::

    EXPORT_WAYBILL_RULES = (*COMMON_HEAD_RULES, party_code("logisticsCode"), ...)

Times in the messages are ``yyyyMMddHHmmss`` in China time (UTC+08:00, no daylight saving);
the domain works with timezone-aware datetimes only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator

from cbec.logistics.domain.errors import Violation
from cbec.shared.ceb.base import is_missing
from cbec.shared.clock import CHINA_TZ

CEB_TIME_FORMAT = "%Y%m%d%H%M%S"
ZERO = Decimal(0)

# Decimal fields of the standard are xs:decimal with totalDigits 19 and fractionDigits 5.
MAX_FRACTION_DIGITS = 5
MAX_TOTAL_DIGITS = 19


# ieFlag of the standard: I import, E export.
IeFlag = Literal["E", "I"]


class AppType(StrEnum):
    """`appType` of every enterprise message: 1 new, 2 change, 3 delete."""

    NEW = "1"
    CHANGE = "2"
    DELETE = "3"


def parse_ceb_time(value: str) -> datetime:
    """``yyyyMMddHHmmss`` (China time) as an aware datetime; ValueError when malformed."""
    if len(value) != len("yyyyMMddHHmmss") or not value.isdigit():
        raise ValueError(f"{value!r} is not a time of the form yyyyMMddHHmmss")
    return datetime.strptime(value, CEB_TIME_FORMAT).replace(tzinfo=CHINA_TZ)


def require_aware(at: datetime, name: str = "at") -> datetime:
    """Refuse naive datetimes: the domain compares times across messages and time zones."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got {at!r}")
    return at


def china_date(at: datetime) -> date:
    """The calendar date of a moment in China time (customs counts days by this date)."""
    return require_aware(at).astimezone(CHINA_TZ).date()


def add_years(day: date, years: int) -> date:
    """The same calendar day ``years`` later; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def add_months(day: date, months: int) -> date:
    """The same calendar day ``months`` later, or the month's last day when it has fewer."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("every month has at least 28 days")


def _ceb_time(value: Any) -> Any:
    if isinstance(value, str):
        return parse_ceb_time(value)
    if isinstance(value, datetime):
        return require_aware(value)
    return value


CebTime = Annotated[datetime, BeforeValidator(_ceb_time)]


Kind = Literal["text", "decimal", "integer", "time"]


@dataclass(frozen=True, slots=True)
class FieldRule:
    """One field of a message as the standard defines it."""

    name: str
    kind: Kind = "text"
    required: bool = True
    length: int | None = None
    max_length: int | None = None
    lengths: tuple[int, ...] = ()
    choices: tuple[str, ...] = ()
    choice_rule: str | None = None
    excluded: tuple[str, ...] = ()
    digits_only: bool = False
    upper_case: bool = False
    minimum: Decimal | None = None
    exclusive_minimum: bool = False

    def check(self, record: Mapping[str, Any], prefix: str = "") -> list[Violation]:
        where = f"{prefix}{self.name}"
        value = record.get(self.name)
        if is_missing(value):
            if self.required:
                return [Violation(field=where, rule=f"{self.name} is required")]
            return []
        if self.kind == "decimal":
            return self._check_decimal(where, value)
        if self.kind == "integer":
            return self._check_integer(where, value)
        if not isinstance(value, str):
            return [Violation(field=where, rule=f"{self.name} must be text", value=value)]
        if self.kind == "time":
            return self._check_time(where, value)
        return self._check_text(where, value)

    def _check_text(self, where: str, value: str) -> list[Violation]:
        out: list[Violation] = []
        if self.length is not None and len(value) != self.length:
            out.append(
                Violation(
                    field=where,
                    rule=f"{self.name} must be exactly {self.length} characters",
                    value=value,
                    expected=f"{self.length} characters, got {len(value)}",
                )
            )
        if self.max_length is not None and len(value) > self.max_length:
            out.append(
                Violation(
                    field=where,
                    rule=f"{self.name} must be at most {self.max_length} characters",
                    value=value,
                    expected=f"at most {self.max_length}, got {len(value)}",
                )
            )
        if self.lengths and len(value) not in self.lengths:
            wanted = " or ".join(str(n) for n in self.lengths)
            out.append(
                Violation(
                    field=where,
                    rule=f"{self.name} must be {wanted} characters",
                    value=value,
                    expected=f"{wanted} characters, got {len(value)}",
                )
            )
        if self.digits_only and not (value.isascii() and value.isdigit()):
            out.append(Violation(field=where, rule=f"{self.name} must be digits", value=value))
        if self.upper_case and value != value.upper():
            out.append(Violation(field=where, rule=f"{self.name} must be upper-case", value=value))
        if self.choices and value not in self.choices:
            rule = self.choice_rule or f"{self.name} must be one of {', '.join(self.choices)}"
            out.append(
                Violation(field=where, rule=rule, value=value, expected="|".join(self.choices))
            )
        if value in self.excluded:
            rule = self.choice_rule or f"{self.name} must not be {', '.join(self.excluded)}"
            out.append(Violation(field=where, rule=rule, value=value))
        return out

    def _check_time(self, where: str, value: str) -> list[Violation]:
        try:
            parse_ceb_time(value)
        except ValueError:
            return [
                Violation(
                    field=where,
                    rule=f"{self.name} must be a valid time yyyyMMddHHmmss",
                    value=value,
                )
            ]
        return []

    def _check_decimal(self, where: str, value: Any) -> list[Violation]:
        number = _as_decimal(value)
        if number is None:
            rule = (
                f"{self.name} must be a decimal (text or Decimal), never a binary float"
                if isinstance(value, float)
                else f"{self.name} must be a decimal number"
            )
            return [Violation(field=where, rule=rule, value=value)]
        out: list[Violation] = []
        fraction, total = _digits(number)
        if fraction > MAX_FRACTION_DIGITS:
            out.append(
                Violation(
                    field=where,
                    rule=f"{self.name} has at most {MAX_FRACTION_DIGITS} decimal places",
                    value=value,
                )
            )
        if total > MAX_TOTAL_DIGITS:
            out.append(
                Violation(
                    field=where,
                    rule=f"{self.name} has at most {MAX_TOTAL_DIGITS} digits",
                    value=value,
                )
            )
        out.extend(self._check_minimum(where, number))
        return out

    def _check_integer(self, where: str, value: Any) -> list[Violation]:
        if isinstance(value, bool) or not (
            isinstance(value, int)
            or (isinstance(value, str) and value.isascii() and value.strip().isdigit())
        ):
            return [Violation(field=where, rule=f"{self.name} must be a whole number", value=value)]
        number = Decimal(int(value))
        out = self._check_minimum(where, number)
        if not out and self.choices and str(int(value)) not in self.choices:
            rule = self.choice_rule or f"{self.name} must be one of {', '.join(self.choices)}"
            out.append(
                Violation(field=where, rule=rule, value=value, expected="|".join(self.choices))
            )
        return out

    def _check_minimum(self, where: str, number: Decimal) -> list[Violation]:
        if self.minimum is None:
            return []
        if self.exclusive_minimum and number <= self.minimum:
            return [
                Violation(field=where, rule=f"{self.name} must be > {self.minimum}", value=number)
            ]
        if not self.exclusive_minimum and number < self.minimum:
            return [
                Violation(field=where, rule=f"{self.name} must be >= {self.minimum}", value=number)
            ]
        return []


def _as_decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool | float):
        return None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            return None
        return number if number.is_finite() else None
    return None


def _digits(number: Decimal) -> tuple[int, int]:
    """(fraction digits, total digits) of the value, as xs:decimal counts them."""
    _, digits, exponent = number.normalize().as_tuple()
    assert isinstance(exponent, int)
    if exponent >= 0:
        return 0, len(digits) + exponent
    fraction = -exponent
    return fraction, max(len(digits), fraction)


# Builders for the rule tables -------------------------------------------------------------


def text(name: str, max_length: int, *, required: bool = True) -> FieldRule:
    return FieldRule(name, max_length=max_length, required=required)


def fixed(name: str, length: int, *, required: bool = True, digits: bool = False) -> FieldRule:
    return FieldRule(name, length=length, required=required, digits_only=digits)


def party_code(name: str, *, required: bool = True) -> FieldRule:
    """An enterprise code: 10-character customs registration code or 18-character unified
    social credit code (message standard, e.g. logisticsCode)."""
    return FieldRule(name, lengths=(10, 18), required=required)


def one_of(name: str, *values: str, rule: str | None = None, required: bool = True) -> FieldRule:
    return FieldRule(name, choices=values, choice_rule=rule, required=required)


def amount(
    name: str, *, minimum: Decimal = ZERO, exclusive: bool = False, required: bool = True
) -> FieldRule:
    return FieldRule(
        name, kind="decimal", minimum=minimum, exclusive_minimum=exclusive, required=required
    )


def count(
    name: str,
    *,
    minimum: int = 1,
    required: bool = True,
    equals: int | None = None,
    rule: str | None = None,
) -> FieldRule:
    choices = (str(equals),) if equals is not None else ()
    return FieldRule(
        name,
        kind="integer",
        minimum=Decimal(minimum),
        required=required,
        choices=choices,
        choice_rule=rule,
    )


def ceb_time(name: str, *, required: bool = True) -> FieldRule:
    return FieldRule(name, kind="time", required=required)


# Fields every enterprise message head carries.
COMMON_HEAD_RULES: tuple[FieldRule, ...] = (
    FieldRule("guid", length=36, upper_case=True),
    one_of("appType", "1", "2", "3", rule="appType must be 1 (new), 2 (change) or 3 (delete)"),
    ceb_time("appTime"),
    one_of("appStatus", "1", "2", rule="appStatus must be 1 (staged) or 2 (declared)"),
)
