"""Reconciliation of funds: a ledger per order, joining order → funds documents → settlement.

The platform keeps a ledger per order and flags what does not add up (DOMAIN.md §7): funds
without an order, an order without funds past its deadline, over- or under-payment, currency
mismatch, and on imports a payer who is not the buyer. A split payment covers several orders;
each order's share must equal its amount (DOMAIN.md §7). Pure: the time is passed in::

    ledgers = reconcile(orders, funds, now=now, policy=policy, settlements=run.settlements)
    [flag.code for ledger in ledgers for flag in ledger.flags]

How long an order may wait for its funds, and funds for their order, are not published: they
are settings (:class:`ReconciliationPolicy`), as is the amount tolerance (default zero, as the
three-document check's, DOMAIN.md §4). A moment exactly at a deadline is still within it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from cbec.payments.domain.documents import (
    Flow,
    FundsDocument,
    OrderKey,
    PaymentVoucher,
    PersonIdentity,
)
from cbec.payments.domain.errors import InconsistentInput
from cbec.payments.domain.money import CNY, ZERO, exact_arithmetic
from cbec.payments.domain.settlement import Settlement
from cbec.shared.errors import Violation


class FlagCode(StrEnum):
    FUNDS_WITHOUT_ORDER = "funds-without-order"
    ORDER_WITHOUT_FUNDS = "order-without-funds"
    OVERPAID = "overpaid"
    UNDERPAID = "underpaid"
    CURRENCY_MISMATCH = "currency-mismatch"
    PAYER_NOT_BUYER = "payer-not-buyer"
    SPLIT_SHARE_MISMATCH = "split-share-mismatch"
    SPLIT_SHARES_DO_NOT_ADD_UP = "split-shares-do-not-add-up"


@dataclass(frozen=True, slots=True)
class Flag:
    """One reconciliation finding: which rule, on which field, with the two values compared."""

    code: FlagCode
    field: str
    rule: str
    value: Any = None
    expected: Any = None
    document_id: str | None = None

    def as_violation(self) -> Violation:
        return Violation(self.field, self.rule, self.value, self.expected)


@dataclass(frozen=True, slots=True)
class OrderFacts:
    """What reconciliation needs of an order (from the declaration service's order events)."""

    key: OrderKey
    amount_due: Decimal
    currency: str
    placed_at: datetime
    buyer: PersonIdentity | None = None

    @classmethod
    def import_order(
        cls,
        *,
        order_no: str,
        ebp_code: str,
        actural_paid: Decimal,
        placed_at: datetime,
        buyer: PersonIdentity | None = None,
    ) -> OrderFacts:
        """An import order (CEB311): due is ``acturalPaid``, the voucher's ``amountPaid`` must
        equal it (DOMAIN.md §7); import orders are in CNY (DOMAIN.md §2)."""
        return cls(OrderKey(Flow.IMPORT, order_no, ebp_code), actural_paid, CNY, placed_at, buyer)

    @classmethod
    def export_order(
        cls,
        *,
        order_no: str,
        ebc_code: str,
        goods_value: Decimal,
        freight: Decimal,
        currency: str,
        placed_at: datetime,
    ) -> OrderFacts:
        """An export order (CEB303): the received amount must equal ``goodsValue + freight``
        (DOMAIN.md §4)."""
        with exact_arithmetic():
            due = goods_value + freight
        return cls(OrderKey(Flow.EXPORT, order_no, ebc_code), due, currency, placed_at)


@dataclass(frozen=True, slots=True)
class Share:
    """The part of a payment that pays one order.

    A split payment arrives as one funds document per order it covers (the three-document
    check wants one per order, DOMAIN.md §4); ``document_id`` names that order's document.
    """

    order: OrderKey
    amount: Decimal
    document_id: str | None = None


@dataclass(frozen=True, slots=True)
class FundsRecord:
    """A payment as the ledger sees it: its total and the order(s) it pays.

    A voucher or receipt pays its one order in full (:meth:`from_document`); a split payment
    lists one share per order it covers.
    """

    document_id: str
    currency: str
    total: Decimal
    received_at: datetime
    shares: tuple[Share, ...]
    payer: PersonIdentity | None = None
    payer_is_buyer: bool | None = None

    @property
    def is_split(self) -> bool:
        return len(self.shares) > 1

    @classmethod
    def from_document(cls, document: FundsDocument) -> FundsRecord:
        voucher = document if isinstance(document, PaymentVoucher) else None
        return cls(
            document_id=document.document_id,
            currency=document.currency,
            total=document.amount,
            received_at=document.funds_time,
            shares=(Share(document.order_key, document.amount),),
            payer=voucher.payer if voucher else None,
            payer_is_buyer=voucher.payer_is_buyer if voucher else None,
        )


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """One funds document's share of an order, and the settlement that paid it out, if any."""

    document_id: str
    amount: Decimal
    currency: str
    received_at: datetime
    split: bool
    settlement_id: str | None = None


@dataclass(frozen=True, slots=True)
class OrderLedger:
    """An order key with its order (None while only funds are known), funds and flags."""

    key: OrderKey
    order: OrderFacts | None
    entries: tuple[LedgerEntry, ...]
    flags: tuple[Flag, ...] = field(default=())

    @property
    def funded(self) -> Decimal:
        """The sum of the shares in the order's currency (all shares while there is no order)."""
        currency = self.order.currency if self.order else None
        with exact_arithmetic():
            return sum(
                (e.amount for e in self.entries if currency is None or e.currency == currency),
                ZERO,
            )

    @property
    def settlement_ids(self) -> tuple[str, ...]:
        return tuple(sorted({e.settlement_id for e in self.entries if e.settlement_id}))

    @property
    def flag_codes(self) -> frozenset[FlagCode]:
        return frozenset(f.code for f in self.flags)


@dataclass(frozen=True, slots=True)
class ReconciliationPolicy:
    """Settings: how long an order waits for funds, funds for an order, and the tolerance."""

    funds_deadline: timedelta
    orphan_grace: timedelta
    tolerance: Decimal = ZERO

    def __post_init__(self) -> None:
        if self.funds_deadline < timedelta(0) or self.orphan_grace < timedelta(0):
            raise ValueError("funds_deadline and orphan_grace must not be negative")
        if self.tolerance < ZERO:
            raise ValueError("tolerance must not be negative")


def _amount_field(key: OrderKey) -> str:
    return "amountPaid" if key.flow is Flow.IMPORT else "charge"


def _payer_flags(order: OrderFacts, records: Iterable[FundsRecord]) -> list[Flag]:
    """Import: the institution's own statement wins; without one, compare the identities."""
    flags: list[Flag] = []
    for record in records:
        if record.payer_is_buyer is False:
            flags.append(
                Flag(
                    FlagCode.PAYER_NOT_BUYER,
                    "payerIsBuyer",
                    "the payment institution reports that the payer is not the buyer",
                    False,
                    True,
                    record.document_id,
                )
            )
        elif (
            record.payer_is_buyer is None
            and record.payer is not None
            and order.buyer is not None
            and not record.payer.same_person(order.buyer)
        ):
            flags.append(
                Flag(
                    FlagCode.PAYER_NOT_BUYER,
                    "payerIdNumber",
                    "the payer must be the buyer",
                    f"{record.payer.name} {record.payer.id_number}",
                    f"{order.buyer.name} {order.buyer.id_number}",
                    record.document_id,
                )
            )
    return flags


def _order_flags(
    order: OrderFacts,
    entries: list[LedgerEntry],
    records: list[FundsRecord],
    now: datetime,
    policy: ReconciliationPolicy,
) -> list[Flag]:
    flags: list[Flag] = []
    amount_field = _amount_field(order.key)
    if not entries:
        deadline = order.placed_at + policy.funds_deadline
        if now > deadline:
            flags.append(
                Flag(
                    FlagCode.ORDER_WITHOUT_FUNDS,
                    amount_field,
                    f"the order must have its funds by {deadline:%Y-%m-%d %H:%M:%S}",
                    None,
                    order.amount_due,
                )
            )
        return flags
    mismatched = [e for e in entries if e.currency != order.currency]
    for entry in mismatched:
        flags.append(
            Flag(
                FlagCode.CURRENCY_MISMATCH,
                "currency",
                "the funds must be in the order's currency",
                entry.currency,
                order.currency,
                entry.document_id,
            )
        )
    if not mismatched:
        with exact_arithmetic():
            funded = sum((e.amount for e in entries), ZERO)
            difference = funded - order.amount_due
        if abs(difference) > policy.tolerance:
            if any(e.split for e in entries):
                code, rule = (
                    FlagCode.SPLIT_SHARE_MISMATCH,
                    "the order's share of a split payment must equal the order's amount",
                )
            elif difference > ZERO:
                code, rule = FlagCode.OVERPAID, "the funds must not exceed the order's amount"
            else:
                code, rule = FlagCode.UNDERPAID, "the funds must cover the order's amount"
            flags.append(Flag(code, amount_field, rule, funded, order.amount_due))
    if order.key.flow is Flow.IMPORT:
        flags.extend(_payer_flags(order, records))
    return flags


def _split_flags(record: FundsRecord, now: datetime, policy: ReconciliationPolicy) -> list[Flag]:
    """Shares that do not add up to the payment's total, once the parts had time to arrive
    (the same grace as funds waiting for their order)."""
    with exact_arithmetic():
        shared = sum((s.amount for s in record.shares), ZERO)
    if not record.is_split or shared == record.total:
        return []
    if now <= record.received_at + policy.orphan_grace:
        return []
    return [
        Flag(
            FlagCode.SPLIT_SHARES_DO_NOT_ADD_UP,
            "amount",
            "the shares of a split payment must add up to its total",
            shared,
            record.total,
            record.document_id,
        )
    ]


def reconcile(
    orders: Iterable[OrderFacts],
    funds: Iterable[FundsRecord],
    *,
    now: datetime,
    policy: ReconciliationPolicy,
    settlements: Iterable[Settlement] = (),
) -> tuple[OrderLedger, ...]:
    """One ledger per order key that has an order or funds, each with its flags, by key."""
    order_by_key: dict[OrderKey, OrderFacts] = {}
    for given in orders:
        if given.key in order_by_key:
            raise InconsistentInput(f"order {given.key} was given twice")
        order_by_key[given.key] = given
    settled_by = {doc_id: s.settlement_id for s in settlements for doc_id in s.document_ids}

    entries: dict[OrderKey, list[LedgerEntry]] = defaultdict(list)
    records_of: dict[OrderKey, list[FundsRecord]] = defaultdict(list)
    split_flags: dict[OrderKey, list[Flag]] = defaultdict(list)
    seen: set[str] = set()
    for record in funds:
        if record.document_id in seen:
            raise InconsistentInput(f"funds document {record.document_id} was given twice")
        seen.add(record.document_id)
        record_flags = _split_flags(record, now, policy)
        for share in record.shares:
            document_id = share.document_id or record.document_id
            entries[share.order].append(
                LedgerEntry(
                    document_id,
                    share.amount,
                    record.currency,
                    record.received_at,
                    record.is_split,
                    settled_by.get(document_id),
                )
            )
            records_of[share.order].append(record)
            split_flags[share.order].extend(record_flags)

    ledgers: list[OrderLedger] = []
    for key in sorted(order_by_key.keys() | entries.keys()):
        order = order_by_key.get(key)
        key_entries = sorted(entries.get(key, []), key=lambda e: e.document_id)
        if order is None:
            flags = [
                Flag(
                    FlagCode.FUNDS_WITHOUT_ORDER,
                    "orderNo",
                    f"funds must find their order within {policy.orphan_grace}",
                    key.order_no,
                    None,
                    e.document_id,
                )
                for e in key_entries
                if now > e.received_at + policy.orphan_grace
            ]
        else:
            flags = _order_flags(order, key_entries, records_of.get(key, []), now, policy)
        flags.extend(split_flags.get(key, []))
        ledgers.append(OrderLedger(key, order, tuple(key_entries), tuple(flags)))
    return tuple(ledgers)
