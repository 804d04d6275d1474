"""What every return book shares: the released list a return is measured against, the returns
accepted so far, the returned quantities and value of its lines."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from cbec.logistics.domain.errors import Violation
from cbec.logistics.domain.fields import (
    china_date,
)
from cbec.logistics.domain.timeline import Movement, ParcelTimeline

CENT = Decimal("0.01")


# --- the original list, as the declaration service released it -----------------------------


@dataclass(frozen=True, slots=True)
class ListLine:
    """A line of a released inventory list: what a return is measured against."""

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
class ReleasedList:
    """The released inventory list a return refers to (from the list-released event)."""

    invt_no: str
    ie_flag: str
    trade_mode: str
    released_at: datetime
    lines: tuple[ListLine, ...]
    order_no: str | None = None
    ebc_code: str | None = None
    logistics_code: str | None = None
    logistics_no: str | None = None
    buyer_id_number: str | None = None

    def line(self, gnum: int) -> ListLine | None:
        return next((line for line in self.lines if line.gnum == gnum), None)


# --- outcomes -------------------------------------------------------------------------------


class ReturnScope(StrEnum):
    """Whether the list's goods are now returned in full (over all its returns) or in part."""

    WHOLE = "whole"
    PARTIAL = "partial"


@dataclass(frozen=True, slots=True)
class ReturnedLine:
    """Quantities returned of one original list line (``gnum``)."""

    gnum: int
    gcode: str
    unit: str
    qty: Decimal
    qty1: Decimal | None = None
    qty2: Decimal | None = None


@dataclass(frozen=True, slots=True)
class ReturnAccepted:
    """A return application accepted: the goods are expected back (by ``goods_due_by``)."""

    invt_no: str
    return_no: str
    applied_at: datetime
    lines: tuple[ReturnedLine, ...]
    scope: ReturnScope
    goods_due_by: date | None


# --- books ----------------------------------------------------------------------------------


@dataclass(slots=True)
class ReturnRecord:
    """One accepted return of a list, and when its goods came back."""

    return_no: str
    applied_at: datetime
    logistics_no: str
    lines: tuple[ReturnedLine, ...]
    buyer_id_number: str | None = None
    received_at: datetime | None = None


def window_violation(field_name: str, rule: str, at: datetime, last_day: date) -> Violation | None:
    if china_date(at) <= last_day:
        return None
    return Violation(
        field=field_name,
        rule=rule,
        value=china_date(at).isoformat(),
        expected=f"on or before {last_day.isoformat()}",
    )


@dataclass(slots=True)
class ReturnBook:
    released: ReleasedList
    returns: list[ReturnRecord] = field(default_factory=list)

    def returned(self, gnum: int) -> tuple[Decimal, Decimal, Decimal]:
        """(qty, qty1, qty2) of line ``gnum`` already claimed by accepted returns."""
        qty = qty1 = qty2 = Decimal(0)
        for record in self.returns:
            for line in record.lines:
                if line.gnum == gnum:
                    qty += line.qty
                    qty1 += line.qty1 or 0
                    qty2 += line.qty2 or 0
        return qty, qty1, qty2

    def _scope_after(self, lines: Sequence[ReturnedLine]) -> ReturnScope:
        adding: dict[int, Decimal] = {}
        for line in lines:
            adding[line.gnum] = adding.get(line.gnum, Decimal(0)) + line.qty
        for original in self.released.lines:
            if self.returned(original.gnum)[0] + adding.get(original.gnum, Decimal(0)) < (
                original.qty
            ):
                return ReturnScope.PARTIAL
        return ReturnScope.WHOLE

    def value_of(self, lines: Sequence[ReturnedLine]) -> Decimal:
        """The returned share of the lines' value: totalPrice × returned qty / qty, in cents."""
        total = Decimal(0)
        for line in lines:
            original = self.released.line(line.gnum)
            if original is not None and original.qty > 0:
                total += original.total_price * line.qty / original.qty
        return total.quantize(CENT, rounding=ROUND_HALF_UP)

    def _check_parcel(
        self, parcel: ParcelTimeline | None, movement: Movement, rule: str
    ) -> list[Violation]:
        if parcel is None or parcel.allows(movement):
            return []
        return [
            Violation(
                field="logisticsNo", rule=rule, value=parcel.state.value, expected=movement.value
            )
        ]

    def _check_line(
        self,
        where: str,
        gnum: int,
        gcode: str,
        gname: str,
        units: Mapping[str, tuple[str | None, str | None]],
        quantities: Mapping[str, tuple[Decimal | None, Decimal | None, Decimal]],
        seen: set[int],
    ) -> list[Violation]:
        """``units``: name -> (returned, original); ``quantities``: name -> (returned,
        original, already returned)."""
        original = self.released.line(gnum)
        if gnum in seen:
            return [Violation(field=f"{where}.gnum", rule="a line is returned once per return")]
        seen.add(gnum)
        if original is None:
            return [
                Violation(
                    field=f"{where}.gnum",
                    rule=f"gnum must be a line of the original list {self.released.invt_no}",
                    value=gnum,
                )
            ]
        names = (("gcode", gcode, original.gcode), ("gname", gname, original.gname))
        same = [*names, *((name, mine, theirs) for name, (mine, theirs) in units.items())]
        return _differences(where, same) + _excess(where, quantities)


def _differences(
    where: str, pairs: Iterable[tuple[str, str | None, str | None]]
) -> list[Violation]:
    """Each field of a returned line that is not as on the original line (a unit left out of
    the return is not compared)."""
    return [
        Violation(
            field=f"{where}.{name}",
            rule=f"{name} must be the same as on the original list line",
            value=mine,
            expected=theirs,
        )
        for name, mine, theirs in pairs
        if mine is not None and mine != theirs
    ]


def _excess(
    where: str, quantities: Mapping[str, tuple[Decimal | None, Decimal | None, Decimal]]
) -> list[Violation]:
    """Each quantity returned beyond what the original line declared, over all returns."""
    out: list[Violation] = []
    for name, (mine_qty, their_qty, before) in quantities.items():
        if mine_qty is None:
            continue
        if their_qty is None:
            out.append(
                Violation(
                    field=f"{where}.{name}",
                    rule=f"the original list line has no {name} to return",
                    value=mine_qty,
                )
            )
        elif before + mine_qty > their_qty:
            out.append(
                Violation(
                    field=f"{where}.{name}",
                    rule=(
                        f"returned {name} over all returns must not exceed the original "
                        f"{name} (already returned {before})"
                    ),
                    value=before + mine_qty,
                    expected=f"<= {their_qty}",
                )
            )
    return out
