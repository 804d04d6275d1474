"""A forged event on a service's topic never reaches the one-stop view.

Anyone who can reach the broker can produce. A ``list.released`` produced on
``cbec.declaration.v1`` without the declaration service's signature (unsigned, or signed with the
logistics service's key) is dead-lettered by the gateway's projection with its reason; the view
still says what the declaration service said, and the genuine release is applied afterwards."""

from __future__ import annotations

from typing import Any

import pytest
from aiokafka import AIOKafkaProducer

from cbec.shared.bus import dlq_topic
from cbec.shared.envelope import Envelope
from tests.integration.gateway.test_onestop_receipts_feeds import projection
from tests.support.kafka import headers_of, read_topic
from tests.support.signing import genuine, signed_headers
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration
DECLARATION = "cbec.declaration.v1"
RELEASED = "cbec.declaration.list.released.v1"


async def test_a_forged_list_release_is_dead_lettered_and_not_applied(
    kafka_bootstrap: str, database_url: str, unique: str
) -> None:
    async with projection(kafka_bootstrap, database_url, unique) as stack:
        order = stack.order
        accepted, received, stored, released, _closed = order.declaration()
        await stack.publish(accepted, received, stored)
        before = await stack.wait_for_events(3)

        unsigned = genuine(released)
        by_logistics = genuine(released)
        as_logistics = Envelope.of(released, source="/cbec/logistics")
        key = order.order_no
        producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
        await producer.start()
        try:
            forged = [(unsigned, unsigned.to_kafka_headers())]
            forged += [
                (e, signed_headers(e, topic=DECLARATION, key=key, service="logistics"))
                for e in (by_logistics, as_logistics)
            ]
            for envelope, headers in forged:
                await producer.send_and_wait(
                    DECLARATION, envelope.body(), key=key.encode(), headers=headers
                )
        finally:
            await producer.stop()
        forged_ids = {e.id for e, _ in forged}

        async def dead_letters() -> dict[str, dict[str, str]]:
            records = await read_topic(kafka_bootstrap, dlq_topic(DECLARATION), expected=0)
            found = (headers_of(r) for r in records)
            return {h["ce_id"]: h for h in found if h.get("ce_id") in forged_ids}

        dead = await eventually(
            dead_letters, until=lambda d: len(d) == 3, what="the forged events dead-lettered"
        )
        assert dead[unsigned.id]["dlq_reason"] == (
            "unverified event: not signed: no ce_signature header"
        )
        for forgery in (by_logistics, as_logistics):
            reason = dead[forgery.id]["dlq_reason"]
            assert "signed with the key of logistics" in reason, reason
            assert "topic cbec.declaration.v1 belongs to declaration" in reason
        for headers in dead.values():
            assert headers["dlq_error_type"] == "UnverifiedEvent"
            assert headers["dlq_original_topic"] == DECLARATION
            assert headers["dlq_consumer_group"].endswith(".gateway.projection")

        view = (await stack.view("seller", order.order_no)).json()
        assert view["events"] == before["events"]
        assert view["status"] == before["status"]
        assert RELEASED not in _types(view)

        # The declaration service's own release is applied as ever.
        await stack.publish(released)
        after = await stack.wait_for_events(4)
        assert _types(after) == [*_types(before), RELEASED]
        assert after["status"] != before["status"]


def _types(view: dict[str, Any]) -> list[str]:
    return [e["type"] for e in view["events"]]
