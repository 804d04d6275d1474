"""The gateway's projection: every event of the services kept once, joined to its orders.

    await record_event(session, envelope, topic="cbec.declaration.v1")   # in a consumer

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
from datetime import datetime

from sqlalchemy import text
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from cbec.gateway import domain
from cbec.gateway.models import (
    EventOrderRow,
    EventRow,
    OrderLinkRow,
    OrderPartyRow,
    OrderViewRow,
    ReceiptRow,
    WebhookDeliveryRow,
    WebhookRow,
)
from cbec.shared.clock import utcnow
from cbec.shared.envelope import Envelope

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
    existing = await session.exec(select(EventRow.seq).where(col(EventRow.event_id) == envelope.id))
    if existing.first() is not None:
        return
    await _serialise_numbering(session)
    keys = domain.keys_of(envelope.type, envelope.data)
    orders, known = await _orders_of(session, keys)
    seq = await _keep(session, envelope, topic, keys, orders)
    now = utcnow()
    if not domain.for_enterprises(envelope.type):
        # Customs' own counsel: in the officers' feed and views of the order only; it touches
        # no order row (an enterprise's `since` would see it) and is nobody's receipt.
        session.add_all(
            EventOrderRow(order_no=order[0], ebc_code=order[1], seq=seq) for order in orders
        )
        return
    await _join_orders(session, envelope, keys, orders, seq=seq, now=now)
    made = [link for link in keys.provides if link not in known]
    if made and len(orders) == 1:
        order_no, ebc_code = orders[0]
        session.add_all(
            OrderLinkRow(link_key=k, order_no=order_no, ebc_code=ebc_code) for k in made
        )
        await _attach_earlier_events(session, made, orders[0], before=seq, now=now)


async def _orders_of(
    session: AsyncSession, keys: domain.EventKeys
) -> tuple[list[domain.OrderKey], dict[str, domain.OrderKey]]:
    """The orders the event joins, and the links on file among those it has and makes."""
    orders = list(keys.orders)
    wanted = set(keys.provides) | (set(keys.links) if not orders else set())
    known: dict[str, domain.OrderKey] = {}
    if wanted:
        links = await session.exec(
            select(OrderLinkRow).where(col(OrderLinkRow.link_key).in_(wanted))
        )
        known = {link.link_key: (link.order_no, link.ebc_code) for link in links.all()}
    if not orders:
        orders = _resolved(keys, known)
    return orders, known


async def _keep(
    session: AsyncSession,
    envelope: Envelope,
    topic: str,
    keys: domain.EventKeys,
    orders: Sequence[domain.OrderKey],
) -> int:
    """The event in the log, numbered; with its first link while it joins no order yet."""
    record = EventRow(
        event_id=envelope.id,
        topic=topic,
        feed=domain.feed_of(topic) or "",
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
    return record.seq


async def _join_orders(
    session: AsyncSession,
    envelope: Envelope,
    keys: domain.EventKeys,
    orders: Sequence[domain.OrderKey],
    *,
    seq: int,
    now: datetime,
) -> None:
    """The event in its orders' rows and parties, and as the receipts of those it concerns."""
    for order in orders:
        session.add(EventOrderRow(order_no=order[0], ebc_code=order[1], seq=seq))
        await _touch_order(session, order, keys, envelope.type, now)
    own = [o for o in orders if envelope.data.get("orderNo") in (None, o[0])]
    await _add_parties(session, own, keys.parties)
    owners = await _owners(session, orders) if not keys.parties and orders else []
    await _issue_receipts(
        session,
        domain.receipt_parties(keys, owners),
        event_id=envelope.id,
        event_type=envelope.type,
        seq=seq,
        order_no=orders[0][0] if orders else keys.order_nos[0] if keys.order_nos else None,
        keys=keys,
        time=envelope.time,
        now=now,
    )


def _resolved(
    keys: domain.EventKeys, known: Mapping[str, domain.OrderKey]
) -> list[domain.OrderKey]:
    """The order an event without its seller joins through its first known link; an event that
    names an order number joins only an order of that number."""
    for link in keys.links:
        order = known.get(link)
        if order is not None and (not keys.order_nos or order[0] in keys.order_nos):
            return [order]
    return []


async def _owners(session: AsyncSession, orders: Sequence[domain.OrderKey]) -> list[str]:
    """The e-commerce enterprises and platforms of the orders."""
    rows = await session.exec(
        select(OrderPartyRow.order_no, OrderPartyRow.ebc_code, OrderPartyRow.code).where(
            col(OrderPartyRow.order_no).in_({o[0] for o in orders}),
            col(OrderPartyRow.role).in_(domain.ORDER_OWNER_FIELDS),
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
    keys: domain.EventKeys,
    time: datetime,
    now: datetime,
) -> None:
    """The event as a receipt for each enterprise it concerns, and the webhook deliveries."""
    if not parties:
        return
    receipts = [
        ReceiptRow(
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
        (
            await session.exec(select(WebhookRow.party).where(col(WebhookRow.party).in_(parties)))
        ).all()
    )
    if hooked:
        await session.flush()
        for receipt in receipts:
            if receipt.party in hooked:
                assert receipt.seq is not None
                session.add(
                    WebhookDeliveryRow(
                        receipt_seq=receipt.seq, party=receipt.party, next_attempt_at=now
                    )
                )


async def _attach_earlier_events(
    session: AsyncSession,
    links: Sequence[str],
    order: domain.OrderKey,
    *,
    before: int,
    now: datetime,
) -> None:
    """Events that came before their order owned these links join the order now; those that
    name no enterprise become receipts for the order's seller and platform, as they would have
    had their order been known."""
    rows = await session.exec(
        select(EventRow).where(col(EventRow.link_key).in_(links), col(EventRow.seq) < before)
    )
    earlier = list(rows.all())
    if not earlier:
        return
    owners: list[str] | None = None
    for event in earlier:
        assert event.seq is not None
        session.add(EventOrderRow(order_no=order[0], ebc_code=order[1], seq=event.seq))
        event.link_key = None
        session.add(event)
        keys = domain.keys_of(event.type, json.loads(event.data))
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
    order: domain.OrderKey,
    keys: domain.EventKeys,
    event_type: str,
    now: datetime,
) -> None:
    rows = await session.exec(
        select(OrderViewRow).where(
            col(OrderViewRow.order_no) == order[0], col(OrderViewRow.ebc_code) == order[1]
        )
    )
    view = rows.first()
    if view is None:
        view = OrderViewRow(order_no=order[0], ebc_code=order[1], first_seen=now)
    owns = event_type != domain.SETTLEMENT_COMPLETED
    if owns:
        view.ie_flag = view.ie_flag or keys.ie_flag
        view.status = domain.next_status(view.status, event_type, keys.status)
    view.updated_at = now
    session.add(view)


async def _add_parties(
    session: AsyncSession, orders: Sequence[domain.OrderKey], parties: Mapping[str, str]
) -> None:
    """The orders' party rows the event names that are not on file yet (one read, one insert)."""
    if not orders or not parties:
        return
    known = set(
        (
            await session.exec(
                select(
                    OrderPartyRow.order_no,
                    OrderPartyRow.ebc_code,
                    OrderPartyRow.code,
                    OrderPartyRow.role,
                ).where(col(OrderPartyRow.order_no).in_({o[0] for o in orders}))
            )
        ).all()
    )
    session.add_all(
        OrderPartyRow(order_no=order_no, ebc_code=ebc_code, code=code, role=role)
        for order_no, ebc_code in orders
        for role, code in parties.items()
        if (order_no, ebc_code, code, role) not in known
    )
