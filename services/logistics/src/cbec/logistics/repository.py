"""Loading domain objects from the tables and writing their changes back.

The domain works on plain objects (a :class:`ParcelTimeline`, a return book, an overseas
warehouse); these functions build them from rows inside the caller's transaction and store what
the domain changed::

    parcels = await load_parcels(session, keys)
    entries = record_arrival(arrival, timelines(parcels), at=now)
    save_parcels(session, parcels.values())
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from opentelemetry.trace import Link
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from cbec.logistics.domain import (
    Booking,
    BookingLine,
    ListLine,
    Movement,
    OverseasWarehouse,
    ParcelKey,
    ParcelState,
    ParcelTimeline,
    ReleasedList,
    ReturnedLine,
    TimelineEntry,
    WaybillRecord,
    parse_export_waybill,
    parse_import_waybill,
)
from cbec.logistics.domain.returns import ReturnRecord
from cbec.logistics.domain.warehouse import BookingBalance, StockMovement, StockMovementKind
from cbec.logistics.models import (
    BookingRow,
    ParcelEntryRow,
    ParcelRow,
    ReleasedListRow,
    ReturnRow,
    StockMovementRow,
    StockRow,
    WaybillRow,
)
from cbec.shared.telemetry import link_to, stored_trace_context

# Keys per IN clause: well below the bound-parameter limits of SQLite and PostgreSQL.
CHUNK = 500


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def dumps(value: Any) -> str:
    """Canonical JSON: sorted keys, decimals as strings (never floats)."""
    return json.dumps(
        value, default=_json_default, ensure_ascii=False, sort_keys=True, separators=(",", ":")
    )


def loads(text: str) -> Any:
    return json.loads(text, parse_float=Decimal)


def fingerprint(document: Any) -> str:
    """What identifies a document resent unchanged."""
    return hashlib.sha256(dumps(document).encode()).hexdigest()


def aware(value: datetime) -> datetime:
    """A stored time as an aware datetime (SQLite hands naive UTC values back)."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


# --- waybills ----------------------------------------------------------------------------------


async def load_waybill(session: AsyncSession, key: ParcelKey) -> WaybillRow | None:
    result = await session.exec(
        select(WaybillRow).where(
            WaybillRow.logistics_code == key.logistics_code,
            WaybillRow.logistics_no == key.logistics_no,
        )
    )
    return result.first()


def waybill_record(row: WaybillRow) -> WaybillRecord:
    document = loads(row.document)
    waybill = (
        parse_export_waybill(document) if row.ie_flag == "E" else parse_import_waybill(document)
    )
    return WaybillRecord(
        waybill=waybill,
        filed_at=aware(row.filed_at),
        changed_at=aware(row.changed_at) if row.changed_at else None,
        used_by_list=row.used_by_list,
        deleted=row.deleted,
    )


# --- parcels -----------------------------------------------------------------------------------


@dataclass(slots=True)
class LoadedParcel:
    """A parcel's row and its timeline; ``stored`` entries are already in the table."""

    row: ParcelRow
    timeline: ParcelTimeline
    stored: int

    @property
    def new_entries(self) -> list[TimelineEntry]:
        return self.timeline.entries[self.stored :]


def _entry(row: ParcelEntryRow) -> TimelineEntry:
    return TimelineEntry(
        at=aware(row.at),
        movement=Movement[row.movement] if row.movement else None,
        from_state=ParcelState(row.from_state) if row.from_state else None,
        to_state=ParcelState(row.to_state),
        reference=row.reference,
    )


async def _with_entries(
    session: AsyncSession, rows: Sequence[ParcelRow]
) -> dict[ParcelKey, LoadedParcel]:
    by_id: dict[int, list[ParcelEntryRow]] = {row.id: [] for row in rows if row.id is not None}
    ids = list(by_id)
    for start in range(0, len(ids), CHUNK):
        result = await session.exec(
            select(ParcelEntryRow)
            .where(col(ParcelEntryRow.parcel_id).in_(ids[start : start + CHUNK]))
            .order_by(col(ParcelEntryRow.id))
        )
        for entry in result:
            by_id[entry.parcel_id].append(entry)
    out: dict[ParcelKey, LoadedParcel] = {}
    for row in rows:
        entries = [_entry(e) for e in by_id.get(row.id or 0, [])]
        key = ParcelKey(row.logistics_code, row.logistics_no)
        timeline = ParcelTimeline(
            key=key,
            ie_flag="E" if row.ie_flag == "E" else "I",
            state=ParcelState(row.state),
            entries=entries,
            invt_no=row.invt_no,
            bill_no=row.bill_no,
        )
        out[key] = LoadedParcel(row=row, timeline=timeline, stored=len(entries))
    return out


