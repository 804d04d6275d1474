"""The export inventory list (CEB603) as the tax rules read it.

The tax service keeps its own tolerant model of the fields it needs from the declaration and
logistics events: the list's head and lines, its status, and the departure time (CEB509)::

    export_list = ExportList.model_validate(event_data)   # camelCase or snake_case
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import Field, field_validator

from cbec.tax_refund.domain.models import CebDate, CebDateTime, CebModel

# Receipt status of a list whose goods have left and whose clearance is complete (DOMAIN.md §3).
LIST_CLOSED = 899
OVERSEAS_WAREHOUSE = "9810"


class ExportListLine(CebModel):
    """A line of an export list (CEB603 InventoryList)."""

    gnum: int = Field(ge=1)
    gcode: str = Field(min_length=4, max_length=10, pattern=r"^\d+$")
    gname: str = Field(min_length=1)
    unit: str = Field(min_length=1)
    qty: Decimal = Field(gt=0)
    price: Decimal = Field(gt=0)
    total_price: Decimal = Field(gt=0)
    currency: str = Field(min_length=3, max_length=3)


class ExportList(CebModel):
    """The head of an export list (CEB603 InventoryHead), its status and departure."""

    invt_no: str = Field(min_length=1, max_length=20)
    ebc_code: str = Field(min_length=1)
    owner_code: str | None = None
    customs_code: str = Field(min_length=4, max_length=4)
    port_code: str | None = None
    trade_mode: str = Field(min_length=4, max_length=4)
    statistics_flag: Literal["A", "B"]
    ie_date: CebDate
    return_status: int | None = None
    # CEB509 departure time; absent until the goods have left.
    leave_time: CebDateTime | None = None
    # 9810: the day the goods were sold out of the overseas warehouse, when they have been.
    sold_on: CebDate | None = None
    lines: tuple[ExportListLine, ...] = Field(min_length=1, max_length=100)

    @field_validator("lines")
    @classmethod
    def _gnums_are_unique(cls, lines: tuple[ExportListLine, ...]) -> tuple[ExportListLine, ...]:
        gnums = [line.gnum for line in lines]
        if len(set(gnums)) != len(gnums):
            raise ValueError("gnum must be unique within a list")
        return lines

    @property
    def closed(self) -> bool:
        return self.return_status == LIST_CLOSED

    @property
    def departed_on(self) -> date | None:
        return self.leave_time.date() if self.leave_time is not None else None
