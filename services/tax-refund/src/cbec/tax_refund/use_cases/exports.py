"""Exports: a closed list's lines judged for the exemption (财税〔2018〕103号) or, with purchase
invoices of its consignor, for the export refund (DOMAIN.md §6.1, §6.3).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from cbec.shared.errors import Conflict, InvalidInput, Violation
from cbec.tax_refund import events
from cbec.tax_refund.domain import (
    ExemptionDecision,
    ExemptionPolicy,
    ExportList,
    NotTheConsignor,
    RefundClaim,
    RefundNotClaimable,
    TaxTables,
    compute_export_refund,
    decide_exemption,
)
from cbec.tax_refund.models import PurchaseInvoiceRow, RefundRow
from cbec.tax_refund.unit_of_work import TaxWork
from cbec.tax_refund.use_cases import now_text


@dataclass(frozen=True, slots=True)
class InvoiceLine:
    gnum: int
    invoice_no: str
    amount: Decimal | None


async def list_closed(
    work: TaxWork,
    export_list: ExportList,
    *,
    order_no: str,
    closed_at: str,
    tables: TaxTables,
) -> None:
    """A closed export list: every line without purchase invoices is judged for the exemption
    (ExemptionDecided); the invoiced lines take the refund (RefundComputed) when claimable."""
    if await work.exports.closed(export_list.invt_no) is not None:
        return
    work.exports.add_closed(export_list, order_no=order_no, closed_at=closed_at)
    invoiced = await work.exports.invoiced_lines(export_list.invt_no, export_list.ebc_code)
    policy = ExemptionPolicy(
        registered_enterprises=await work.register.codes(),
        zone_customs=tables.zone_customs,
        excluded_hs=tables.excluded_hs,
    )
    decided_at = now_text()
    for decision in decide_exemption(export_list, policy):
        if decision.gnum not in invoiced:
            _record_exemption(work, decision, export_list, order_no, decided_at)
    if invoiced:
        _refund(work, export_list, invoiced, order_no=order_no, tables=tables)


def _record_exemption(
    work: TaxWork,
    decision: ExemptionDecision,
    export_list: ExportList,
    order_no: str,
    decided_at: str,
) -> None:
    reasons = [str(v) for v in decision.reasons]
    work.exports.add_exemption(
        decision,
        order_no=order_no,
        customs_code=export_list.customs_code,
        reasons=reasons,
        decided_at=decided_at,
    )
    work.publish(
        events.ExemptionDecided(
            orderNo=order_no,
            invtNo=decision.invt_no,
            gnum=decision.gnum,
            ebcCode=decision.ebc_code,
            gcode=decision.gcode,
            customsCode=export_list.customs_code,
            exempt=decision.exempt,
            reasons=tuple(reasons),
            amount=decision.total_price,
            currency=decision.currency,
            decidedAt=decided_at,
        )
    )


def _refund(
    work: TaxWork,
    export_list: ExportList,
    gnums: Iterable[int],
    *,
    order_no: str,
    tables: TaxTables,
) -> None:
    """The refund of the lines ``gnums`` (RefundComputed), or each line's refusal on file."""
    wanted = set(gnums)
    lines = tuple(line for line in export_list.lines if line.gnum in wanted)
    if not lines:
        return
    claimed = export_list.model_copy(update={"lines": lines})
    computed_at = now_text()
    try:
        claim = compute_export_refund(
            claimed, rates=tables.rates, exchange_rates=tables.exchange_rates
        )
    except RefundNotClaimable as refusal:
        work.exports.add_refunds(_refused_rows(claimed, order_no, refusal, computed_at))
        return
    work.exports.add_refunds(_refund_rows(claim, order_no, computed_at))
    work.publish(
        events.RefundComputed(
            orderNo=order_no,
            invtNo=export_list.invt_no,
            ebcCode=export_list.ebc_code,
            fobCny=claim.fob_value_cny,
            rate=claim.lines[0].exchange_rate,
            refund=claim.refund,
            lines=tuple(
                {
                    "gnum": line.gnum,
                    "gcode": line.gcode,
                    "fobCny": str(line.fob_value_cny),
                    "refundRate": str(line.refund_rate),
                    "refund": str(line.refund),
                }
                for line in claim.lines
            ),
            computedAt=computed_at,
        )
    )