async def load_parcels(
    session: AsyncSession, keys: Iterable[ParcelKey]
) -> dict[ParcelKey, LoadedParcel]:
    """The parcels of ``keys`` that are on file, with their timelines."""
    by_code: dict[str, list[str]] = {}
    for key in dict.fromkeys(keys):
        by_code.setdefault(key.logistics_code, []).append(key.logistics_no)
    rows: list[ParcelRow] = []
    for code, numbers in by_code.items():
        for start in range(0, len(numbers), CHUNK):
            result = await session.exec(
                select(ParcelRow).where(
                    ParcelRow.logistics_code == code,
                    col(ParcelRow.logistics_no).in_(numbers[start : start + CHUNK]),
                )
            )
            rows.extend(result)
    return await _with_entries(session, rows)


async def load_parcels_on_bill(
    session: AsyncSession, logistics_code: str, bill_no: str
) -> dict[ParcelKey, LoadedParcel]:
    result = await session.exec(
        select(ParcelRow).where(
            ParcelRow.logistics_code == logistics_code, ParcelRow.bill_no == bill_no
        )
    )
    return await _with_entries(session, list(result))


async def load_overdue_candidates(
    session: AsyncSession, released_before: datetime, states: Iterable[ParcelState]
) -> dict[ParcelKey, LoadedParcel]:
    """Export parcels released before ``released_before``, still waiting, not yet reported."""
    result = await session.exec(
        select(ParcelRow).where(
            ParcelRow.ie_flag == "E",
            col(ParcelRow.state).in_([s.value for s in states]),
            col(ParcelRow.released_at) < released_before,
            col(ParcelRow.overdue_reported_at).is_(None),
        )
    )
    return await _with_entries(session, list(result))


async def movement_links(
    session: AsyncSession, parcels: Iterable[LoadedParcel], movements: Iterable[Movement]
) -> list[Link | None]:
    """Links to the traces in which ``movements`` of the parcels were recorded, one per trace
    (a split arrival of 500 parcels is a few traces, not 500 links)."""
    ids = [p.row.id for p in parcels if p.row.id is not None]
    names = [m.name for m in movements]
    seen: set[int] = set()
    links: list[Link | None] = []
    for start in range(0, len(ids), CHUNK):
        result = await session.exec(
            select(ParcelEntryRow.movement, ParcelEntryRow.trace_context)
            .where(
                col(ParcelEntryRow.parcel_id).in_(ids[start : start + CHUNK]),
                col(ParcelEntryRow.movement).in_(names),
                col(ParcelEntryRow.trace_context).is_not(None),
            )
            .order_by(col(ParcelEntryRow.id))
        )
        for movement, context in result:
            link = link_to(context, {"cbec.movement": Movement[movement or ""].value})
            if link is not None and link.context.trace_id not in seen:
                seen.add(link.context.trace_id)
                links.append(link)
    return links


def timelines(parcels: Mapping[ParcelKey, LoadedParcel]) -> dict[ParcelKey, ParcelTimeline]:
    return {key: parcel.timeline for key, parcel in parcels.items()}


def new_parcel(session: AsyncSession, timeline: ParcelTimeline, order_no: str | None) -> None:
    """Store the timeline of a parcel whose waybill was just filed."""
    row = ParcelRow(
        logistics_code=timeline.key.logistics_code,
        logistics_no=timeline.key.logistics_no,
        ie_flag=timeline.ie_flag,
        state=timeline.state.value,
        order_no=order_no,
    )
    session.add(row)
    session.info.setdefault("logistics_new_parcels", []).append((row, timeline))


