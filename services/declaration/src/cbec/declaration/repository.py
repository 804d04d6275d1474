"""Loads and saves the declaration service's rows, and reads stored documents into the rules'
typed models (each stored document parsed once, where it is loaded)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from cbec.declaration.domain import (
    ExportInventory,
    ExportOrder,
    ExportWaybill,
    ImportInventory,
    ImportOrder,
    ImportPayment,
    ImportWaybill,
    ListStatus,
    ReceiptOfFunds,
)
from cbec.declaration.domain.directions import Direction
from cbec.declaration.models import (
    CustomsReasonRow,
    FundsRow,
    ListReceiptRow,
    ListRow,
    OrderRow,
    WaybillRow,
)
from cbec.shared.unit_of_work import insert_at_commit, insert_pending

S = ListStatus


# Documents from their stored JSON into the rules' models


def export_order_of(row: OrderRow) -> ExportOrder:
    doc = json.loads(row.document)
    return ExportOrder.model_validate(
        {**doc["OrderHead"], "copCode": row.cop_code, "orderList": doc["OrderList"]}
    )


def import_order_of(row: OrderRow) -> ImportOrder:
    doc = json.loads(row.document)
    return ImportOrder.model_validate(
        {**doc["OrderHead"], "copCode": row.cop_code, "orderList": doc["OrderList"]}
    )


def export_inventory_of(row: ListRow) -> ExportInventory:
    doc = json.loads(row.document)
    head = {**doc["InventoryHead"], "preNo": row.pre_no, "invtNo": row.invt_no}
    return ExportInventory.model_validate({**head, "inventoryList": doc["InventoryList"]})


def import_inventory_of(row: ListRow) -> ImportInventory:
    doc = json.loads(row.document)
    head = {**doc["InventoryHead"], "preNo": row.pre_no, "invtNo": row.invt_no}
    return ImportInventory.model_validate({**head, "inventoryList": doc["InventoryList"]})


def funds_of(row: FundsRow) -> ReceiptOfFunds:
    data = json.loads(row.document)
    # The payments service accepted it from its sender: the payment institution when it
    # names one, else the e-commerce enterprise (DOMAIN.md §7).
    sender = data.get("payCode") or data["ebcCode"]
    return ReceiptOfFunds.model_validate(
        {**data, "ebpCode": data.get("ebpCode") or "", "copCode": sender}
    )


def payment_of(row: FundsRow) -> ImportPayment:
    data = json.loads(row.document)
    return ImportPayment.model_validate({**data, "copCode": data["payCode"]})


def payer_is_buyer(row: FundsRow) -> bool:
    return json.loads(row.document).get("payerIsBuyer") is True


def export_waybill_of(row: WaybillRow) -> ExportWaybill:
    data = json.loads(row.document)
    return ExportWaybill.model_validate({**data, "copCode": data["logisticsCode"]})


def import_waybill_of(row: WaybillRow) -> ImportWaybill:
    data = json.loads(row.document)
    return ImportWaybill.model_validate(
        {
            **data,
            "orderNo": data.get("orderNo") or "",
            "weight": data["grossWeight"],
            "consignee": data.get("consignee") or "",
            "consigneeTelephone": data.get("consigneeTelephone") or "",
            "consigneeAddress": data.get("consigneeAddress") or "",
            "copCode": data["logisticsCode"],
        }
    )


class OrderRepository:
    """Orders by their key. A repository lives for one transaction and remembers what it found
    (or did not find) by key, so that a decision, its trace links and its events ask once; the
    use cases tell it of the rows they add (``note``) and delete (``forget``)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._by_key: dict[tuple[str, str, str], OrderRow | None] = {}

    async def get(self, ie: str, order_no: str, party: str) -> OrderRow | None:
        key = (ie, order_no, party)
        if key in self._by_key:
            return self._by_key[key]
        found = await self.session.exec(
            select(OrderRow).where(
                OrderRow.ie_flag == ie, OrderRow.order_no == order_no, OrderRow.party_code == party
            )
        )
        row = self._by_key[key] = found.first()
        return row

    async def load(self, keys: Iterable[tuple[str, str, str]]) -> None:
        """Look up many orders at once (one statement per direction); ``get`` then answers
        from memory."""
        wanted = {k for k in keys if k not in self._by_key}
        for ie in {k[0] for k in wanted}:
            numbers = sorted({k[1] for k in wanted if k[0] == ie})
            for chunk in _chunks(numbers):
                found = await self.session.exec(
                    select(OrderRow).where(
                        OrderRow.ie_flag == ie, col(OrderRow.order_no).in_(chunk)
                    )
                )
                for row in found.all():
                    self._by_key[(row.ie_flag, row.order_no, row.party_code)] = row
        for key in wanted:
            self._by_key.setdefault(key, None)

    def note(self, row: OrderRow) -> None:
        self._by_key[(row.ie_flag, row.order_no, row.party_code)] = row

    def forget(self, row: OrderRow) -> None:
        self._by_key[(row.ie_flag, row.order_no, row.party_code)] = None

    async def same_buyer_same_day(self, order: OrderRow) -> list[OrderRow]:
        """The buyer's other import orders of the order's day (the split-order rule, §9)."""
        found = await self.session.exec(
            select(OrderRow).where(
                OrderRow.ie_flag == "I",
                OrderRow.buyer_id_number == order.buyer_id_number,
                OrderRow.order_day == order.order_day,
                OrderRow.id != order.id,
            )
        )
        return list(found.all())


