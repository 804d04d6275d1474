"""Code tables of the customs standard (currencies, countries, units, transport modes, packing,
customs districts, 8-digit HS names), shipped as CSV package data and loaded once, lazily.

    from cbec.shared import codes

    codes.currency.get("142").name_zh          # "人民币"
    codes.currency.find("iso", "USD").code     # "502"
    codes.is_valid("country", "142")           # True: 142 is China (and CNY as a currency)
    codes.customs_district["4300"]             # KeyError names the table for an unknown code

The customs district table is partial (``data/README.md`` gives sources and coverage): the codes of
the Jinan customs offices and of Linyi customs come from the deployment, in a CSV file of the
same format (``code,name_zh,name_abbr,province``) whose path the service reads from
``CBEC_EXTRA_CUSTOMS_CODES`` and hands to :func:`load_extra_customs_codes`.
"""

from __future__ import annotations

import csv
import io
import re
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

DATA_DIR = Path(__file__).parent / "data"


@dataclass(frozen=True, slots=True)
class TableSource:
    file: str
    key: str
    pattern: str
    description: str


TABLES: dict[str, TableSource] = {
    "currency": TableSource("currency.csv", "code", r"\d{3}", "币制代码"),
    "country": TableSource("country.csv", "code", r"\d{3}", "国别(地区)代码"),
    "unit": TableSource("unit.csv", "code", r"\d{3}", "计量单位代码"),
    "transport_mode": TableSource("transport_mode.csv", "code", r"[0-9A-Z]", "运输方式代码"),
    "packing": TableSource("packing.csv", "code", r"\d{2}", "包装种类代码"),
    "customs_district": TableSource("customs_district.csv", "code", r"\d{4}", "关区代码"),
    "hs8": TableSource("hs8_names_2023.csv", "hs8", r"\d{8}", "8-digit HS names (2023)"),
}
"""Every table by name: its file under ``data/``, key column and code format."""


class CodeTableError(ValueError):
    """A code table file that cannot be used: names the file, the line and the rule."""


@dataclass(frozen=True, slots=True)
class Code:
    """One row of a code table; ``values`` holds every column, the key included."""

    code: str
    name_zh: str
    values: Mapping[str, str] = field(default_factory=dict)

    def __getitem__(self, column: str) -> str:
        return self.values[column]


class CodeTable:
    """The rows of one table by code. Read-only, except for additions from a deployment's file."""

    def __init__(self, name: str, rows: Mapping[str, Code]) -> None:
        self.name = name
        self._rows: dict[str, Code] = dict(rows)
        self._lock = threading.Lock()

    def get(self, code: str) -> Code | None:
        return self._rows.get(code)

    def __getitem__(self, code: str) -> Code:
        try:
            return self._rows[code]
        except KeyError:
            raise KeyError(f"{code!r} is not in the {self.name} code table") from None

    def __contains__(self, code: object) -> bool:
        return code in self._rows

    def is_valid(self, code: str) -> bool:
        return code in self._rows

    def find(self, column: str, value: str) -> Code | None:
        """The first row whose ``column`` equals ``value`` (e.g. ``find("iso", "USD")``)."""
        return next((row for row in self._rows.values() if row.values.get(column) == value), None)

    def __iter__(self) -> Iterator[Code]:
        return iter(list(self._rows.values()))

    def __len__(self) -> int:
        return len(self._rows)

    def add(self, rows: Mapping[str, Code]) -> None:
        """Add or replace rows; a deployment's file is newer than the shipped data."""
        with self._lock:
            self._rows = {**self._rows, **rows}

    def copy(self) -> CodeTable:
        return CodeTable(self.name, self._rows)

    def __repr__(self) -> str:
        return f"CodeTable({self.name!r}, {len(self)} codes)"


def read_rows(text: str, source: TableSource, origin: str) -> dict[str, Code]:
    """Parse CSV text of one table, checking the header and every code's format."""
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    for required in (source.key, "name_zh"):
        if required not in header:
            raise CodeTableError(f"{origin}: line 1: the header must have a {required!r} column")
    pattern = re.compile(source.pattern)
    rows: dict[str, Code] = {}
    for record in reader:
        line = reader.line_num
        code = (record.get(source.key) or "").strip()
        name = (record.get("name_zh") or "").strip()
        if not pattern.fullmatch(code):
            rule = f"{source.key} must match {source.pattern}"
            raise CodeTableError(f"{origin}: line {line}: {rule} (got {code!r})")
        if not name:
            raise CodeTableError(f"{origin}: line {line}: name_zh must not be empty")
        if code in rows:
            raise CodeTableError(f"{origin}: line {line}: {code} appears twice")
        values = {k: (v or "").strip() for k, v in record.items() if k is not None}
        rows[code] = Code(code=code, name_zh=name, values=values)
    return rows


_tables: dict[str, CodeTable] = {}
_load_lock = threading.Lock()


def table(name: str) -> CodeTable:
    """A table by name (see :data:`TABLES`), read from the package data on first use."""
    loaded = _tables.get(name)
    if loaded is not None:
        return loaded
    if name not in TABLES:
        raise KeyError(f"no code table named {name!r}; known: {', '.join(TABLES)}")
    with _load_lock:
        if name not in _tables:
            source = TABLES[name]
            path = DATA_DIR / source.file
            rows = read_rows(path.read_text(encoding="utf-8-sig"), source, source.file)
            _tables[name] = CodeTable(name, rows)
        return _tables[name]


def is_valid(table_name: str, code: str) -> bool:
    """Whether ``code`` is in the table ``table_name`` (``is_valid("currency", "142")``)."""
    return table(table_name).is_valid(code)


def load_extra_customs_codes(path: str | Path, into: CodeTable | None = None) -> int:
    """Add the customs district codes of a deployment's CSV file (same columns as
    ``customs_district.csv``) to the shipped, partial table (or to ``into``); returns how many
    rows it held. The caller passes the path it read from ``CBEC_EXTRA_CUSTOMS_CODES``.
    A file with any bad row adds nothing."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8-sig")
    except OSError as error:
        raise CodeTableError(f"{file}: cannot be read: {error.strerror}") from None
    rows = read_rows(text, TABLES["customs_district"], str(file))
    (into if into is not None else table("customs_district")).add(rows)
    return len(rows)


def __getattr__(name: str) -> CodeTable:
    # codes.currency, codes.country, ...: loaded on first attribute access (PEP 562).
    if name in TABLES:
        return table(name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


currency: CodeTable
country: CodeTable
unit: CodeTable
transport_mode: CodeTable
packing: CodeTable
customs_district: CodeTable
hs8: CodeTable
