"""The gateway's projection: every event of the services kept once, joined to its orders.

    ctx.batched(Projection).add(envelope, topic)       # in a consumer's handler
    await record_events(session, [(envelope, topic)])  # or directly, in a transaction

Every event is kept once (``event_record``), numbered by ``seq`` in the order the gateway
applied it; that number is the officers' feed sequence. An event also becomes one receipt
per enterprise it concerns, numbered likewise: the enterprise's polling cursor. On PostgreSQL
the writers of these numbers take one transaction-scoped advisory lock, so that numbers become
visible in increasing order even with several gateway replicas (a reader resuming after a
number never misses a smaller one that committed later); SQLite admits one writer anyway.

A consumer's fetch is one unit of work: the events are joined in memory one after another,
exactly as they would be one by one (a link an event makes joins the events after it), after
one read of what is on file for all of them (known events, links, views, parties, events
waiting for a link), and written with a statement per table (``executemany``), the event and
receipt numbers read back by their ids.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection
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

EVENTS: Table = EventRow.__table__  # type: ignore[attr-defined]
EVENT_ORDERS: Table = EventOrderRow.__table__  # type: ignore[attr-defined]
LINKS: Table = OrderLinkRow.__table__  # type: ignore[attr-defined]
VIEWS: Table = OrderViewRow.__table__  # type: ignore[attr-defined]
PARTIES: Table = OrderPartyRow.__table__  # type: ignore[attr-defined]
RECEIPTS: Table = ReceiptRow.__table__  # type: ignore[attr-defined]
WEBHOOKS: Table = WebhookRow.__table__  # type: ignore[attr-defined]
DELIVERIES: Table = WebhookDeliveryRow.__table__  # type: ignore[attr-defined]


def receipt_id(event_id: str, party: str) -> str:
    return str(uuid.uuid5(RECEIPT_NAMESPACE, f"{event_id}\n{party}"))


class Projection:
    """A transaction's events for the projection, recorded together when it is flushed."""

    def __init__(self) -> None:
        self.events: list[tuple[Envelope, str]] = []

    def add(self, envelope: Envelope, topic: str) -> None:
        self.events.append((envelope, topic))

    async def flush(self, session: AsyncSession) -> None:
        events, self.events = self.events, []
        if events:
            await record_events(session, events)


# -- what is on file ------------------------------------------------------------------------------


@dataclass
class _Stored:
    """An event on file that waits for its order's link."""

    seq: int
    id: str
    type: str
    data: str
    time: datetime
    link_key: str


EventRef = int | _Stored
"""An event of the batch (its index, until its ``seq`` is known) or one on file."""


@dataclass
class _OnFile:
    """What the batch reads once: its links, its orders' views and parties, waiting events."""

    links: dict[str, domain.OrderKey]
    views: dict[domain.OrderKey, dict[str, Any]]
    parties: dict[domain.OrderKey, set[tuple[str, str]]]
    waiting: list[_Stored]


async def _on_file(conn: AsyncConnection, keys: Sequence[domain.EventKeys]) -> _OnFile:
    wanted = {link for k in keys for link in (*k.provides, *k.links)}
    links: dict[str, domain.OrderKey] = {}
    if wanted:
        rows = await conn.execute(
            select(LINKS.c.link_key, LINKS.c.order_no, LINKS.c.ebc_code).where(
                LINKS.c.link_key.in_(wanted)
            )
        )
        links = {link: (order_no, ebc) for link, order_no, ebc in rows.all()}
    orders = {o for k in keys for o in k.orders} | set(links.values())
    numbers = {order_no for order_no, _ in orders}
    views: dict[domain.OrderKey, dict[str, Any]] = {}
    parties: dict[domain.OrderKey, set[tuple[str, str]]] = {o: set() for o in orders}
    if numbers:
        rows = await conn.execute(select(VIEWS).where(VIEWS.c.order_no.in_(numbers)))
        for row in rows.mappings().all():
            key = (row["order_no"], row["ebc_code"])
            if key in orders:
                views[key] = dict(row)
        rows = await conn.execute(
            select(PARTIES.c.order_no, PARTIES.c.ebc_code, PARTIES.c.code, PARTIES.c.role).where(
                PARTIES.c.order_no.in_(numbers)
            )
        )
        for order_no, ebc, code, role in rows.all():
            if (order_no, ebc) in parties:
                parties[(order_no, ebc)].add((code, role))
    provided = {link for k in keys for link in k.provides}
    waiting: list[_Stored] = []
    if provided:
        rows = await conn.execute(
            select(
                EVENTS.c.seq,
                EVENTS.c.event_id,
                EVENTS.c.type,
                EVENTS.c.data,
                EVENTS.c.time,
                EVENTS.c.link_key,
            )
            .where(EVENTS.c.link_key.in_(provided))
            .order_by(EVENTS.c.seq)
        )
        waiting = [_Stored(*row) for row in rows.all()]
    return _OnFile(links, views, parties, waiting)


