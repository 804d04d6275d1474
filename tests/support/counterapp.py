"""A service that applies the events of one topic to its database, for scale-out tests.

    uvicorn --factory tests.support.counterapp:create_app
    (env: DATABASE_URL, KAFKA_BOOTSTRAP_SERVERS, COUNTER_TOPIC, INSTANCE_NAME)

Several instances share one database and one consumer group; each effect row says which
instance applied the event.
"""

from __future__ import annotations

import os

from fastapi import FastAPI
from sqlmodel import SQLModel

from cbec.shared.bus import HandlerContext
from cbec.shared.service import ConsumerSpec, Runtime, ServiceDescriptor, create_service_app
from cbec.shared.settings import ServiceSettings
from tests.support.bus import TABLES, Effect, Thing, event_type
from tests.support.signing import TEST_SERVICE


async def _create_tables(runtime: Runtime) -> None:
    async with runtime.engine.begin() as conn:
        await conn.run_sync(SQLModel.metadata.create_all, tables=TABLES)


def create_app() -> FastAPI:
    topic = os.environ["COUNTER_TOPIC"]
    instance = os.environ["INSTANCE_NAME"]

    async def on_thing(ctx: HandlerContext) -> None:
        thing = ctx.parse(Thing)
        ctx.session.add(
            Effect(consumer=instance, event_id=ctx.envelope.id, key=thing.key, seq=thing.seq)
        )

    settings = ServiceSettings(service_name="counter", consumer_batch_max_records=50)
    descriptor = ServiceDescriptor(name="counter", port=0, app="tests.support.counterapp")
    spec = ConsumerSpec(
        "things", [topic], {event_type(topic): on_thing}, owners={topic: TEST_SERVICE}
    )
    return create_service_app(settings, descriptor, consumers=[spec], on_start=[_create_tables])
