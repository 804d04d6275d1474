"""Reconciliation flags as raised: once per order ledger and flag code (DOMAIN.md §7).

A flag found again stays raised (and is published no second time); one not found any more is
resolved; one found again after it was resolved is raised again, unpublished::

    key = FlagKey("E", "EO1", "3702960001", "underpaid")
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple


class FlagKey(NamedTuple):
    flow: str
    order_no: str
    party_code: str
    flag: str


@dataclass(frozen=True, slots=True)
class RaisedFlag:
    """A flag on file: which order ledger, what was found, when, and whether it is resolved."""

    key: FlagKey
    ebc_code: str | None
    ebp_code: str | None
    field: str
    detail: str
    expected: str | None
    actual: str | None
    document_id: str | None
    flagged_at: datetime
    resolved_at: datetime | None = None

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None
