"""Returns: applied for against a released list (CEB213 export, CEB625 import) and completed
when the goods are back (CEB215 tally, the import return receipt).

What differs between export and import is chosen once, in a :class:`ReturnDirection`: the
direction of the list, the book that holds its rules and how its returns are recorded.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Generic, Literal, TypeVar

from cbec.logistics import events as ev
from cbec.logistics.domain import (
    ExportReturnApplication,
    ExportReturnBook,
    ImportReturnApplication,
    ImportReturnBook,
    ParcelKey,
    ReleasedList,
    ReturnAccepted,
    ReturnedLine,
    ReturnRefused,
    ReturnScope,
    ReturnTally,
    parse_ceb_time,
    parse_export_return,
    parse_import_return,
    parse_return_tally,
)
from cbec.logistics.domain.returns import ReturnRecord
from cbec.logistics.models import ReleasedListRow, ReturnRow
from cbec.logistics.repository import (
    LoadedParcel,
    released_list,
    return_record,
    returned_lines_json,
)
from cbec.logistics.unit_of_work import LogisticsWork
from cbec.logistics.use_cases.documents import Context, DocumentKind, Record, head_of, iso, pick
from cbec.logistics.use_cases.parcels import moved
from cbec.shared.errors import Violation

B = TypeVar("B", ExportReturnBook, ImportReturnBook)


@dataclass(frozen=True, slots=True)
class ReturnDirection(Generic[B]):
    """Export or import returns: the list's direction and the book of its rules."""

    ie_flag: Literal["E", "I"]
    word: str
    book: Callable[[ReleasedList, list[ReturnRecord]], B]


EXPORT: ReturnDirection[ExportReturnBook] = ReturnDirection(
    "E", "export", lambda released, returns: ExportReturnBook(released=released, returns=returns)
)
IMPORT: ReturnDirection[ImportReturnBook] = ReturnDirection(
    "I", "import", lambda released, returns: ImportReturnBook(released=released, returns=returns)
)


@dataclass(frozen=True, slots=True)
class ReturnReceipt:
    """The goods of an accepted import return are back at the supervised site."""

    invt_no: str
    return_no: str
    received_at: datetime


def parse_return_receipt(document: Record) -> ReturnReceipt:
    return ReturnReceipt(
        invt_no=str(document["invtNo"]),
        return_no=str(document["copNo"]),
        received_at=parse_ceb_time(str(document["receivedAt"])),
    )


@dataclass
class ReturnFile(Generic[B]):
    """A released list with its book of returns so far and its original parcel (when on file)."""

    row: ReleasedListRow
    returns: list[ReturnRow]
    parcel: LoadedParcel | None
    book: B

    def return_row(self, return_no: str) -> ReturnRow:
        return next(r for r in self.returns if r.return_no == return_no)


async def open_file(
    work: LogisticsWork,
    direction: ReturnDirection[B],
    invt_no: str,
    where: tuple[str, str],
    *,
    ebc_code: str | None = None,
    logistics_code: str | None = None,
) -> ReturnFile[B]:
    """The released list ``invt_no`` as the seller (``ebc_code``) or the logistics enterprise
    (``logistics_code``) that the list names sees it: another's list is not on file for it.
    ``where``: the document and the field that named the list."""
    row = await work.lists.get(invt_no)
    if (
        row is None
        or row.ie_flag != direction.ie_flag
        or (ebc_code is not None and row.ebc_code != ebc_code)
        or (logistics_code is not None and row.logistics_code != logistics_code)
    ):
        document, field = where
        rule = f"invtNo must be a released {direction.word} inventory list on file"
        raise ReturnRefused(document, [Violation(field=field, rule=rule, value=invt_no)])
    returns = await work.lists.returns(row.invt_no)
    parcel = await work.parcels.get(ParcelKey(row.logistics_code, row.logistics_no))
    book = direction.book(released_list(row), [return_record(r) for r in returns])
    return ReturnFile(row, returns, parcel, book)


