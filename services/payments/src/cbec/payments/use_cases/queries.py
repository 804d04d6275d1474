"""What the ledger shows: an order's ledgers, the flags raised, and the counts of it all."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from cbec.payments.domain import FlagCode, Flow, OrderLedger, ReconciliationPolicy, reconcile
from cbec.payments.domain.access import Who, reads_everything
from cbec.payments.domain.flags import RaisedFlag
from cbec.payments.domain.funds import funds_records
from cbec.payments.domain.ledger import LedgerOrder
from cbec.payments.domain.times import customs_time
from cbec.payments.unit_of_work import PaymentsWork
from cbec.payments.use_cases.reconciliation import shown
from cbec.shared.clock import china_iso

LedgerKey = tuple[str, str]


def flag_view(flag: RaisedFlag) -> dict[str, Any]:
    return {
        "orderNo": flag.key.order_no,
        "ieFlag": flag.key.flow,
        "party": flag.key.party_code,
        "ebcCode": flag.ebc_code,
        "ebpCode": flag.ebp_code,
        "flag": flag.key.flag,
        "field": flag.field,
        "detail": flag.detail,
        "expected": flag.expected,
        "actual": flag.actual,
        "documentId": flag.document_id,
        "flaggedAt": china_iso(flag.flagged_at),
        "resolvedAt": china_iso(flag.resolved_at) if flag.resolved_at else None,
    }


async def list_flags(
    work: PaymentsWork,
    *,
    ebc_code: str | None,
    ebp_code: str | None,
    since: datetime | None,
    who: Who,
    flag: FlagCode | None = None,
) -> list[dict[str, Any]]:
    """Flags of an enterprise since a moment; an enterprise sees the flags of its own orders
    (as seller or platform), the officers and operators all."""
    found = await work.flags.listed(
        narrowed=not reads_everything(who),
        naming=who.party,
        ebc_code=ebc_code,
        ebp_code=ebp_code,
        since=since,
        flag=flag.value if flag is not None else None,
    )
    return [flag_view(raised) for raised in found]


def _order_view(order: LedgerOrder | None) -> dict[str, Any] | None:
    if order is None:
        return None
    return {
        "ebpCode": order.ebp_code,
        "ebcCode": order.ebc_code,
        "currency": order.currency,
        "amountDue": str(order.amount_due),
        "placedAt": china_iso(order.placed_at),
        "invtNo": order.invt_no,
        "releasedAt": china_iso(order.released_at) if order.released_at else None,
    }


def _ledger_view(
    ledger: OrderLedger,
    order: LedgerOrder | None,
    settled_by: dict[str, str],
    raised: Sequence[RaisedFlag],
) -> dict[str, Any]:
    return {
        "orderNo": ledger.key.order_no,
        "ieFlag": ledger.key.flow.value,
        "party": ledger.key.party_code,
        "order": _order_view(order),
        "funded": str(ledger.funded),
        "funds": [
            {
                "documentId": entry.document_id,
                "amount": str(entry.amount),
                "currency": entry.currency,
                "receivedAt": entry.received_at.strftime("%Y%m%d%H%M%S"),
                "split": entry.split,
                "settlementId": settled_by.get(entry.document_id),
            }
            for entry in ledger.entries
        ],
        "flags": [
            {
                "flag": f.code.value,
                "field": f.field,
                "rule": f.rule,
                "actual": shown(f.value),
                "expected": shown(f.expected),
                "documentId": f.document_id,
            }
            for f in ledger.flags
        ],
        "raised": [flag_view(flag) for flag in raised],
    }


def _of_flow(keys: set[LedgerKey] | None, flow: Flow) -> list[str] | None:
    return None if keys is None else [code for f, code in keys if f == flow.value]


async def order_ledgers(
    work: PaymentsWork,
    order_no: str,
    *,
    who: Who,
    party: str | None,
    policy: ReconciliationPolicy,
    now: datetime,
) -> list[dict[str, Any]]:
    """The ledger of an order (per flow and party that has it): order, funds, settlements,
    the flags as of now, and the flags raised so far. An enterprise sees the ledgers whose
    order or funds name it; the officers and operators every one (``party`` narrows)."""
    keys: set[LedgerKey] | None = None
    if not reads_everything(who):
        keys = await work.orders.keys_naming(order_no, who.party) if who.party else set()
        if not keys:
            return []
    orders = await work.orders.of_order(order_no, party=party, keys=keys)
    vouchers = await work.vouchers.of_order(
        order_no, party=party, parties=_of_flow(keys, Flow.IMPORT)
    )
    receipts = await work.receipts.of_order(
        order_no, party=party, parties=_of_flow(keys, Flow.EXPORT)
    )
    settled_by = {r.document.document_id: r.settlement_id for r in receipts if r.settlement_id}
    ledgers = [
        ledger
        for ledger in reconcile(
            [order.facts() for order in orders],
            funds_records([*vouchers, *receipts]),
            now=customs_time(now),
            policy=policy,
        )
        if ledger.key.order_no == order_no
        and (keys is None or (ledger.key.flow.value, ledger.key.party_code) in keys)
    ]
    raised = await work.flags.of_order(order_no, {ledger.key.party_code for ledger in ledgers})
    by_key = {order.ledger_key: order for order in orders}
    return [
        _ledger_view(
            ledger,
            by_key.get((ledger.key.flow.value, ledger.key.party_code)),
            settled_by,
            raised.get((ledger.key.flow.value, ledger.key.party_code), []),
        )
        for ledger in ledgers
    ]


async def overview(work: PaymentsWork) -> dict[str, Any]:
    """Counts of the ledger: orders, funds documents, settled receipts, flags by kind."""
    orders = await work.orders.count()
    vouchers = await work.vouchers.count()
    receipts, settled = await work.receipts.settled_count()
    return {
        "orders": orders,
        "paymentVouchers": vouchers,
        "receiptsOfFunds": receipts,
        "settledReceipts": settled,
        "openFlags": await work.flags.open_counts(),
    }
