"""The tax service's data tables: HS rates, monthly exchange rates, HS lists, income-tax relief.

None of these tables is published as data (DOMAIN.md §1, codes/README.md), so the service ships
clearly marked examples (``cbec/tax_refund/data/``) and a deployment loads the current ones. This
module parses their text; reading the files is left to ``cbec.tax_refund.data``, so that the
domain stays free of I/O.

File format (every table):
- UTF-8 CSV; the first line that is neither blank nor a comment is the header, naming columns;
  every column the table requires must be there, and no unknown column;
- a line whose first non-blank character is ``#`` is a comment; blank lines are ignored;
- one record per line (a quoted field may hold a comma, not a line break);
- rates are fractions (0.13 for 13%), never percentages; amounts and rates are decimals.

Anything else is refused with a :class:`DataFileError` naming the file and the line::

    table = parse_rate_table(text, source="hs_rates.csv")
    table.find("3304990029").vat_rate    # Decimal('0.13')

HS lookup: codes in a table may be given at 10, 8, 6 or 4 digits. A 10-digit code is looked up
as itself, then by its first 8, 6 and 4 digits, and the most specific entry wins: a table can
give a rate for a whole heading (3304) and an exception for one subheading (33049900). The
customs tariff assigns rates at the 8-digit level (10 digits for a few national subdivisions),
and lists such as the positive list name headings, so the fallback matches how these tables are
written.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import TypeVar

from cbec.tax_refund.domain.errors import DataFileError

HS_PREFIX_LENGTHS = (10, 8, 6, 4)
CNY = "142"


def hs_prefixes(gcode: str) -> Iterator[str]:
    """The prefixes under which ``gcode`` is looked up, most specific first."""
    for length in HS_PREFIX_LENGTHS:
        if len(gcode) >= length:
            yield gcode[:length]


K = TypeVar("K")
V = TypeVar("V")


def _freeze(mapping: Mapping[K, V]) -> Mapping[K, V]:
    return MappingProxyType(dict(mapping))


# --- the tables -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HsRates:
    """The rates of one HS code (or heading): fractions, e.g. 0.13 for 13%."""

    hs_code: str
    vat_rate: Decimal
    consumption_tax_rate: Decimal
    tariff_rate: Decimal
    refund_rate: Decimal


@dataclass(frozen=True, slots=True)
class RateTable:
    """HS code -> :class:`HsRates`, looked up most specific prefix first."""

    source: str
    entries: Mapping[str, HsRates] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "entries", _freeze(self.entries))

    @classmethod
    def of(cls, rows: Iterable[HsRates], source: str = "<memory>") -> RateTable:
        return cls(source, {row.hs_code: row for row in rows})

    def find(self, gcode: str) -> HsRates | None:
        for prefix in hs_prefixes(gcode):
            if prefix in self.entries:
                return self.entries[prefix]
        return None

    def __len__(self) -> int:
        return len(self.entries)


@dataclass(frozen=True, slots=True)
class HsList:
    """A list of HS codes or headings (the excluded list, the positive list)."""

    source: str
    entries: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "entries", _freeze(self.entries))

    @classmethod
    def of(cls, codes: Iterable[str], source: str = "<memory>") -> HsList:
        return cls(source, {code: "" for code in codes})

    def entry_for(self, gcode: str) -> str | None:
        """The listed code or heading that covers ``gcode``, most specific first."""
        return next((p for p in hs_prefixes(gcode) if p in self.entries), None)

    def __contains__(self, gcode: object) -> bool:
        return isinstance(gcode, str) and self.entry_for(gcode) is not None

    def __len__(self) -> int:
        return len(self.entries)


@dataclass(frozen=True, slots=True)
class ExchangeRates:
    """The customs exchange rates of each month: CNY for one unit of the currency.

    Customs publishes one rate per currency and month; an amount is converted at the rate of
    the month of its date. CNY (142) is always 1.
    """

    source: str
    entries: Mapping[tuple[str, str], Decimal] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "entries", _freeze(self.entries))

    def rate(self, currency: str, on: date) -> Decimal | None:
        if currency == CNY:
            return Decimal(1)
        return self.entries.get((on.strftime("%Y-%m"), currency))

    def __len__(self) -> int:
        return len(self.entries)


@dataclass(frozen=True, slots=True)
class IncomeBracket:
    """One bracket of the small low-profit enterprise relief: the effective rate on the
    portion of taxable income above ``income_over`` and up to ``income_up_to``."""

    from_year: int
    to_year: int
    income_over: Decimal
    income_up_to: Decimal
    effective_rate: Decimal


@dataclass(frozen=True, slots=True)
class IncomeTaxRelief:
    """The small low-profit enterprise relief, bracket by bracket, for the years it covers."""

    source: str
    brackets: tuple[IncomeBracket, ...] = ()

    def brackets_for(self, year: int) -> tuple[IncomeBracket, ...]:
        found = [b for b in self.brackets if b.from_year <= year <= b.to_year]
        return tuple(sorted(found, key=lambda b: b.income_over))


# --- parsing ----------------------------------------------------------------------------------


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


@dataclass(frozen=True, slots=True)
class ZoneEnterprise:
    """An e-commerce enterprise registered in the zone (财税〔2018〕103号, condition 1)."""

    ebc_code: str
    name: str = ""
    # Small low-profit enterprise: its deemed income tax takes the relief (DOMAIN.md §6.2).
    small_low_profit: bool = False


@dataclass(frozen=True, slots=True)
class ZoneEnterprises:
    """The zone's register of e-commerce enterprises, by code."""

    source: str
    entries: Mapping[str, ZoneEnterprise] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "entries", _freeze(self.entries))

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(self.entries)

    @property
    def small_low_profit(self) -> frozenset[str]:
        return frozenset(code for code, e in self.entries.items() if e.small_low_profit)

    def __contains__(self, code: object) -> bool:
        return code in self.entries

    def __len__(self) -> int:
        return len(self.entries)


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


@dataclass(frozen=True, slots=True)
class TaxTables:
    """Every table the tax rules read, loaded together."""

    rates: RateTable
    exchange_rates: ExchangeRates
    excluded_hs: HsList
    positive_list: HsList
    income_tax_relief: IncomeTaxRelief
    zone_customs: frozenset[str]
    zone_enterprises: ZoneEnterprises = field(default_factory=lambda: ZoneEnterprises("<none>"))
