"""Messages split by ``msgCount`` / ``msgSeqNo`` (CEB507, CEB509, CEB607): each part is kept
until every part is in (parts arrive in any order, message standard 202205); a complete message
that is refused voids its parts, so that the enterprise can send it again, part by part."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from cbec.logistics.domain import (
    Arrival,
    Departure,
    InvalidMessage,
    LogisticsError,
    MasterBillLink,
    MovementRefused,
    SplitMessage,
    SplitMessageConflict,
    combine_parts,
    parse_arrival,
    parse_departure,
    parse_master_bill_link,
)
from cbec.logistics.domain.access import NotTheFiler, refuse_unless_filer
from cbec.logistics.models import SplitPartRow
from cbec.logistics.unit_of_work import LogisticsWork
from cbec.logistics.use_cases.documents import (
    Context,
    DocumentKind,
    Filed,
    OnRefused,
    Record,
    head_of,
    pick,
)
from cbec.shared.errors import CbecError, Violation
from cbec.shared.fingerprints import canonical_json, fingerprint, loads

D = TypeVar("D", Arrival, Departure, MasterBillLink)


@dataclass(frozen=True, slots=True)
class Split(Generic[D]):
    """One kind of split message: its code, its head, how a part is read, its own time."""

    code: str
    head: str
    parse: Callable[[Any], D]
    time_field: str
    moment: Callable[[D], datetime]

    def read(self, document: Record) -> Filed[D]:
        return Filed(self.parse(document), document)


ARRIVAL: Split[Arrival] = Split(
    "CEB507", "ArrivalHead", parse_arrival, "appTime", lambda m: m.head.app_time
)
DEPARTURE: Split[Departure] = Split(
    "CEB509", "DepartureHead", parse_departure, "leaveTime", lambda m: m.head.leave_time
)
MASTER_BILL: Split[MasterBillLink] = Split(
    "CEB607", "WayBillHead", parse_master_bill_link, "appTime", lambda m: m.head.app_time
)


def _refuse_used(split: Split[D], rows: list[SplitPartRow], cop_no: str) -> None:
    if any(row.completed_at is not None for row in rows):
        raise MovementRefused(
            split.code,
            [
                Violation(
                    field=f"{split.head}.copNo",
                    rule=f"copNo is already used by a complete {split.code} of this enterprise",
                    value=cop_no,
                )
            ],
        )


async def assemble(
    work: LogisticsWork, context: Context, split: Split[D], filed: Filed[D]
) -> tuple[D | None, str]:
    """Keep a part of a split message; the whole message once every part is in."""
    part = filed.message
    head = part.head
    context.not_in_future(split.moment(part), f"{split.head}.{split.time_field}", split.code)
    count, seq = part.split_position
    rows: list[SplitPartRow] = await work.splits.of(split.code, head.logistics_code, head.cop_no)
    for row in rows:
        refuse_unless_filer(
            split.code, row.filed_by, context.party, f"{split.head}.copNo", head.cop_no
        )
    _refuse_used(split, rows, head.cop_no)
    assembly: SplitMessage[D] = SplitMessage(key=head.cop_no)
    for row in rows:
        assembly.add(row.msg_count, row.msg_seq_no, split.parse(loads(row.body)))
    if not assembly.add(count, seq, part):
        return None, f"part {seq} of {count} of {head.cop_no} was already received"
    new = SplitPartRow(
        document=split.code,
        logistics_code=head.logistics_code,
        cop_no=head.cop_no,
        msg_count=count,
        msg_seq_no=seq,
        fingerprint=fingerprint(filed.record),
        body=canonical_json(filed.record),
        filed_by=context.filer,
    )
    work.splits.save(new)
    if not assembly.complete:
        missing = ", ".join(str(n) for n in assembly.missing)
        return None, f"part {seq} of {count} of {head.cop_no} received; waiting for {missing}"
    for row in [*rows, new]:
        row.completed_at = context.now
        work.splits.save(row)
    return combine_parts(assembly.parts()), ""


async def void_assembly(
    work: LogisticsWork, split: Split[D], document: Record, error: CbecError
) -> None:
    """A complete split message was refused: its parts are void."""
    if not isinstance(error, MovementRefused | LogisticsError) or isinstance(
        error, InvalidMessage | SplitMessageConflict | NotTheFiler
    ):
        return  # a part of another enterprise's message is not this sender's to void
    head = head_of(document, split.head)
    rows = await work.splits.incomplete(split.code, head.get("logisticsCode"), head.get("copNo"))
    if not rows:
        return
    await work.receipts.forget(split.code, [row.fingerprint for row in rows])
    await work.splits.remove(rows)


def split_kind(
    split: Split[D], apply: Callable[[LogisticsWork, Context, Filed[D]], Awaitable[str]]
) -> DocumentKind[Filed[D]]:
    """The document kind of a split message: receipts keyed by its head, numbered (preNo)."""

    def keys(document: Mapping[str, Any]) -> dict[str, Any]:
        head = head_of(document, split.head)
        return pick(head, "guid", "copNo", "logisticsCode", "billNo", "msgSeqNo")

    async def on_refused(work: LogisticsWork, document: Record, error: CbecError) -> None:
        await void_assembly(work, split, document, error)

    voiding: OnRefused = on_refused
    return DocumentKind(split.code, keys, split.read, apply, voiding, pre_numbered=True)
