"""Use cases of the gateway's projection: events in; one-stop views, receipts and feeds out.

    await record_event(session, envelope, topic="cbec.declaration.v1")   # in a consumer
    view = await order_view(session, "EO1", viewer=Viewer("3301963K69", officer=False))
    # several sellers using "EO1" and a viewer serving both: name the seller
    view = await order_view(session, "EO1", viewer=viewer, ebc_code="3301963K69")
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
    OrderLink,
    OrderParty,
    OrderView,
    Receipt,
    Webhook,
    WebhookDelivery,
    utcnow,
)
from cbec.shared.envelope import Envelope, format_time
from cbec.shared.errors import Conflict, NotFound, Violation

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
    """Keep one event: the log, the orders it joins, the order rows, receipts and deliveries.

    The orders are those the event names with their seller, else those its links resolve to
    (one read of ``order_link`` for the links it has and makes); an event whose order is not
    known yet keeps its link and joins the order when a declaration event makes that link."""
    existing = await session.exec(
        select(EventRecord.seq).where(col(EventRecord.event_id) == envelope.id)
    )
    if existing.first() is not None:
        return
    await _serialise_numbering(session)
    keys = onestop.keys_of(envelope.type, envelope.data)
    orders = list(keys.orders)
    wanted = set(keys.provides) | (set(keys.links) if not orders else set())
    known: dict[str, onestop.OrderKey] = {}
    if wanted:
        links = await session.exec(select(OrderLink).where(col(OrderLink.link_key).in_(wanted)))
        known = {link.link_key: (link.order_no, link.ebc_code) for link in links.all()}
    if not orders:
        orders = _resolved(keys, known)
    record = EventRecord(
        event_id=envelope.id,
        topic=topic,
        feed=onestop.feed_of(topic) or "",
        type=envelope.type,
        source=envelope.source,
        subject=envelope.subject,
        time=envelope.time,
        data=json.dumps(envelope.data, ensure_ascii=False, separators=(",", ":")),
        link_key=keys.links[0] if not orders and keys.links else None,
    )
    session.add(record)
    await session.flush()
    assert record.seq is not None
    seq = record.seq

    now = utcnow()
    if not onestop.for_enterprises(envelope.type):
        # Customs' own counsel: in the officers' feed and views of the order only; it touches
        # no order row (an enterprise's `since` would see it) and is nobody's receipt.
        session.add_all(
            EventOrder(order_no=order[0], ebc_code=order[1], seq=seq) for order in orders
        )
        return
    for order in orders:
        session.add(EventOrder(order_no=order[0], ebc_code=order[1], seq=seq))
        await _touch_order(session, order, keys, envelope.type, now)
    own = [o for o in orders if envelope.data.get("orderNo") in (None, o[0])]
    await _add_parties(session, own, keys.parties)

    owners = await _owners(session, orders) if not keys.parties and orders else []
    await _issue_receipts(
        session,
        onestop.receipt_parties(keys, owners),
        event_id=envelope.id,
        event_type=envelope.type,
        seq=seq,
        order_no=orders[0][0] if orders else keys.order_nos[0] if keys.order_nos else None,
        keys=keys,
        time=envelope.time,
        now=now,
    )
    made = [link for link in keys.provides if link not in known]
    if made and len(orders) == 1:
        order_no, ebc_code = orders[0]
        session.add_all(OrderLink(link_key=k, order_no=order_no, ebc_code=ebc_code) for k in made)
        await _attach_earlier_events(session, made, orders[0], before=seq, now=now)


def _resolved(
    keys: onestop.EventKeys, known: Mapping[str, onestop.OrderKey]
) -> list[onestop.OrderKey]:
    """The order an event without its seller joins through its first known link; an event that
    names an order number joins only an order of that number."""
    for link in keys.links:
        order = known.get(link)
        if order is not None and (not keys.order_nos or order[0] in keys.order_nos):
            return [order]
    return []


async def _owners(session: AsyncSession, orders: Sequence[onestop.OrderKey]) -> list[str]:
    """The e-commerce enterprises and platforms of the orders."""
    rows = await session.exec(
        select(OrderParty.order_no, OrderParty.ebc_code, OrderParty.code).where(
            col(OrderParty.order_no).in_({o[0] for o in orders}),
            col(OrderParty.role).in_(onestop.ORDER_OWNER_FIELDS),
        )
    )
    wanted = set(orders)
    return sorted({code for order_no, ebc, code in rows.all() if (order_no, ebc) in wanted})


async def _issue_receipts(
    session: AsyncSession,
    parties: Sequence[str],
    *,
    event_id: str,
    event_type: str,
    seq: int,
    order_no: str | None,
    keys: onestop.EventKeys,
    time: datetime,
    now: datetime,
) -> None:
    """The event as a receipt for each enterprise it concerns, and the webhook deliveries."""
    if not parties:
        return
    receipts = [
        Receipt(
            receipt_id=receipt_id(event_id, party),
            party=party,
            event_seq=seq,
            event_id=event_id,
            type=event_type,
            order_no=order_no,
            return_status=keys.return_status,
            return_info=keys.return_info,
            time=time,
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


async def _attach_earlier_events(
    session: AsyncSession,
    links: Sequence[str],
    order: onestop.OrderKey,
    *,
    before: int,
    now: datetime,
) -> None:
    """Events that came before their order owned these links join the order now; those that
    name no enterprise become receipts for the order's seller and platform, as they would have
    had their order been known."""
    rows = await session.exec(
        select(EventRecord).where(
            col(EventRecord.link_key).in_(links), col(EventRecord.seq) < before
        )
    )
    earlier = list(rows.all())
    if not earlier:
        return
    owners: list[str] | None = None
    for event in earlier:
        assert event.seq is not None
        session.add(EventOrder(order_no=order[0], ebc_code=order[1], seq=event.seq))
        event.link_key = None
        session.add(event)
        keys = onestop.keys_of(event.type, json.loads(event.data))
        if keys.parties:
            continue
        if owners is None:
            await session.flush()
            owners = await _owners(session, [order])
        await _issue_receipts(
            session,
            owners,
            event_id=event.event_id,
            event_type=event.type,
            seq=event.seq,
            order_no=order[0],
            keys=keys,
            time=event.time,
            now=now,
        )


async def _touch_order(
    session: AsyncSession,
    order: onestop.OrderKey,
    keys: onestop.EventKeys,
    event_type: str,
    now: datetime,
) -> None:
    rows = await session.exec(
        select(OrderView).where(
            col(OrderView.order_no) == order[0], col(OrderView.ebc_code) == order[1]
        )
    )
    view = rows.first()
    if view is None:
        view = OrderView(order_no=order[0], ebc_code=order[1], first_seen=now)
    owns = event_type != onestop.SETTLEMENT_COMPLETED
    if owns:
        view.ie_flag = view.ie_flag or keys.ie_flag
        view.status = onestop.next_status(view.status, event_type, keys.status)
    view.updated_at = now
    session.add(view)


async def _add_parties(
    session: AsyncSession, orders: Sequence[onestop.OrderKey], parties: Mapping[str, str]
) -> None:
    """The orders' party rows the event names that are not on file yet (one read, one insert)."""
    if not orders or not parties:
        return
    known = set(
        (
            await session.exec(
                select(
                    OrderParty.order_no, OrderParty.ebc_code, OrderParty.code, OrderParty.role
                ).where(col(OrderParty.order_no).in_({o[0] for o in orders}))
            )
        ).all()
    )
    session.add_all(
        OrderParty(order_no=order_no, ebc_code=ebc_code, code=code, role=role)
        for order_no, ebc_code in orders
        for role, code in parties.items()
        if (order_no, ebc_code, code, role) not in known
    )