def _record_accepted(
    work: LogisticsWork,
    context: Context,
    file: ReturnFile[Any],
    accepted: ReturnAccepted,
    logistics_no: str,
    buyer_id_number: str | None = None,
) -> None:
    work.lists.save_return(
        ReturnRow(
            ie_flag=file.row.ie_flag,
            invt_no=file.row.invt_no,
            return_no=accepted.return_no,
            logistics_no=logistics_no,
            buyer_id_number=buyer_id_number,
            lines=returned_lines_json(accepted.lines),
            applied_at=accepted.applied_at,
            filed_by=context.filer,
        )
    )
    if file.parcel is not None:
        work.parcels.save(file.parcel)


def _return_lines(
    book: ExportReturnBook | ImportReturnBook, lines: Sequence[ReturnedLine]
) -> tuple[tuple[ev.ReturnedLine, ...], Decimal]:
    out = tuple(
        ev.ReturnedLine(gnum=line.gnum, qty=line.qty, amount=book.value_of((line,)))
        for line in lines
    )
    return out, sum((line.amount for line in out), Decimal(0))


def _complete(
    work: LogisticsWork,
    file: ReturnFile[Any],
    return_row: ReturnRow,
    outcome_lines: Sequence[ReturnedLine],
    at: datetime,
    **event_fields: Any,
) -> None:
    """The returned goods are back: record it, and tell tax and declaration what came back."""
    return_row.received_at = at
    work.lists.save_return(return_row)
    lines, amount = _return_lines(file.book, outcome_lines)
    row = file.row
    work.publish(
        ev.ReturnCompleted(
            orderNo=row.order_no,
            invtNo=row.invt_no,
            ieFlag=row.ie_flag,
            withinWindow=return_row.within_window,
            lines=lines,
            amount=amount,
            releasedAt=iso(row.released_at),
            appliedAt=iso(return_row.applied_at),
            receivedAt=iso(at),
            **event_fields,
        )
    )
    parcel = file.parcel
    if parcel is not None:
        work.parcels.save(parcel)
        work.publish(moved(parcel, "returned", parcel.timeline.entries[-1]))


async def apply_export_return(
    work: LogisticsWork, context: Context, application: ExportReturnApplication
) -> str:
    """CEB213: return of all or part of an export list's goods (within 1 year of release,
    海关总署公告2020年第44号)."""
    head = application.head
    at = context.not_in_future(head.app_time, "InvtRefundHead.appTime", "CEB213")
    where = ("CEB213", "InvtRefundHead.invtNo")
    file = await open_file(work, EXPORT, head.invt_no, where, ebc_code=head.ebc_code)
    accepted = file.book.apply(application, at, file.parcel.timeline if file.parcel else None)
    _record_accepted(work, context, file, accepted, head.logistics_no)
    invt_no = file.row.invt_no
    return f"return {accepted.return_no} of list {invt_no} accepted ({accepted.scope.value})"


async def _pending_list(work: LogisticsWork, tally: ReturnTally) -> str:
    """The list of the return a tally without invtNo counts in, by the carrier's waybill."""
    pending = await work.lists.pending_return(tally.logistics_code, tally.logistics_no)
    if pending is None:
        raise ReturnRefused(
            "CEB215",
            [
                Violation(
                    field="logisticsNo",
                    rule="a tally needs an accepted return application for this waybill",
                    value=tally.logistics_no,
                )
            ],
        )
    return pending.invt_no


