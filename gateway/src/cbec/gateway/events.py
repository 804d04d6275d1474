"""The gateway publishes no events of its own: it submits documents to the services over HTTP."""

from __future__ import annotations

from cbec.shared.envelope import Event

EVENTS: tuple[type[Event], ...] = ()
