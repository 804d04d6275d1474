"""Parsing of the tax service's data files (the tables of :mod:`cbec.tax_refund.domain.tables`).

Reading the files is left to ``cbec.tax_refund.data``, so that the domain stays free of I/O.

File format (every table):
- UTF-8 CSV; the first line that is neither blank nor a comment is the header, naming columns;
  every column the table requires must be there, and no unknown column;
- a line whose first non-blank character is ``#`` is a comment; blank lines are ignored;
- one record per line (a quoted field may hold a comma, not a line break);
- rates are fractions (0.13 for 13%), never percentages; amounts and rates are decimals.

Anything else is refused with a :class:`DataFileError` naming the file and the line::

    table = parse_rate_table(text, source="hs_rates.csv")
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TypeVar

from cbec.tax_refund.domain.errors import DataFileError
from cbec.tax_refund.domain.tables import (
    HS_PREFIX_LENGTHS,
    ExchangeRates,
    HsList,
    HsRates,
    IncomeBracket,
    IncomeTaxRelief,
    RateTable,
    ZoneEnterprise,
    ZoneEnterprises,
)

K = TypeVar("K")


@dataclass(frozen=True, slots=True)
class _Row:
    line: int
    values: Mapping[str, str]


class _Reader:
    """Rows of one CSV text, each with its line number; every error names file and line."""

    def __init__(
        self, text: str, source: str, required: tuple[str, ...], optional: tuple[str, ...] = ()
    ) -> None:
        self.text = text
        self.source = source
        self.required = required
        self.optional = optional

    def fail(self, line: int, reason: str) -> DataFileError:
        return DataFileError(self.source, line, reason)

    def rows(self) -> Iterator[_Row]:
        header: list[str] | None = None
        lines = self.text.splitlines()
        for number, raw in enumerate(lines, start=1):
            stripped = raw.strip()
            if not stripped or stripped.startswith("#"):
                continue
            fields = [f.strip() for f in next(csv.reader([raw]))]
            if header is None:
                header = self._check_header(number, fields)
                continue
            if len(fields) != len(header):
                raise self.fail(
                    number,
                    f"expected {len(header)} fields ({', '.join(header)}), found {len(fields)}",
                )
            yield _Row(number, dict(zip(header, fields, strict=True)))
        if header is None:
            raise self.fail(max(len(lines), 1), f"no header line ({', '.join(self.required)})")

    def _check_header(self, line: int, fields: list[str]) -> list[str]:
        missing = [c for c in self.required if c not in fields]
        if missing:
            raise self.fail(line, f"header lacks column(s) {', '.join(missing)}")
        unknown = [c for c in fields if c not in self.required and c not in self.optional]
        if unknown:
            raise self.fail(line, f"unknown column(s) {', '.join(unknown)}")
        if len(set(fields)) != len(fields):
            raise self.fail(line, "a column is named twice")
        return fields

    def decimal(self, row: _Row, column: str, *, low: Decimal, high: Decimal | None) -> Decimal:
        text = row.values[column]
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise self.fail(row.line, f"{column} {text!r} is not a decimal number") from None
        if not value.is_finite():
            raise self.fail(row.line, f"{column} {text!r} is not a decimal number")
        if value < low or (high is not None and value > high):
            bound = f"between {low} and {high}" if high is not None else f"at least {low}"
            raise self.fail(row.line, f"{column} {text} must be {bound}")
        return value

    def hs_code(self, row: _Row, column: str = "hs_code") -> str:
        text = row.values[column]
        if not text.isdigit() or not text.isascii() or len(text) not in HS_PREFIX_LENGTHS:
            raise self.fail(row.line, f"{column} {text!r} must be 4, 6, 8 or 10 digits")
        return text

    def integer(self, row: _Row, column: str) -> int:
        text = row.values[column]
        if not text.isdigit() or not text.isascii():
            raise self.fail(row.line, f"{column} {text!r} is not a whole number")
        return int(text)


def _unique(reader: _Reader, seen: dict[K, int], key: K, line: int, what: str) -> None:
    if key in seen:
        raise reader.fail(line, f"{what} is already given on line {seen[key]}")
    seen[key] = line


ONE = Decimal(1)
NIL = Decimal(0)


def parse_rate_table(text: str, source: str) -> RateTable:
    """Columns: hs_code, vat_rate, consumption_tax_rate, tariff_rate, refund_rate [, name].

    Every rate is a fraction; the consumption-tax rate is below 1 (the tax is computed on
    DV / (1 − c)); the tariff rate may exceed 1 (some MFN rates do)."""
    reader = _Reader(
        text,
        source,
        ("hs_code", "vat_rate", "consumption_tax_rate", "tariff_rate", "refund_rate"),
        ("name",),
    )
    seen: dict[str, int] = {}
    rows: list[HsRates] = []
    for row in reader.rows():
        code = reader.hs_code(row)
        _unique(reader, seen, code, row.line, f"hs_code {code}")
        consumption = reader.decimal(row, "consumption_tax_rate", low=NIL, high=ONE)
        if consumption == ONE:
            raise reader.fail(row.line, "consumption_tax_rate must be below 1")
        rows.append(
            HsRates(
                hs_code=code,
                vat_rate=reader.decimal(row, "vat_rate", low=NIL, high=ONE),
                consumption_tax_rate=consumption,
                tariff_rate=reader.decimal(row, "tariff_rate", low=NIL, high=None),
                refund_rate=reader.decimal(row, "refund_rate", low=NIL, high=ONE),
            )
        )
    return RateTable.of(rows, source)


def parse_hs_list(text: str, source: str) -> HsList:
    """Columns: hs_code [, name]. Each entry covers the codes that begin with it."""
    reader = _Reader(text, source, ("hs_code",), ("name",))
    seen: dict[str, int] = {}
    entries: dict[str, str] = {}
    for row in reader.rows():
        code = reader.hs_code(row)
        _unique(reader, seen, code, row.line, f"hs_code {code}")
        entries[code] = row.values.get("name", "")
    return HsList(source, entries)


def parse_exchange_rates(text: str, source: str) -> ExchangeRates:
    """Columns: month (YYYY-MM), currency (3-digit customs code), cny_per_unit (> 0)."""
    reader = _Reader(text, source, ("month", "currency", "cny_per_unit"), ("note",))
    seen: dict[tuple[str, str], int] = {}
    entries: dict[tuple[str, str], Decimal] = {}
    for row in reader.rows():
        month, currency = row.values["month"], row.values["currency"]
        if not _is_month(month):
            raise reader.fail(row.line, f"month {month!r} must be YYYY-MM")
        if len(currency) != 3 or not currency.isdigit() or not currency.isascii():
            raise reader.fail(row.line, f"currency {currency!r} must be a 3-digit customs code")
        rate = reader.decimal(row, "cny_per_unit", low=NIL, high=None)
        if rate == 0:
            raise reader.fail(row.line, "cny_per_unit must be greater than 0")
        _unique(reader, seen, (month, currency), row.line, f"the rate of {currency} in {month}")
        entries[(month, currency)] = rate
    return ExchangeRates(source, entries)


def parse_income_tax_relief(text: str, source: str) -> IncomeTaxRelief:
    """Columns: from_year, to_year, income_over, income_up_to, effective_rate.

    For each period the brackets start at 0 and follow each other without gap or overlap;
    periods do not overlap."""
    reader = _Reader(
        text,
        source,
        ("from_year", "to_year", "income_over", "income_up_to", "effective_rate"),
        ("note",),
    )
    periods: dict[tuple[int, int], list[tuple[int, IncomeBracket]]] = {}
    for row in reader.rows():
        bracket = IncomeBracket(
            from_year=reader.integer(row, "from_year"),
            to_year=reader.integer(row, "to_year"),
            income_over=reader.decimal(row, "income_over", low=NIL, high=None),
            income_up_to=reader.decimal(row, "income_up_to", low=NIL, high=None),
            effective_rate=reader.decimal(row, "effective_rate", low=NIL, high=ONE),
        )
        if bracket.from_year > bracket.to_year:
            raise reader.fail(row.line, "from_year must not be after to_year")
        if bracket.income_over >= bracket.income_up_to:
            raise reader.fail(row.line, "income_over must be below income_up_to")
        for (start, end), others in periods.items():
            overlaps = start <= bracket.to_year and bracket.from_year <= end
            if overlaps and (start, end) != (bracket.from_year, bracket.to_year):
                raise reader.fail(
                    row.line, f"years overlap the period {start}-{end} of line {others[0][0]}"
                )
        periods.setdefault((bracket.from_year, bracket.to_year), []).append((row.line, bracket))
    brackets: list[IncomeBracket] = []
    for rows in periods.values():
        expected_start = NIL
        for line, bracket in sorted(rows, key=lambda item: item[1].income_over):
            if bracket.income_over != expected_start:
                raise reader.fail(
                    line, f"income_over {bracket.income_over} must be {expected_start}"
                )
            expected_start = bracket.income_up_to
            brackets.append(bracket)
    return IncomeTaxRelief(source, tuple(brackets))


def parse_customs_codes(text: str, source: str) -> frozenset[str]:
    """Columns: customs_code (4 digits) [, name]: the customs offices of the zone."""
    reader = _Reader(text, source, ("customs_code",), ("name",))
    seen: dict[str, int] = {}
    for row in reader.rows():
        code = row.values["customs_code"]
        if len(code) != 4 or not code.isdigit() or not code.isascii():
            raise reader.fail(row.line, f"customs_code {code!r} must be 4 digits")
        _unique(reader, seen, code, row.line, f"customs_code {code}")
    return frozenset(seen)


def parse_zone_enterprises(text: str, source: str) -> ZoneEnterprises:
    """Columns: ebc_code (10-char customs code or 18-char credit code) [, name,
    small_low_profit (yes / no, default no)]."""
    reader = _Reader(text, source, ("ebc_code",), ("name", "small_low_profit"))
    seen: dict[str, int] = {}
    entries: dict[str, ZoneEnterprise] = {}
    for row in reader.rows():
        code = row.values["ebc_code"]
        if len(code) not in (10, 18) or not code.isalnum() or not code.isascii():
            raise reader.fail(row.line, f"ebc_code {code!r} must be 10 or 18 letters or digits")
        _unique(reader, seen, code, row.line, f"ebc_code {code}")
        flag = row.values.get("small_low_profit", "").lower() or "no"
        if flag not in ("yes", "no"):
            raise reader.fail(row.line, f"small_low_profit {flag!r} must be yes or no")
        entries[code] = ZoneEnterprise(code, row.values.get("name", ""), flag == "yes")
    return ZoneEnterprises(source, entries)


def _is_month(text: str) -> bool:
    if len(text) != 7 or text[4] != "-" or not (text[:4] + text[5:]).isdigit():
        return False
    return 1 <= int(text[5:]) <= 12
