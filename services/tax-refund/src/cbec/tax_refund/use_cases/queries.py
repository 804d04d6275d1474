"""What the tax service's API reads, decided on the record (:mod:`..domain.access`): a tax
bill for the enterprises it names, an export list's outcome for its consignor, each also for
officers and operators; a buyer's year for officers and operators (checked by the route).
"""

from __future__ import annotations

import json
from typing import Any

from cbec.shared.errors import NotFound, Violation
from cbec.tax_refund.domain import ImportTaxPolicy, QuotaLedger, buyer_key
from cbec.tax_refund.domain.access import Who, may_read, reads_everything
from cbec.tax_refund.models import ExemptionRow, QuotaEntryRow, RefundRow, TaxBillLineRow
from cbec.tax_refund.repository import quota_entry
from cbec.tax_refund.unit_of_work import TaxWork


async def buyer_year(
    work: TaxWork, buyer_id_number: str, year: int, policy: ImportTaxPolicy
) -> dict[str, Any]:
    """A buyer's calendar year: limit, counted amount, room, and each list's entry."""
    buyer = buyer_key(buyer_id_number)
    rows = await work.quota.of_year(buyer, year)
    ledger = QuotaLedger((quota_entry(r) for r in rows), policy)
    return {
        "buyerIdNumber": buyer,
        "year": year,
        "limit": str(policy.annual_limit),
        "counted": str(ledger.counted(buyer, year)),
        "room": str(ledger.room(buyer, year)),
        "entries": [_quota_entry_view(r) for r in rows],
    }


def _quota_entry_view(row: QuotaEntryRow) -> dict[str, Any]:
    return {
        "invtNo": row.invt_no,
        "orderNo": row.order_no,
        "amount": row.amount,
        "state": row.state,
        "mode": row.mode,
        "reservedOn": row.reserved_on.isoformat(),
        "releasedOn": row.released_on.isoformat() if row.released_on else None,
        "returnedOn": row.returned_on.isoformat() if row.returned_on else None,
    }


async def tax_bill(work: TaxWork, who: Who, invt_no: str) -> dict[str, Any]:
    """The tax bill of an import list, for the enterprises it names and the officers."""
    bill = await work.bills.get(invt_no)
    if bill is None or not may_read(who, [bill.ebc_code, bill.assure_code]):
        raise NotFound(
            f"no tax bill for list {invt_no}",
            [Violation(field="invtNo", rule="no tax bill was issued for this list", value=invt_no)],
        )
    lines = await work.bills.lines(invt_no)
    return {
        "invtNo": bill.invt_no,
        "taxNo": bill.tax_no,
        "orderNo": bill.order_no,
        "buyerIdNumber": bill.buyer,
        "mode": bill.mode,
        "status": bill.status,
        "customsTax": bill.customs_tax,
        "valueAddedTax": bill.value_added_tax,
        "consumptionTax": bill.consumption_tax,
        "totalTax": bill.total_tax,
        "dutiableValue": bill.dutiable_value,
        "assureCode": bill.assure_code,
        "year": bill.year,
        "yearTotalAfter": bill.year_total_after,
        "assessedAt": bill.assessed_at,
        "voidedAt": bill.voided_at.isoformat() if bill.voided_at else None,
        "voidReason": bill.void_reason,
        "lines": [_bill_line_view(line) for line in lines],
    }


def _bill_line_view(line: TaxBillLineRow) -> dict[str, Any]:
    return {
        "gnum": line.gnum,
        "gcode": line.gcode,
        "taxPrice": line.tax_price,
        "tariffRate": line.tariff_rate,
        "vatRate": line.vat_rate,
        "consumptionRate": line.consumption_rate,
        "customsTax": line.customs_tax,
        "valueAddedTax": line.value_added_tax,
        "consumptionTax": line.consumption_tax,
    }


async def invoices(work: TaxWork, invt_no: str, party: str | None) -> dict[str, Any]:
    """The invoices of a list and its refunds: those ``party`` registered and the refunds of
    its own lists (``None``: everything, for the officers)."""
    found = await work.exports.invoices(invt_no, party)
    refunds = await work.exports.refunds(invt_no, party)
    return {
        "invtNo": invt_no,
        "invoices": [
            {"gnum": i.gnum, "invoiceNo": i.invoice_no, "amount": i.amount} for i in found
        ],
        "refunds": [_refund_view(r) for r in refunds],
    }


def _refund_view(row: RefundRow) -> dict[str, Any]:
    return {
        "gnum": row.gnum,
        "gcode": row.gcode,
        "claimable": row.claimable,
        "fobValue": row.fob_value,
        "currency": row.currency,
        "exchangeRate": row.exchange_rate,
        "fobCny": row.fob_cny,
        "refundRate": row.refund_rate,
        "refund": row.refund,
        "reasons": json.loads(row.reasons),
    }


async def export_outcome(work: TaxWork, who: Who, invt_no: str) -> dict[str, Any]:
    """The tax outcome of an export list: each line's exemption and refund; for its consignor
    (and the invoices an enterprise registered, for that one), officers and operators."""
    party = None if reads_everything(who) else (who.party or "")
    known = await work.exports.closed(invt_no)
    if known is not None and party is not None and known.ebc_code != party:
        known = None
    exemptions = await work.exports.exemptions(invt_no, party)
    view = await invoices(work, invt_no, party)
    if known is None and not exemptions and not view["invoices"]:
        raise NotFound(
            f"the tax service holds nothing of list {invt_no}",
            [Violation(field="invtNo", rule="unknown export list", value=invt_no)],
        )
    return {
        **view,
        "closed": known is not None,
        "exemptions": [_exemption_view(e) for e in exemptions],
    }


def _exemption_view(row: ExemptionRow) -> dict[str, Any]:
    return {
        "gnum": row.gnum,
        "gcode": row.gcode,
        "exempt": row.exempt,
        "superseded": row.superseded,
        "amount": row.amount,
        "currency": row.currency,
        "reasons": json.loads(row.reasons),
    }
