"""The tax service's data tables: HS rates, monthly exchange rates, HS lists, income-tax relief,
the zone's customs offices and register of enterprises.

None of these tables is published as data (DOMAIN.md §1, codes/README.md), so the service ships
clearly marked examples (``cbec/tax_refund/data/``) and a deployment loads the current ones;
their file format and parsing are in :mod:`cbec.tax_refund.domain.table_files`.

HS lookup: codes in a table may be given at 10, 8, 6 or 4 digits. A 10-digit code is looked up
as itself, then by its first 8, 6 and 4 digits, and the most specific entry wins: a table can
give a rate for a whole heading (3304) and an exception for one subheading (33049900). The
customs tariff assigns rates at the 8-digit level (10 digits for a few national subdivisions),
and lists such as the positive list name headings, so the fallback matches how these tables are
written::

    table.find("3304990029").vat_rate    # Decimal('0.13')
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from types import MappingProxyType
from typing import TypeVar

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
