"""The drills' input: the same generated export orders in every run, in rounds of batches."""

from __future__ import annotations

import os
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from cbec.gateway.client import AsyncGatewayClient
from cbec.gateway.schemas import IssuedCredentials
from cbec.shared.stack import Stack
from cbec.tools.bench.common import BENCH_RULES, PLATFORM_ENV
from cbec.tools.loadgen import (
    ExportOrder,
    OrderGenerator,
    Population,
    encode,
)

SHORT_ORDERS = 150
"""Orders of the short version (CI, and by default); CBEC_FAULT_ORDERS=2000 for the full one."""
SELLERS = 6
ROUND = 10
"""Orders filed together: their documents go as one batch per enterprise and kind."""
RATE = float(os.environ.get("CBEC_FAULT_RATE", "20"))
"""Orders filed per second at most."""
WINDOW = int(os.environ.get("CBEC_FAULT_WINDOW", "60"))
"""Orders on their way at most (filed, their release not yet seen by the seller)."""
SETTLE_TIMEOUT = float(os.environ.get("CBEC_FAULT_SETTLE_TIMEOUT", "300"))
"""How long after the last filing every list must be released."""

TOPICS = ("cbec.declaration.v1", "cbec.logistics.v1", "cbec.payments.v1", "cbec.tax.v1")
LIST_RELEASED = "cbec.declaration.list.released.v1"
OFFICER = "4300000009"
"""A customs officer: sees every order's one-stop view."""
RETRIED = frozenset({409, 429, 503})
POLL_INTERVAL = 1.0
"""How often an ERP polls its receipts (each poll is a signed request the gateway records)."""
SEND_DEADLINE = 300.0
"""How long an ERP keeps sending a batch again before it reports it as failed."""

FIXED_NOW = datetime.now(UTC).replace(microsecond=0)
"""The time every document of the session is made at: the same input in every run."""


def order_count() -> int:
    given = os.environ.get("CBEC_FAULT_ORDERS", "").strip()
    return int(given) if given else SHORT_ORDERS


def drill_env(folder: Path) -> dict[str, str]:
    """The benchmark's settings: every well-formed list is released by the rules (no random
    selection for inspection), and the enterprises' rate limit is not what is tested. A request
    the killed gateway claimed and never answered is taken over after 20 s instead of 60 (the
    ERPs' resends get 409 until then): the drill's time is not spent waiting on it."""
    rules = folder / "drill-rules.toml"
    folder.mkdir(parents=True, exist_ok=True)
    rules.write_text(BENCH_RULES, encoding="utf-8")
    return {
        **PLATFORM_ENV,
        "DECLARATION_RULES_FILE": str(rules),
        "LOG_LEVEL": "WARNING",
        "IDEMPOTENCY_IN_FLIGHT_SECONDS": "20",
    }


# -- the input -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Batch:
    submitter: str
    path: str
    body: bytes
    order_nos: tuple[str, ...]
    key: str


@dataclass(frozen=True)
class Workload:
    """The orders of one run. Runs of one seed on one platform take a tag each: the same
    orders under numbers of their own (the tag is in each), compared through placeholders."""

    seed: int
    population: Population
    orders: tuple[ExportOrder, ...]
    rounds: tuple[tuple[Batch, ...], ...]
    tag: str = "F"

    @classmethod
    def make(cls, orders: int, seed: int = 7, *, tag: str = "F") -> Workload:
        population = Population.generate(seed, sellers=SELLERS)
        made = tuple(OrderGenerator(population, seed, tag=tag).take(orders, now=FIXED_NOW))
        rounds = []
        for start in range(0, len(made), ROUND):
            groups: dict[tuple[str, str], list[ExportOrder]] = defaultdict(list)
            for order in made[start : start + ROUND]:
                for doc in order.documents:
                    groups[(doc.submitter, doc.path)].append(order)
            batches = []
            for (submitter, path), members in groups.items():
                bodies = [d.body for o in members for d in o.documents if d.path == path]
                batches.append(
                    Batch(
                        submitter=submitter,
                        path=path,
                        body=encode(bodies),
                        order_nos=tuple(o.order_no for o in members),
                        key=f"drill-{seed}-{path.rsplit('/', 1)[1]}-{members[0].order_no}",
                    )
                )
            rounds.append(tuple(batches))
        return cls(seed, population, made, tuple(rounds), tag)

    def placeholders(self) -> dict[str, str]:
        """Each document number of the run → the same placeholder in every run of the seed."""
        kinds = ("order", "list copy", "waybill", "payment")
        return {
            number: f"<{kind} {index}>"
            for index, order in enumerate(self.orders)
            for kind, number in zip(kinds, order.numbers(), strict=True)
        }

    def renumbering(self) -> Renumbering:
        return Renumbering(self.placeholders())


class Renumbering:
    """Writes the run's document numbers as placeholders, wherever they are quoted."""

    def __init__(self, placeholders: dict[str, str]) -> None:
        self.placeholders = placeholders
        longest_first = sorted(placeholders, key=len, reverse=True)
        self._pattern = (
            re.compile("|".join(map(re.escape, longest_first))) if placeholders else None
        )

    def __call__(self, text: str) -> str:
        if self._pattern is None:
            return text
        return self._pattern.sub(lambda found: self.placeholders[found.group(0)], text)

    def mine(self, text: str) -> bool:
        """Whether the text quotes a number of the run."""
        return self._pattern is not None and self._pattern.search(text) is not None


class Platform(Protocol):
    """The platform a drill runs on (``tests.support.platform.Platform``): its processes, its
    broker, and enterprises enrolled in its gateway."""

    stack: Stack

    @property
    def bootstrap_servers(self) -> str: ...

    def enroll(self, code: str, name: str, roles: list[str]) -> IssuedCredentials: ...

    def async_client(self, who: IssuedCredentials, **kwargs: object) -> AsyncGatewayClient: ...

    def kill(self, name: str, sig: int = ...) -> None: ...

    def restart(self, name: str, timeout: float = 60.0) -> None: ...

    def wait_ready(self, name: str, timeout: float = 60.0) -> None: ...


CallerHeaders = Callable[..., dict[str, str]]
"""``(audience, party, *roles)`` → the headers of a caller token a service accepts."""
