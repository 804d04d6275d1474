"""What every deploy check returns: the problems found, each naming where, the rule and the
offending value. A check collects all problems instead of stopping at the first."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]

# The five processes of the platform, their HTTP ports and distributions (fixed platform-wide).
PROCESSES: dict[str, int] = {
    "gateway": 8000,
    "declaration": 8001,
    "logistics": 8002,
    "payments": 8003,
    "tax-refund": 8004,
}
PACKAGES = {name: f"cbec-{name}" for name in PROCESSES}
SOURCE_DIRS = {name: "gateway" if name == "gateway" else f"services/{name}" for name in PROCESSES}
TOPICS = ("cbec.declaration.v1", "cbec.logistics.v1", "cbec.payments.v1", "cbec.tax.v1")
ALL_TOPICS = tuple(t for topic in TOPICS for t in (topic, f"{topic}.dlq"))


@dataclass(frozen=True)
class Problem:
    where: str
    rule: str
    value: Any = field(default=None)

    def __str__(self) -> str:
        suffix = "" if self.value is None else f" (found: {self.value!r})"
        return f"{self.where}: {self.rule}{suffix}"


def rules(problems: list[Problem]) -> set[str]:
    return {p.rule for p in problems}
