"""Use cases of the gateway's projection: events in; one-stop views, receipts and feeds out.

    await record_event(session, envelope, topic="cbec.declaration.v1")   # in a consumer
    view = await order_view(session, "EO1", viewer=Viewer("3301963K69", officer=False))
    page = await receipts_after(session, "3301963K69", after=0, limit=100)
    rows = await feed_after(session, "customs", after=0, enterprise=None, types=(), limit=500)

Every event is kept once (``event_record``), numbered by ``seq`` in the order the gateway
applied it; that number is the officers' feed sequence. An event also becomes one receipt
per enterprise it concerns, numbered likewise: the enterprise's polling cursor. On PostgreSQL
the writers of these numbers take one transaction-scoped advisory lock, so that numbers become
visible in increasing order even with several gateway replicas (a reader resuming after a
number never misses a smaller one that committed later); SQLite admits one writer anyway.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, text
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from cbec.gateway import onestop
from cbec.gateway.models import (
    EventOrder,
    EventRecord,
    OrderParty,
    OrderView,
    Receipt,
    WaybillLink,
    Webhook,
    WebhookDelivery,
    utcnow,
)
from cbec.shared.envelope import Envelope, format_time
from cbec.shared.errors import NotFound

RECEIPT_NAMESPACE = uuid.UUID("6c2d7a4e-3b1f-5c8a-9e0d-4f7b2a1c8e35")
"""Receipt ids are derived from the event id and the enterprise: the same event redelivered is
the same receipt."""

_SEQUENCE_LOCK = 0x63626563  # "cbec": the advisory lock of the projection's numbering


def receipt_id(event_id: str, party: str) -> str:
    return str(uuid.uuid5(RECEIPT_NAMESPACE, f"{event_id}\n{party}"))


async def _serialise_numbering(session: AsyncSession) -> None:
    bind = session.bind
    if bind is not None and bind.dialect.name == "postgresql":
        await session.exec(
            text("SELECT pg_advisory_xact_lock(:key)").bindparams(key=_SEQUENCE_LOCK)
        )  # type: ignore[call-overload]


async def record_event(session: AsyncSession, envelope: Envelope, *, topic: str) -> None:
    """Keep one event: the log, the orders it joins, the order rows, receipts and deliveries."""
    existing = await session.exec(
        select(EventRecord.seq).where(col(EventRecord.event_id) == envelope.id)
    )
    if existing.first() is not None:
        return
    await _serialise_numbering(session)
    keys = onestop.keys_of(envelope.type, envelope.data)
    logistics_code, logistics_no = keys.waybill or (None, None)
    record = EventRecord(
        event_id=envelope.id,
        topic=topic,
        feed=onestop.feed_of(topic) or "",
        type=envelope.type,
        source=envelope.source,
        subject=envelope.subject,
        time=envelope.time,
        data=json.dumps(envelope.data, ensure_ascii=False, separators=(",", ":")),
        logistics_code=logistics_code,
        logistics_no=logistics_no,
    )
    session.add(record)
    await session.flush()
    assert record.seq is not None
    seq = record.seq

    orders = list(keys.order_nos)
    if keys.waybill is not None:
        link = await session.get(WaybillLink, keys.waybill)
        if keys.links_waybill and link is None:
            order_no = keys.order_nos[0]
            session.add(
                WaybillLink(
                    logistics_code=keys.waybill[0], logistics_no=keys.waybill[1], order_no=order_no
                )
            )
            await _attach_earlier_waybill_events(session, keys.waybill, order_no, before=seq)
        elif link is not None and link.order_no not in orders:
            orders.append(link.order_no)

    now = utcnow()
    if not onestop.for_enterprises(envelope.type):
        # Customs' own counsel: in the officers' feed and views of the order only; it touches
        # no order row (an enterprise's `since` would see it) and is nobody's receipt.
        session.add_all(EventOrder(order_no=order_no, seq=seq) for order_no in orders)
        return
    for order_no in orders:
        session.add(EventOrder(order_no=order_no, seq=seq))
        await _touch_order(session, order_no, keys, envelope.type, now)
    own = [o for o in orders if envelope.data.get("orderNo") in (None, o)]
    await _add_parties(session, own, keys.parties)

    owners: list[str] = []
    if not keys.parties and orders:
        rows = await session.exec(
            select(OrderParty.code).where(
                col(OrderParty.order_no).in_(orders),
                col(OrderParty.role).in_(onestop.ORDER_OWNER_FIELDS),
            )
        )
        owners = sorted(set(rows.all()))
    parties = onestop.receipt_parties(keys, owners)
    if not parties:
        return
    receipts = [
        Receipt(
            receipt_id=receipt_id(envelope.id, party),
            party=party,
            event_seq=seq,
            event_id=envelope.id,
            type=envelope.type,
            order_no=orders[0] if orders else None,
            return_status=keys.return_status,
            return_info=keys.return_info,
            time=envelope.time,
        )
        for party in parties
    ]
    session.add_all(receipts)
    hooked = set(
        (await session.exec(select(Webhook.party).where(col(Webhook.party).in_(parties)))).all()
    )
    if hooked:
        await session.flush()
        for receipt in receipts:
            if receipt.party in hooked:
                assert receipt.seq is not None
                session.add(
                    WebhookDelivery(
                        receipt_seq=receipt.seq, party=receipt.party, next_attempt_at=now
                    )
                )


async def _attach_earlier_waybill_events(
    session: AsyncSession, waybill: tuple[str, str], order_no: str, *, before: int
) -> None:
    """Events of a waybill that came before its order was known join the order now."""
    rows = await session.exec(
        select(EventRecord.seq).where(
            col(EventRecord.logistics_code) == waybill[0],
            col(EventRecord.logistics_no) == waybill[1],
            col(EventRecord.seq) < before,
        )
    )
    for earlier in rows.all():
        if earlier is not None and await session.get(EventOrder, (order_no, earlier)) is None:
            session.add(EventOrder(order_no=order_no, seq=earlier))


async def _touch_order(
    session: AsyncSession, order_no: str, keys: onestop.EventKeys, event_type: str, now: datetime
) -> None:
    rows = await session.exec(select(OrderView).where(col(OrderView.order_no) == order_no))
    view = rows.first()
    if view is None:
        view = OrderView(order_no=order_no, first_seen=now)
    owns = event_type != onestop.SETTLEMENT_COMPLETED
    if owns:
        view.ie_flag = view.ie_flag or keys.ie_flag
        view.status = onestop.next_status(view.status, event_type, keys.status)
    view.updated_at = now
    session.add(view)


async def _add_parties(
    session: AsyncSession, order_nos: Sequence[str], parties: Mapping[str, str]
) -> None:
    """The orders' party rows the event names that are not on file yet (one read, one insert)."""
    if not order_nos or not parties:
        return
    known = set(
        (
            await session.exec(
                select(OrderParty.order_no, OrderParty.code, OrderParty.role).where(
                    col(OrderParty.order_no).in_(order_nos)
                )
            )
        ).all()
    )
    session.add_all(
        OrderParty(order_no=order_no, code=code, role=role)
        for order_no in order_nos
        for role, code in parties.items()
        if (order_no, code, role) not in known
    )


