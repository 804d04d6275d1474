"""Reconciliation: every order against its funds; each flag published once per order ledger."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cbec.payments.domain import Flag, Flow, OrderKey, ReconciliationPolicy, reconcile
from cbec.payments.domain.flags import FlagKey, RaisedFlag
from cbec.payments.domain.funds import funds_records
from cbec.payments.domain.ledger import LedgerOrder
from cbec.payments.domain.times import customs_time
from cbec.payments.events import FundsFlagged
from cbec.payments.unit_of_work import PaymentsWork
from cbec.shared.clock import china_iso


@dataclass(slots=True)
class ReconciliationReport:
    orders: int = 0
    documents: int = 0
    raised: list[dict[str, Any]] = field(default_factory=list)
    resolved: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "orders": self.orders,
            "documents": self.documents,
            "raised": self.raised,
            "resolved": self.resolved,
        }


def shown(value: Any) -> str | None:
    """A flag's compared value as text, at most 200 characters."""
    return None if value is None else str(value)[:200]


def _parties(key: OrderKey, order: LedgerOrder | None) -> tuple[str | None, str | None]:
    """The order's seller and platform, as far as they are known (without the order: the
    party funds join it by)."""
    if order is not None:
        return order.ebc_code, order.ebp_code
    if key.flow is Flow.EXPORT:
        return key.party_code, None
    return None, key.party_code


def _raise(
    work: PaymentsWork,
    key: FlagKey,
    flag: Flag,
    parties: tuple[str | None, str | None],
    now: datetime,
) -> FundsFlagged:
    """File a new flag and publish it."""
    ebc_code, ebp_code = parties
    event = FundsFlagged(
        orderNo=key.order_no,
        ebcCode=ebc_code,
        ebpCode=ebp_code,
        flag=flag.code.value,
        detail=str(flag.as_violation())[:1000],
        expected=shown(flag.expected),
        actual=shown(flag.value),
        flaggedAt=china_iso(now),
    )
    work.flags.raise_flag(
        RaisedFlag(
            key=key,
            ebc_code=ebc_code,
            ebp_code=ebp_code,
            field=flag.field[:60],
            detail=event.detail,
            expected=event.expected,
            actual=event.actual,
            document_id=flag.document_id,
            flagged_at=now,
        )
    )
    work.publish(event)
    return event


async def run_reconciliation(
    work: PaymentsWork, *, policy: ReconciliationPolicy, now: datetime
) -> ReconciliationReport:
    """Reconcile every order and funds document; publish each new flag once per order + flag;
    a flag found again after it was resolved is reopened, one not found any more resolved."""
    orders = await work.orders.every()
    vouchers = await work.vouchers.every()
    receipts = await work.receipts.every()
    ledgers = reconcile(
        [order.facts() for order in orders],
        funds_records([*vouchers, *receipts]),
        now=customs_time(now),
        policy=policy,
    )
    by_key = {(o.flow, o.order_no, o.party_code): o for o in orders}
    on_file = await work.flags.every()
    report = ReconciliationReport(orders=len(orders), documents=len(vouchers) + len(receipts))
    found: set[FlagKey] = set()
    for ledger in ledgers:
        order_key = ledger.key
        order = by_key.get((order_key.flow.value, order_key.order_no, order_key.party_code))
        for flag in ledger.flags:
            key = FlagKey(
                order_key.flow.value, order_key.order_no, order_key.party_code, flag.code.value
            )
            if key in found:
                continue
            found.add(key)
            filed = on_file.get(key)
            if filed is None:
                event = _raise(work, key, flag, _parties(order_key, order), now)
                report.raised.append(event.to_data())
            elif not filed.is_open:
                work.flags.set_resolved(key, None)
    for key, filed in on_file.items():
        if key not in found and filed.is_open:
            work.flags.set_resolved(key, now)
            report.resolved += 1
    await work.flush()
    return report
