"""The transactional outbox: events are rows written in the same transaction as the state change.

    outbox = Outbox(source="/cbec/declaration")
    async with sessions() as session, session.begin():
        session.add(inventory_list)
        outbox.add(session, ListReleased(orderNo="O1", invtNo="I1"))
    relay.wake()      # the relay publishes; a rollback above publishes nothing

:class:`OutboxRelay` publishes unsent rows in id order (so in order per key), under the trace
context of the transaction that wrote them, and marks them sent only after the broker has
acknowledged. It signs each row as it sends it (:mod:`cbec.shared.signing`), from what the row
holds (topic, key, headers, body), so a row published again after a crash carries the same
signature (Ed25519 is deterministic) and still verifies. A crash between the acknowledgement
and the mark publishes the row again on restart: consumers are idempotent (the inbox), so
nothing is lost and nothing is applied twice.
On PostgreSQL one relay per database holds an advisory lock, so replicas of a service do not
publish the same rows side by side.

The rooms: :mod:`~cbec.shared.outbox.records` (the table and the writer) and
:mod:`~cbec.shared.outbox.relay` (the relay and its leadership on PostgreSQL).
"""

from __future__ import annotations

from cbec.shared.outbox.records import OUTBOX_TABLE, Outbox, OutboxRecord, backlog
from cbec.shared.outbox.relay import OutboxRelay

__all__ = ["OUTBOX_TABLE", "Outbox", "OutboxRecord", "OutboxRelay", "backlog"]
