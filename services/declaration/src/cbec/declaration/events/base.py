"""The shared parts of the declaration service's events: the topic, the examples' config and
the line models."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict

TOPIC = "cbec.declaration.v1"


class OrderLine(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    gnum: int
    itemNo: str | None = None
    itemName: str
    gcode: str | None = None
    unit: str
    qty: Decimal
    price: Decimal
    totalPrice: Decimal
    currency: str | None = None


class ListLine(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    gnum: int
    itemNo: str | None = None
    gcode: str
    gname: str
    country: str
    currency: str
    unit: str
    qty: Decimal
    price: Decimal
    totalPrice: Decimal
