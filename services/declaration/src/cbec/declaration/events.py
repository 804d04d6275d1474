"""The events this service publishes on `cbec.declaration.v1`: its contract with every consumer.

Each is an :class:`~cbec.shared.envelope.Event` with a versioned, past-tense type name and at
least one example; `cbec contracts generate` turns them into JSON Schemas and the AsyncAPI
document under contracts/. A published event is never edited: a change is a new version.
"""

from __future__ import annotations

from cbec.shared.envelope import Event

TOPIC = "cbec.declaration.v1"

EVENTS: tuple[type[Event], ...] = ()