async def flush_new_parcels(session: AsyncSession) -> None:
    """Give new parcel rows their ids and store their first entries."""
    pending = session.info.pop("logistics_new_parcels", [])
    if not pending:
        return
    await session.flush()
    for row, timeline in pending:
        save_parcel(session, LoadedParcel(row=row, timeline=timeline, stored=0))


def save_parcel(session: AsyncSession, parcel: LoadedParcel) -> None:
    """Write the parcel's new entries and its current state."""
    row, timeline = parcel.row, parcel.timeline
    new = parcel.new_entries
    if not new:
        return
    assert row.id is not None, "a parcel row is flushed before its entries are written"
    trace_context = stored_trace_context()
    for entry in new:
        session.add(
            ParcelEntryRow(
                parcel_id=row.id,
                at=entry.at,
                movement=entry.movement.name if entry.movement else None,
                from_state=entry.from_state.value if entry.from_state else None,
                to_state=entry.to_state.value,
                reference=entry.reference[:60],
                trace_context=trace_context,
            )
        )
        if entry.movement is Movement.LIST_RELEASED:
            row.released_at = entry.at
        elif entry.movement is Movement.DEPARTED:
            row.departed_at = entry.at
    row.state = timeline.state.value
    row.invt_no = timeline.invt_no
    row.bill_no = timeline.bill_no
    row.updated_at = datetime.now(UTC)
    session.add(row)
    parcel.stored = len(timeline.entries)


def save_parcels(session: AsyncSession, parcels: Iterable[LoadedParcel]) -> None:
    for parcel in parcels:
        save_parcel(session, parcel)


# --- released lists and returns -----------------------------------------------------------------


def released_list(row: ReleasedListRow) -> ReleasedList:
    def dec(value: Any) -> Decimal | None:
        return None if value is None else Decimal(str(value))

    lines = tuple(
        ListLine(
            gnum=int(line["gnum"]),
            gcode=line["gcode"],
            gname=line["gname"],
            unit=line["unit"],
            qty=Decimal(str(line["qty"])),
            total_price=Decimal(str(line["totalPrice"])),
            unit1=line.get("unit1"),
            qty1=dec(line.get("qty1")),
            unit2=line.get("unit2"),
            qty2=dec(line.get("qty2")),
        )
        for line in loads(row.lines)
    )
    return ReleasedList(
        invt_no=row.invt_no,
        ie_flag=row.ie_flag,
        trade_mode=row.trade_mode,
        released_at=aware(row.released_at),
        lines=lines,
        order_no=row.order_no,
        ebc_code=row.ebc_code,
        logistics_code=row.logistics_code,
        logistics_no=row.logistics_no,
        buyer_id_number=row.buyer_id_number,
    )


def returned_lines_json(lines: Sequence[ReturnedLine]) -> str:
    return dumps(
        [
            {
                "gnum": line.gnum,
                "gcode": line.gcode,
                "unit": line.unit,
                "qty": line.qty,
                "qty1": line.qty1,
                "qty2": line.qty2,
            }
            for line in lines
        ]
    )


def return_record(row: ReturnRow) -> ReturnRecord:
    def dec(value: Any) -> Decimal | None:
        return None if value is None else Decimal(str(value))

    lines = tuple(
        ReturnedLine(
            gnum=int(line["gnum"]),
            gcode=line["gcode"],
            unit=line["unit"],
            qty=Decimal(str(line["qty"])),
            qty1=dec(line.get("qty1")),
            qty2=dec(line.get("qty2")),
        )
        for line in loads(row.lines)
    )
    return ReturnRecord(
        return_no=row.return_no,
        applied_at=aware(row.applied_at),
        logistics_no=row.logistics_no,
        lines=lines,
        buyer_id_number=row.buyer_id_number,
        received_at=aware(row.received_at) if row.received_at else None,
    )


async def load_returns(session: AsyncSession, invt_no: str) -> list[ReturnRow]:
    result = await session.exec(
        select(ReturnRow).where(ReturnRow.invt_no == invt_no).order_by(col(ReturnRow.id))
    )
    return list(result)


# --- overseas warehouses -----------------------------------------------------------------------


