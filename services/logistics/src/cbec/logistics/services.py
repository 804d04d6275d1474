"""Use cases of the logistics service, shared by the API and the event handlers.

Each use case runs inside one transaction handed in by the caller (``session``): it loads the
domain objects, lets the rules of :mod:`cbec.logistics.domain` decide, writes what changed and
adds the resulting events to the outbox in the same transaction. A rule that refuses raises a
:class:`~cbec.shared.errors.CbecError` before anything is written.

Documents sent by enterprises go through :func:`submit`: one transaction per document, one
receipt per document (``returnStatus`` 2 accepted, 100 refused with every failed rule in
``returnInfo``); a document resent unchanged by the enterprise that sent it gets the receipt it
got the first time. Who may file, change and read what is decided there and in each use case,
on the rows it loads anyway, by the rules of :mod:`cbec.logistics.domain.access`.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import delete, tuple_
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from cbec.logistics import events as ev
from cbec.logistics.domain import (
    BONDED_TRADE_MODE,
    AppType,
    Arrival,
    Departure,
    ExportReturnBook,
    ExportWaybill,
    ImportReturnBook,
    InvalidMessage,
    LogisticsError,
    MasterBillLink,
    Movement,
    MovementRefused,
    ParcelKey,
    ParcelTimeline,
    ReturnedLine,
    ReturnRefused,
    ReturnScope,
    Sale,
    SaleLine,
    SplitMessage,
    SplitMessageConflict,
    StockRefused,
    TimelineEntry,
    Waybill,
    combine_parts,
    file_waybill,
    find_overdue,
    mark_used_by_list,
    parcel_keys,
    parse_arrival,
    parse_ceb_time,
    parse_delivery_status,
    parse_departure,
    parse_export_return,
    parse_export_waybill,
    parse_import_return,
    parse_import_waybill,
    parse_master_bill_link,
    parse_return_tally,
    parse_site_entry,
    record_arrival,
    record_delivery,
    record_departure,
    record_master_bill_link,
    record_site_entry,
)
from cbec.logistics.domain.access import (
    NotTheFiler,
    Who,
    filing_violations,
    may_read,
    refuse_unless_filer,
)
from cbec.logistics.domain.fields import CHINA_TIME
from cbec.logistics.domain.timeline import AWAITING_DEPARTURE
from cbec.logistics.domain.warehouse import StockMovement
from cbec.logistics.models import (
    BookingRow,
    MasterBillRow,
    ParcelEntryRow,
    ReceiptRow,
    ReleasedListRow,
    ReturnRow,
    SplitPartRow,
    WaybillRow,
)
from cbec.logistics.repository import (
    CHUNK,
    LoadedParcel,
    aware,
    booking_of,
    dumps,
    fingerprint,
    flush_new_parcels,
    load_overdue_candidates,
    load_parcels,
    load_parcels_on_bill,
    load_returns,
    load_warehouse,
    load_waybill,
    loads,
    movement_links,
    new_parcel,
    released_list,
    return_record,
    returned_lines_json,
    save_parcel,
    save_parcels,
    save_warehouse,
    timelines,
    waybill_record,
)
from cbec.logistics.settings import Settings
from cbec.shared.ceb import format_return_time
from cbec.shared.errors import CbecError, Conflict, NotFound, Violation
from cbec.shared.outbox import Outbox
from cbec.shared.service import Runtime
from cbec.shared.telemetry import joining_span, tag_span

log = logging.getLogger(__name__)

ACCEPTED = "2"
REFUSED = "100"
RETURN_INFO_MAX = 1000


def china_now() -> datetime:
    return datetime.now(CHINA_TIME)


def iso(at: datetime) -> str:
    """A moment as the events write it: ISO 8601 in China time."""
    return at.astimezone(CHINA_TIME).isoformat()


def ceb_time(at: datetime) -> str:
    return at.astimezone(CHINA_TIME).strftime("%Y%m%d%H%M%S")


@dataclass(frozen=True, slots=True)
class Context:
    """What a use case needs besides its transaction."""

    outbox: Outbox
    settings: Settings
    now: datetime
    party: str | None = None
    """The enterprise filing the document (checked by :func:`submit_one` to be named by it)."""

    @property
    def filer(self) -> str:
        if not self.party:
            raise ValueError("a document is filed by an enterprise: the caller names none")
        return self.party


# --- documents and receipts ---------------------------------------------------------------------

Apply = Callable[[AsyncSession, Context, dict[str, Any]], Awaitable[str]]
OnRefused = Callable[[AsyncSession, dict[str, Any], CbecError], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class DocumentKind:
    """How one kind of document is filed: its code, the keys its receipt repeats, its use case
    and what to undo elsewhere when it is refused."""

    code: str
    keys: Callable[[Mapping[str, Any]], dict[str, Any]]
    apply: Apply
    on_refused: OnRefused | None = None
    pre_numbered: bool = False
    """Its receipt carries the platform's pre-entry number (``preNo``) of the accepted message,
    as the standard's receipt message requires (CEB508, CEB510, CEB608)."""


PRE_NO_SERIES = 5
"""``preNo`` is `B` + yyyyMMdd + 9 digits (DOMAIN.md §1); logistics gives the series whose first
digit is 5, so that its numbers never meet the declaration service's (its lists' row ids)."""


def pre_no(serial: int, at: datetime) -> str:
    """The pre-entry number of the logistics message filed ``serial``-th, on ``at``'s day."""
    return f"B{at.astimezone(CHINA_TIME):%Y%m%d}{PRE_NO_SERIES}{serial % 10**8:08d}"


def receipt(status: str, info: str, keys: Mapping[str, Any], at: datetime) -> dict[str, Any]:
    """A receipt (DOMAIN.md §3): the document's keys, returnStatus, returnTime, returnInfo."""
    text = info if len(info) <= RETURN_INFO_MAX else info[: RETURN_INFO_MAX - 3] + "..."
    return {
        **{k: v for k, v in keys.items() if v is not None},
        "returnStatus": status,
        "returnTime": format_return_time(at.astimezone(CHINA_TIME)),
        "returnInfo": text,
    }


