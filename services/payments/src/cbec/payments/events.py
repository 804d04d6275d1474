"""The events the payments service publishes on `cbec.payments.v1`: its contract.

Key: the order number for funds documents and flags; ``settlementId`` for settlements.
A published event is never edited: a change is a new version with an upcaster.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict

from cbec.shared.envelope import Event
from cbec.shared.envelope import with_examples as _examples

TOPIC = "cbec.payments.v1"


class PaymentAccepted(Event):
    """An import payment voucher (CEB411) was accepted from a payment institution."""

    model_config = _examples(
        {
            "orderNo": "IO202611220001",
            "ebpCode": "4403169D3W",
            "payCode": "4403169D3W",
            "payTransactionId": "TX2026112200001",
            "payerIdType": "1",
            "payerIdNumber": "370102199001011234",
            "payerName": "Zhang San",
            "payerIsBuyer": True,
            "amountPaid": "135.37",
            "currency": "142",
            "payTime": "20261122080000",
            "acceptedAt": "2026-11-22T08:01:00+08:00",
        }
    )
    event_type: ClassVar[str] = "cbec.payments.payment.accepted.v1"
    topic: ClassVar[str] = TOPIC
    orderNo: str
    ebpCode: str
    payCode: str
    payTransactionId: str
    payerIdType: str
    payerIdNumber: str
    payerName: str
    payerIsBuyer: bool | None = None
    amountPaid: Decimal
    currency: str
    payTime: str
    acceptedAt: str


class ReceiptAccepted(Event):
    """An export receipt of funds (CEB403) was accepted."""

    model_config = _examples(
        {
            "orderNo": "EO202611220001",
            "ebcCode": "3702960001",
            "ebpCode": "4403169D3W",
            "payCode": "4403169D3W",
            "payNo": "PN2026112200001",
            "charge": "210.00",
            "currency": "142",
            "accountingDate": "20261122080000",
            "acceptedAt": "2026-11-22T08:02:00+08:00",
        }
    )
    event_type: ClassVar[str] = "cbec.payments.receipt.accepted.v1"
    topic: ClassVar[str] = TOPIC
    orderNo: str
    ebcCode: str
    ebpCode: str | None = None
    payCode: str | None = None
    payNo: str | None = None
    charge: Decimal
    currency: str
    accountingDate: str
    acceptedAt: str


class SettledDocument(BaseModel):
    """One receipt a settlement covers: its amount, currency and the rate it converted at."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    documentId: str
    orderNo: str
    currency: str
    amount: Decimal
    rate: Decimal


class SettlementCompleted(Event):
    """Foreign-currency receipts of one payee and day were settled in CNY.

    ``currency`` and ``rate`` are the receipts' when they are all in one currency; a settlement
    of receipts in several currencies states 142 (CNY) at rate 1, and ``lines`` gives each
    receipt's own currency and rate.
    """

    model_config = _examples(
        {
            "settlementId": "ST-4403169D3W-3702960001-20261122",
            "payCode": "4403169D3W",
            "ebcCode": "3702960001",
            "day": "2026-11-22",
            "currency": "840",
            "rate": "7.1234",
            "gross": "1424.68",
            "fee": "2.85",
            "net": "1421.83",
            "documents": ["4403169D3W:PN2026112200002"],
            "lines": [
                {
                    "documentId": "4403169D3W:PN2026112200002",
                    "orderNo": "EO202611220002",
                    "currency": "840",
                    "amount": "200.00",
                    "rate": "7.1234",
                }
            ],
            "settledAt": "2026-11-23T01:00:00+08:00",
        }
    )
    event_type: ClassVar[str] = "cbec.payments.settlement.completed.v1"
    topic: ClassVar[str] = TOPIC
    key_field: ClassVar[str] = "settlementId"
    settlementId: str
    payCode: str
    ebcCode: str
    day: str
    currency: str
    rate: Decimal
    gross: Decimal
    fee: Decimal
    net: Decimal
    documents: tuple[str, ...]
    lines: tuple[SettledDocument, ...] | None = None
    settledAt: str


class FundsFlagged(Event):
    """Reconciliation found a discrepancy between an order and its funds. ``ebcCode`` and
    ``ebpCode`` name the order's seller and platform, as far as they are known: an order number
    is unique only with them (export: ``orderNo`` + ``ebcCode``; import: + ``ebpCode``)."""

    model_config = _examples(
        {
            "orderNo": "IO202611220001",
            "ebcCode": "3701960002",
            "ebpCode": "3701960001",
            "flag": "underpaid",
            "detail": "paid 130.00, order acturalPaid 135.37",
            "expected": "135.37",
            "actual": "130.00",
            "flaggedAt": "2026-11-22T09:00:00+08:00",
        }
    )
    event_type: ClassVar[str] = "cbec.payments.funds.flagged.v1"
    topic: ClassVar[str] = TOPIC
    orderNo: str
    flag: Literal[
        "funds-without-order",
        "order-without-funds",
        "overpaid",
        "underpaid",
        "currency-mismatch",
        "payer-not-buyer",
        "split-share-mismatch",
        "split-shares-do-not-add-up",
    ]
    detail: str
    expected: str | None = None
    actual: str | None = None
    flaggedAt: str
    ebcCode: str | None = None
    ebpCode: str | None = None


EVENTS: tuple[type[Event], ...] = (
    PaymentAccepted,
    ReceiptAccepted,
    SettlementCompleted,
    FundsFlagged,
)
