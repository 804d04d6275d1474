"""Loads and saves the declaration service's rows, and reads stored documents into the rules'
typed models (each stored document parsed once, where it is loaded)."""

from __future__ import annotations

import json
from collections.abc import Sequence

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
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, ie: str, order_no: str, party: str) -> OrderRow | None:
        found = await self.session.exec(
            select(OrderRow).where(
                OrderRow.ie_flag == ie, OrderRow.order_no == order_no, OrderRow.party_code == party
            )
        )
        return found.first()

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
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def by_key(self, cop_no: str, agent_code: str) -> ListRow | None:
        found = await self.session.exec(
            select(ListRow).where(ListRow.cop_no == cop_no, ListRow.agent_code == agent_code)
        )
        return found.first()

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
        found = await self.session.exec(
            select(func.count())
            .select_from(ListRow)
            .where(
                ListRow.ebc_code == row.ebc_code,
                ListRow.status == S.REJECTED.value,
                ListRow.id != row.id,
            )
        )
        return int(found.one())

    async def receipts(self, row: ListRow) -> list[ListReceiptRow]:
        found = await self.session.exec(
            select(ListReceiptRow)
            .where(ListReceiptRow.list_id == row.id)
            .order_by(col(ListReceiptRow.id))
        )
        return list(found.all())

    async def last_receipt(self, row: ListRow) -> ListReceiptRow:
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

    async def funds(self, ie: str, order_no: str, party: str) -> FundsRow | None:
        found = await self.session.exec(
            select(FundsRow).where(
                FundsRow.ie_flag == ie, FundsRow.order_no == order_no, FundsRow.party_code == party
            )
        )
        return found.first()

    async def waybill(self, code: str, number: str) -> WaybillRow | None:
        found = await self.session.exec(
            select(WaybillRow).where(
                WaybillRow.logistics_code == code, WaybillRow.logistics_no == number
            )
        )
        return found.first()