async def _stored_receipt(
    session: AsyncSession, code: str, print_: str, party: str | None
) -> dict[str, Any] | None:
    """The receipt of the same document sent before by the same enterprise."""
    result = await session.exec(
        select(ReceiptRow).where(
            ReceiptRow.document == code,
            ReceiptRow.fingerprint == print_,
            ReceiptRow.submitted_by == party,
        )
    )
    row = result.first()
    return None if row is None else dict(loads(row.receipt))


async def submit(
    runtime: Runtime,
    kind: DocumentKind,
    documents: Sequence[dict[str, Any]],
    who: Who,
) -> list[dict[str, Any]]:
    """File every document of ``who``, each in its own transaction; one receipt per document."""
    return [await submit_one(runtime, kind, document, who) for document in documents]


async def submit_one(
    runtime: Runtime, kind: DocumentKind, document: dict[str, Any], who: Who
) -> dict[str, Any]:
    settings = runtime.settings
    assert isinstance(settings, Settings)
    print_ = fingerprint(document)
    keys = kind.keys(document)
    party = who.party
    tag_span(**{k: v for k, v in keys.items() if k != "guid"})
    not_named = filing_violations(who, kind.code, document)
    if not_named:
        info = f"{kind.code} refused: " + "; ".join(str(v) for v in not_named)
        return receipt(REFUSED, info, keys, china_now())
    try:
        async with runtime.transaction() as session:
            stored = await _stored_receipt(session, kind.code, print_, party)
            if stored is not None:
                return stored
            context = Context(runtime.outbox, settings, china_now(), party)
            info = await kind.apply(session, context, document)
            row = ReceiptRow(document=kind.code, fingerprint=print_, receipt="", submitted_by=party)
            session.add(row)
            if kind.pre_numbered:
                await session.flush()
                assert row.id is not None
                keys = {**keys, "preNo": pre_no(row.id, context.now)}
            answer = receipt(ACCEPTED, info, keys, context.now)
            row.receipt = dumps(answer)
            return answer
    except CbecError as error:
        log.info("%s refused: %s", kind.code, error.message)
        if kind.on_refused is not None:
            async with runtime.transaction() as session:
                await kind.on_refused(session, document, error)
        status = getattr(error, "return_status", REFUSED)
        return receipt(status, error.message, keys, china_now())
    except IntegrityError:
        # The same document filed at the same moment by another request: answer as it was.
        async with runtime.transaction() as session:
            stored = await _stored_receipt(session, kind.code, print_, party)
        if stored is None:
            raise
        return stored


def _not_in_future(context: Context, at: datetime, field: str, document: str) -> datetime:
    """A document's own time (appTime, leaveTime ...) may not lie in the future."""
    latest = context.now + timedelta(seconds=context.settings.document_time_tolerance_seconds)
    if at > latest:
        raise InvalidMessage(
            document,
            [
                Violation(
                    field=field,
                    rule=f"{field.rsplit('.', 1)[-1]} must not be in the future",
                    value=ceb_time(at),
                    expected=f"<= {ceb_time(context.now)}",
                )
            ],
        )
    return at


