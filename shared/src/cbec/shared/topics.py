"""The topics of the platform and the service that owns each: the only one that may write to it.

Consumers take the owner from here to know whose signature an event must carry (a service's
image holds only its own code, so the descriptors of the others are not there to ask). A test
holds this table against every service descriptor's ``topics``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

TOPIC_OWNERS: Mapping[str, str] = MappingProxyType(
    {
        "cbec.declaration.v1": "declaration",
        "cbec.logistics.v1": "logistics",
        "cbec.payments.v1": "payments",
        "cbec.tax.v1": "tax-refund",
    }
)


def owners_of(topics: Iterable[str], extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The owner of each of ``topics``: the platform's table, and ``extra`` for topics outside
    it (a test's, a benchmark's). ValueError for a topic nobody owns, or for ``extra`` naming
    another owner for a platform topic."""
    extra = dict(extra or {})
    for topic, service in extra.items():
        owner = TOPIC_OWNERS.get(topic)
        if owner is not None and owner != service:
            raise ValueError(f"topic {topic} belongs to {owner}, not {service}")
    known = {**extra, **TOPIC_OWNERS}
    unowned = [t for t in topics if t not in known]
    if unowned:
        raise ValueError(f"no owner known of topic(s) {', '.join(unowned)}")
    return {t: known[t] for t in topics}
