"""The typed handler registry and event upcasters."""

from __future__ import annotations

from typing import Any

import pytest

from cbec.shared.bus import HandlerContext
from cbec.shared.envelope import Consumed, Envelope, MalformedEvent
from cbec.shared.handlers import HandlerRegistry
from cbec.shared.upcasting import forget, upcast, upcaster


class PaymentSeen(Consumed):
    orderNo: str
    amount: str


def _context(envelope: Envelope) -> HandlerContext:
    return HandlerContext(envelope, None, None, "t", 0, 0)  # type: ignore[arg-type]


async def test_a_handler_is_called_with_its_event_model() -> None:
    registry = HandlerRegistry()
    seen: list[PaymentSeen] = []

    @registry.on("cbec.payments.payment.accepted.v1")
    async def payment_accepted(event: PaymentSeen, ctx: HandlerContext) -> None:
        seen.append(event)

    envelope = Envelope(
        id="1",
        source="x",
        type="cbec.payments.payment.accepted.v1",
        data={"orderNo": "O1", "amount": "1.00", "unknown": 1},
    )
    await registry.table()["cbec.payments.payment.accepted.v1"](_context(envelope))
    assert seen == [PaymentSeen(orderNo="O1", amount="1.00")]
    assert registry.consumes() == {"cbec.payments.payment.accepted.v1": PaymentSeen}


async def test_an_event_missing_a_field_the_handler_reads_is_malformed() -> None:
    registry = HandlerRegistry()

    @registry.on("t.v1")
    async def handle(event: PaymentSeen, ctx: HandlerContext) -> None:
        raise AssertionError("not reached")

    envelope = Envelope(id="1", source="x", type="t.v1", data={"orderNo": "O1"})
    with pytest.raises(MalformedEvent, match="amount"):
        await registry.table()["t.v1"](_context(envelope))


def test_a_handler_without_its_event_model_is_refused() -> None:
    registry = HandlerRegistry()
    with pytest.raises(TypeError, match="event model"):

        @registry.on("t.v1")
        async def handle(event: dict, ctx: HandlerContext) -> None:  # type: ignore[type-arg]
            pass


def test_one_event_type_has_one_handler() -> None:
    registry = HandlerRegistry()

    @registry.on("t.v1")
    async def first(event: PaymentSeen, ctx: HandlerContext) -> None:
        pass

    with pytest.raises(ValueError, match="already"):

        @registry.on("t.v1")
        async def second(event: PaymentSeen, ctx: HandlerContext) -> None:
            pass


def test_an_old_event_is_upcast_one_version_after_the_other() -> None:
    @upcaster("cbec.test.thing.v1", "cbec.test.thing.v2")
    def _v2(data: dict[str, Any]) -> dict[str, Any]:
        return {**data, "currency": "142"}

    @upcaster("cbec.test.thing.v2", "cbec.test.thing.v3")
    def _v3(data: dict[str, Any]) -> dict[str, Any]:
        return {"amount": data["value"], "currency": data["currency"]}

    try:
        assert upcast("cbec.test.thing.v1", {"value": "3"}) == (
            "cbec.test.thing.v3",
            {"amount": "3", "currency": "142"},
        )
        assert upcast("cbec.test.thing.v3", {"amount": "3"}) == (
            "cbec.test.thing.v3",
            {"amount": "3"},
        )
        body = b'{"value": "5"}'
        headers = [
            ("ce_id", b"1"),
            ("ce_source", b"s"),
            ("ce_type", b"cbec.test.thing.v1"),
            ("ce_specversion", b"1.0"),
            ("ce_time", b"2026-12-03T00:00:00Z"),
        ]
        envelope = Envelope.from_kafka(headers, body)
        assert envelope.type == "cbec.test.thing.v3"
        assert envelope.data == {"amount": "5", "currency": "142"}
        with pytest.raises(MalformedEvent, match="cannot be upcast"):
            Envelope.from_kafka(headers, b'{"other": 1}')
    finally:
        forget("cbec.test.thing.v1")
        forget("cbec.test.thing.v2")
