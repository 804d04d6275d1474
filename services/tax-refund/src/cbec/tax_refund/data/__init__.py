"""Load the tax service's data tables from files (by default the shipped examples).

The parsing rules live in :mod:`cbec.tax_refund.domain.table_files`; this module only reads the
files, so that the domain stays free of I/O, and keeps the loaded tables of the running app
(:class:`TaxTablesHolder`). The files shipped beside it are examples (see ``README.md``); a
deployment passes the folder holding the current tables::

    tables = load_tables()                       # the examples
    tables = load_tables(Path("/etc/cbec/tax"))  # a deployment's tables
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from cbec.shared.clock import utcnow
from cbec.shared.service import Runtime
from cbec.tax_refund.domain.errors import DataFileError
from cbec.tax_refund.domain.table_files import (
    parse_customs_codes,
    parse_exchange_rates,
    parse_hs_list,
    parse_income_tax_relief,
    parse_rate_table,
    parse_zone_enterprises,
)
from cbec.tax_refund.domain.tables import (
    ExchangeRates,
    HsList,
    IncomeTaxRelief,
    RateTable,
    TaxTables,
    ZoneEnterprises,
)

EXAMPLES = Path(__file__).resolve().parent

T = TypeVar("T")


def _load(path: Path | str, parse: Callable[[str, str], T]) -> T:
    path = Path(path)
    source = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataFileError(source, 0, f"cannot be read: {exc.strerror or exc}") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DataFileError(source, line, "is not UTF-8 text") from exc
    return parse(text, source)


def load_rate_table(path: Path | str = EXAMPLES / "hs_rates.csv") -> RateTable:
    return _load(path, parse_rate_table)


def load_exchange_rates(path: Path | str = EXAMPLES / "exchange_rates.csv") -> ExchangeRates:
    return _load(path, parse_exchange_rates)


def load_hs_list(path: Path | str) -> HsList:
    return _load(path, parse_hs_list)


def load_income_tax_relief(
    path: Path | str = EXAMPLES / "income_tax_relief.csv",
) -> IncomeTaxRelief:
    return _load(path, parse_income_tax_relief)


def load_customs_codes(path: Path | str = EXAMPLES / "zone_customs.csv") -> frozenset[str]:
    return _load(path, parse_customs_codes)


def load_zone_enterprises(
    path: Path | str = EXAMPLES / "zone_enterprises.csv",
) -> ZoneEnterprises:
    return _load(path, parse_zone_enterprises)


def load_tables(folder: Path | str = EXAMPLES) -> TaxTables:
    """All the tables of one folder, under the file names of the examples (seven files)."""
    folder = Path(folder)
    return TaxTables(
        rates=load_rate_table(folder / "hs_rates.csv"),
        exchange_rates=load_exchange_rates(folder / "exchange_rates.csv"),
        excluded_hs=load_hs_list(folder / "excluded_hs.csv"),
        positive_list=load_hs_list(folder / "positive_list.csv"),
        income_tax_relief=load_income_tax_relief(folder / "income_tax_relief.csv"),
        zone_customs=load_customs_codes(folder / "zone_customs.csv"),
        zone_enterprises=load_zone_enterprises(folder / "zone_enterprises.csv"),
    )


class TaxTablesHolder:
    """The loaded data tables, kept on the runtime of the running app; a reload swaps them
    only when every file loads::

        holder = TaxTablesHolder.of(runtime)    # in a route or a handler (ctx.runtime)
        holder.tables.rates.find("3304990099")
    """

    def __init__(self, folder: Path, tables: TaxTables) -> None:
        self.folder = folder
        self.tables = tables
        self.loaded_at = _now_text()

    @classmethod
    def load(cls, folder: str | None) -> TaxTablesHolder:
        """The tables of ``folder`` (unset: the shipped examples)."""
        where = Path(folder) if folder else EXAMPLES
        return cls(where, load_tables(where))

    @classmethod
    def of(cls, runtime: Runtime) -> TaxTablesHolder:
        return runtime.part(cls)

    def load_again(self) -> TaxTables:
        """Every file of the folder, loaded again; a malformed one raises DataFileError and
        the tables in use stay as they are."""
        return load_tables(self.folder)

    def use(self, tables: TaxTables) -> None:
        self.tables = tables
        self.loaded_at = _now_text()

    def describe(self) -> dict[str, Any]:
        t = self.tables
        return {
            "folder": str(self.folder),
            "loadedAt": self.loaded_at,
            "tables": {
                "hs_rates": {"source": t.rates.source, "entries": len(t.rates)},
                "exchange_rates": {
                    "source": t.exchange_rates.source,
                    "entries": len(t.exchange_rates),
                },
                "excluded_hs": {"source": t.excluded_hs.source, "entries": len(t.excluded_hs)},
                "positive_list": {
                    "source": t.positive_list.source,
                    "entries": len(t.positive_list),
                },
                "income_tax_relief": {
                    "source": t.income_tax_relief.source,
                    "entries": len(t.income_tax_relief.brackets),
                },
                "zone_customs": {"entries": len(t.zone_customs)},
                "zone_enterprises": {
                    "source": t.zone_enterprises.source,
                    "entries": len(t.zone_enterprises),
                },
            },
        }


def _now_text() -> str:
    return utcnow().isoformat(timespec="seconds")


__all__ = [
    "EXAMPLES",
    "TaxTablesHolder",
    "load_customs_codes",
    "load_exchange_rates",
    "load_hs_list",
    "load_income_tax_relief",
    "load_rate_table",
    "load_tables",
    "load_zone_enterprises",
]