# -- joining, in memory ---------------------------------------------------------------------------


@dataclass
class _Event:
    envelope: Envelope
    topic: str
    keys: domain.EventKeys
    link_key: str | None = None


@dataclass
class _Writes:
    """Rows to write; events of the batch are named by index until their ``seq`` is known."""

    event_orders: list[tuple[domain.OrderKey, EventRef]] = field(default_factory=list)
    links: list[dict[str, str]] = field(default_factory=list)
    parties: list[dict[str, str]] = field(default_factory=list)
    receipts: list[dict[str, Any]] = field(default_factory=list)
    """Each with ``event`` (an :data:`EventRef`) in place of ``event_seq``."""
    touched: set[domain.OrderKey] = field(default_factory=set)
    attached: list[int] = field(default_factory=list)
    """Events on file that joined their order: their ``link_key`` is cleared."""


class _Join:
    """The batch's events joined one after another against what is on file and what the
    events before them made, as :func:`record_events` describes."""

    def __init__(self, events: list[_Event], on_file: _OnFile, now: datetime) -> None:
        self.events = events
        self.known = on_file.links
        self.views = on_file.views
        self.parties = on_file.parties
        self.waiting = on_file.waiting
        self.held: list[int] = []
        """Events of the batch so far that wait for their order's link."""
        self.now = now
        self.writes = _Writes()

    def run(self) -> _Writes:
        for index, event in enumerate(self.events):
            self._one(index, event)
        return self.writes

    def _one(self, index: int, event: _Event) -> None:
        keys, envelope = event.keys, event.envelope
        orders = list(keys.orders) or _resolved(keys, self.known)
        made = [link for link in keys.provides if link not in self.known]
        if not orders and keys.links:
            event.link_key = keys.links[0]
            self.held.append(index)
        if not domain.for_enterprises(envelope.type):
            # Customs' own counsel: in the officers' feed and views of the order only; it
            # touches no order row (an enterprise's `since` would see it), nobody's receipt.
            self.writes.event_orders += [(order, index) for order in orders]
            return
        for order in orders:
            self.writes.event_orders.append((order, index))
            self._touch(order, keys, envelope.type)
        own = [o for o in orders if envelope.data.get("orderNo") in (None, o[0])]
        self._add_parties(own, keys.parties)
        owners = self._owners(orders) if not keys.parties and orders else []
        order_no = orders[0][0] if orders else keys.order_nos[0] if keys.order_nos else None
        self._receipts(domain.receipt_parties(keys, owners), index, envelope, keys, order_no)
        if made and len(orders) == 1:
            order = orders[0]
            for link in made:
                self.known[link] = order
                self.writes.links.append(
                    {"link_key": link, "order_no": order[0], "ebc_code": order[1]}
                )
            self._attach_earlier(set(made), order)

    def _touch(self, order: domain.OrderKey, keys: domain.EventKeys, event_type: str) -> None:
        view = self.views.get(order)
        if view is None:
            view = self.views[order] = {
                "order_no": order[0],
                "ebc_code": order[1],
                "ie_flag": None,
                "status": None,
                "first_seen": self.now,
            }
        if event_type != domain.SETTLEMENT_COMPLETED:
            view["ie_flag"] = view["ie_flag"] or keys.ie_flag
            view["status"] = domain.next_status(view["status"], event_type, keys.status)
        view["updated_at"] = self.now
        self.writes.touched.add(order)

    def _add_parties(self, orders: Sequence[domain.OrderKey], named: Mapping[str, str]) -> None:
        for order in orders:
            on_file = self.parties.setdefault(order, set())
            for role, code in named.items():
                if (code, role) not in on_file:
                    on_file.add((code, role))
                    self.writes.parties.append(
                        {"order_no": order[0], "ebc_code": order[1], "code": code, "role": role}
                    )

    def _owners(self, orders: Iterable[domain.OrderKey]) -> list[str]:
        """The e-commerce enterprises and platforms of the orders."""
        return sorted(
            {
                code
                for order in orders
                for code, role in self.parties.get(order, ())
                if role in domain.ORDER_OWNER_FIELDS
            }
        )

    def _receipts(
        self,
        parties: Sequence[str],
        event: EventRef,
        envelope: Envelope | _Stored,
        keys: domain.EventKeys,
        order_no: str | None,
    ) -> None:
        for party in parties:
            self.writes.receipts.append(
                {
                    "event": event,
                    "receipt_id": receipt_id(envelope.id, party),
                    "party": party,
                    "event_id": envelope.id,
                    "type": envelope.type,
                    "order_no": order_no,
                    "return_status": keys.return_status,
                    "return_info": keys.return_info,
                    "time": envelope.time,
                    "created_at": self.now,
                }
            )

    def _attach_earlier(self, links: set[str], order: domain.OrderKey) -> None:
        """Events that came before their order owned these links (on file, or earlier in the
        batch) join the order now; those that name no enterprise become receipts for the
        order's seller and platform, as they would have had their order been known."""
        earlier: list[tuple[EventRef, Envelope | _Stored, str, Mapping[str, Any]]] = []
        for stored in self.waiting:
            if stored.link_key in links:
                earlier.append((stored, stored, stored.type, json.loads(stored.data)))
                self.writes.attached.append(stored.seq)
        self.waiting = [s for s in self.waiting if s.link_key not in links]
        for index in self.held:
            event = self.events[index]
            if event.link_key in links:
                earlier.append((index, event.envelope, event.envelope.type, event.envelope.data))
                event.link_key = None
        self.held = [i for i in self.held if self.events[i].link_key is not None]
        owners: list[str] | None = None
        for ref, source, event_type, data in earlier:
            self.writes.event_orders.append((order, ref))
            keys = domain.keys_of(event_type, data)
            if keys.parties:
                continue
            if owners is None:
                owners = self._owners([order])
            self._receipts(owners, ref, source, keys, order[0])


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


