"""The documents enterprises file: waybills, master bills, the parts of split messages and the
receipts that answer a document resent unchanged."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from cbec.logistics.domain import (
    ParcelKey,
    Waybill,
    WaybillRecord,
    parse_export_waybill,
    parse_import_waybill,
)
from cbec.logistics.models import MasterBillRow, ReceiptRow, SplitPartRow, WaybillRow
from cbec.shared.clock import aware
from cbec.shared.fingerprints import loads

_PARSERS: dict[str, Callable[[Any], Waybill]] = {
    "E": parse_export_waybill,
    "I": parse_import_waybill,
}


def waybill_record(row: WaybillRow) -> WaybillRecord:
    """The waybill on file as the domain sees it, read back from its stored record."""
    return WaybillRecord(
        waybill=_PARSERS[row.ie_flag](loads(row.document)),
        filed_at=aware(row.filed_at),
        changed_at=aware(row.changed_at) if row.changed_at else None,
        used_by_list=row.used_by_list,
        deleted=row.deleted,
    )


class WaybillRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, key: ParcelKey) -> WaybillRow | None:
        result = await self.session.exec(
            select(WaybillRow).where(
                WaybillRow.logistics_code == key.logistics_code,
                WaybillRow.logistics_no == key.logistics_no,
            )
        )
        return result.first()

    def save(self, row: WaybillRow) -> None:
        self.session.add(row)


class MasterBillRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, logistics_code: str, bill_no: str) -> MasterBillRow | None:
        result = await self.session.exec(
            select(MasterBillRow).where(
                MasterBillRow.logistics_code == logistics_code, MasterBillRow.bill_no == bill_no
            )
        )
        return result.first()

    def save(self, row: MasterBillRow) -> None:
        self.session.add(row)


class SplitPartRepository:
    """The parts received of split movement messages (CEB507, CEB509, CEB607)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def of(self, document: str, logistics_code: str, cop_no: str) -> list[SplitPartRow]:
        """Every part on file of one message, in sequence order."""
        result = await self.session.exec(
            select(SplitPartRow)
            .where(
                SplitPartRow.document == document,
                SplitPartRow.logistics_code == logistics_code,
                SplitPartRow.cop_no == cop_no,
            )
            .order_by(col(SplitPartRow.msg_seq_no))
        )
        return list(result)

    async def incomplete(
        self, document: str, logistics_code: Any, cop_no: Any
    ) -> list[SplitPartRow]:
        result = await self.session.exec(
            select(SplitPartRow).where(
                SplitPartRow.document == document,
                SplitPartRow.logistics_code == logistics_code,
                SplitPartRow.cop_no == cop_no,
                col(SplitPartRow.completed_at).is_(None),
            )
        )
        return list(result)

    def save(self, row: SplitPartRow) -> None:
        self.session.add(row)

    async def remove(self, rows: Sequence[SplitPartRow]) -> None:
        for row in rows:
            await self.session.delete(row)


class ReceiptRepository:
    """Receipts of accepted documents, by the document's code and fingerprint."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def find(self, code: str, print_: str, party: str | None) -> dict[str, Any] | None:
        """The receipt of the same document sent before by the same enterprise."""
        result = await self.session.exec(
            select(ReceiptRow).where(
                ReceiptRow.document == code,
                ReceiptRow.fingerprint == print_,
                ReceiptRow.submitted_by == party,
            )
        )
        row = result.first()
        return None if row is None else dict(loads(row.receipt))

    async def add(self, code: str, print_: str, party: str | None, *, numbered: bool) -> ReceiptRow:
        """A receipt row to fill in; ``numbered``: flushed first, for its id."""
        row = ReceiptRow(document=code, fingerprint=print_, receipt="", submitted_by=party)
        self.session.add(row)
        if numbered:
            await self.session.flush()
        return row

    async def forget(self, code: str, prints: Sequence[str]) -> None:
        """Drop the receipts of documents that are void (the parts of a refused message)."""
        await self.session.execute(
            delete(ReceiptRow).where(
                col(ReceiptRow.document) == code, col(ReceiptRow.fingerprint).in_(prints)
            )
        )
