"""The producer side of the bus: one aiokafka producer per process that signs what it sends.

    publisher = Publisher(settings); await publisher.start()
    await publisher.publish(envelope, topic="cbec.declaration.v1", key="O1")   # tests, tools
    future = await publisher.send_event(topic, body, key=key, headers=headers)  # the outbox relay

Services publish through the outbox (:mod:`cbec.shared.outbox`), whose relay sends with
:meth:`Publisher.send_event`; a dead letter is sent as it is with :meth:`Publisher.send`.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from cbec.shared.envelope import Envelope
from cbec.shared.settings import ServiceSettings
from cbec.shared.signing import EventSigner, signer_from_settings

log = logging.getLogger(__name__)


class Publisher:
    """One aiokafka producer per process: acks from all replicas, batching, ordered per key."""

    def __init__(
        self,
        settings: ServiceSettings,
        *,
        client_id: str | None = None,
        signer: EventSigner | None = None,
    ) -> None:
        self.settings = settings
        self.client_id = client_id or f"cbec-{settings.service_name}"
        self._producer: AIOKafkaProducer | None = None
        self._signer = signer

    @property
    def signer(self) -> EventSigner:
        """The process's event signer (EVENT_SIGNING_KEY), loaded once; ValueError naming the
        setting when it has none it may use (a process that publishes no event needs none)."""
        if self._signer is None:
            self._signer = signer_from_settings(self.settings)
        return self._signer

    async def start(self) -> None:
        producer = AIOKafkaProducer(
            **self.settings.kafka_client_options(),
            client_id=self.client_id,
            acks="all",
            enable_idempotence=self.settings.kafka_enable_idempotence,
            linger_ms=2,
            max_batch_size=512 * 1024,
            request_timeout_ms=self.settings.kafka_request_timeout_ms,
        )
        await producer.start()
        self._producer = producer

    async def stop(self) -> None:
        if self._producer is not None:
            await self._producer.stop()
            self._producer = None

    @property
    def producer(self) -> AIOKafkaProducer:
        if self._producer is None:
            raise RuntimeError("the publisher is not started")
        return self._producer

    @property
    def started(self) -> bool:
        return self._producer is not None

    async def send(
        self, topic: str, value: bytes, *, key: bytes | None, headers: list[tuple[str, bytes]]
    ) -> asyncio.Future[Any]:
        """Queue a message as it is (a dead letter keeps the original's headers); the returned
        future resolves when the broker acknowledged it. Events go through :meth:`send_event`."""
        future: asyncio.Future[Any] = await self.producer.send(
            topic, value, key=key, headers=headers
        )
        return future

    async def send_event(
        self,
        topic: str,
        value: bytes,
        *,
        key: bytes | None,
        headers: list[tuple[str, bytes]],
        signer: EventSigner | None = None,
    ) -> asyncio.Future[Any]:
        """Sign an event for ``topic`` (with the process's key unless ``signer`` is given) and
        queue it, as :meth:`send`."""
        signed = (signer or self.signer).sign(topic, key, headers, value)
        return await self.send(topic, value, key=key, headers=signed)

    async def publish(
        self,
        envelope: Envelope,
        *,
        topic: str,
        key: str,
        attempts: int = 5,
        signer: EventSigner | None = None,
    ) -> None:
        """Sign and publish one envelope and wait for the acknowledgement (use the outbox in
        services). An error the broker calls retriable (a partition's leader moving, a timeout)
        is tried again, up to ``attempts`` times, backing off from 100 ms; the same event id goes
        again, so a consumer's inbox drops a copy that did arrive."""
        for attempt in range(1, attempts + 1):
            try:
                future = await self.send_event(
                    topic,
                    envelope.body(),
                    key=key.encode(),
                    headers=envelope.to_kafka_headers(),
                    signer=signer,
                )
                await future
                return
            except KafkaError as exc:
                if not exc.retriable or attempt == attempts:
                    raise
                log.warning("publish to %s failed (%s); trying again", topic, exc)
                await asyncio.sleep(0.1 * 2 ** (attempt - 1))

    async def ping(self, timeout: float = 2.0) -> None:
        """Raise unless the broker answers a metadata request in time."""
        await asyncio.wait_for(self.producer.client.fetch_all_metadata(), timeout)