# -- the unit of work -----------------------------------------------------------------------------


async def record_events(session: AsyncSession, batch: Sequence[tuple[Envelope, str]]) -> None:
    """Keep a batch of events: the log, the orders they join, the order rows, receipts and
    webhook deliveries. An event already kept is left as it is.

    The orders of an event are those it names with their seller, else those its links resolve
    to; an event whose order is not known yet keeps its link and joins the order when a
    declaration event makes that link (in this batch or a later one)."""
    conn = await session.connection()
    events: dict[str, _Event] = {}
    for envelope, topic in batch:
        if envelope.id not in events:
            events[envelope.id] = _Event(
                envelope, topic, domain.keys_of(envelope.type, envelope.data)
            )
    kept = await conn.execute(select(EVENTS.c.event_id).where(EVENTS.c.event_id.in_(list(events))))
    for (event_id,) in kept.all():
        events.pop(event_id, None)
    if not events:
        return
    if conn.dialect.name == "postgresql":
        await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SEQUENCE_LOCK})
    todo = list(events.values())
    now = utcnow()
    on_file = await _on_file(conn, [e.keys for e in todo])
    writes = _Join(todo, on_file, now).run()
    seqs = await _insert_events(conn, todo, now)
    await _write(conn, writes, on_file.views, seqs, now)


