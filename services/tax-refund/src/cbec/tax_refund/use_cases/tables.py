"""The data tables in the database: the zone's register is its data file as last loaded, and a
reload whose file does not load is answered naming the file and the line.
"""

from __future__ import annotations

from cbec.shared.errors import InvalidInput, Violation
from cbec.tax_refund.domain import DataFileError, TaxTables
from cbec.tax_refund.unit_of_work import TaxWork


async def sync_zone_enterprises(work: TaxWork, tables: TaxTables) -> int:
    """The zone's register in the database becomes the register's data file."""
    return await work.register.replace(tables.zone_enterprises)


def reload_failure(error: DataFileError) -> InvalidInput:
    """A data file that does not load, as a 422 naming the file and the line."""
    return InvalidInput(
        [Violation(field=f"{error.source}:{error.line}", rule=error.reason)],
        message=f"{error.source}, line {error.line}: {error.reason}; the last good tables stay",
    )
