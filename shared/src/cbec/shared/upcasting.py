"""Event upcasters: an event published as an older version is read as the newest.

A change to a published event is a new version (``...accepted.v2``) and an upcaster that turns
the old payload into the new one. Upcasters are applied, one version after the other, when the
envelope is decoded from Kafka, so a handler only ever sees the newest version::

    @upcaster("cbec.payments.payment.accepted.v1", "cbec.payments.payment.accepted.v2")
    def _currency_code(data: dict[str, Any]) -> dict[str, Any]:
        return {**data, "currency": data.get("currency", "142")}

Signatures are checked before (on the bytes the producer signed); the upcast is in memory only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Payload = dict[str, Any]
Upcast = Callable[[Payload], Payload]

_UPCASTERS: dict[str, tuple[str, Upcast]] = {}


def upcaster(old_type: str, new_type: str) -> Callable[[Upcast], Upcast]:
    """Register ``fn`` as turning an ``old_type`` payload into a ``new_type`` one."""

    def register(fn: Upcast) -> Upcast:
        if old_type == new_type:
            raise ValueError("an upcaster goes from one version to another")
        known = _UPCASTERS.get(old_type)
        if known is not None and known[1] is not fn:
            raise ValueError(f"{old_type} already upcasts to {known[0]}")
        _UPCASTERS[old_type] = (new_type, fn)
        return fn

    return register


def upcast(event_type: str, data: Payload) -> tuple[str, Payload]:
    """The newest version of an event: its type and payload (unchanged when already newest)."""
    seen = {event_type}
    while (step := _UPCASTERS.get(event_type)) is not None:
        event_type, data = step[0], step[1](data)
        if event_type in seen:
            raise ValueError(f"upcasters of {event_type} go round in a circle")
        seen.add(event_type)
    return event_type, data


def forget(old_type: str) -> None:
    """Remove an upcaster (for tests that register their own)."""
    _UPCASTERS.pop(old_type, None)