class ListRepository:
    """Lists; by their key (copNo + agentCode) remembered for the transaction, as orders are."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._by_key: dict[tuple[str, str], ListRow | None] = {}
        self._rejected: dict[str, int] = {}
        self._last_receipt: dict[int, ListReceiptRow] = {}

    async def by_key(self, cop_no: str, agent_code: str) -> ListRow | None:
        key = (cop_no, agent_code)
        if key in self._by_key:
            return self._by_key[key]
        found = await self.session.exec(
            select(ListRow).where(ListRow.cop_no == cop_no, ListRow.agent_code == agent_code)
        )
        row = self._by_key[key] = found.first()
        return row

    async def load(self, keys: Iterable[tuple[str, str]]) -> list[ListRow]:
        """Look up many lists by key at once; ``by_key`` then answers from memory. The lists
        found."""
        wanted = {k for k in keys if k not in self._by_key}
        found_rows: list[ListRow] = []
        for chunk in _chunks(sorted({k[0] for k in wanted})):
            found = await self.session.exec(select(ListRow).where(col(ListRow.cop_no).in_(chunk)))
            for row in found.all():
                key = (row.cop_no, row.agent_code)
                if key in wanted:
                    self._by_key[key] = row
                    found_rows.append(row)
        for key in wanted:
            self._by_key.setdefault(key, None)
        return found_rows

    def note(self, row: ListRow) -> None:
        self._by_key[(row.cop_no, row.agent_code)] = row

    def status_changing(self, row: ListRow, new_status: str) -> None:
        """A list moves: the count of its seller's rejected lists is asked again if it enters
        or leaves the rejected state."""
        if S.REJECTED.value in (row.status, new_status):
            self._rejected.pop(row.ebc_code, None)

    async def by_customs_receipt(
        self, cop_no: str, agent_code: str | None, pre_no: str | None
    ) -> ListRow | None:
        """The list a customs receipt names: copNo with the agent's code, else the preNo."""
        query = select(ListRow).where(ListRow.cop_no == cop_no)
        if agent_code:
            query = query.where(ListRow.agent_code == agent_code)
        elif pre_no:
            query = query.where(ListRow.pre_no == pre_no)
        return (await self.session.exec(query)).first()

    async def by_id(self, list_id: int) -> ListRow | None:
        return await self.session.get(ListRow, list_id)

    async def by_invt_no(self, invt_no: str, ie: str | None = None) -> ListRow | None:
        query = select(ListRow).where(ListRow.invt_no == invt_no)
        if ie is not None:
            query = query.where(ListRow.ie_flag == ie)
        return (await self.session.exec(query)).first()

    async def of_order(self, way: Direction, order_no: str, party: str) -> list[ListRow]:
        found = await self.session.exec(
            select(ListRow)
            .where(
                ListRow.order_no == order_no,
                ListRow.ie_flag == way.flag,
                getattr(ListRow, way.party_column) == party,
            )
            .order_by(col(ListRow.id))
        )
        return list(found.all())

    async def of_waybill(self, code: str, number: str) -> list[ListRow]:
        found = await self.session.exec(
            select(ListRow)
            .where(ListRow.logistics_code == code, ListRow.logistics_no == number)
            .order_by(col(ListRow.id))
        )
        return list(found.all())

    async def in_status(self, *statuses: str) -> list[ListRow]:
        found = await self.session.exec(
            select(ListRow).where(col(ListRow.status).in_(statuses)).order_by(col(ListRow.id))
        )
        return list(found.all())

    async def awaiting_quota(self) -> list[ListRow]:
        found = await self.session.exec(
            select(ListRow)
            .where(col(ListRow.awaiting_quota).is_not(None))
            .order_by(col(ListRow.id))
        )
        return list(found.all())

    async def rejected_of_seller(self, row: ListRow) -> int:
        """DOMAIN.md §9: repeated mismatches of an enterprise; its other lists now rejected."""
        rejected = self._rejected.get(row.ebc_code)
        if rejected is None:
            found = await self.session.exec(
                select(func.count())
                .select_from(ListRow)
                .where(ListRow.ebc_code == row.ebc_code, ListRow.status == S.REJECTED.value)
            )
            rejected = self._rejected[row.ebc_code] = int(found.one())
        return rejected - (1 if row.status == S.REJECTED.value and row.id is not None else 0)

    def add_receipt(self, receipt: ListReceiptRow) -> None:
        """A receipt of a list, inserted with the transaction's others when it commits."""
        insert_at_commit(self.session, ListReceiptRow, [receipt.model_dump(exclude={"id"})])
        self._last_receipt[receipt.list_id] = receipt

    async def receipts(self, row: ListRow) -> list[ListReceiptRow]:
        await insert_pending(self.session)
        found = await self.session.exec(
            select(ListReceiptRow)
            .where(ListReceiptRow.list_id == row.id)
            .order_by(col(ListReceiptRow.id))
        )
        return list(found.all())

    async def last_receipt(self, row: ListRow) -> ListReceiptRow:
        assert row.id is not None
        known = self._last_receipt.get(row.id)
        if known is not None:
            return known
        found = await self.session.exec(
            select(ListReceiptRow)
            .where(ListReceiptRow.list_id == row.id)
            .order_by(col(ListReceiptRow.id).desc())
            .limit(1)
        )
        receipt = found.first()
        assert receipt is not None
        return receipt

    async def customs_reasons(self, list_ids: Sequence[int]) -> dict[int, list[CustomsReasonRow]]:
        """Customs' reasons of the lists, oldest first, by list id (for officers only)."""
        found: dict[int, list[CustomsReasonRow]] = {list_id: [] for list_id in list_ids}
        if not list_ids:
            return found
        rows = await self.session.exec(
            select(CustomsReasonRow)
            .where(col(CustomsReasonRow.list_id).in_(list(list_ids)))
            .order_by(col(CustomsReasonRow.id))
        )
        for record in rows.all():
            found[record.list_id].append(record)
        return found


