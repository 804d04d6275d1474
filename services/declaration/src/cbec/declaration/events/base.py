"""The shared parts of the declaration service's events: the topic, the examples' config and
the line models."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import cast

from pydantic import BaseModel, ConfigDict, JsonValue

TOPIC = "cbec.declaration.v1"


def _examples(*examples: Mapping[str, object]) -> ConfigDict:
    found = [cast(JsonValue, dict(example)) for example in examples]
    return ConfigDict(frozen=True, extra="forbid", json_schema_extra={"examples": found})


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