async def _insert_events(
    conn: AsyncConnection, events: Sequence[_Event], now: datetime
) -> list[int]:
    rows = [
        {
            "event_id": e.envelope.id,
            "topic": e.topic,
            "feed": domain.feed_of(e.topic) or "",
            "type": e.envelope.type,
            "source": e.envelope.source,
            "subject": e.envelope.subject,
            "time": e.envelope.time,
            "data": json.dumps(e.envelope.data, ensure_ascii=False, separators=(",", ":")),
            "link_key": e.link_key,
            "received_at": now,
        }
        for e in events
    ]
    return await _insert_numbered(conn, EVENTS, rows, "event_id")


async def _insert_numbered(
    conn: AsyncConnection, table: Table, rows: list[dict[str, Any]], key: str
) -> list[int]:
    """Insert the rows in one statement (numbered in their order); their ``seq`` numbers, in
    the rows' order, read back by their unique ``key`` (RETURNING has no order on SQLite)."""
    await conn.execute(insert(table), rows)
    found = await conn.execute(
        select(table.c[key], table.c.seq).where(table.c[key].in_([r[key] for r in rows]))
    )
    numbers = {value: int(seq) for value, seq in found.all()}
    return [numbers[r[key]] for r in rows]


async def _write(
    conn: AsyncConnection,
    writes: _Writes,
    views: Mapping[domain.OrderKey, dict[str, Any]],
    seqs: Sequence[int],
    now: datetime,
) -> None:
    def seq_of(ref: EventRef) -> int:
        return ref.seq if isinstance(ref, _Stored) else seqs[ref]

    if writes.attached:
        await conn.execute(
            update(EVENTS).where(EVENTS.c.seq.in_(writes.attached)).values(link_key=None)
        )
    if writes.event_orders:
        await conn.execute(
            insert(EVENT_ORDERS),
            [
                {"order_no": order[0], "ebc_code": order[1], "seq": seq_of(ref)}
                for order, ref in writes.event_orders
            ],
        )
    if writes.links:
        await conn.execute(insert(LINKS), writes.links)
    await _write_views(conn, [views[order] for order in writes.touched])
    if writes.parties:
        await conn.execute(insert(PARTIES), writes.parties)
    if not writes.receipts:
        return
    receipts = [
        {**{k: v for k, v in r.items() if k != "event"}, "event_seq": seq_of(r["event"])}
        for r in writes.receipts
    ]
    numbers = await _insert_numbered(conn, RECEIPTS, receipts, "receipt_id")
    parties = {r["party"] for r in receipts}
    hooked = set(
        (await conn.execute(select(WEBHOOKS.c.party).where(WEBHOOKS.c.party.in_(parties))))
        .scalars()
        .all()
    )
    deliveries = [
        {
            "receipt_seq": number,
            "party": receipt["party"],
            "attempts": 0,
            "next_attempt_at": now,
            "delivered_at": None,
            "last_status": None,
            "last_error": None,
        }
        for receipt, number in zip(receipts, numbers, strict=True)
        if receipt["party"] in hooked
    ]
    if deliveries:
        await conn.execute(insert(DELIVERIES), deliveries)


async def _write_views(conn: AsyncConnection, views: Sequence[dict[str, Any]]) -> None:
    """New views inserted, those on file updated: a statement each for the batch."""
    new = [v for v in views if v.get("id") is None]
    old = [v for v in views if v.get("id") is not None]
    if new:
        await conn.execute(
            insert(VIEWS),
            [
                {
                    "order_no": v["order_no"],
                    "ebc_code": v["ebc_code"],
                    "ie_flag": v["ie_flag"],
                    "status": v["status"],
                    "first_seen": v["first_seen"],
                    "updated_at": v["updated_at"],
                }
                for v in new
            ],
        )
    if old:
        await conn.execute(
            update(VIEWS)
            .where(VIEWS.c.id == bindparam("view_id"))
            .values(
                ie_flag=bindparam("new_ie_flag"),
                status=bindparam("new_status"),
                updated_at=bindparam("new_updated_at"),
            ),
            [
                {
                    "view_id": v["id"],
                    "new_ie_flag": v["ie_flag"],
                    "new_status": v["status"],
                    "new_updated_at": v["updated_at"],
                }
                for v in old
            ],
        )
