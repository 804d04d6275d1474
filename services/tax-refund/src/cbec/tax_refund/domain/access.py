"""Who may read the tax service's records and register invoices (DESIGN.md "Security").

Decided on the record, here, whatever the gateway already checked: a tax bill is read by the
enterprises it names (the seller ``ebcCode``, the tax guarantor ``assureCode``), an export
list's outcome and its invoices by the list's consignor (``ebcCode``) and the enterprise that
registered them, an income tax statement by its enterprise; customs and tax officers and the
platform's operators read every record; to anyone else a record does not exist (404, not 403).
A buyer's annual quota names no enterprise: it is for the officers and operators only.

    may_read(who, [bill.ebc_code, bill.assure_code])
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

OFFICERS = frozenset({"tax-officer", "customs-officer", "operator"})


class Who(Protocol):
    """The caller as the service's API hands it to a use case."""

    @property
    def party(self) -> str | None: ...

    @property
    def roles(self) -> frozenset[str]: ...


def reads_everything(who: Who) -> bool:
    return bool(who.roles & OFFICERS)


def may_read(who: Who, named: Iterable[str | None]) -> bool:
    """Officers and operators, or an enterprise among the codes a record names."""
    return reads_everything(who) or (who.party is not None and who.party in set(named))
