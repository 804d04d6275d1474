"""The services of the platform, found through the ``cbec.services`` entry points.

Each distribution declares its :class:`~cbec.shared.service.ServiceDescriptor`::

    [project.entry-points."cbec.services"]
    declaration = "cbec.declaration.app:SERVICE"

so the stack, the migration command and the contract generator need no list of their own.
"""

from __future__ import annotations

from importlib.metadata import entry_points

from cbec.shared.service import ServiceDescriptor

# Start order of the embedded stack: the services before the gateway that routes to them.
_ORDER = ("declaration", "logistics", "payments", "tax-refund", "gateway")


def services() -> list[ServiceDescriptor]:
    found: dict[str, ServiceDescriptor] = {}
    for ep in entry_points(group="cbec.services"):
        descriptor = ep.load()
        if not isinstance(descriptor, ServiceDescriptor):
            raise TypeError(f"entry point {ep.name} is not a ServiceDescriptor")
        found[descriptor.name] = descriptor
    return sorted(
        found.values(),
        key=lambda d: (_ORDER.index(d.name) if d.name in _ORDER else len(_ORDER), d.name),
    )


def service(name: str) -> ServiceDescriptor:
    for descriptor in services():
        if descriptor.name == name:
            return descriptor
    known = ", ".join(d.name for d in services())
    raise KeyError(f"no service named {name!r}; known: {known}")


def all_topics() -> list[str]:
    return [topic for d in services() for topic in d.topics]