# -- one-stop views ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who asks: an enterprise sees the orders that name its code; officers see every order."""

    code: str
    officer: bool


async def _visible(session: AsyncSession, order_no: str, codes: Sequence[str]) -> bool:
    rows = await session.exec(
        select(OrderParty.code).where(
            col(OrderParty.order_no) == order_no, col(OrderParty.code).in_(codes)
        )
    )
    return rows.first() is not None


async def order_view(
    session: AsyncSession, order_no: str, *, viewer: Viewer, party: str | None = None
) -> dict[str, Any]:
    """The one-stop view of an order; NotFound when there is none the viewer may see (an
    enterprise is not told that another enterprise's order exists)."""
    rows = await session.exec(select(OrderView).where(col(OrderView.order_no) == order_no))
    view = rows.first()
    missing = NotFound(f"no order {order_no}" + (f" of {party}" if party else ""))
    if view is None:
        raise missing
    if not viewer.officer and not await _visible(session, order_no, [viewer.code]):
        raise missing
    if party is not None and not await _visible(session, order_no, [party]):
        raise missing
    events = await session.exec(
        select(EventRecord)
        .join(EventOrder, col(EventOrder.seq) == col(EventRecord.seq))
        .where(col(EventOrder.order_no) == order_no)
        .order_by(col(EventRecord.seq))
    )
    # The status is the one folded from the events read here, not the row's: on PostgreSQL
    # each statement sees what has committed by then, and a row read before events that the
    # projection applied meanwhile would contradict them.
    folded = onestop.fold_order(
        order_no, [_stored(row) for row in events.all()], officer=viewer.officer
    )
    folded["ieFlag"] = view.ie_flag or folded["ieFlag"]
    folded["firstSeen"] = format_time(view.first_seen)
    folded["updatedAt"] = format_time(view.updated_at)
    return folded


