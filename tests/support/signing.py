"""Events signed as a given service, for tests that stand in for the producer.

    await publish_as(publisher, envelope, topic=DECLARATION_TOPIC, key=order_no)   # the owner
    headers = signed_headers(envelope, topic=topic, key="k", service="logistics")  # raw aiokafka
    envelope = genuine(event)              # Envelope.of with the source of its topic's owner

Every helper signs with the development key of the service (by default the owner of the topic,
from the platform's table or ``owner=`` for a test's own topic), as that service's relay would.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from cbec.shared.bus import Publisher
from cbec.shared.envelope import Envelope, Event
from cbec.shared.signing import EventSigner, development_signer, source_of
from cbec.shared.topics import TOPIC_OWNERS

TEST_SERVICE = "tests"
"""The owner of the tests' own topics (``cbec.bus<unique>.v1``): source ``/cbec/tests``."""


def owner_of(topic: str) -> str:
    return TOPIC_OWNERS.get(topic, TEST_SERVICE)


def signer(service: str) -> EventSigner:
    return development_signer(service)


def genuine(event: Event, **kwargs: Any) -> Envelope:
    """The envelope its topic's owner would make of ``event`` (its source)."""
    return Envelope.of(event, source=source_of(owner_of(event.topic)), **kwargs)


def signed_headers(
    envelope: Envelope | None,
    *,
    topic: str,
    key: str | bytes | None,
    value: bytes | None = None,
    headers: Sequence[tuple[str, bytes]] | None = None,
    service: str | None = None,
) -> list[tuple[str, bytes]]:
    """The envelope's headers (or ``headers``) signed by ``service`` (the topic's owner) for
    ``topic``, ``key`` and ``value`` (the envelope's body by default)."""
    raw_key = key.encode() if isinstance(key, str) else key
    body = value if value is not None or envelope is None else envelope.body()
    if headers is None:
        headers = envelope.to_kafka_headers() if envelope is not None else []
    return signer(service or owner_of(topic)).sign(topic, raw_key, headers, body)


async def publish_as(
    publisher: Publisher,
    envelope: Envelope,
    *,
    topic: str,
    key: str,
    service: str | None = None,
) -> None:
    """Publish ``envelope`` signed by ``service`` (the topic's owner) and wait for the ack."""
    await publisher.publish(
        envelope, topic=topic, key=key, signer=signer(service or owner_of(topic))
    )


async def publish_events(publisher: Publisher, events: Sequence[Event]) -> list[Envelope]:
    """Publish each event as its topic's owner would, in order; returns the envelopes once the
    broker has acknowledged them all."""
    envelopes = [genuine(event) for event in events]
    futures = [
        await publisher.send_event(
            event.topic,
            envelope.body(),
            key=event.key().encode(),
            headers=envelope.to_kafka_headers(),
            signer=signer(owner_of(event.topic)),
        )
        for envelope, event in zip(envelopes, events, strict=True)
    ]
    await asyncio.gather(*futures)
    return envelopes
