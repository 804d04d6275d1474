"""One export order's life as the four services publish it: their real event classes, built
from their published examples with this order's keys."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cbec.declaration.events import (
    ListClosed,
    ListReleased,
    ListStatusChanged,
    OrderAccepted,
)
from cbec.logistics.events import ParcelMoved, WaybillAccepted
from cbec.payments.events import FundsFlagged, ReceiptAccepted, SettlementCompleted
from cbec.shared.contracts import examples
from cbec.shared.envelope import Event
from cbec.tax_refund.events import ExemptionDecided

SOURCES = {
    "cbec.declaration.v1": "/cbec/declaration",
    "cbec.logistics.v1": "/cbec/logistics",
    "cbec.payments.v1": "/cbec/payments",
    "cbec.tax.v1": "/cbec/tax-refund",
}


def _like(event: type[Event], index: int = 0, **values: Any) -> Event:
    example = examples(event)[index]
    return event.model_validate({**example.to_data(), **values})


@dataclass(frozen=True)
class ExportOrder:
    order_no: str
    seller: str
    platform: str
    carrier: str
    payer: str
    logistics_no: str
    cop_no: str
    invt_no: str

    @classmethod
    def of(
        cls, unique: str, *, seller: str, platform: str, carrier: str, payer: str
    ) -> ExportOrder:
        tail = unique[-10:]
        return cls(
            order_no=f"EO{unique}",
            seller=seller,
            platform=platform,
            carrier=carrier,
            payer=payer,
            logistics_no=f"SF{tail}",
            cop_no=f"COP{tail}",
            invt_no=f"4300{tail}E{tail[:5]}",
        )

    def parties(self) -> dict[str, Any]:
        return {
            "orderNo": self.order_no,
            "ebcCode": self.seller,
            "ebpCode": self.platform,
            "agentCode": self.seller,
            "logisticsCode": self.carrier,
            "logisticsNo": self.logistics_no,
            "copNo": self.cop_no,
        }

    def declaration(self) -> list[Event]:
        """Order, two list receipts, release and closing (``cbec.declaration.v1``)."""
        keys = self.parties()
        return [
            _like(OrderAccepted, orderNo=self.order_no, ebcCode=self.seller, ebpCode=self.platform),
            _like(
                ListStatusChanged,
                **keys,
                invtNo=None,
                returnStatus="2",
                returnTime="20261122080000000",
                returnInfo="accepted, being declared",
            ),
            _like(
                ListStatusChanged,
                **keys,
                invtNo=self.invt_no,
                returnStatus="120",
                returnTime="20261122090000000",
                returnInfo="stored by customs, logic check passed",
            ),
            _like(ListReleased, **keys, invtNo=self.invt_no),
            _like(ListClosed, **keys, invtNo=self.invt_no),
        ]

    def waybill(self) -> Event:
        """The export waybill (CEB505): no order number (``cbec.logistics.v1``)."""
        return _like(
            WaybillAccepted,
            logisticsCode=self.carrier,
            logisticsNo=self.logistics_no,
            ebcCode=self.seller,
        )

    def arrival(self) -> Event:
        """Arrival at the site, reported without the order number."""
        return _like(
            ParcelMoved,
            logisticsCode=self.carrier,
            logisticsNo=self.logistics_no,
            movement="arrived",
            orderNo=None,
            invtNo=None,
            billNo=None,
            leaveTime=None,
        )

    def departure(self) -> Event:
        return _like(
            ParcelMoved,
            logisticsCode=self.carrier,
            logisticsNo=self.logistics_no,
            orderNo=self.order_no,
            invtNo=self.invt_no,
        )

    def funds(self) -> list[Event]:
        """The receipt of funds, a flag and the settlement (``cbec.payments.v1``)."""
        return [
            _like(
                ReceiptAccepted,
                orderNo=self.order_no,
                ebcCode=self.seller,
                ebpCode=self.platform,
                payCode=self.payer,
            ),
            _like(
                FundsFlagged,
                orderNo=self.order_no,
                ebcCode=self.seller,
                ebpCode=self.platform,
                flag="underpaid",
                detail="received 200.00, order goodsValue + freight 210.00",
                expected="210.00",
                actual="200.00",
            ),
            _like(
                SettlementCompleted,
                settlementId=f"ST-{self.payer}-{self.order_no}",
                payCode=self.payer,
                ebcCode=self.seller,
                lines=[
                    {
                        "documentId": f"{self.payer}:PN{self.order_no}",
                        "orderNo": self.order_no,
                        "currency": "840",
                        "amount": "200.00",
                        "rate": "7.1234",
                    },
                    {
                        "documentId": f"{self.payer}:PNOTHER",
                        "orderNo": f"{self.order_no}-OTHER",
                        "currency": "840",
                        "amount": "1.00",
                        "rate": "7.1234",
                    },
                ],
            ),
        ]

    def exemption(self) -> Event:
        return _like(
            ExemptionDecided, orderNo=self.order_no, invtNo=self.invt_no, ebcCode=self.seller
        )
