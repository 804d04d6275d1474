"""The gateway's own reads: one-stop order views, an enterprise's receipts, the officers' feeds.

view = await order_view(session, "EO1", viewer=Viewer("3301963K69", officer=False))
# several sellers using "EO1" and a viewer serving both: name the seller
view = await order_view(session, "EO1", viewer=viewer, ebc_code="3301963K69")
page = await receipts_after(session, "3301963K69", after=0, limit=100)
rows = await feed_after(session, "customs", after=0, enterprise=None, types=(), limit=500)
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from cbec.gateway import domain
from cbec.gateway.models import EventOrderRow, EventRow, OrderPartyRow, OrderViewRow, ReceiptRow
from cbec.shared.envelope import format_time
from cbec.shared.errors import Conflict, NotFound, Violation


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who asks: an enterprise sees the orders that name its code; officers see every order."""

    code: str
    officer: bool


def _naming(code: str) -> Any:
    """A condition on ``order_view`` rows: the order's events name ``code`` in a party field."""
    return (
        select(OrderPartyRow.code)
        .where(
            col(OrderPartyRow.order_no) == col(OrderViewRow.order_no),
            col(OrderPartyRow.ebc_code) == col(OrderViewRow.ebc_code),
            col(OrderPartyRow.code) == code,
        )
        .exists()
    )


async def order_view(
    session: AsyncSession,
    order_no: str,
    *,
    viewer: Viewer,
    party: str | None = None,
    ebc_code: str | None = None,
) -> dict[str, Any]:
    """The one-stop view of an order; NotFound when there is none the viewer may see (an
    enterprise is not told that another enterprise's order exists). An order is its number and
    its seller: when the viewer may see several orders of the number (a platform, a carrier or
    an officer serving two sellers that use it), ``ebc_code`` or ``party`` names the one."""
    query = select(OrderViewRow).where(col(OrderViewRow.order_no) == order_no)
    if ebc_code is not None:
        query = query.where(col(OrderViewRow.ebc_code) == ebc_code)
    for code in [c for c in (None if viewer.officer else viewer.code, party) if c]:
        query = query.where(_naming(code))
    found = list((await session.exec(query.order_by(col(OrderViewRow.id)).limit(2))).all())
    if not found:
        raise NotFound(f"no order {order_no}" + (f" of {party}" if party else ""))
    if len(found) > 1:
        raise Conflict(
            f"several sellers use the order number {order_no}: name one with ?ebcCode=",
            [Violation(field="ebcCode", rule="required when several sellers use the orderNo")],
        )
    view = found[0]
    events = await session.exec(
        select(EventRow)
        .join(EventOrderRow, col(EventOrderRow.seq) == col(EventRow.seq))
        .where(
            col(EventOrderRow.order_no) == order_no, col(EventOrderRow.ebc_code) == view.ebc_code
        )
        .order_by(col(EventRow.seq))
    )
    # The status is the one folded from the events read here, not the row's: on PostgreSQL
    # each statement sees what has committed by then, and a row read before events that the
    # projection applied meanwhile would contradict them.
    folded = domain.fold_order(
        order_no, [_stored(row) for row in events.all()], officer=viewer.officer
    )
    folded["ebcCode"] = view.ebc_code
    folded["ieFlag"] = view.ie_flag or folded["ieFlag"]
    folded["firstSeen"] = format_time(view.first_seen)
    folded["updatedAt"] = format_time(view.updated_at)
    return folded


def _stored(row: EventRow) -> domain.StoredEvent:
    return domain.StoredEvent(
        seq=row.seq or 0,
        type=row.type,
        time=format_time(row.time),
        data=json.loads(row.data),
        source=row.source,
        id=row.event_id,
    )


@dataclass(frozen=True, slots=True)
class OrderFilter:
    status: str | None = None
    ie_flag: str | None = None
    since: datetime | None = None
    party: str | None = None


