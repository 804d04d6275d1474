"""Funds documents as they are on file: who filed them, the split payment they belong to, the
settlement that paid them out; and the ledger's records of them (a split payment's parts make
one record together, DOMAIN.md §7)::

    on_file = FiledDocument(voucher, filed_by="4403169D3W", split=SplitPart("PAY-1", total))
    records = funds_records([on_file, ...])
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Generic, TypeVar

from cbec.payments.domain.documents import FundsDocument, PaymentVoucher, ReceiptOfFunds
from cbec.payments.domain.reconciliation import FundsRecord, Share
from cbec.shared.errors import Violation

D = TypeVar("D", PaymentVoucher, ReceiptOfFunds)


@dataclass(frozen=True, slots=True)
class SplitPart:
    """This document is one order's part of a payment that covers several orders."""

    payment_id: str
    total: Decimal

    def split_id(self, pay_code: str | None) -> str:
        """The payment's id on file: unique per paying institution."""
        return f"{pay_code or '-'}:{self.payment_id}"


@dataclass(frozen=True, slots=True)
class FiledDocument(Generic[D]):
    """A funds document on file: the enterprise that filed it, its split payment (``split_id``
    and the total as filed) and the settlement that covers it (receipts only)."""

    document: D
    filed_by: str
    split_id: str | None = None
    split_total: Decimal | None = None
    settlement_id: str | None = None


def split_violations(split: SplitPart | None, amount: Decimal) -> list[Violation]:
    """A split payment's total is at least the share of this document's order."""
    if split is not None and split.total < amount:
        rule = "a split payment's total must be at least this order's share"
        return [Violation("splitPayment.total", rule, split.total, amount)]
    return []


def payer_is_buyer(values: Iterable[bool | None]) -> bool | None:
    """A split payment's parts: False if any says no, True if all say yes, else unknown."""
    seen = list(values)
    if any(v is False for v in seen):
        return False
    if seen and all(v is True for v in seen):
        return True
    return None


Part = tuple[FundsDocument, Decimal | None]


AnyFiled = FiledDocument[PaymentVoucher] | FiledDocument[ReceiptOfFunds]


def funds_records(filed: Iterable[AnyFiled]) -> list[FundsRecord]:
    """One record per document; the parts of a split payment make one record together."""
    records: list[FundsRecord] = []
    parts: dict[str, list[Part]] = defaultdict(list)
    for on_file in filed:
        document = on_file.document
        if on_file.split_id is None:
            records.append(FundsRecord.from_document(document))
        else:
            key = f"{document.flow.value}:{on_file.split_id}"
            parts[key].append((document, on_file.split_total))
    for split_key, members in sorted(parts.items()):
        members.sort(key=lambda m: m[0].document_id)
        records.append(_split_record(split_key, members))
    return records


def _split_record(split_key: str, members: Sequence[Part]) -> FundsRecord:
    first = members[0][0]
    total = next((t for _, t in members if t is not None), None)
    vouchers = [d for d, _ in members if isinstance(d, PaymentVoucher)]
    return FundsRecord(
        document_id=f"SPLIT:{split_key}",
        currency=first.currency,
        total=total if total is not None else sum((d.amount for d, _ in members), Decimal(0)),
        received_at=max(d.funds_time for d, _ in members),
        shares=tuple(Share(d.order_key, d.amount, document_id=d.document_id) for d, _ in members),
        payer=vouchers[0].payer if vouchers else None,
        payer_is_buyer=payer_is_buyer(v.payer_is_buyer for v in vouchers),
    )