class DocumentRepository:
    """The other services' documents: funds documents and waybills."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._funds: dict[tuple[str, str, str], FundsRow | None] = {}
        self._waybills: dict[tuple[str, str], WaybillRow | None] = {}

    async def funds(self, ie: str, order_no: str, party: str) -> FundsRow | None:
        key = (ie, order_no, party)
        if key in self._funds:
            return self._funds[key]
        found = await self.session.exec(
            select(FundsRow).where(
                FundsRow.ie_flag == ie, FundsRow.order_no == order_no, FundsRow.party_code == party
            )
        )
        row = self._funds[key] = found.first()
        return row

    async def waybill(self, code: str, number: str) -> WaybillRow | None:
        key = (code, number)
        if key in self._waybills:
            return self._waybills[key]
        found = await self.session.exec(
            select(WaybillRow).where(
                WaybillRow.logistics_code == code, WaybillRow.logistics_no == number
            )
        )
        row = self._waybills[key] = found.first()
        return row

    async def load(
        self, funds: Iterable[tuple[str, str, str]], waybills: Iterable[tuple[str, str]]
    ) -> None:
        """Look up many funds documents and waybills at once; ``funds`` and ``waybill`` then
        answer from memory."""
        wanted_funds = {k for k in funds if k not in self._funds}
        for ie in {k[0] for k in wanted_funds}:
            numbers = sorted({k[1] for k in wanted_funds if k[0] == ie})
            for chunk in _chunks(numbers):
                found = await self.session.exec(
                    select(FundsRow).where(
                        FundsRow.ie_flag == ie, col(FundsRow.order_no).in_(chunk)
                    )
                )
                for row in found.all():
                    self._funds[(row.ie_flag, row.order_no, row.party_code)] = row
        for key in wanted_funds:
            self._funds.setdefault(key, None)
        wanted_waybills = {k for k in waybills if k not in self._waybills}
        for chunk in _chunks(sorted({k[1] for k in wanted_waybills})):
            found_waybills = await self.session.exec(
                select(WaybillRow).where(col(WaybillRow.logistics_no).in_(chunk))
            )
            for waybill in found_waybills.all():
                self._waybills[(waybill.logistics_code, waybill.logistics_no)] = waybill
        for code_and_number in wanted_waybills:
            self._waybills.setdefault(code_and_number, None)

    def note_funds(self, row: FundsRow) -> None:
        self._funds[(row.ie_flag, row.order_no, row.party_code)] = row

    def note_waybill(self, row: WaybillRow) -> None:
        self._waybills[(row.logistics_code, row.logistics_no)] = row

    def forget_waybill(self, row: WaybillRow) -> None:
        self._waybills[(row.logistics_code, row.logistics_no)] = None


_CHUNK = 500
"""Keys per IN list: well under SQLite's and asyncpg's limits on bound parameters."""


def _chunks(values: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]