async def receive_export_return(work: LogisticsWork, context: Context, tally: ReturnTally) -> str:
    """CEB215: the returned export parcel was tallied in at the supervised site."""
    at = context.not_in_future(tally.app_time, "appTime", "CEB215")
    invt_no = tally.invt_no if tally.invt_no is not None else await _pending_list(work, tally)
    where = ("CEB215", "invtNo")
    file = await open_file(work, EXPORT, invt_no, where, logistics_code=tally.logistics_code)
    outcome = file.book.receive(tally, at, file.parcel.timeline if file.parcel else None)
    return_row = file.return_row(outcome.return_no)
    # The 2026-2027 relief: returned unchanged within 6 months, duty-free re-import.
    return_row.within_window = outcome.duty_free_reimport
    whole = outcome.scope is ReturnScope.WHOLE
    _complete(work, file, return_row, outcome.lines, at, whole=whole)
    invt_no = file.row.invt_no
    return f"return {outcome.return_no} of list {invt_no} received ({outcome.scope.value})"


async def apply_import_return(
    work: LogisticsWork, context: Context, application: ImportReturnApplication
) -> str:
    """CEB625: return of an import list's goods (apply within 30 days of release,
    财关税〔2018〕49号)."""
    head = application.head
    at = context.not_in_future(head.app_time, "InvtRefundHead.appTime", "CEB625")
    where = ("CEB625", "InvtRefundHead.invtNo")
    file = await open_file(work, IMPORT, head.invt_no, where, ebc_code=head.ebc_code)
    accepted = file.book.apply(application, at, file.parcel.timeline if file.parcel else None)
    _record_accepted(work, context, file, accepted, head.logistics_no, head.buyer_id_number)
    due = accepted.goods_due_by.isoformat() if accepted.goods_due_by else "-"
    invt_no = file.row.invt_no
    return f"return {accepted.return_no} of list {invt_no} accepted; goods due by {due}"


def _refuse_unless_carrier(context: Context, carrier: str) -> None:
    if context.party != carrier:
        raise ReturnRefused(
            "return receipt",
            [
                Violation(
                    field="invtNo",
                    rule="the goods of a return are reported back by the list's logistics "
                    "enterprise",
                    value=context.party,
                    expected=carrier,
                )
            ],
        )


async def receive_import_return(
    work: LogisticsWork, context: Context, receipt: ReturnReceipt
) -> str:
    """The goods of an accepted import return are back at the supervised site."""
    invt_no, return_no = receipt.invt_no, receipt.return_no
    at = context.not_in_future(receipt.received_at, "receivedAt", "return receipt")
    file = await open_file(work, IMPORT, invt_no, ("return receipt", "invtNo"))
    _refuse_unless_carrier(context, file.row.logistics_code)
    # 财关税〔2018〕49号: back within 45 days of release, the tax is not collected and the
    # buyer's annual amount restored; later, the goods are recorded as back and the tax stands.
    timeline = file.parcel.timeline if file.parcel else None
    outcome = file.book.receive(return_no, at, timeline, accept_late=True)
    return_row = file.return_row(return_no)
    return_row.within_window = outcome.within_window
    _complete(
        work,
        file,
        return_row,
        outcome.lines,
        at,
        buyerIdNumber=outcome.buyer_id_number or None,
        whole=outcome.scope is ReturnScope.WHOLE,
    )
    window = "within" if outcome.within_window else "outside"
    return f"return {return_no} of list {invt_no} received {window} the return window"


EXPORT_RETURN = DocumentKind(
    "CEB213",
    lambda d: pick(
        head_of(d, "InvtRefundHead"), "guid", "coElNo", "invtNo", "ebcCode", "agentCode"
    ),
    parse_export_return,
    apply_export_return,
)
RETURN_TALLY = DocumentKind(
    "CEB215",
    lambda d: pick(d, "guid", "coElNo", "logisticsCode", "logisticsNo", "invtNo"),
    parse_return_tally,
    receive_export_return,
)
IMPORT_RETURN = DocumentKind(
    "CEB625",
    lambda d: pick(
        head_of(d, "InvtRefundHead"), "guid", "copNo", "invtNo", "orderNo", "ebcCode", "agentCode"
    ),
    parse_import_return,
    apply_import_return,
)
IMPORT_RETURN_RECEIPT = DocumentKind(
    "IRETRCV", lambda d: pick(d, "invtNo", "copNo"), parse_return_receipt, receive_import_return
)
