"""What a service is to the platform: its descriptor (name, port, app, topics, migrations) and
its consumer groups.

    SERVICE = ServiceDescriptor(name="declaration", port=8001,
                                app="cbec.declaration.app:create_app",
                                topics=("cbec.declaration.v1",))
    ConsumerSpec("lists", ["cbec.logistics.v1"], HANDLERS)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from cbec.shared.bus import Handler


@dataclass(frozen=True, slots=True)
class ServiceDescriptor:
    """How the stack runs a service: its name, port, app factory, topics and migrations."""

    name: str
    port: int
    app: str
    topics: tuple[str, ...] = ()
    migrations: str | None = None
    title: str = ""
    events: str | None = None
    """Module whose ``EVENTS`` tuple lists the events the service publishes (its contract)."""
    consumes: str | None = None
    """Module whose ``CONSUMES`` maps event types to the service's tolerant consumer models."""


@dataclass(frozen=True, slots=True)
class ConsumerSpec:
    """A consumer group of the service: group id ``cbec.<service>.<name>``."""

    name: str
    topics: Sequence[str]
    handlers: Mapping[str, Handler]
    accepts: Callable[[str, str], bool] | None = None
    owners: Mapping[str, str] | None = None
    """Owners of topics outside the platform's table (:mod:`cbec.shared.topics`): tests."""
