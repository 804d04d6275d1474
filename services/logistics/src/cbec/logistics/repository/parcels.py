"""Parcels: a parcel's row and its timeline, loaded and saved a batch of keys at a time.

parcels = await work.parcels.load(keys)
entries = record_arrival(arrival, timelines(parcels), at=now)
work.parcels.save_all(parcels.values())
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from opentelemetry.trace import Link
from sqlalchemy import delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from cbec.logistics.domain import Movement, ParcelKey, ParcelState, ParcelTimeline, TimelineEntry
from cbec.logistics.models import ParcelEntryRow, ParcelRow
from cbec.shared.clock import aware, utcnow
from cbec.shared.telemetry import link_to, stored_trace_context

# Keys per IN clause: well below the bound-parameter limits of SQLite and PostgreSQL.
CHUNK = 500


@dataclass(slots=True)
class LoadedParcel:
    """A parcel's row and its timeline; ``stored`` entries are already in the table."""

    row: ParcelRow
    timeline: ParcelTimeline
    stored: int

    @property
    def new_entries(self) -> list[TimelineEntry]:
        return self.timeline.entries[self.stored :]

    @property
    def order_no(self) -> str | None:
        return self.row.order_no


def timelines(parcels: Mapping[ParcelKey, LoadedParcel]) -> dict[ParcelKey, ParcelTimeline]:
    return {key: parcel.timeline for key, parcel in parcels.items()}


def _entry(row: ParcelEntryRow) -> TimelineEntry:
    return TimelineEntry(
        at=aware(row.at),
        movement=Movement[row.movement] if row.movement else None,
        from_state=ParcelState(row.from_state) if row.from_state else None,
        to_state=ParcelState(row.to_state),
        reference=row.reference,
    )


def _timeline(row: ParcelRow, entries: list[TimelineEntry]) -> ParcelTimeline:
    return ParcelTimeline(
        key=ParcelKey(row.logistics_code, row.logistics_no),
        ie_flag="E" if row.ie_flag == "E" else "I",
        state=ParcelState(row.state),
        entries=entries,
        invt_no=row.invt_no,
        bill_no=row.bill_no,
    )