def _stored(row: EventRecord) -> onestop.StoredEvent:
    return onestop.StoredEvent(
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
    query = select(OrderView).where(col(OrderView.id) > after)
    for code in [c for c in (None if viewer.officer else viewer.code, filters.party) if c]:
        query = query.where(
            col(OrderView.order_no).in_(
                select(OrderParty.order_no).where(col(OrderParty.code) == code)
            )
        )
    if filters.status is not None:
        query = query.where(col(OrderView.status) == filters.status)
    if filters.ie_flag is not None:
        query = query.where(col(OrderView.ie_flag) == filters.ie_flag)
    if filters.since is not None:
        query = query.where(col(OrderView.updated_at) >= filters.since)
    rows = list((await session.exec(query.order_by(col(OrderView.id)).limit(limit))).all())
    parties: dict[str, dict[str, str]] = {row.order_no: {} for row in rows}
    if rows:
        found = await session.exec(
            select(OrderParty).where(col(OrderParty.order_no).in_(list(parties)))
        )
        for party in found.all():
            parties[party.order_no].setdefault(party.role, party.code)
    return [
        {
            "id": row.id,
            "orderNo": row.order_no,
            "ieFlag": row.ie_flag,
            "status": row.status,
            "parties": parties[row.order_no],
            "firstSeen": format_time(row.first_seen),
            "updatedAt": format_time(row.updated_at),
        }
        for row in rows
    ]


# -- receipts ------------------------------------------------------------------------------------


def receipt_document(receipt: Receipt, event: EventRecord) -> dict[str, Any]:
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
        select(Receipt, EventRecord)
        .join(EventRecord, col(EventRecord.seq) == col(Receipt.event_seq))
        .where(
            col(Receipt.party) == party,
            col(Receipt.seq) > after,
            col(EventRecord.type).not_in(sorted(onestop.CUSTOMS_ONLY)),
        )
        .order_by(col(Receipt.seq))
        .limit(limit)
    )
    return [(receipt.seq or 0, receipt_document(receipt, event)) for receipt, event in rows.all()]


# -- feeds ---------------------------------------------------------------------------------------


def feed_item(event: EventRecord) -> dict[str, Any]:
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
) -> list[EventRecord]:
    """Events of a feed numbered after ``after``, in order, filtered by enterprise and type."""
    query = select(EventRecord).where(col(EventRecord.feed) == feed, col(EventRecord.seq) > after)
    if enterprise:
        # An event concerns an enterprise when it is one of its receipts; customs' own events
        # are nobody's receipt, and concern the enterprises of their orders.
        query = query.where(
            or_(
                col(EventRecord.seq).in_(
                    select(Receipt.event_seq).where(col(Receipt.party) == enterprise)
                ),
                and_(
                    col(EventRecord.type).in_(sorted(onestop.CUSTOMS_ONLY)),
                    col(EventRecord.seq).in_(
                        select(EventOrder.seq)
                        .join(OrderParty, col(OrderParty.order_no) == col(EventOrder.order_no))
                        .where(col(OrderParty.code) == enterprise)
                    ),
                ),
            )
        )
    if types:
        query = query.where(col(EventRecord.type).in_(list(types)))
    rows = await session.exec(query.order_by(col(EventRecord.seq)).limit(limit))
    return list(rows.all())