def _head(document: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    head = document.get(name)
    return head if isinstance(head, Mapping) else {}


def _pick(record: Mapping[str, Any], *names: str) -> dict[str, Any]:
    return {name: record.get(name) for name in names}


# --- events ---------------------------------------------------------------------------------------


def _moved(
    parcel: LoadedParcel,
    movement: str,
    entry: TimelineEntry,
    *,
    leave_time: str | None = None,
) -> ev.ParcelMoved:
    timeline = parcel.timeline
    return ev.ParcelMoved(
        logisticsCode=timeline.key.logistics_code,
        logisticsNo=timeline.key.logistics_no,
        ieFlag=timeline.ie_flag,
        movement=movement,
        orderNo=parcel.row.order_no,
        invtNo=timeline.invt_no,
        billNo=timeline.bill_no,
        at=iso(entry.at),
        leaveTime=leave_time,
    )


def _publish_moves(
    context: Context,
    session: AsyncSession,
    parcels: Mapping[ParcelKey, LoadedParcel],
    keys: Sequence[ParcelKey],
    entries: Sequence[TimelineEntry],
    movement: str,
    *,
    leave_time: str | None = None,
) -> None:
    for key, entry in zip(keys, entries, strict=True):
        context.outbox.add(session, _moved(parcels[key], movement, entry, leave_time=leave_time))


# --- waybills (CEB505 / CEB511) ------------------------------------------------------------------


def _waybill_accepted(waybill: Waybill, at: datetime) -> ev.WaybillAccepted:
    app_type = "2" if waybill.app_type is AppType.CHANGE else "1"
    if isinstance(waybill, ExportWaybill):
        return ev.WaybillAccepted(
            logisticsCode=waybill.logistics_code,
            logisticsNo=waybill.logistics_no,
            ieFlag="E",
            appType=app_type,
            currency=waybill.currency,
            freight=waybill.freight,
            insuredFee=waybill.insured_fee,
            grossWeight=waybill.gross_weight,
            packNo=waybill.pack_no,
            ebcCode=waybill.ebc_code,
            acceptedAt=iso(at),
        )
    return ev.WaybillAccepted(
        logisticsCode=waybill.logistics_code,
        logisticsNo=waybill.logistics_no,
        ieFlag="I",
        appType=app_type,
        orderNo=waybill.order_no,
        currency=waybill.currency,
        freight=waybill.freight,
        insuredFee=waybill.insured_fee,
        grossWeight=waybill.weight,
        packNo=waybill.pack_no,
        consignee=waybill.consignee,
        consigneeTelephone=waybill.consignee_telephone,
        consigneeAddress=waybill.consignee_address,
        acceptedAt=iso(at),
    )


async def _file_waybill(
    session: AsyncSession, context: Context, waybill: Waybill, record: Mapping[str, Any]
) -> str:
    key = waybill.key
    now = context.now
    row = await load_waybill(session, key)
    if row is not None:
        code = "CEB505" if waybill.ie_flag == "E" else "CEB511"
        refuse_unless_filer(code, row.filed_by, context.party, "logisticsNo", key.logistics_no)
    file_waybill(waybill, waybill_record(row) if row is not None else None, now)
    order_no = getattr(waybill, "order_no", None)
    parcel = (await load_parcels(session, [key])).get(key) if row is not None else None
    if waybill.app_type is AppType.DELETE:
        assert row is not None
        assert parcel is not None
        parcel.timeline.apply(Movement.WAYBILL_DELETED, now, waybill.guid)
        row.deleted = True
        row.changed_at = now
        session.add(row)
        save_parcel(session, parcel)
        context.outbox.add(
            session,
            ev.WaybillDeleted(
                logisticsCode=key.logistics_code,
                logisticsNo=key.logistics_no,
                ieFlag=waybill.ie_flag,
                orderNo=order_no,
                deletedAt=iso(now),
            ),
        )
        return f"waybill {key.logistics_no} deleted"
    if row is None:
        session.add(
            WaybillRow(
                logistics_code=key.logistics_code,
                logistics_no=key.logistics_no,
                ie_flag=waybill.ie_flag,
                order_no=order_no,
                ebc_code=getattr(waybill, "ebc_code", None),
                document=dumps(record),
                filed_by=context.filer,
                filed_at=now,
            )
        )
        new_parcel(
            session,
            ParcelTimeline.start(
                key, waybill.ie_flag, now, "CEB505" if waybill.ie_flag == "E" else "CEB511"
            ),
            order_no,
        )
        await flush_new_parcels(session)
        info = f"waybill {key.logistics_no} accepted"
    elif waybill.app_type is AppType.NEW:
        # Filed again after a delete: a new life for the parcel.
        assert parcel is not None
        row.document, row.deleted, row.used_by_list = dumps(record), False, None
        row.ie_flag, row.order_no = waybill.ie_flag, order_no
        row.ebc_code = getattr(waybill, "ebc_code", None)
        row.filed_at, row.changed_at = now, None
        session.add(row)
        await session.execute(
            delete(ParcelEntryRow).where(col(ParcelEntryRow.parcel_id) == parcel.row.id)
        )
        parcel.timeline = ParcelTimeline.start(key, waybill.ie_flag, now, "refiled")
        parcel.stored = 0
        parcel.row.ie_flag, parcel.row.order_no = waybill.ie_flag, order_no
        parcel.row.released_at = parcel.row.departed_at = parcel.row.overdue_reported_at = None
        save_parcel(session, parcel)
        info = f"waybill {key.logistics_no} accepted again after its deletion"
    else:
        row.document, row.changed_at = dumps(record), now
        row.order_no = order_no
        row.ebc_code = getattr(waybill, "ebc_code", None)
        session.add(row)
        if parcel is not None and order_no is not None:
            parcel.row.order_no = order_no
            session.add(parcel.row)
        info = f"waybill {key.logistics_no} changed"
    context.outbox.add(session, _waybill_accepted(waybill, now))
    return info


async def file_export_waybill(
    session: AsyncSession, context: Context, document: dict[str, Any]
) -> str:
    """CEB505: an export waybill filed, changed or deleted."""
    return await _file_waybill(session, context, parse_export_waybill(document), document)


async def file_import_waybill(
    session: AsyncSession, context: Context, document: dict[str, Any]
) -> str:
    """CEB511: an import waybill (the ``LogisticsHead`` of the entity)."""
    head = dict(_head(document, "LogisticsHead"))
    return await _file_waybill(session, context, parse_import_waybill(head), head)


EXPORT_WAYBILL = DocumentKind(
    "CEB505",
    lambda d: _pick(d, "guid", "logisticsCode", "logisticsNo"),
    file_export_waybill,
)
IMPORT_WAYBILL = DocumentKind(
    "CEB511",
    lambda d: _pick(_head(d, "LogisticsHead"), "guid", "logisticsCode", "logisticsNo"),
    file_import_waybill,
)


# --- split movement messages (CEB507, CEB509, CEB607) ---------------------------------------------

S = TypeVar("S", Arrival, Departure, MasterBillLink)


@dataclass(frozen=True, slots=True)
class _Split:
    code: str
    head: str
    parse: Callable[[Any], Any]
    time_field: str


_ARRIVAL = _Split("CEB507", "ArrivalHead", parse_arrival, "appTime")
_DEPARTURE = _Split("CEB509", "DepartureHead", parse_departure, "leaveTime")
_MASTER_BILL = _Split("CEB607", "WayBillHead", parse_master_bill_link, "appTime")


async def _assemble(
    session: AsyncSession, context: Context, split: _Split, document: dict[str, Any]
) -> tuple[Any | None, str]:
    """Keep a part of a split message; the whole message once every part is in (parts arrive
    in any order: msgCount / msgSeqNo, message standard 202205)."""
    part = split.parse(document)
    head = part.head
    moment = head.leave_time if split.time_field == "leaveTime" else head.app_time
    _not_in_future(context, moment, f"{split.head}.{split.time_field}", split.code)
    count, seq = part.split_position
    result = await session.exec(
        select(SplitPartRow)
        .where(
            SplitPartRow.document == split.code,
            SplitPartRow.logistics_code == head.logistics_code,
            SplitPartRow.cop_no == head.cop_no,
        )
        .order_by(col(SplitPartRow.msg_seq_no))
    )
    rows = list(result)
    for row in rows:
        refuse_unless_filer(
            split.code, row.filed_by, context.party, f"{split.head}.copNo", head.cop_no
        )
    if any(row.completed_at is not None for row in rows):
        raise MovementRefused(
            split.code,
            [
                Violation(
                    field=f"{split.head}.copNo",
                    rule=f"copNo is already used by a complete {split.code} of this enterprise",
                    value=head.cop_no,
                )
            ],
        )
    assembly: SplitMessage[Any] = SplitMessage(key=head.cop_no)
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
        fingerprint=fingerprint(document),
        body=dumps(document),
        filed_by=context.filer,
    )
    session.add(new)
    if not assembly.complete:
        missing = ", ".join(str(n) for n in assembly.missing)
        return None, f"part {seq} of {count} of {head.cop_no} received; waiting for {missing}"
    for row in [*rows, new]:
        row.completed_at = context.now
        session.add(row)
    return combine_parts(assembly.parts()), ""