class ParcelRepository:
    """Parcels and their timelines, inside the caller's transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._new: list[tuple[ParcelRow, ParcelTimeline]] = []

    async def _with_entries(self, rows: Sequence[ParcelRow]) -> dict[ParcelKey, LoadedParcel]:
        by_id: dict[int, list[ParcelEntryRow]] = {row.id: [] for row in rows if row.id is not None}
        ids = list(by_id)
        for start in range(0, len(ids), CHUNK):
            result = await self.session.exec(
                select(ParcelEntryRow)
                .where(col(ParcelEntryRow.parcel_id).in_(ids[start : start + CHUNK]))
                .order_by(col(ParcelEntryRow.id))
            )
            for entry in result:
                by_id[entry.parcel_id].append(entry)
        out: dict[ParcelKey, LoadedParcel] = {}
        for row in rows:
            entries = [_entry(e) for e in by_id.get(row.id or 0, [])]
            timeline = _timeline(row, entries)
            out[timeline.key] = LoadedParcel(row=row, timeline=timeline, stored=len(entries))
        return out

    async def load(self, keys: Iterable[ParcelKey]) -> dict[ParcelKey, LoadedParcel]:
        """The parcels of ``keys`` that are on file, with their timelines."""
        by_code: dict[str, list[str]] = {}
        for key in dict.fromkeys(keys):
            by_code.setdefault(key.logistics_code, []).append(key.logistics_no)
        rows: list[ParcelRow] = []
        for code, numbers in by_code.items():
            for start in range(0, len(numbers), CHUNK):
                result = await self.session.exec(
                    select(ParcelRow).where(
                        ParcelRow.logistics_code == code,
                        col(ParcelRow.logistics_no).in_(numbers[start : start + CHUNK]),
                    )
                )
                rows.extend(result)
        return await self._with_entries(rows)

    async def get(self, key: ParcelKey) -> LoadedParcel | None:
        return (await self.load([key])).get(key)

    async def load_on_bill(
        self, logistics_code: str, bill_no: str
    ) -> dict[ParcelKey, LoadedParcel]:
        result = await self.session.exec(
            select(ParcelRow).where(
                ParcelRow.logistics_code == logistics_code, ParcelRow.bill_no == bill_no
            )
        )
        return await self._with_entries(list(result))

    async def load_overdue_candidates(
        self, released_before: datetime, states: Iterable[ParcelState]
    ) -> dict[ParcelKey, LoadedParcel]:
        """Export parcels released before ``released_before``, still waiting, not yet reported."""
        result = await self.session.exec(
            select(ParcelRow).where(
                ParcelRow.ie_flag == "E",
                col(ParcelRow.state).in_([s.value for s in states]),
                col(ParcelRow.released_at) < released_before,
                col(ParcelRow.overdue_reported_at).is_(None),
            )
        )
        return await self._with_entries(list(result))

    async def movement_links(
        self, parcels: Iterable[LoadedParcel], movements: Iterable[Movement]
    ) -> list[Link | None]:
        """Links to the traces in which ``movements`` of the parcels were recorded, one per trace
        (a split arrival of 500 parcels is a few traces, not 500 links)."""
        ids = [p.row.id for p in parcels if p.row.id is not None]
        names = [m.name for m in movements]
        seen: set[int] = set()
        links: list[Link | None] = []
        for start in range(0, len(ids), CHUNK):
            result = await self.session.exec(
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

    def add(self, timeline: ParcelTimeline, order_no: str | None) -> None:
        """Store the timeline of a parcel whose waybill was just filed (see :meth:`flush_new`)."""
        row = ParcelRow(
            logistics_code=timeline.key.logistics_code,
            logistics_no=timeline.key.logistics_no,
            ie_flag=timeline.ie_flag,
            state=timeline.state.value,
            order_no=order_no,
        )
        self.session.add(row)
        self._new.append((row, timeline))

    async def flush_new(self) -> None:
        """Give new parcel rows their ids and store their first entries."""
        pending, self._new = self._new, []
        if not pending:
            return
        await self.session.flush()
        for row, timeline in pending:
            self.save(LoadedParcel(row=row, timeline=timeline, stored=0))

    async def restart(
        self, parcel: LoadedParcel, timeline: ParcelTimeline, order_no: str | None
    ) -> None:
        """A new life for a parcel whose waybill is filed again after its deletion."""
        await self.session.execute(
            delete(ParcelEntryRow).where(col(ParcelEntryRow.parcel_id) == parcel.row.id)
        )
        parcel.timeline, parcel.stored = timeline, 0
        row = parcel.row
        row.ie_flag, row.order_no = timeline.ie_flag, order_no
        row.released_at = row.departed_at = row.overdue_reported_at = None
        self.save(parcel)

    def set_order(self, parcel: LoadedParcel, order_no: str) -> None:
        parcel.row.order_no = order_no
        self.session.add(parcel.row)

    def mark_overdue_reported(self, parcel: LoadedParcel, at: datetime) -> None:
        parcel.row.overdue_reported_at = at
        self.session.add(parcel.row)

    def save(self, parcel: LoadedParcel) -> None:
        """Write the parcel's new entries and its current state."""
        row, timeline = parcel.row, parcel.timeline
        new = parcel.new_entries
        if not new:
            return
        assert row.id is not None, "a parcel row is flushed before its entries are written"
        trace_context = stored_trace_context()
        for entry in new:
            self.session.add(
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
        row.updated_at = utcnow()
        self.session.add(row)
        parcel.stored = len(timeline.entries)

    def save_all(self, parcels: Iterable[LoadedParcel]) -> None:
        for parcel in parcels:
            self.save(parcel)
