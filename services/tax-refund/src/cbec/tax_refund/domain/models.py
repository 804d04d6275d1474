"""The base of the tax domain's input and output models: customs-standard field names.

Fields are snake_case in Python and camelCase on the wire, exactly as in the CEB schemas
(``invtNo``, ``ebcCode``, ``totalPrice``); either name is accepted on input. Dates accept the
standard's compact text (``ieDate`` as ``yyyyMMdd``, ``leaveTime`` as ``yyyyMMddHHmmss``)::

    class Line(CebModel):
        total_price: Decimal            # "totalPrice" on the wire
        ie_date: CebDate                # "20250131" or date(2025, 1, 31)
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BeforeValidator, model_validator

from cbec.shared.ceb.base import CebDocument


def _compact_date(value: Any) -> Any:
    if isinstance(value, str) and value.isdigit() and len(value) in (8, 14, 17):
        return datetime.strptime(value[:8], "%Y%m%d").date()
    if isinstance(value, datetime):
        return value.date()
    return value


def _compact_datetime(value: Any) -> Any:
    if isinstance(value, str) and value.isdigit() and len(value) in (14, 17):
        return datetime.strptime(value[:14], "%Y%m%d%H%M%S")
    if isinstance(value, str) and value.isdigit() and len(value) == 8:
        return datetime.strptime(value, "%Y%m%d")
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day)
    return value


# A calendar date, also given as yyyyMMdd (or the date part of a longer customs timestamp).
CebDate = Annotated[date, BeforeValidator(_compact_date)]
# A moment, also given as yyyyMMddHHmmss (or yyyyMMddHHmmssSSS, milliseconds dropped).
CebDateTime = Annotated[datetime, BeforeValidator(_compact_datetime)]


class CebModel(CebDocument):
    """The shared CEB document base, except that an empty element stays what it is.

    The tax models keep ``""`` as given rather than reading it as absent: an export list is
    stored as the document it was read as (an empty ``ownerCode`` stays ``""``), and an empty
    required field is refused by its own rule (``gname`` too short), as it always was.
    """

    @model_validator(mode="before")
    @classmethod
    def _empty_is_absent(cls, data: Any) -> Any:
        return data

    def to_ceb(self) -> dict[str, Any]:
        """The model as customs-standard JSON-ready data (camelCase, decimals as text)."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)