async def _void_assembly(
    session: AsyncSession, split: _Split, document: Mapping[str, Any], error: CbecError
) -> None:
    """A complete split message was refused: its parts are void, so that the enterprise can
    send the corrected message again, part by part."""
    if not isinstance(error, MovementRefused | LogisticsError) or isinstance(
        error, InvalidMessage | SplitMessageConflict | NotTheFiler
    ):
        return  # a part of another enterprise's message is not this sender's to void
    head = _head(document, split.head)
    code, cop_no = head.get("logisticsCode"), head.get("copNo")
    result = await session.exec(
        select(SplitPartRow).where(
            SplitPartRow.document == split.code,
            SplitPartRow.logistics_code == code,
            SplitPartRow.cop_no == cop_no,
            col(SplitPartRow.completed_at).is_(None),
        )
    )
    rows = list(result)
    if not rows:
        return
    await session.execute(
        delete(ReceiptRow).where(
            col(ReceiptRow.document) == split.code,
            col(ReceiptRow.fingerprint).in_([row.fingerprint for row in rows]),
        )
    )
    for row in rows:
        await session.delete(row)


async def record_arrival_message(
    session: AsyncSession, context: Context, document: dict[str, Any]
) -> str:
    """CEB507: parcels arrived at the export supervised site."""
    arrival, info = await _assemble(session, context, _ARRIVAL, document)
    if arrival is None:
        return info
    keys = parcel_keys(arrival)
    parcels = await load_parcels(session, keys)
    entries = record_arrival(arrival, timelines(parcels), arrival.head.app_time)
    save_parcels(session, parcels.values())
    _publish_moves(context, session, parcels, keys, entries, "arrived")
    return f"arrival {arrival.head.cop_no}: {len(keys)} parcel(s) at the supervised site"


async def record_master_bill_message(
    session: AsyncSession, context: Context, document: dict[str, Any]
) -> str:
    """CEB607: parcels linked to (or unlinked from) a flight or vessel bill."""
    link, info = await _assemble(session, context, _MASTER_BILL, document)
    if link is None:
        return info
    head = link.head
    unlinking = head.app_type is AppType.DELETE
    bill = (
        await session.exec(
            select(MasterBillRow).where(
                MasterBillRow.logistics_code == head.logistics_code,
                MasterBillRow.bill_no == head.bill_no,
            )
        )
    ).first()
    if bill is not None:
        refuse_unless_filer(
            "CEB607", bill.filed_by, context.party, "WayBillHead.billNo", head.bill_no
        )
    keys = parcel_keys(link)
    if unlinking and not keys:
        parcels = await load_parcels_on_bill(session, head.logistics_code, head.bill_no)
    else:
        parcels = await load_parcels(session, keys)
    entries = record_master_bill_link(link, timelines(parcels), head.app_time)
    save_parcels(session, parcels.values())
    if unlinking:
        if bill is not None:
            bill.parcels = max(0, bill.parcels - len(entries))
            session.add(bill)
        return f"{len(entries)} parcel(s) unlinked from master bill {head.bill_no}"
    if bill is None:
        bill = MasterBillRow(
            logistics_code=head.logistics_code,
            bill_no=head.bill_no,
            cop_no=head.cop_no,
            agent_code=head.agent_code,
            traf_mode=head.traf_mode,
            traf_name=head.traf_name,
            voyage_no=head.voyage_no,
            gross_weight=str(head.gross_weight),
            linked_at=head.app_time,
            filed_by=context.filer,
        )
    bill.parcels += len(entries)
    session.add(bill)
    _publish_moves(context, session, parcels, keys, entries, "linked")
    return f"{len(entries)} parcel(s) linked to master bill {head.bill_no}"


_DEPARTURE_JOINS = (Movement.LIST_RELEASED, Movement.ARRIVED, Movement.LINKED_TO_MASTER_BILL)
"""What a departure checks of its parcels (DOMAIN.md §8), each recorded in a trace of its own."""


async def record_departure_message(
    session: AsyncSession, context: Context, document: dict[str, Any]
) -> str:
    """CEB509: parcels left the country at leaveTime; bookings among them fill warehouses."""
    departure, info = await _assemble(session, context, _DEPARTURE, document)
    if departure is None:
        return info
    head = departure.head
    keys = parcel_keys(departure)
    parcels = await load_parcels(session, keys)
    # The departure joins what was recorded of its parcels in other traces: it links them.
    links = await movement_links(session, parcels.values(), _DEPARTURE_JOINS)
    with joining_span(
        "parcels departed",
        links,
        copNo=head.cop_no,
        logisticsCode=head.logistics_code,
        billNo=head.bill_no,
    ):
        entries = record_departure(departure, timelines(parcels))
        save_parcels(session, parcels.values())
        leave_time = ceb_time(head.leave_time)
        _publish_moves(context, session, parcels, keys, entries, "departed", leave_time=leave_time)
        await _bookings_departed(session, context, [parcels[k] for k in keys], head.leave_time)
    return f"departure {head.cop_no}: {len(keys)} parcel(s) left at {leave_time}"


def _split_keys(head_name: str) -> Callable[[Mapping[str, Any]], dict[str, Any]]:
    def keys(document: Mapping[str, Any]) -> dict[str, Any]:
        head = _head(document, head_name)
        return _pick(head, "guid", "copNo", "logisticsCode", "billNo", "msgSeqNo")

    return keys


def _void(split: _Split) -> OnRefused:
    async def on_refused(session: AsyncSession, document: dict[str, Any], error: CbecError) -> None:
        await _void_assembly(session, split, document, error)

    return on_refused


ARRIVAL = DocumentKind(
    "CEB507", _split_keys("ArrivalHead"), record_arrival_message, _void(_ARRIVAL), pre_numbered=True
)
MASTER_BILL = DocumentKind(
    "CEB607",
    _split_keys("WayBillHead"),
    record_master_bill_message,
    _void(_MASTER_BILL),
    pre_numbered=True,
)
DEPARTURE = DocumentKind(
    "CEB509",
    _split_keys("DepartureHead"),
    record_departure_message,
    _void(_DEPARTURE),
    pre_numbered=True,
)


# --- import movements (CEB711, CEB513) ------------------------------------------------------------


