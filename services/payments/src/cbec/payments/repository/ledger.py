"""The order ledger: the orders the declaration service accepted, keyed as funds join them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, literal, or_, union_all
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from cbec.payments.domain import Flow
from cbec.payments.domain.ledger import Buyer, LedgerOrder, OrderSeen
from cbec.payments.models import OrderLedgerRow, PaymentVoucherRow, ReceiptOfFundsRow


def _ledger_order(row: OrderLedgerRow) -> LedgerOrder:
    return LedgerOrder(
        flow=row.flow,
        order_no=row.order_no,
        party_code=row.party_code,
        ebp_code=row.ebp_code,
        ebc_code=row.ebc_code,
        currency=row.currency,
        amount_due=row.amount_due,
        placed_at=row.placed_at,
        buyer=Buyer(row.buyer_id_type, row.buyer_id_number, row.buyer_name),
        invt_no=row.invt_no,
        released_at=row.released_at,
    )


class OrderLedgers:
    """The orders the declaration service accepted, keyed as funds join them."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._rows: dict[tuple[str, str, str], OrderLedgerRow] = {}

    async def find(self, flow: str, order_no: str, party_code: str) -> LedgerOrder | None:
        query = select(OrderLedgerRow).where(
            OrderLedgerRow.flow == flow,
            OrderLedgerRow.order_no == order_no,
            OrderLedgerRow.party_code == party_code,
        )
        row = (await self.session.exec(query)).first()
        if row is None:
            return None
        self._rows[(flow, order_no, party_code)] = row
        return _ledger_order(row)

    def put(self, order: OrderSeen, *, now: datetime) -> None:
        """Write an accepted order over the one :meth:`find` loaded, or as a new one."""
        key = (order.ie_flag, order.order_no, order.party_code)
        row = self._rows.get(key) or OrderLedgerRow(
            flow=order.ie_flag,
            order_no=order.order_no,
            party_code=order.party_code,
            ebp_code=order.ebp_code,
            ebc_code=order.ebc_code,
            order_type=order.order_type,
            currency=order.currency,
            goods_value=order.goods_value,
            freight=order.freight,
            amount_due=order.amount_due,
            placed_at=order.accepted_at,
            updated_at=now,
        )
        for name in ("ebp_code", "ebc_code", "order_type", "currency", "goods_value"):
            setattr(row, name, getattr(order, name))
        for name in ("freight", "discount", "tax_total", "actural_paid", "amount_due"):
            setattr(row, name, getattr(order, name))
        _set_buyer(row, order.buyer)
        row.updated_at = now
        self.session.add(row)

    def note_release(self, order: LedgerOrder, *, now: datetime) -> None:
        """Write the list number, release time and buyer of an order :meth:`find` loaded."""
        row = self._rows[(order.flow, order.order_no, order.party_code)]
        row.invt_no = order.invt_no
        row.released_at = order.released_at
        _set_buyer(row, order.buyer)
        row.updated_at = now
        self.session.add(row)

    async def every(self) -> list[LedgerOrder]:
        return [_ledger_order(row) for row in (await self.session.exec(select(OrderLedgerRow)))]

    async def of_order(
        self, order_no: str, *, party: str | None, keys: Iterable[tuple[str, str]] | None
    ) -> list[LedgerOrder]:
        """An order's ledgers (of ``party``; of the (flow, party) ``keys`` when given)."""
        query = select(OrderLedgerRow).where(OrderLedgerRow.order_no == order_no)
        if party is not None:
            query = query.where(col(OrderLedgerRow.party_code) == party)
        if keys is not None:
            query = query.where(
                or_(
                    *(
                        (col(OrderLedgerRow.flow) == flow) & (col(OrderLedgerRow.party_code) == p)
                        for flow, p in keys
                    )
                )
            )
        return [_ledger_order(row) for row in (await self.session.exec(query)).all()]

    async def keys_naming(self, order_no: str, party: str) -> set[tuple[str, str]]:
        """The (flow, party code) ledgers of an order whose order or funds name ``party``:
        one query over the order ledger, the vouchers and the receipts."""
        orders = select(OrderLedgerRow.flow, OrderLedgerRow.party_code).where(
            OrderLedgerRow.order_no == order_no,
            or_(
                col(OrderLedgerRow.party_code) == party,
                col(OrderLedgerRow.ebc_code) == party,
                col(OrderLedgerRow.ebp_code) == party,
            ),
        )
        vouchers = select(literal(Flow.IMPORT.value), PaymentVoucherRow.ebp_code).where(
            PaymentVoucherRow.order_no == order_no,
            or_(col(PaymentVoucherRow.ebp_code) == party, col(PaymentVoucherRow.pay_code) == party),
        )
        receipts = select(literal(Flow.EXPORT.value), ReceiptOfFundsRow.ebc_code).where(
            ReceiptOfFundsRow.order_no == order_no,
            or_(
                col(ReceiptOfFundsRow.ebc_code) == party,
                col(ReceiptOfFundsRow.ebp_code) == party,
                col(ReceiptOfFundsRow.pay_code) == party,
            ),
        )
        named = union_all(orders, vouchers, receipts).subquery()
        found = await self.session.exec(select(named.c.flow, named.c.party_code))
        return {(str(flow), str(code)) for flow, code in found.all()}

    async def count(self) -> int:
        return (await self.session.exec(select(func.count()).select_from(OrderLedgerRow))).one()


def _set_buyer(row: OrderLedgerRow, buyer: Buyer) -> None:
    row.buyer_id_type = buyer.id_type
    row.buyer_id_number = buyer.id_number
    row.buyer_name = buyer.name
