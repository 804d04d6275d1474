"""Use cases of the tax service, one module per family; each takes a unit of work
(:class:`cbec.tax_refund.unit_of_work.TaxWork`), changes state through its repositories and
publishes its events in the same transaction. The rules are the domain's (DOMAIN.md §6).

- ``quota``: the declaration service's reservations of a buyer's annual quota;
- ``import_tax``: released, rejected, revoked and returned import lists, tax bills;
- ``exports``: closed export lists (exemption, refund) and purchase invoices;
- ``income_tax``: the deemed income tax statement of an enterprise's year;
- ``queries``: what the API reads (tax bills, a buyer's year, an export list's outcome);
- ``tables``: the zone's register as the data tables give it, and a reload that fails.
"""

from __future__ import annotations

from cbec.shared.clock import utcnow


def now_text() -> str:
    """The time a decision is stamped with in its event and row: UTC, to the second."""
    return utcnow().isoformat(timespec="seconds")