async def record_site_entry_message(
    session: AsyncSession, context: Context, document: dict[str, Any]
) -> str:
    """CEB711: import parcels entered the supervised site."""
    entry = parse_site_entry(document)
    _not_in_future(context, entry.head.app_time, "DeliveryHead.appTime", "CEB711")
    keys = parcel_keys(entry)
    parcels = await load_parcels(session, keys)
    entries = record_site_entry(entry, timelines(parcels), entry.head.app_time)
    save_parcels(session, parcels.values())
    _publish_moves(context, session, parcels, keys, entries, "entered_site")
    return f"{len(keys)} parcel(s) entered the supervised site"


async def record_waybill_status(
    session: AsyncSession, context: Context, document: dict[str, Any]
) -> str:
    """CEB513: the buyer signed for an import parcel (status S)."""
    status = parse_delivery_status(document)
    _not_in_future(context, status.logistics_time, "logisticsTime", "CEB513")
    parcels = await load_parcels(session, [status.key])
    parcel = parcels.get(status.key)
    entry = record_delivery(status, parcel.timeline if parcel is not None else None)
    assert parcel is not None
    save_parcel(session, parcel)
    context.outbox.add(session, _moved(parcel, "delivered", entry))
    return f"parcel {status.logistics_no} signed for"


SITE_ENTRY = DocumentKind(
    "CEB711",
    lambda d: _pick(_head(d, "DeliveryHead"), "guid", "copNo", "operatorCode", "customsCode"),
    record_site_entry_message,
)
WAYBILL_STATUS = DocumentKind(
    "CEB513",
    lambda d: _pick(d, "guid", "logisticsCode", "logisticsNo", "logisticsStatus"),
    record_waybill_status,
)


# --- returns (CEB213, CEB215, CEB625) -------------------------------------------------------------


async def _released(
    session: AsyncSession,
    invt_no: str,
    document: str,
    field: str,
    ie_flag: str,
    *,
    ebc_code: str | None = None,
    logistics_code: str | None = None,
) -> ReleasedListRow:
    """The released list ``invt_no``, as the seller (``ebc_code``) or the logistics enterprise
    (``logistics_code``) that the list names sees it: another's list is not on file for it."""
    row = await session.get(ReleasedListRow, invt_no)
    if (
        row is None
        or row.ie_flag != ie_flag
        or (ebc_code is not None and row.ebc_code != ebc_code)
        or (logistics_code is not None and row.logistics_code != logistics_code)
    ):
        kind = "export" if ie_flag == "E" else "import"
        raise ReturnRefused(
            document,
            [
                Violation(
                    field=field,
                    rule=f"invtNo must be a released {kind} inventory list on file",
                    value=invt_no,
                )
            ],
        )
    return row


async def _original_parcel(session: AsyncSession, row: ReleasedListRow) -> LoadedParcel | None:
    key = ParcelKey(row.logistics_code, row.logistics_no)
    return (await load_parcels(session, [key])).get(key)


@dataclass
class _ReturnFile:
    """A released list with its returns so far and its original parcel (when on file)."""

    row: ReleasedListRow
    returns: list[ReturnRow]
    parcel: LoadedParcel | None

    @property
    def timeline(self) -> ParcelTimeline | None:
        return self.parcel.timeline if self.parcel is not None else None


async def _return_file(
    session: AsyncSession,
    invt_no: str,
    document: str,
    field: str,
    ie_flag: str,
    **owner: str | None,
) -> _ReturnFile:
    row = await _released(session, invt_no, document, field, ie_flag, **owner)
    returns = list(await load_returns(session, row.invt_no))
    return _ReturnFile(row, returns, await _original_parcel(session, row))


def _complete_return(
    session: AsyncSession,
    context: Context,
    file: _ReturnFile,
    book: ExportReturnBook | ImportReturnBook,
    return_row: ReturnRow,
    outcome_lines: Sequence[ReturnedLine],
    at: datetime,
    **event_fields: Any,
) -> None:
    """The returned goods are back: record it, and tell tax and declaration what came back."""
    return_row.received_at = at
    session.add(return_row)
    lines, amount = _return_lines(book, outcome_lines)
    row = file.row
    context.outbox.add(
        session,
        ev.ReturnCompleted(
            orderNo=row.order_no,
            invtNo=row.invt_no,
            ieFlag=row.ie_flag,
            withinWindow=return_row.within_window,
            lines=lines,
            amount=amount,
            releasedAt=iso(aware(row.released_at)),
            appliedAt=iso(aware(return_row.applied_at)),
            receivedAt=iso(at),
            **event_fields,
        ),
    )
    parcel = file.parcel
    if parcel is not None:
        save_parcel(session, parcel)
        context.outbox.add(session, _moved(parcel, "returned", parcel.timeline.entries[-1]))


async def apply_export_return(
    session: AsyncSession, context: Context, document: dict[str, Any]
) -> str:
    """CEB213: return of all or part of an export list's goods (within 1 year of release,
    海关总署公告2020年第44号)."""
    application = parse_export_return(document)
    head = application.head
    at = _not_in_future(context, head.app_time, "InvtRefundHead.appTime", "CEB213")
    file = await _return_file(
        session, head.invt_no, "CEB213", "InvtRefundHead.invtNo", "E", ebc_code=head.ebc_code
    )
    row, parcel = file.row, file.parcel
    book = ExportReturnBook(
        released=released_list(row), returns=[return_record(r) for r in file.returns]
    )
    accepted = book.apply(application, at, file.timeline)
    session.add(
        ReturnRow(
            ie_flag="E",
            invt_no=row.invt_no,
            return_no=accepted.return_no,
            logistics_no=head.logistics_no,
            lines=returned_lines_json(accepted.lines),
            applied_at=at,
            filed_by=context.filer,
        )
    )
    if parcel is not None:
        save_parcel(session, parcel)
    return f"return {accepted.return_no} of list {row.invt_no} accepted ({accepted.scope.value})"


def _return_lines(
    book: ExportReturnBook | ImportReturnBook, lines: Sequence[ReturnedLine]
) -> tuple[tuple[ev.ReturnedLine, ...], Decimal]:
    out = tuple(
        ev.ReturnedLine(gnum=line.gnum, qty=line.qty, amount=book.value_of((line,)))
        for line in lines
    )
    return out, sum((line.amount for line in out), Decimal(0))


