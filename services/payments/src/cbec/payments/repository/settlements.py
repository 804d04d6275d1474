"""Settlements on file: what each paid out, and the receipts it covers (each settled once)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from cbec.payments.domain.settlement import Settlement, SettlementLine, SettlementOnFile
from cbec.payments.models import SettlementDocumentRow, SettlementRow


class Settlements:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(
        self,
        settlement: Settlement,
        *,
        stated_in: tuple[str, Decimal],
        through: date,
        now: datetime,
        run_by: str | None,
    ) -> None:
        """File a settlement (stated in a currency at a rate) and the receipts it covers."""
        currency, rate = stated_in
        self.session.add(
            SettlementRow(
                settlement_id=settlement.settlement_id,
                pay_code=settlement.pay_code,
                ebc_code=settlement.payee,
                day=settlement.day,
                currency=currency,
                rate=rate,
                gross_exact=settlement.gross_exact,
                fee_exact=settlement.fee_exact,
                gross=settlement.gross,
                fee=settlement.fee,
                net=settlement.net,
                run_through=through,
                settled_at=now,
                filed_by=run_by,
            )
        )
        await self.session.flush()
        self.session.add_all(
            SettlementDocumentRow(
                settlement_id=settlement.settlement_id,
                document_id=line.document_id,
                order_no=line.order_no,
                currency=line.currency,
                amount=line.amount,
                rate=line.rate,
                cny_exact=line.cny_exact,
            )
            for line in settlement.lines
        )

    async def listed(
        self, *, narrowed: bool, naming: str | None, ebc_code: str | None, day: date | None
    ) -> list[SettlementOnFile]:
        """Settlements of a payee and/or a day, oldest first, each with its receipts (by
        document id); ``narrowed``: only those naming ``naming`` as payee or institution."""
        query = select(SettlementRow)
        if narrowed:
            query = query.where(
                or_(col(SettlementRow.ebc_code) == naming, col(SettlementRow.pay_code) == naming)
            )
        if ebc_code is not None:
            query = query.where(SettlementRow.ebc_code == ebc_code)
        if day is not None:
            query = query.where(SettlementRow.day == day)
        order = (col(SettlementRow.day), col(SettlementRow.settled_at))
        rows = (await self.session.exec(query.order_by(*order))).all()
        lines: dict[str, list[SettlementLine]] = defaultdict(list)
        if rows:
            ids = [row.settlement_id for row in rows]
            covered = select(SettlementDocumentRow).where(
                col(SettlementDocumentRow.settlement_id).in_(ids)
            )
            for doc in (await self.session.exec(covered)).all():
                lines[doc.settlement_id].append(_line(doc))
        return [_on_file(row, lines[row.settlement_id]) for row in rows]


def _line(row: SettlementDocumentRow) -> SettlementLine:
    return SettlementLine(
        row.document_id, row.order_no, row.currency, row.amount, row.rate, row.cny_exact
    )


def _on_file(row: SettlementRow, lines: list[SettlementLine]) -> SettlementOnFile:
    settlement = Settlement(
        settlement_id=row.settlement_id,
        pay_code=row.pay_code,
        payee=row.ebc_code,
        day=row.day,
        lines=tuple(sorted(lines, key=lambda line: line.document_id)),
        gross_exact=row.gross_exact,
        fee_exact=row.fee_exact,
        gross=row.gross,
        fee=row.fee,
        net=row.net,
    )
    return SettlementOnFile(settlement, row.currency, row.rate, row.settled_at)