# -- one-stop views ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who asks: an enterprise sees the orders that name its code; officers see every order."""

    code: str
    officer: bool


def _naming(code: str) -> Any:
    """A condition on ``order_view`` rows: the order's events name ``code`` in a party field."""
    return (
        select(OrderParty.code)
        .where(
            col(OrderParty.order_no) == col(OrderView.order_no),
            col(OrderParty.ebc_code) == col(OrderView.ebc_code),
            col(OrderParty.code) == code,
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
    query = select(OrderView).where(col(OrderView.order_no) == order_no)
    if ebc_code is not None:
        query = query.where(col(OrderView.ebc_code) == ebc_code)
    for code in [c for c in (None if viewer.officer else viewer.code, party) if c]:
        query = query.where(_naming(code))
    found = list((await session.exec(query.order_by(col(OrderView.id)).limit(2))).all())
    if not found:
        raise NotFound(f"no order {order_no}" + (f" of {party}" if party else ""))
    if len(found) > 1:
        raise Conflict(
            f"several sellers use the order number {order_no}: name one with ?ebcCode=",
            [Violation(field="ebcCode", rule="required when several sellers use the orderNo")],
        )
    view = found[0]
    events = await session.exec(
        select(EventRecord)
        .join(EventOrder, col(EventOrder.seq) == col(EventRecord.seq))
        .where(col(EventOrder.order_no) == order_no, col(EventOrder.ebc_code) == view.ebc_code)
        .order_by(col(EventRecord.seq))
    )
    # The status is the one folded from the events read here, not the row's: on PostgreSQL
    # each statement sees what has committed by then, and a row read before events that the
    # projection applied meanwhile would contradict them.
    folded = onestop.fold_order(
        order_no, [_stored(row) for row in events.all()], officer=viewer.officer
    )
    folded["ebcCode"] = view.ebc_code
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
        query = query.where(_naming(code))
    if filters.status is not None:
        query = query.where(col(OrderView.status) == filters.status)
    if filters.ie_flag is not None:
        query = query.where(col(OrderView.ie_flag) == filters.ie_flag)
    if filters.since is not None:
        query = query.where(col(OrderView.updated_at) >= filters.since)
    rows = list((await session.exec(query.order_by(col(OrderView.id)).limit(limit))).all())
    parties: dict[tuple[str, str], dict[str, str]] = {
        (row.order_no, row.ebc_code): {} for row in rows
    }
    if rows:
        found = await session.exec(
            select(OrderParty).where(col(OrderParty.order_no).in_({row.order_no for row in rows}))
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
