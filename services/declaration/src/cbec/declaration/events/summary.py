"""The events of the summary declaration (DOMAIN.md §5)."""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from pydantic import BaseModel, ConfigDict

from cbec.declaration.events.base import TOPIC
from cbec.shared.envelope import Event
from cbec.shared.envelope import with_examples as _examples


class SummaryItem(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    gseqno: int
    gcode: str
    gname: str
    country: str
    currency: str
    unit: str
    qty: Decimal
    totalPrice: Decimal


class SummaryForm(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    declSeqNo: str
    ebcCode: str
    ownerCode: str | None = None
    trafMode: str
    country: str
    portCode: str
    items: tuple[SummaryItem, ...]


class LineAssignment(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    invtNo: str
    gnum: int
    declSeqNo: str
    gseqno: int


class SummaryCompleted(Event):
    """A summary declaration (CEB792 semantics): forms, items, and every list line's place."""

    model_config = _examples(
        {
            "sumNo": "4300202611S0000001",
            "ebcCode": "3702960001",
            "period": "2026-11",
            "supplementary": False,
            "forms": [
                {
                    "declSeqNo": "D4300202611000001",
                    "ebcCode": "3702960001",
                    "trafMode": "5",
                    "country": "502",
                    "portCode": "4300",
                    "items": [
                        {
                            "gseqno": 1,
                            "gcode": "6911101900",
                            "gname": "ceramic teapot",
                            "country": "502",
                            "currency": "142",
                            "unit": "011",
                            "qty": "2",
                            "totalPrice": "200.00",
                        }
                    ],
                }
            ],
            "assignments": [
                {
                    "invtNo": "43002026E000000001",
                    "gnum": 1,
                    "declSeqNo": "D4300202611000001",
                    "gseqno": 1,
                }
            ],
            "completedAt": "2026-12-01T00:10:00+08:00",
        }
    )
    event_type: ClassVar[str] = "cbec.declaration.summary.completed.v1"
    topic: ClassVar[str] = TOPIC
    key_field: ClassVar[str] = "sumNo"
    sumNo: str
    ebcCode: str
    period: str
    supplementary: bool
    forms: tuple[SummaryForm, ...]
    assignments: tuple[LineAssignment, ...]
    completedAt: str


class SummaryOverdue(Event):
    """A month's released export lists were not summarised by the deadline."""

    model_config = _examples(
        {
            "sumNo": "UNSUMMARISED-3702960001-2026-10",
            "ebcCode": "3702960001",
            "period": "2026-10",
            "deadline": "2026-11-16",
            "lists": 12,
        }
    )
    event_type: ClassVar[str] = "cbec.declaration.summary.overdue.v1"
    topic: ClassVar[str] = TOPIC
    key_field: ClassVar[str] = "sumNo"
    sumNo: str
    ebcCode: str
    period: str
    deadline: str
    lists: int
