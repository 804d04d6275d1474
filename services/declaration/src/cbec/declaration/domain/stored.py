"""An inventory list as the platform stored it, read once into a typed head and lines.

The stored document is the standard's entity (``InventoryHead`` + ``InventoryList``) as the
list was accepted, amounts as decimal text. Use cases read it through :func:`stored_list`
instead of indexing the JSON, so that amounts are ``Decimal`` fields and a missing field is a
validation error at one place::

    stored = stored_list(row.document)
    stored.dutiable_value(), stored.head.customs_code, stored.lines[0].total_price
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import model_validator

from cbec.shared.ceb.base import CebDocument
from cbec.shared.fingerprints import loads


class StoredDocument(CebDocument):
    """A document as it was accepted: an empty text stays the empty text it was (the
    events carry what the declarant sent; the shared base would read it as absent)."""

    @model_validator(mode="before")
    @classmethod
    def _empty_is_absent(cls, data: Any) -> Any:
        return data


class StoredListLine(StoredDocument):
    gnum: int
    item_no: str | None = None
    gcode: str
    gname: str
    country: str
    currency: str
    unit: str
    qty: Decimal
    price: Decimal
    total_price: Decimal


class StoredListHead(StoredDocument):
    customs_code: str
    trade_mode: str
    port_code: str
    traf_mode: str
    country: str
    currency: str | None = None
    freight: Decimal
    insured_fee: Decimal
    gross_weight: Decimal
    net_weight: Decimal
    agent_name: str | None = None
    owner_code: str | None = None
    statistics_flag: str | None = None
    buyer_id_type: str | None = None
    buyer_id_number: str | None = None
    buyer_name: str | None = None
    assure_code: str | None = None
    ems_no: str | None = None


class StoredList(StoredDocument):
    head: StoredListHead
    lines: tuple[StoredListLine, ...]

    @property
    def currency(self) -> str:
        """The head's currency, else the first line's (an export head has none)."""
        return self.head.currency or self.lines[0].currency

    def goods_value(self) -> Decimal:
        return sum((line.total_price for line in self.lines), Decimal(0))

    def dutiable_value(self) -> Decimal:
        """DOMAIN.md §6.4: the list's dutiable value: goods + freight + insurance."""
        return self.goods_value() + self.head.freight + self.head.insured_fee

    @property
    def single_item(self) -> bool:
        """One line of quantity one (the import limits treat it apart, DOMAIN.md §6.4)."""
        return len(self.lines) == 1 and self.lines[0].qty == 1


def stored_list(document: str) -> StoredList:
    """The stored JSON of a list, parsed once."""
    data = loads(document)
    return StoredList(head=data["InventoryHead"], lines=data["InventoryList"])
