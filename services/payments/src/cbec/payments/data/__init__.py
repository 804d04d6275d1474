"""Example data files of the payments service (marked as examples; not real rates or fees).

Reading a file is I/O, so it lives here and not in the domain::

    rates = load_rate_table()             # the example rates shipped with the package
    fees = load_fee_table(Path("/etc/cbec/fees.csv"))
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from cbec.payments.domain.tables import FeeTable, RateTable, parse_fee_table, parse_rate_table

EXAMPLE_RATES = "fx_rates.example.csv"
EXAMPLE_FEES = "institution_fees.example.csv"


def _read(path: Path | None, example: str) -> tuple[str, str]:
    if path is None:
        resource = files(__name__).joinpath(example)
        return resource.read_text(encoding="utf-8"), example
    return path.read_text(encoding="utf-8"), str(path)


def load_rate_table(path: Path | None = None) -> RateTable:
    """The rate table at ``path``, or the shipped example when no path is given."""
    text, source = _read(path, EXAMPLE_RATES)
    return parse_rate_table(text, source=source)


def load_fee_table(path: Path | None = None) -> FeeTable:
    """The fee table at ``path``, or the shipped example when no path is given."""
    text, source = _read(path, EXAMPLE_FEES)
    return parse_fee_table(text, source=source)