async def receive_export_return(
    session: AsyncSession, context: Context, document: dict[str, Any]
) -> str:
    """CEB215: the returned export parcel was tallied in at the supervised site."""
    tally = parse_return_tally(document)
    at = _not_in_future(context, tally.app_time, "appTime", "CEB215")
    invt_no = tally.invt_no
    if invt_no is None:
        pending = (
            await session.exec(
                select(ReturnRow)
                .join(ReleasedListRow, col(ReleasedListRow.invt_no) == col(ReturnRow.invt_no))
                .where(
                    ReturnRow.ie_flag == "E",
                    ReturnRow.logistics_no == tally.logistics_no,
                    ReleasedListRow.logistics_code == tally.logistics_code,
                    col(ReturnRow.received_at).is_(None),
                )
            )
        ).first()
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
        invt_no = pending.invt_no
    file = await _return_file(
        session, invt_no, "CEB215", "invtNo", "E", logistics_code=tally.logistics_code
    )
    book = ExportReturnBook(
        released=released_list(file.row), returns=[return_record(r) for r in file.returns]
    )
    outcome = book.receive(tally, at, file.timeline)
    return_row = next(r for r in file.returns if r.return_no == outcome.return_no)
    # The 2026-2027 relief: returned unchanged within 6 months, duty-free re-import.
    return_row.within_window = outcome.duty_free_reimport
    _complete_return(
        session,
        context,
        file,
        book,
        return_row,
        outcome.lines,
        at,
        whole=outcome.scope is ReturnScope.WHOLE,
    )
    row = file.row
    return f"return {outcome.return_no} of list {row.invt_no} received ({outcome.scope.value})"


async def apply_import_return(
    session: AsyncSession, context: Context, document: dict[str, Any]
) -> str:
    """CEB625: return of an import list's goods (apply within 30 days of release,
    财关税〔2018〕49号)."""
    application = parse_import_return(document)
    head = application.head
    at = _not_in_future(context, head.app_time, "InvtRefundHead.appTime", "CEB625")
    file = await _return_file(
        session, head.invt_no, "CEB625", "InvtRefundHead.invtNo", "I", ebc_code=head.ebc_code
    )
    row, parcel = file.row, file.parcel
    book = ImportReturnBook(
        released=released_list(row), returns=[return_record(r) for r in file.returns]
    )
    accepted = book.apply(application, at, file.timeline)
    session.add(
        ReturnRow(
            ie_flag="I",
            invt_no=row.invt_no,
            return_no=accepted.return_no,
            logistics_no=head.logistics_no,
            buyer_id_number=head.buyer_id_number,
            lines=returned_lines_json(accepted.lines),
            applied_at=at,
            filed_by=context.filer,
        )
    )
    if parcel is not None:
        save_parcel(session, parcel)
    due = accepted.goods_due_by.isoformat() if accepted.goods_due_by else "-"
    return f"return {accepted.return_no} of list {row.invt_no} accepted; goods due by {due}"


async def receive_import_return(
    session: AsyncSession, context: Context, document: dict[str, Any]
) -> str:
    """The goods of an accepted import return are back at the supervised site."""
    invt_no, return_no = str(document["invtNo"]), str(document["copNo"])
    at = _not_in_future(
        context, parse_ceb_time(str(document["receivedAt"])), "receivedAt", "return receipt"
    )
    file = await _return_file(session, invt_no, "return receipt", "invtNo", "I")
    carrier = file.row.logistics_code
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
    book = ImportReturnBook(
        released=released_list(file.row), returns=[return_record(r) for r in file.returns]
    )
    # 财关税〔2018〕49号: back within 45 days of release, the tax is not collected and the
    # buyer's annual amount restored; later, the goods are recorded as back and the tax stands.
    outcome = book.receive(return_no, at, file.timeline, accept_late=True)
    return_row = next(r for r in file.returns if r.return_no == return_no)
    return_row.within_window = outcome.within_window
    _complete_return(
        session,
        context,
        file,
        book,
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
    lambda d: _pick(_head(d, "InvtRefundHead"), "guid", "coElNo", "invtNo", "ebcCode", "agentCode"),
    apply_export_return,
)
RETURN_TALLY = DocumentKind(
    "CEB215",
    lambda d: _pick(d, "guid", "coElNo", "logisticsCode", "logisticsNo", "invtNo"),
    receive_export_return,
)
IMPORT_RETURN = DocumentKind(
    "CEB625",
    lambda d: _pick(
        _head(d, "InvtRefundHead"), "guid", "copNo", "invtNo", "orderNo", "ebcCode", "agentCode"
    ),
    apply_import_return,
)
IMPORT_RETURN_RECEIPT = DocumentKind(
    "IRETRCV",
    lambda d: _pick(d, "invtNo", "copNo"),
    receive_import_return,
)


# --- overseas warehouses (9810) -------------------------------------------------------------------


def _stock_changed(
    ebc_code: str, warehouse_code: str, movement: StockMovement, on_hand: Decimal
) -> ev.StockChanged:
    return ev.StockChanged(
        warehouseKey=f"{ebc_code}:{warehouse_code}",
        ebcCode=ebc_code,
        warehouseCode=warehouse_code,
        itemNo=movement.item_no,
        change=movement.qty,
        reason=movement.kind.value,
        orderNo=movement.booking_no,
        onHand=on_hand,
        at=iso(movement.at),
    )


async def _bookings_departed(
    session: AsyncSession, context: Context, parcels: Sequence[LoadedParcel], at: datetime
) -> None:
    """Export to an overseas warehouse (9810, DOMAIN.md §8): a booking's goods enter its
    warehouse when the booking's parcel departs."""
    invt_nos = sorted({p.timeline.invt_no for p in parcels if p.timeline.invt_no})
    orders: set[tuple[str, str]] = set()
    for start in range(0, len(invt_nos), CHUNK):
        result = await session.exec(
            select(ReleasedListRow.ebc_code, ReleasedListRow.order_no).where(
                col(ReleasedListRow.invt_no).in_(invt_nos[start : start + CHUNK])
            )
        )
        orders.update((ebc_code, order_no) for ebc_code, order_no in result)
    if not orders:
        return
    keys = sorted(orders)
    bookings: list[BookingRow] = []
    for start in range(0, len(keys), CHUNK):
        found = await session.exec(
            select(BookingRow).where(
                tuple_(col(BookingRow.ebc_code), col(BookingRow.order_no)).in_(
                    keys[start : start + CHUNK]
                ),
                col(BookingRow.departed_at).is_(None),
            )
        )
        bookings.extend(found)
    for booking in bookings:
        code = booking.warehouse_code or context.settings.warehouse_default_code
        loaded = await load_warehouse(session, booking.ebc_code, code)
        try:
            loaded.warehouse.receive(booking_of(booking, at), at)
        except StockRefused as refused:
            log.warning("booking %s not taken into stock: %s", booking.order_no, refused.message)
            continue
        booking.departed_at = at
        booking.warehouse_code = code
        session.add(booking)
        _publish_warehouse(session, context, loaded)