def _refused_rows(
    claimed: ExportList, order_no: str, refusal: RefundNotClaimable, computed_at: str
) -> list[RefundRow]:
    reasons = json.dumps([str(v) for v in refusal.violations], ensure_ascii=False)
    return [
        RefundRow(
            invt_no=claimed.invt_no,
            gnum=line.gnum,
            order_no=order_no,
            ebc_code=claimed.ebc_code,
            gcode=line.gcode,
            claimable=False,
            fob_value=str(line.total_price),
            currency=line.currency,
            reasons=reasons,
            computed_at=computed_at,
        )
        for line in claimed.lines
    ]


def _refund_rows(claim: RefundClaim, order_no: str, computed_at: str) -> list[RefundRow]:
    return [
        RefundRow(
            invt_no=claim.invt_no,
            gnum=line.gnum,
            order_no=order_no,
            ebc_code=claim.ebc_code,
            gcode=line.gcode,
            claimable=True,
            fob_value=str(line.fob_value),
            currency=line.currency,
            exchange_rate=str(line.exchange_rate),
            fob_cny=str(line.fob_value_cny),
            refund_rate=str(line.refund_rate),
            refund=str(line.refund),
            reasons="[]",
            computed_at=computed_at,
        )
        for line in claim.lines
    ]


async def register_invoices(
    work: TaxWork,
    *,
    invt_no: str,
    lines: Sequence[InvoiceLine],
    party: str,
    tables: TaxTables,
) -> None:
    """Purchase invoices of an export list's lines, by its consignor. Before the list closes
    they route those lines to the refund (the consignor's only: the list names it when it
    closes); after, the lines' exemption is superseded and the refund computed now; another
    enterprise is refused. Idempotent per (invtNo, gnum, invoiceNo)."""
    known = await work.exports.closed(invt_no)
    export_list = ExportList.model_validate_json(known.document) if known is not None else None
    if export_list is not None:
        _check_consignor(export_list, party, lines)
    on_file = await work.exports.invoice_owners(invt_no, {line.gnum for line in lines})
    taken = [
        Violation(
            field=f"lines[{position}].invoiceNo",
            rule="an invoice of a list line is registered once, and only by the enterprise that "
            "registered it sends it again",
            value=line.invoice_no,
        )
        for position, line in enumerate(lines)
        if on_file.get((line.gnum, line.invoice_no), party) != party
    ]
    if taken:
        raise Conflict(f"purchase invoices of list {invt_no} refused", taken)
    before = await work.exports.invoiced_lines(invt_no, party)
    for line in lines:
        if (line.gnum, line.invoice_no) not in on_file:
            on_file[(line.gnum, line.invoice_no)] = party
            work.exports.add_invoice(
                PurchaseInvoiceRow(
                    invt_no=invt_no,
                    gnum=line.gnum,
                    invoice_no=line.invoice_no,
                    amount=str(line.amount) if line.amount is not None else None,
                    registered_by=party,
                )
            )
    newly = {line.gnum for line in lines} - before
    if export_list is not None and known is not None and newly:
        await work.exports.supersede_exemptions(invt_no, newly)
        _refund(work, export_list, newly, order_no=known.order_no, tables=tables)


def _check_consignor(export_list: ExportList, party: str, lines: Sequence[InvoiceLine]) -> None:
    """Only the list's consignor registers invoices, and only of the lines the list has."""
    if party != export_list.ebc_code:
        raise NotTheConsignor(
            f"list {export_list.invt_no} is not an export of {party}",
            [
                Violation(
                    field="invtNo",
                    rule="purchase invoices are registered by the list's consignor (ebcCode)",
                    value=party,
                    expected=export_list.ebc_code,
                )
            ],
        )
    gnums = {line.gnum for line in export_list.lines}
    unknown = [line.gnum for line in lines if line.gnum not in gnums]
    if unknown:
        raise InvalidInput(
            [
                Violation(field="lines.gnum", rule="the list has no such line", value=gnum)
                for gnum in unknown
            ]
        )
