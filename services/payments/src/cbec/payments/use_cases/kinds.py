"""The two kinds of funds document, and what differs between them, said once per kind.

An import payment voucher (CEB411) and an export receipt of funds (CEB403) are filed, checked,
answered and published the same way (:mod:`cbec.payments.use_cases.documents`); a kind names
the keys its answer repeats, how its fields are parsed, where it is on file and the event
that announces it::

    await documents.submit(work, VOUCHERS, batch, who=who, now=now)
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any, Generic, TypeVar

from cbec.payments.domain import (
    PaymentVoucher,
    ReceiptOfFunds,
    parse_payment_voucher,
    parse_receipt_of_funds,
)
from cbec.payments.events import PaymentAccepted, ReceiptAccepted
from cbec.payments.repository import FundsDocuments
from cbec.payments.unit_of_work import PaymentsWork
from cbec.shared import codes
from cbec.shared.clock import china_iso
from cbec.shared.envelope import Event

D = TypeVar("D", PaymentVoucher, ReceiptOfFunds)

CUSTOMS_TIME = "%Y%m%d%H%M%S"


@cache
def currency_codes() -> frozenset[str]:
    """The customs currency table's codes (codes/currency.csv)."""
    return frozenset(row.code for row in codes.currency)


@dataclass(frozen=True, slots=True)
class DocumentKind(Generic[D]):
    """What one kind of funds document does its own way."""

    answer_keys: tuple[str, ...]
    """The fields an answer repeats to name the document it answers."""
    span_keys: tuple[str, ...]
    """The business keys put on the span of its filing."""
    parse: Callable[[Mapping[str, Any], Collection[str]], D]
    on_file: Callable[[PaymentsWork], FundsDocuments[D, Any]]
    accepted: Callable[[D, datetime], Event]


def _payment_accepted(voucher: PaymentVoucher, now: datetime) -> Event:
    return PaymentAccepted(
        orderNo=voucher.order_no,
        ebpCode=voucher.ebp_code,
        payCode=voucher.pay_code,
        payTransactionId=voucher.pay_transaction_id,
        payerIdType=voucher.payer_id_type,
        payerIdNumber=voucher.payer_id_number,
        payerName=voucher.payer_name,
        payerIsBuyer=voucher.payer_is_buyer,
        amountPaid=voucher.amount_paid,
        currency=voucher.currency,
        payTime=voucher.pay_time.strftime(CUSTOMS_TIME),
        acceptedAt=china_iso(now),
    )


def _receipt_accepted(receipt: ReceiptOfFunds, now: datetime) -> Event:
    return ReceiptAccepted(
        orderNo=receipt.order_no,
        ebcCode=receipt.ebc_code,
        ebpCode=receipt.ebp_code,
        payCode=receipt.pay_code,
        payNo=receipt.pay_no,
        charge=receipt.charge,
        currency=receipt.currency,
        accountingDate=receipt.accounting_date.strftime(CUSTOMS_TIME),
        acceptedAt=china_iso(now),
    )


def _vouchers(work: PaymentsWork) -> FundsDocuments[PaymentVoucher, Any]:
    return work.vouchers


def _receipts(work: PaymentsWork) -> FundsDocuments[ReceiptOfFunds, Any]:
    return work.receipts


VOUCHERS: DocumentKind[PaymentVoucher] = DocumentKind(
    answer_keys=("guid", "payCode", "payTransactionId", "orderNo", "ebpCode"),
    span_keys=("orderNo", "payCode"),
    parse=lambda fields, currencies: parse_payment_voucher(fields, currencies=currencies),
    on_file=_vouchers,
    accepted=_payment_accepted,
)

RECEIPTS: DocumentKind[ReceiptOfFunds] = DocumentKind(
    answer_keys=("guid", "ebcCode", "orderNo", "payNo"),
    span_keys=("orderNo", "ebcCode"),
    parse=lambda fields, currencies: parse_receipt_of_funds(fields, currencies=currencies),
    on_file=_receipts,
    accepted=_receipt_accepted,
)