def _publish_warehouse(session: AsyncSession, context: Context, loaded: Any) -> None:
    warehouse = loaded.warehouse
    new = save_warehouse(session, loaded, context.filer)
    remaining = dict(warehouse.stock)
    on_hand_after: list[Decimal] = []
    for movement in reversed(new):
        on_hand_after.append(remaining.get(movement.item_no, Decimal(0)))
        remaining[movement.item_no] = remaining.get(movement.item_no, Decimal(0)) - movement.qty
    for movement, on_hand in zip(new, reversed(on_hand_after), strict=True):
        context.outbox.add(
            session,
            _stock_changed(warehouse.ebc_code, warehouse.warehouse_code, movement, on_hand),
        )


async def record_sale(session: AsyncSession, context: Context, document: dict[str, Any]) -> str:
    """A sale out of an overseas warehouse, against the booking that brought the goods in."""
    ebc_code, warehouse_code = str(document["ebcCode"]), str(document["warehouseCode"])
    loaded = await load_warehouse(session, ebc_code, warehouse_code)
    sale = Sale(
        sale_no=str(document["saleNo"]),
        booking_no=str(document["bookingNo"]),
        lines=tuple(
            SaleLine(item_no=str(line["itemNo"]), qty=Decimal(str(line["qty"])))
            for line in document["lines"]
        ),
    )
    loaded.warehouse.record_sale(sale, context.now)
    _publish_warehouse(session, context, loaded)
    return f"sale {sale.sale_no} recorded against booking {sale.booking_no}"


SALE = DocumentKind(
    "SALE",
    lambda d: _pick(d, "saleNo", "bookingNo", "ebcCode", "warehouseCode"),
    record_sale,
)


async def assign_booking(
    session: AsyncSession, who: Who, ebc_code: str, warehouse_code: str, order_no: str
) -> dict[str, Any]:
    """Name the warehouse a booking's goods go into, until they depart: by the seller whose
    booking it is; to anyone else it is not on file."""
    booking = await session.get(BookingRow, (ebc_code, order_no))
    if booking is None or filing_violations(who, "BOOKING", {"ebcCode": ebc_code}):
        raise NotFound(
            f"no booking {order_no} of enterprise {ebc_code}",
            [
                Violation(
                    field="orderNo", rule="must be a booking (orderType W) on file", value=order_no
                )
            ],
        )
    if booking.departed_at is not None and booking.warehouse_code != warehouse_code:
        raise Conflict(
            f"booking {order_no} already departed into warehouse {booking.warehouse_code}",
            [
                Violation(
                    field="orderNo",
                    rule="a booking is assigned to a warehouse before its goods depart",
                    value=order_no,
                    expected=booking.warehouse_code,
                )
            ],
        )
    booking.warehouse_code = warehouse_code
    session.add(booking)
    return {"orderNo": order_no, "ebcCode": ebc_code, "warehouseCode": warehouse_code}


async def stock_report(
    session: AsyncSession, who: Who, ebc_code: str, warehouse_code: str, at: datetime
) -> dict[str, Any]:
    """The stock of a warehouse: per SKU and per booking; for its seller, customs officers and
    operators, and not on file for anyone else."""
    if not may_read(who, [ebc_code]):
        raise NotFound(
            f"no warehouse {warehouse_code} of enterprise {ebc_code}",
            [Violation(field="warehouseCode", rule="must be a warehouse of the enterprise")],
        )
    loaded = await load_warehouse(session, ebc_code, warehouse_code)
    report = loaded.warehouse.stock_report(at)
    return {
        "ebcCode": ebc_code,
        "warehouseCode": warehouse_code,
        "at": iso(at),
        "lines": [
            {
                "itemNo": line.item_no,
                "received": str(line.received),
                "sold": str(line.sold),
                "writtenOff": str(line.written_off),
                "onHand": str(line.on_hand),
            }
            for line in report.lines
        ],
        "bookings": [
            {
                "orderNo": b.order_no,
                "itemNo": b.item_no,
                "received": str(b.received),
                "sold": str(b.sold),
                "available": str(b.available),
            }
            for b in report.bookings
        ],
    }


# --- parcels --------------------------------------------------------------------------------------


async def _parcel_names(
    session: AsyncSession, key: ParcelKey, parcel: LoadedParcel
) -> list[str | None]:
    """The enterprises a parcel's documents name: its logistics enterprise, the seller of its
    waybill (export) and of its released list."""
    waybill = await load_waybill(session, key)
    released = (
        await session.get(ReleasedListRow, parcel.timeline.invt_no)
        if parcel.timeline.invt_no
        else None
    )
    return [
        key.logistics_code,
        waybill.ebc_code if waybill is not None else None,
        released.ebc_code if released is not None else None,
    ]


async def parcel_timeline(session: AsyncSession, who: Who, key: ParcelKey) -> dict[str, Any]:
    """A parcel's timeline: its state and every movement, oldest first; for the enterprises
    its documents name, customs officers and operators, and not on file for anyone else."""
    parcel = (await load_parcels(session, [key])).get(key)
    if (
        parcel is not None
        and not may_read(who, [key.logistics_code])
        and not may_read(who, await _parcel_names(session, key, parcel))
    ):
        parcel = None
    if parcel is None:
        raise NotFound(
            f"no parcel {key.logistics_no} of logistics enterprise {key.logistics_code}",
            [
                Violation(
                    field="logisticsNo", rule="must be a waybill on file", value=key.logistics_no
                )
            ],
        )
    timeline = parcel.timeline
    return {
        "logisticsCode": key.logistics_code,
        "logisticsNo": key.logistics_no,
        "ieFlag": timeline.ie_flag,
        "state": timeline.state.value,
        "orderNo": parcel.row.order_no,
        "invtNo": timeline.invt_no,
        "billNo": timeline.bill_no,
        "entries": [
            {
                "at": iso(entry.at),
                "movement": entry.movement.name.lower() if entry.movement else "waybill_filed",
                "description": entry.movement.value if entry.movement else "waybill filed",
                "fromState": entry.from_state.value if entry.from_state else None,
                "toState": entry.to_state.value,
                "reference": entry.reference,
            }
            for entry in timeline.entries
        ],
    }


