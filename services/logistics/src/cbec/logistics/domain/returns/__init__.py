"""Returns of released goods, checked against the original inventory list.

Export (海关总署公告2020年第44号): all or part of a list's goods may be returned within 1 year of
its release: CEB213 is the application (lines = the original list's ``gnum``), CEB215 the tally
of the returned parcels at the supervised site. Returned quantities, counted over every return
of the list, never exceed the declared ones.

Import (财关税〔2018〕49号): a return applied for (CEB625) within 30 days of release, with the goods
back within 45 days, means the tax is not collected and the buyer's annual amount is restored.

A :class:`ReturnBook` per original list holds its returns::

    book = ExportReturnBook(released_list)
    accepted = book.apply(parse_export_return(raw), at=now, parcel=timeline)
    outcome = book.receive(parse_return_tally(raw_tally), at=later, parcel=timeline)

The outcome values say what the tax and declaration services must do with the return.
"""

from __future__ import annotations

from cbec.logistics.domain.returns.books import (
    ListLine,
    ReleasedList,
    ReturnAccepted,
    ReturnBook,
    ReturnedLine,
    ReturnRecord,
    ReturnScope,
)
from cbec.logistics.domain.returns.export import (
    ExportReturnBook,
    ExportReturnOutcome,
    ExportReturnPolicy,
)
from cbec.logistics.domain.returns.imports import (
    ImportReturnBook,
    ImportReturnOutcome,
    ImportReturnPolicy,
)
from cbec.logistics.domain.returns.messages import (
    ExportReturnApplication,
    ImportReturnApplication,
    ReturnTally,
    parse_export_return,
    parse_import_return,
    parse_return_tally,
)

__all__ = [
    "ExportReturnApplication",
    "ExportReturnBook",
    "ExportReturnOutcome",
    "ExportReturnPolicy",
    "ImportReturnApplication",
    "ImportReturnBook",
    "ImportReturnOutcome",
    "ImportReturnPolicy",
    "ListLine",
    "ReleasedList",
    "ReturnAccepted",
    "ReturnBook",
    "ReturnRecord",
    "ReturnScope",
    "ReturnTally",
    "ReturnedLine",
    "parse_export_return",
    "parse_import_return",
    "parse_return_tally",
]