def booking_of(row: BookingRow, departed_at: datetime | None = None) -> Booking:
    lines = tuple(
        BookingLine(
            item_no=line["itemNo"],
            qty=Decimal(str(line["qty"])),
            item_name=line.get("itemName", ""),
            unit=line.get("unit", ""),
        )
        for line in loads(row.lines)
    )
    when = departed_at or (aware(row.departed_at) if row.departed_at else None)
    return Booking(
        order_no=row.order_no,
        order_type="W",
        ebc_code=row.ebc_code,
        lines=lines,
        departed_at=when,
    )


@dataclass(slots=True)
class LoadedWarehouse:
    warehouse: OverseasWarehouse
    stock_rows: dict[str, StockRow]
    stored: int


async def load_warehouse(
    session: AsyncSession, ebc_code: str, warehouse_code: str
) -> LoadedWarehouse:
    """The warehouse with its stock, its movements and the balance of every booking in it."""
    warehouse = OverseasWarehouse(ebc_code=ebc_code, warehouse_code=warehouse_code)
    stock = await session.exec(
        select(StockRow).where(
            StockRow.ebc_code == ebc_code, StockRow.warehouse_code == warehouse_code
        )
    )
    stock_rows = {row.item_no: row for row in stock}
    warehouse.stock = {item: Decimal(row.on_hand) for item, row in stock_rows.items()}
    moves = await session.exec(
        select(StockMovementRow)
        .where(
            StockMovementRow.ebc_code == ebc_code,
            StockMovementRow.warehouse_code == warehouse_code,
        )
        .order_by(col(StockMovementRow.id))
    )
    booking_nos: set[str] = set()
    for move in moves:
        movement = StockMovement(
            at=aware(move.at),
            kind=StockMovementKind(move.kind),
            item_no=move.item_no,
            qty=Decimal(move.qty),
            reference=move.reference,
            booking_no=move.booking_no,
        )
        warehouse.movements.append(movement)
        if movement.kind is StockMovementKind.SALE:
            warehouse.sale_nos.add(movement.reference)
        if movement.booking_no is not None:
            booking_nos.add(movement.booking_no)
    if booking_nos:
        bookings = await session.exec(
            select(BookingRow).where(
                BookingRow.ebc_code == ebc_code, col(BookingRow.order_no).in_(sorted(booking_nos))
            )
        )
        for row in bookings:
            warehouse.bookings[row.order_no] = BookingBalance(
                row.order_no, booking_of(row).booked()
            )
    for movement in warehouse.movements:
        balance = warehouse.bookings.get(movement.booking_no or "")
        if balance is None:
            continue
        if movement.kind is StockMovementKind.INBOUND:
            balance.received[movement.item_no] = (
                balance.received.get(movement.item_no, Decimal(0)) + movement.qty
            )
        elif movement.kind is StockMovementKind.SALE:
            balance.sold[movement.item_no] = (
                balance.sold.get(movement.item_no, Decimal(0)) - movement.qty
            )
    return LoadedWarehouse(
        warehouse=warehouse, stock_rows=stock_rows, stored=len(warehouse.movements)
    )


def save_warehouse(
    session: AsyncSession, loaded: LoadedWarehouse, filed_by: str
) -> list[StockMovement]:
    """Write the warehouse's new movements (filed by ``filed_by``: the seller of a sale, the
    carrier whose departure brought the goods in) and stock; return the new movements."""
    warehouse = loaded.warehouse
    new = warehouse.movements[loaded.stored :]
    for movement in new:
        session.add(
            StockMovementRow(
                ebc_code=warehouse.ebc_code,
                warehouse_code=warehouse.warehouse_code,
                at=movement.at,
                kind=movement.kind.value,
                item_no=movement.item_no,
                qty=str(movement.qty),
                reference=movement.reference[:60],
                booking_no=movement.booking_no,
                filed_by=filed_by,
            )
        )
    for item_no in {m.item_no for m in new}:
        row = loaded.stock_rows.get(item_no)
        on_hand = str(warehouse.stock.get(item_no, Decimal(0)))
        if row is None:
            row = StockRow(
                ebc_code=warehouse.ebc_code,
                warehouse_code=warehouse.warehouse_code,
                item_no=item_no,
                on_hand=on_hand,
            )
            loaded.stock_rows[item_no] = row
        else:
            row.on_hand = on_hand
            row.updated_at = datetime.now(UTC)
        session.add(row)
    loaded.stored = len(warehouse.movements)
    return new
