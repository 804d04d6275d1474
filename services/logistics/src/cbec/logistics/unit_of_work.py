"""One transaction of the logistics service: its repositories and the outbox.

async with LogisticsWork.of(runtime) as work:          # HTTP routes, the overdue check
    await warehouse.assign_booking(work, who, ebc_code, warehouse_code, order_no)

work = LogisticsWork(ctx.session, ctx.outbox)         # event handlers
"""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from cbec.logistics.repository import (
    BookingRepository,
    ListRepository,
    MasterBillRepository,
    ParcelRepository,
    ReceiptRepository,
    SplitPartRepository,
    WarehouseRepository,
    WaybillRepository,
)
from cbec.shared.outbox import Outbox
from cbec.shared.unit_of_work import UnitOfWork


class LogisticsWork(UnitOfWork):
    """The open transaction with a repository per aggregate."""

    def __init__(self, session: AsyncSession, outbox: Outbox) -> None:
        super().__init__(session, outbox)
        self.waybills = WaybillRepository(session)
        self.parcels = ParcelRepository(session)
        self.bills = MasterBillRepository(session)
        self.splits = SplitPartRepository(session)
        self.receipts = ReceiptRepository(session)
        self.lists = ListRepository(session)
        self.bookings = BookingRepository(session)
        self.warehouses = WarehouseRepository(session)
