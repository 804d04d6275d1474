"""The rate and fee tables: installed on start, the rate table replaced by an operator."""

from __future__ import annotations

from datetime import datetime
from importlib.resources import files
from typing import Any

from cbec.payments import data
from cbec.payments.data import load_fee_table, load_rate_table
from cbec.payments.domain import MalformedDataFile, RateTable, parse_rate_table
from cbec.payments.domain.tables import RateTableVersion
from cbec.payments.settings import Settings
from cbec.payments.unit_of_work import PaymentsWork
from cbec.shared.clock import china_iso
from cbec.shared.errors import InvalidInput


def version_view(version: RateTableVersion) -> dict[str, Any]:
    return {
        "version": version.version,
        "source": version.source,
        "rates": version.rates,
        "loadedBy": version.loaded_by,
        "loadedAt": china_iso(version.loaded_at),
    }


def _example_rates_text() -> str:
    return files(data.__name__).joinpath(data.EXAMPLE_RATES).read_text(encoding="utf-8")


async def install_tables(work: PaymentsWork, settings: Settings, *, now: datetime) -> None:
    """On start: the configured rate table when none is on file; the fee file, always."""
    if not await work.tables.has_rates():
        path = settings.rate_table_file
        table = load_rate_table(path)
        source = str(path or "example: fx_rates.example.csv")[:300]
        text = path.read_text(encoding="utf-8") if path else _example_rates_text()
        await work.tables.add_rates(
            text, source=source, rates=len(table.rates), loaded_by=None, now=now
        )
    fees = load_fee_table(settings.fee_table_file)
    source = str(settings.fee_table_file or "example: institution_fees.example.csv")[:300]
    await work.tables.replace_fees(fees.schedules.values(), source=source, now=now)


async def replace_rates(
    work: PaymentsWork, text: str, *, loaded_by: str | None, now: datetime
) -> RateTableVersion:
    """A new rate table in force; a malformed one is refused whole, naming each bad line, and
    the table in force stays."""
    try:
        table = parse_rate_table(text, source="request body")
    except MalformedDataFile as error:
        raise InvalidInput(error.violations, f"rate table refused: {error.message}") from None
    return await work.tables.add_rates(
        text, source="PUT /v1/rates", rates=len(table.rates), loaded_by=loaded_by, now=now
    )


async def current_rates(work: PaymentsWork) -> tuple[RateTable, RateTableVersion | None]:
    """The rate table in force and its version (an empty table when none is loaded)."""
    found = await work.tables.current_rates()
    if found is None:
        return RateTable({}), None
    text, version = found
    return parse_rate_table(text, source=f"rate table version {version.version}"), version
