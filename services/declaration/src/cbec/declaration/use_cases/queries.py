"""What enterprises, officers and operators read: a list with its receipts, an order with its
lists; an enterprise finds only the documents that name it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import false, or_
from sqlmodel import select

from cbec.declaration.domain import may_read
from cbec.declaration.domain.directions import direction
from cbec.declaration.models import ListReceiptRow, ListRow, OrderRow
from cbec.declaration.unit_of_work import DeclarationWork
from cbec.shared.errors import Conflict, NotFound
from cbec.shared.errors import Violation as Problem


@dataclass(frozen=True, slots=True)
class Reader:
    """Who reads: an enterprise (``party``) reads the documents that name it; officers and
    operators (``sees_all``) read every one on their routes."""

    party: str | None
    sees_all: bool


def _named_by(reader: Reader, *columns: Any) -> Any:
    """A condition keeping the rows that name the reader in one of ``columns`` (none match a
    reader without a code); None for a reader who sees every row."""
    if reader.sees_all:
        return None
    if reader.party is None:
        return false()
    return or_(*(column == reader.party for column in columns))


async def list_with_receipts(
    work: DeclarationWork, cop_no: str, agent_code: str | None, reader: Reader
) -> tuple[ListRow, list[ListReceiptRow]]:
    """A list by copNo, with the agent's code when given; an enterprise finds only a list that
    names it (its ebcCode, ebpCode, agentCode or logisticsCode): another's is not found."""
    query = select(ListRow).where(ListRow.cop_no == cop_no)
    if agent_code:
        query = query.where(ListRow.agent_code == agent_code)
    named = _named_by(
        reader,
        ListRow.agent_code,
        ListRow.ebc_code,
        ListRow.ebp_code,
        ListRow.logistics_code,
    )
    if named is not None:
        query = query.where(named)
    rows = [
        row
        for row in (await work.session.exec(query)).all()
        if may_read(
            reader.party,
            sees_all=reader.sees_all,
            parties=(row.agent_code, row.ebc_code, row.ebp_code, row.logistics_code),
        )
    ]
    if not rows:
        raise NotFound(f"no list {cop_no}", [Problem("copNo", "no such list", cop_no)])
    if len(rows) > 1:
        raise Conflict(
            f"several agents filed a list {cop_no}: name one with ?agentCode=",
            [Problem("agentCode", "required when several agents use the copNo", None)],
        )
    row = rows[0]
    return row, await work.lists.receipts(row)


async def order_with_lists(
    work: DeclarationWork, order_no: str, party: str, reader: Reader
) -> list[tuple[OrderRow, list[ListRow]]]:
    """An order by its key (orderNo and its ebcCode for export or ebpCode for import); an
    enterprise finds it only when the order names it (ebcCode, ebpCode)."""
    query = select(OrderRow).where(OrderRow.order_no == order_no, OrderRow.party_code == party)
    named = _named_by(reader, OrderRow.ebc_code, OrderRow.ebp_code)
    if named is not None:
        query = query.where(named)
    rows = [
        row
        for row in (await work.session.exec(query)).all()
        if may_read(reader.party, sees_all=reader.sees_all, parties=(row.ebc_code, row.ebp_code))
    ]
    if not rows:
        raise NotFound(
            f"no order {order_no} of {party}", [Problem("orderNo", "no such order", order_no)]
        )
    return [
        (row, await work.lists.of_order(direction(row.ie_flag), order_no, party)) for row in rows
    ]
