"""Released inventory lists (as the declaration service published them) and their returns."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from cbec.logistics.domain import ListLine, ReleasedList, ReturnedLine
from cbec.logistics.domain.returns import ReturnRecord
from cbec.logistics.models import ReleasedListRow, ReturnRow
from cbec.shared.clock import aware
from cbec.shared.fingerprints import canonical_json, loads


def _dec(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def released_list(row: ReleasedListRow) -> ReleasedList:
    lines = tuple(
        ListLine(
            gnum=int(line["gnum"]),
            gcode=line["gcode"],
            gname=line["gname"],
            unit=line["unit"],
            qty=Decimal(str(line["qty"])),
            total_price=Decimal(str(line["totalPrice"])),
            unit1=line.get("unit1"),
            qty1=_dec(line.get("qty1")),
            unit2=line.get("unit2"),
            qty2=_dec(line.get("qty2")),
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


def list_row(released: ReleasedList) -> ReleasedListRow:
    """The row of a list released by customs (lines as canonical JSON)."""
    lines = [
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
        for line in released.lines
    ]
    return ReleasedListRow(
        invt_no=released.invt_no,
        ie_flag=released.ie_flag,
        order_no=released.order_no or "",
        trade_mode=released.trade_mode,
        ebc_code=released.ebc_code or "",
        logistics_code=released.logistics_code or "",
        logistics_no=released.logistics_no or "",
        buyer_id_number=released.buyer_id_number,
        lines=canonical_json(lines),
        released_at=released.released_at,
    )


def returned_lines_json(lines: Sequence[ReturnedLine]) -> str:
    return canonical_json(
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
    lines = tuple(
        ReturnedLine(
            gnum=int(line["gnum"]),
            gcode=line["gcode"],
            unit=line["unit"],
            qty=Decimal(str(line["qty"])),
            qty1=_dec(line.get("qty1")),
            qty2=_dec(line.get("qty2")),
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


class ListRepository:
    """Released lists and the returns applied for against them."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, invt_no: str) -> ReleasedListRow | None:
        return await self.session.get(ReleasedListRow, invt_no)

    async def orders_of(self, invt_nos: Sequence[str], chunk: int) -> set[tuple[str, str]]:
        """(ebcCode, orderNo) of each list of ``invt_nos`` on file."""
        orders: set[tuple[str, str]] = set()
        for start in range(0, len(invt_nos), chunk):
            result = await self.session.exec(
                select(ReleasedListRow.ebc_code, ReleasedListRow.order_no).where(
                    col(ReleasedListRow.invt_no).in_(invt_nos[start : start + chunk])
                )
            )
            orders.update((ebc_code, order_no) for ebc_code, order_no in result)
        return orders

    def save(self, row: ReleasedListRow) -> None:
        self.session.add(row)

    async def returns(self, invt_no: str) -> list[ReturnRow]:
        result = await self.session.exec(
            select(ReturnRow).where(ReturnRow.invt_no == invt_no).order_by(col(ReturnRow.id))
        )
        return list(result)

    async def pending_return(self, logistics_code: str, logistics_no: str) -> ReturnRow | None:
        """An export return of the carrier's waybill whose goods are not back yet."""
        result = await self.session.exec(
            select(ReturnRow)
            .join(ReleasedListRow, col(ReleasedListRow.invt_no) == col(ReturnRow.invt_no))
            .where(
                ReturnRow.ie_flag == "E",
                ReturnRow.logistics_no == logistics_no,
                ReleasedListRow.logistics_code == logistics_code,
                col(ReturnRow.received_at).is_(None),
            )
        )
        return result.first()

    def save_return(self, row: ReturnRow) -> None:
        self.session.add(row)
