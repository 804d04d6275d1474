"""The order ledger: the orders the declaration service accepted and released, as funds join
them (import ``orderNo`` + ``ebpCode``, export ``orderNo`` + ``ebcCode``, DOMAIN.md §2)::

    order = OrderSeen(order_no="EO1", ie_flag="E", ...)
    order.amount_due          # export: goodsValue + freight
    LedgerOrder(...).facts()  # what reconciliation needs of it
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from cbec.payments.domain.documents import Flow, OrderKey, PersonIdentity
from cbec.payments.domain.reconciliation import OrderFacts
from cbec.payments.domain.times import customs_time


def party_code(ie_flag: str, ebp_code: str, ebc_code: str) -> str:
    """Funds join an import order by ``ebpCode``, an export order by ``ebcCode`` (§2)."""
    return ebp_code if ie_flag == Flow.IMPORT.value else ebc_code


@dataclass(frozen=True, slots=True)
class Buyer:
    """The buyer an order or list names (import); any part may be missing."""

    id_type: str | None = None
    id_number: str | None = None
    name: str | None = None

    def after_release(self, listed: Buyer) -> Buyer:
        """The list names the buyer when the order did not (an order's buyer is kept)."""
        if self.id_number is None and listed.id_number is not None:
            return listed
        return self

    def identity(self) -> PersonIdentity | None:
        if self.id_type and self.id_number and self.name:
            return PersonIdentity(self.id_type, self.id_number, self.name)
        return None


@dataclass(frozen=True, slots=True)
class OrderSeen:
    """What the ledger keeps of an accepted order (CEB303 / CEB311)."""

    order_no: str
    ie_flag: str
    order_type: str
    ebp_code: str
    ebc_code: str
    currency: str
    goods_value: Decimal
    freight: Decimal
    discount: Decimal | None
    tax_total: Decimal | None
    actural_paid: Decimal | None
    buyer: Buyer
    accepted_at: datetime

    @property
    def party_code(self) -> str:
        return party_code(self.ie_flag, self.ebp_code, self.ebc_code)

    @property
    def amount_due(self) -> Decimal:
        """Import: ``acturalPaid`` = goodsValue + freight + taxTotal − discount (DOMAIN.md §4);
        export: the received amount must equal goodsValue + freight (DOMAIN.md §4)."""
        if self.ie_flag == Flow.IMPORT.value:
            if self.actural_paid is not None:
                return self.actural_paid
            return (
                self.goods_value
                + self.freight
                + (self.tax_total or Decimal(0))
                - (self.discount or Decimal(0))
            )
        return self.goods_value + self.freight


@dataclass(frozen=True, slots=True)
class ListSeen:
    """What the ledger adds from a released list: its number, time, and the buyer (import)."""

    order_no: str
    ie_flag: str
    ebp_code: str
    ebc_code: str
    invt_no: str
    released_at: datetime
    buyer: Buyer = Buyer()

    @property
    def party_code(self) -> str:
        return party_code(self.ie_flag, self.ebp_code, self.ebc_code)


@dataclass(frozen=True, slots=True)
class LedgerOrder:
    """An order on the ledger: as accepted, with what its released list added."""

    flow: str
    order_no: str
    party_code: str
    ebp_code: str
    ebc_code: str
    currency: str
    amount_due: Decimal
    placed_at: datetime
    buyer: Buyer = Buyer()
    invt_no: str | None = None
    released_at: datetime | None = None

    @property
    def ledger_key(self) -> tuple[str, str]:
        return (self.flow, self.party_code)

    def facts(self) -> OrderFacts:
        """What reconciliation needs: the amount due, its currency, when it was placed (a
        customs time) and, on imports, the buyer the payer must be."""
        placed = customs_time(self.placed_at)
        if self.flow == Flow.IMPORT.value:
            return OrderFacts.import_order(
                order_no=self.order_no,
                ebp_code=self.party_code,
                actural_paid=self.amount_due,
                placed_at=placed,
                buyer=self.buyer.identity(),
            )
        key = OrderKey(Flow.EXPORT, self.order_no, self.party_code)
        return OrderFacts(key, self.amount_due, self.currency, placed)
