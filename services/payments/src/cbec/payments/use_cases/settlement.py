"""Settlement: foreign-currency receipts paid out in CNY per institution, payee and day."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from cbec.payments.domain import CNY, Settlement, settle
from cbec.payments.domain.access import Who, reads_everything
from cbec.payments.domain.settlement import SettlementOnFile
from cbec.payments.events import SettledDocument, SettlementCompleted
from cbec.payments.unit_of_work import PaymentsWork
from cbec.payments.use_cases.tables import current_rates
from cbec.shared.clock import china_iso


@dataclass(slots=True)
class SettlementReport:
    through: date
    settlements: list[dict[str, Any]] = field(default_factory=list)
    held: list[dict[str, str]] = field(default_factory=list)
    not_applicable: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "through": self.through.isoformat(),
            "settlements": self.settlements,
            "held": self.held,
            "notApplicable": self.not_applicable,
        }


def stated_in(settlement: Settlement) -> tuple[str, Decimal]:
    """The receipts' currency and rate when they share one (same day, same rate); a settlement
    of receipts in several currencies is stated in CNY (142) at 1, its lines giving each rate."""
    pairs = {(line.currency, line.rate) for line in settlement.lines}
    if len(pairs) == 1:
        return next(iter(pairs))
    return CNY, Decimal(1)


def _completed(settlement: Settlement, now: datetime) -> SettlementCompleted:
    currency, rate = stated_in(settlement)
    return SettlementCompleted(
        settlementId=settlement.settlement_id,
        payCode=settlement.pay_code,
        ebcCode=settlement.payee,
        day=settlement.day.isoformat(),
        currency=currency,
        rate=rate,
        gross=settlement.gross,
        fee=settlement.fee,
        net=settlement.net,
        documents=settlement.document_ids,
        lines=tuple(
            SettledDocument(
                documentId=line.document_id,
                orderNo=line.order_no,
                currency=line.currency,
                amount=line.amount,
                rate=line.rate,
            )
            for line in settlement.lines
        ),
        settledAt=china_iso(now),
    )


async def run_settlement(
    work: PaymentsWork, *, through: date, now: datetime, run_by: str | None = None
) -> SettlementReport:
    """Settle every unsettled receipt credited on or before ``through`` (domain.settle);
    ``run_by``: the operator who asked for the run (None: the service's schedule)."""
    receipts = await work.receipts.unsettled_through(through)
    rates, _ = await current_rates(work)
    run = settle(receipts, through=through, rates=rates, fees=await work.tables.fees())
    report = SettlementReport(
        through=through,
        held=[{"documentId": s.document_id, "reason": s.reason} for s in run.held],
        not_applicable=len(run.not_applicable),
    )
    for settlement in run.settlements:
        await work.settlements.add(
            settlement, stated_in=stated_in(settlement), through=through, now=now, run_by=run_by
        )
        work.receipts.mark_settled(settlement.document_ids, settlement.settlement_id)
        event = _completed(settlement, now)
        work.publish(event)
        report.settlements.append(event.to_data())
    await work.flush()
    return report


def _settlement_view(on_file: SettlementOnFile) -> dict[str, Any]:
    settlement = on_file.settlement
    return {
        "settlementId": settlement.settlement_id,
        "payCode": settlement.pay_code,
        "ebcCode": settlement.payee,
        "day": settlement.day.isoformat(),
        "currency": on_file.currency,
        "rate": str(on_file.rate),
        "grossExact": str(settlement.gross_exact),
        "feeExact": str(settlement.fee_exact),
        "gross": str(settlement.gross),
        "fee": str(settlement.fee),
        "net": str(settlement.net),
        "settledAt": china_iso(on_file.settled_at),
        "documents": [
            {
                "documentId": line.document_id,
                "orderNo": line.order_no,
                "currency": line.currency,
                "amount": str(line.amount),
                "rate": str(line.rate),
                "cnyExact": str(line.cny_exact),
            }
            for line in settlement.lines
        ],
    }


async def list_settlements(
    work: PaymentsWork, *, who: Who, ebc_code: str | None, day: date | None
) -> list[dict[str, Any]]:
    """Settlements of a payee and/or a day; an enterprise sees those naming it (as payee or as
    the paying institution), the officers and operators all."""
    found = await work.settlements.listed(
        narrowed=not reads_everything(who), naming=who.party, ebc_code=ebc_code, day=day
    )
    return [_settlement_view(on_file) for on_file in found]
