"""Closed export lists, their purchase invoices, exemption decisions and refunds."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from cbec.tax_refund.domain import (
    ExemptionDecision,
    ExportList,
)
from cbec.tax_refund.models import (
    ExemptionRow,
    ExportListRow,
    PurchaseInvoiceRow,
    RefundRow,
    dec,
)


class ExportRepository:
    """Closed export lists, their purchase invoices, exemption decisions and refunds."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def closed(self, invt_no: str) -> ExportListRow | None:
        return await self.session.get(ExportListRow, invt_no)

    def add_closed(self, export_list: ExportList, *, order_no: str, closed_at: str) -> None:
        self.session.add(
            ExportListRow(
                invt_no=export_list.invt_no,
                order_no=order_no,
                ebc_code=export_list.ebc_code,
                document=export_list.model_dump_json(by_alias=True),
                closed_at=closed_at,
            )
        )

    async def invoiced_lines(self, invt_no: str, consignor: str) -> set[int]:
        """The lines of a list with purchase invoices of ``consignor`` (the list's
        ``ebcCode``): another enterprise's invoices do not make a line refundable."""
        result = await self.session.exec(
            select(PurchaseInvoiceRow.gnum).where(
                PurchaseInvoiceRow.invt_no == invt_no,
                PurchaseInvoiceRow.registered_by == consignor,
            )
        )
        return set(result.all())

    async def invoice_owners(self, invt_no: str, gnums: set[int]) -> dict[tuple[int, str], str]:
        """(gnum, invoiceNo) -> the enterprise that registered it, for the lines ``gnums``."""
        result = await self.session.exec(
            select(PurchaseInvoiceRow).where(
                PurchaseInvoiceRow.invt_no == invt_no, col(PurchaseInvoiceRow.gnum).in_(gnums)
            )
        )
        return {(row.gnum, row.invoice_no): row.registered_by for row in result.all()}

    def add_invoice(self, row: PurchaseInvoiceRow) -> None:
        self.session.add(row)

    async def invoices(self, invt_no: str, party: str | None) -> Sequence[PurchaseInvoiceRow]:
        query = select(PurchaseInvoiceRow).where(PurchaseInvoiceRow.invt_no == invt_no)
        if party is not None:
            query = query.where(PurchaseInvoiceRow.registered_by == party)
        result = await self.session.exec(
            query.order_by(col(PurchaseInvoiceRow.gnum), col(PurchaseInvoiceRow.invoice_no))
        )
        return result.all()

    def add_exemption(
        self,
        decision: ExemptionDecision,
        *,
        order_no: str,
        customs_code: str,
        reasons: list[str],
        decided_at: str,
    ) -> None:
        self.session.add(
            ExemptionRow(
                invt_no=decision.invt_no,
                gnum=decision.gnum,
                order_no=order_no,
                ebc_code=decision.ebc_code,
                gcode=decision.gcode,
                customs_code=customs_code,
                ie_date=decision.ie_date,
                currency=decision.currency,
                amount=str(decision.total_price),
                exempt=decision.exempt,
                reasons=json.dumps(reasons, ensure_ascii=False),
                decided_at=decided_at,
            )
        )

    async def supersede_exemptions(self, invt_no: str, gnums: Iterable[int]) -> None:
        """The exemption decisions of lines that took the refund instead."""
        for gnum in gnums:
            decision = await self.session.get(ExemptionRow, (invt_no, gnum))
            if decision is not None:
                decision.superseded = True
                self.session.add(decision)

    async def exemptions(self, invt_no: str, party: str | None) -> Sequence[ExemptionRow]:
        query = select(ExemptionRow).where(ExemptionRow.invt_no == invt_no)
        if party is not None:
            query = query.where(ExemptionRow.ebc_code == party)
        return (await self.session.exec(query.order_by(col(ExemptionRow.gnum)))).all()

    async def exempt_lines(self, ebc_code: str, year: int) -> list[ExemptionDecision]:
        """The exempt decisions (not superseded) of an enterprise's lines exported in ``year``."""
        result = await self.session.exec(
            select(ExemptionRow).where(
                ExemptionRow.ebc_code == ebc_code,
                col(ExemptionRow.exempt).is_(True),
                col(ExemptionRow.superseded).is_(False),
            )
        )
        return [_exempt_decision(r) for r in result.all() if r.ie_date.year == year]

    def add_refunds(self, rows: Iterable[RefundRow]) -> None:
        self.session.add_all(list(rows))

    async def refunds(self, invt_no: str, party: str | None) -> Sequence[RefundRow]:
        query = select(RefundRow).where(RefundRow.invt_no == invt_no)
        if party is not None:
            query = query.where(RefundRow.ebc_code == party)
        return (await self.session.exec(query.order_by(col(RefundRow.gnum)))).all()


def _exempt_decision(row: ExemptionRow) -> ExemptionDecision:
    return ExemptionDecision(
        invt_no=row.invt_no,
        gnum=row.gnum,
        gcode=row.gcode,
        ebc_code=row.ebc_code,
        ie_date=row.ie_date,
        currency=row.currency,
        total_price=dec(row.amount),
        exempt=True,
    )