async def report_overdue_parcels(
    session: AsyncSession, outbox: Outbox, now: datetime, wait: timedelta
) -> list[dict[str, Any]]:
    """ParcelOverdue for every released export parcel not departed within ``wait``
    (PARCEL_DEPARTURE_WAIT), once per parcel."""
    candidates = await load_overdue_candidates(session, now - wait, AWAITING_DEPARTURE)
    found = find_overdue(timelines(candidates).values(), now, wait)
    out = []
    for overdue in found:
        parcel = candidates[overdue.key]
        parcel.row.overdue_reported_at = now
        session.add(parcel.row)
        event = ev.ParcelOverdue(
            logisticsCode=overdue.key.logistics_code,
            logisticsNo=overdue.key.logistics_no,
            invtNo=overdue.invt_no,
            releasedAt=iso(overdue.released_at),
            overdueSince=iso(overdue.due_at),
        )
        outbox.add(session, event)
        out.append(event.to_data())
    return out


async def check_overdue(runtime: Runtime) -> list[dict[str, Any]]:
    """One run of the overdue check, in its own transaction."""
    settings = runtime.settings
    assert isinstance(settings, Settings)
    async with runtime.transaction() as session:
        return await report_overdue_parcels(
            session, runtime.outbox, china_now(), settings.parcel_departure_wait
        )


# --- what the declaration service tells ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReleasedListLine:
    gnum: int
    gcode: str
    gname: str
    unit: str
    qty: Decimal
    total_price: Decimal
    unit1: str | None = None
    qty1: Decimal | None = None
    unit2: str | None = None
    qty2: Decimal | None = None


@dataclass(frozen=True, slots=True)
class ListRelease:
    """The fields of a released inventory list that logistics keeps."""

    invt_no: str
    ie_flag: str
    order_no: str
    trade_mode: str
    ebc_code: str
    logistics_code: str
    logistics_no: str
    buyer_id_number: str | None
    released_at: datetime
    lines: tuple[ReleasedListLine, ...]


async def list_released(session: AsyncSession, release: ListRelease) -> bool:
    """Customs released a list: keep it (returns, bookings) and move its parcel to
    "list released". False when the parcel could not move (its state says why)."""
    if await session.get(ReleasedListRow, release.invt_no) is None:
        session.add(
            ReleasedListRow(
                invt_no=release.invt_no,
                ie_flag=release.ie_flag,
                order_no=release.order_no,
                trade_mode=release.trade_mode,
                ebc_code=release.ebc_code,
                logistics_code=release.logistics_code,
                logistics_no=release.logistics_no,
                buyer_id_number=release.buyer_id_number,
                lines=dumps(
                    [
                        {
                            "gnum": line.gnum,
                            "gcode": line.gcode,
                            "gname": line.gname,
                            "unit": line.unit,
                            "qty": line.qty,
                            "totalPrice": line.total_price,
                            "unit1": line.unit1,
                            "qty1": line.qty1,
                            "unit2": line.unit2,
                            "qty2": line.qty2,
                        }
                        for line in release.lines
                    ]
                ),
                released_at=release.released_at,
            )
        )
    key = ParcelKey(release.logistics_code, release.logistics_no)
    waybill = await load_waybill(session, key)
    parcel = (await load_parcels(session, [key])).get(key)
    if waybill is None or parcel is None:
        raise LogisticsError(
            f"list {release.invt_no} names waybill {key} that is not on file",
            [Violation(field="logisticsNo", rule="must be a waybill on file", value=str(key))],
        )
    if waybill.used_by_list != release.invt_no:
        try:
            record = mark_used_by_list(waybill_record(waybill), release.invt_no)
        except LogisticsError as error:
            log.warning("list %s: %s", release.invt_no, error.message)
        else:
            waybill.used_by_list = record.used_by_list
            session.add(waybill)
    timeline = parcel.timeline
    if timeline.invt_no == release.invt_no:
        return True
    bonded = release.ie_flag == "I" and release.trade_mode == BONDED_TRADE_MODE
    if not timeline.allows(Movement.LIST_RELEASED, bonded=bonded):
        log.warning(
            "parcel %s in state %s cannot take the release of list %s",
            key,
            timeline.state.value,
            release.invt_no,
        )
        return False
    timeline.apply(
        Movement.LIST_RELEASED,
        release.released_at,
        release.invt_no,
        invt_no=release.invt_no,
        bonded=bonded,
    )
    parcel.row.order_no = release.order_no
    save_parcel(session, parcel)
    return True


async def list_closed(session: AsyncSession, invt_no: str, closed_at: datetime) -> None:
    """The list closed (899): recorded on the released list."""
    row = await session.get(ReleasedListRow, invt_no)
    if row is not None and row.closed_at is None:
        row.closed_at = closed_at
        session.add(row)


@dataclass(frozen=True, slots=True)
class BookingOrder:
    order_no: str
    ebc_code: str
    lines: tuple[tuple[str, Decimal, str, str], ...]
    """(itemNo, qty, itemName, unit) per order line."""


async def booking_accepted(session: AsyncSession, booking: BookingOrder) -> None:
    """A booking order (orderType W) accepted or changed: kept until its goods depart."""
    lines = dumps(
        [
            {"itemNo": item, "qty": qty, "itemName": name, "unit": unit}
            for item, qty, name, unit in booking.lines
        ]
    )
    row = await session.get(BookingRow, (booking.ebc_code, booking.order_no))
    if row is None:
        session.add(BookingRow(order_no=booking.order_no, ebc_code=booking.ebc_code, lines=lines))
    elif row.departed_at is None:
        row.lines = lines
        session.add(row)