async def list_orders(
    session: AsyncSession, *, viewer: Viewer, filters: OrderFilter, after: int, limit: int
) -> list[dict[str, Any]]:
    """Orders the viewer may see, oldest first after the cursor ``after`` (an order row id)."""
    query = select(OrderViewRow).where(col(OrderViewRow.id) > after)
    for code in [c for c in (None if viewer.officer else viewer.code, filters.party) if c]:
        query = query.where(_naming(code))
    if filters.status is not None:
        query = query.where(col(OrderViewRow.status) == filters.status)
    if filters.ie_flag is not None:
        query = query.where(col(OrderViewRow.ie_flag) == filters.ie_flag)
    if filters.since is not None:
        query = query.where(col(OrderViewRow.updated_at) >= filters.since)
    rows = list((await session.exec(query.order_by(col(OrderViewRow.id)).limit(limit))).all())
    parties: dict[tuple[str, str], dict[str, str]] = {
        (row.order_no, row.ebc_code): {} for row in rows
    }
    if rows:
        found = await session.exec(
            select(OrderPartyRow).where(
                col(OrderPartyRow.order_no).in_({row.order_no for row in rows})
            )
        )
        for party in found.all():
            named = parties.get((party.order_no, party.ebc_code))
            if named is not None:
                named.setdefault(party.role, party.code)
    return [
        {
            "id": row.id,
            "orderNo": row.order_no,
            "ebcCode": row.ebc_code,
            "ieFlag": row.ie_flag,
            "status": row.status,
            "parties": parties[(row.order_no, row.ebc_code)],
            "firstSeen": format_time(row.first_seen),
            "updatedAt": format_time(row.updated_at),
        }
        for row in rows
    ]


def receipt_document(receipt: ReceiptRow, event: EventRow) -> dict[str, Any]:
    """One receipt as the ERP gets it, by polling or by webhook."""
    document: dict[str, Any] = {
        "receiptId": receipt.receipt_id,
        "type": receipt.type,
        "orderNo": receipt.order_no,
        "time": format_time(receipt.time),
        "eventId": receipt.event_id,
        "source": event.source,
        "data": json.loads(event.data),
    }
    if receipt.return_status is not None:
        document["returnStatus"] = receipt.return_status
    if receipt.return_info is not None:
        document["returnInfo"] = receipt.return_info
    return document


async def receipts_after(
    session: AsyncSession, party: str, *, after: int, limit: int
) -> list[tuple[int, dict[str, Any]]]:
    """The enterprise's receipts numbered after ``after``, oldest first, with their numbers."""
    rows = await session.exec(
        select(ReceiptRow, EventRow)
        .join(EventRow, col(EventRow.seq) == col(ReceiptRow.event_seq))
        .where(
            col(ReceiptRow.party) == party,
            col(ReceiptRow.seq) > after,
            col(EventRow.type).not_in(sorted(domain.CUSTOMS_ONLY)),
        )
        .order_by(col(ReceiptRow.seq))
        .limit(limit)
    )
    return [(receipt.seq or 0, receipt_document(receipt, event)) for receipt, event in rows.all()]


def feed_item(event: EventRow) -> dict[str, Any]:
    """The envelope attributes and data of an event, as a feed shows it."""
    item: dict[str, Any] = {
        "id": event.event_id,
        "source": event.source,
        "type": event.type,
        "specversion": "1.0",
        "time": format_time(event.time),
        "datacontenttype": "application/json",
        "topic": event.topic,
        "data": json.loads(event.data),
    }
    if event.subject is not None:
        item["subject"] = event.subject
    return item


async def feed_after(
    session: AsyncSession,
    feed: str,
    *,
    after: int,
    enterprise: str | None,
    types: Sequence[str],
    limit: int,
) -> list[EventRow]:
    """Events of a feed numbered after ``after``, in order, filtered by enterprise and type."""
    query = select(EventRow).where(col(EventRow.feed) == feed, col(EventRow.seq) > after)
    if enterprise:
        # An event concerns an enterprise when it is one of its receipts; customs' own events
        # are nobody's receipt, and concern the enterprises of their orders.
        query = query.where(
            or_(
                col(EventRow.seq).in_(
                    select(ReceiptRow.event_seq).where(col(ReceiptRow.party) == enterprise)
                ),
                and_(
                    col(EventRow.type).in_(sorted(domain.CUSTOMS_ONLY)),
                    col(EventRow.seq).in_(
                        select(EventOrderRow.seq)
                        .join(
                            OrderPartyRow,
                            col(OrderPartyRow.order_no) == col(EventOrderRow.order_no),
                        )
                        .where(col(OrderPartyRow.code) == enterprise)
                    ),
                ),
            )
        )
    if types:
        query = query.where(col(EventRow.type).in_(list(types)))
    rows = await session.exec(query.order_by(col(EventRow.seq)).limit(limit))
    return list(rows.all())
