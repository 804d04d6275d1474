"""Reconciliation flags on file, once per order ledger and flag code."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from cbec.payments.domain.flags import FlagKey, RaisedFlag
from cbec.payments.models import FundsFlagRow


def _key(row: FundsFlagRow) -> FlagKey:
    return FlagKey(row.flow, row.order_no, row.party_code, row.flag)


def _raised(row: FundsFlagRow) -> RaisedFlag:
    return RaisedFlag(
        key=_key(row),
        ebc_code=row.ebc_code,
        ebp_code=row.ebp_code,
        field=row.field_name,
        detail=row.detail,
        expected=row.expected,
        actual=row.actual,
        document_id=row.document_id,
        flagged_at=row.flagged_at,
        resolved_at=row.resolved_at,
    )


class Flags:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._rows: dict[FlagKey, FundsFlagRow] = {}

    async def every(self) -> dict[FlagKey, RaisedFlag]:
        """Every flag on file, by its key (remembered, to be reopened or resolved)."""
        self._rows = {_key(row): row for row in (await self.session.exec(select(FundsFlagRow)))}
        return {key: _raised(row) for key, row in self._rows.items()}

    def raise_flag(self, flag: RaisedFlag) -> None:
        self.session.add(
            FundsFlagRow(
                flow=flag.key.flow,
                order_no=flag.key.order_no,
                party_code=flag.key.party_code,
                ebc_code=flag.ebc_code,
                ebp_code=flag.ebp_code,
                flag=flag.key.flag,
                field_name=flag.field,
                detail=flag.detail,
                expected=flag.expected,
                actual=flag.actual,
                document_id=flag.document_id,
                flagged_at=flag.flagged_at,
            )
        )

    def set_resolved(self, key: FlagKey, resolved_at: datetime | None) -> None:
        """Resolve (or, with None, reopen) a flag :meth:`every` loaded."""
        row = self._rows[key]
        row.resolved_at = resolved_at
        self.session.add(row)

    async def listed(
        self,
        *,
        narrowed: bool,
        naming: str | None,
        ebc_code: str | None,
        ebp_code: str | None,
        since: datetime | None,
        flag: str | None,
    ) -> list[RaisedFlag]:
        """Flags oldest first; ``narrowed``: only those of orders naming ``naming`` as seller or
        platform."""
        query = select(FundsFlagRow)
        if narrowed:
            query = query.where(
                or_(col(FundsFlagRow.ebc_code) == naming, col(FundsFlagRow.ebp_code) == naming)
            )
        if ebc_code is not None:
            query = query.where(FundsFlagRow.ebc_code == ebc_code)
        if ebp_code is not None:
            query = query.where(FundsFlagRow.ebp_code == ebp_code)
        if since is not None:
            query = query.where(FundsFlagRow.flagged_at >= since)
        if flag is not None:
            query = query.where(FundsFlagRow.flag == flag)
        rows = (await self.session.exec(query.order_by(col(FundsFlagRow.id)))).all()
        return [_raised(row) for row in rows]

    async def of_order(
        self, order_no: str, party_codes: Iterable[str]
    ) -> dict[tuple[str, str], list[RaisedFlag]]:
        """An order's flags (oldest first) per (flow, party code) ledger."""
        query = select(FundsFlagRow).where(
            FundsFlagRow.order_no == order_no,
            col(FundsFlagRow.party_code).in_(set(party_codes)),
        )
        found: dict[tuple[str, str], list[RaisedFlag]] = defaultdict(list)
        for row in (await self.session.exec(query.order_by(col(FundsFlagRow.id)))).all():
            found[(row.flow, row.party_code)].append(_raised(row))
        return found

    async def open_counts(self) -> dict[str, int]:
        """How many flags of each code are open."""
        counts: dict[str, int] = defaultdict(int)
        query = select(FundsFlagRow.flag, FundsFlagRow.resolved_at)
        for code, resolved in (await self.session.exec(query)).all():
            if resolved is None:
                counts[code] += 1
        return dict(sorted(counts.items()))
