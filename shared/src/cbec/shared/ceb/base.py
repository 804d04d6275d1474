"""The base of every service's domain view of a customs message.

Fields are snake_case in Python and camelCase on the wire, as the standard's element names
are; the models are immutable values. By default a model is a tolerant reader (fields the
domain does not use are ignored) and an empty element (``<loctNo></loctNo>``, ``""``) counts
as absent. A model that must refuse unknown fields says so in its own ``model_config``
(pydantic merges it with this one)::

    class Voucher(CebDocument):
        model_config = ConfigDict(extra="forbid")
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator
from pydantic.alias_generators import to_camel


def is_missing(value: Any) -> bool:
    """None, or text that is empty once blanks are stripped."""
    return value is None or (isinstance(value, str) and not value.strip())


class CebDocument(BaseModel):
    """Immutable, camelCase aliases, unknown fields ignored, empty elements absent."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, frozen=True, extra="ignore"
    )

    @model_validator(mode="before")
    @classmethod
    def _empty_is_absent(cls, data: Any) -> Any:
        if isinstance(data, Mapping):
            return {k: v for k, v in data.items() if not is_missing(v)}
        return data
