"""Export and import: what differs between the two directions, chosen once by ``ieFlag``.

Use cases ask the list's :class:`Direction` instead of branching on ``ie == "E"``: the
messages of each direction (DOMAIN.md §2), whose code keys an order, the movement that closes a
released list (§8), whether the buyer's annual quota applies (§6.4)::

    way = direction(row.ie_flag)
    way.list_message, way.party(ebc_code=..., ebp_code=...), way.needs_quota
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from cbec.declaration.domain.three_document import (
    EXPORT_FUNDS,
    EXPORT_ORDER,
    EXPORT_WAYBILL,
    IMPORT_ORDER,
    IMPORT_PAYMENT,
    IMPORT_WAYBILL,
)


@dataclass(frozen=True, slots=True)
class Direction:
    flag: Literal["E", "I"]
    order_message: str
    list_message: str
    revocation_message: str
    order_party_field: str
    party_column: str
    """The column of a stored row that holds that code (``ebc_code`` or ``ebp_code``)."""
    """The head field that keys an order with its orderNo (and files it)."""
    closing_movement: str
    """The parcel movement that closes a released list (DOMAIN.md §8)."""
    closing_info: str
    needs_quota: bool
    """An import list reserves the buyer's annual quota before release (DOMAIN.md §6.4)."""
    documents: tuple[str, str, str, str]
    """The names of the order, the list, the funds document and the waybill (trace links)."""

    def party(self, *, ebc_code: str, ebp_code: str) -> str:
        """The code that keys the order, its funds document and its lists' search."""
        return ebc_code if self.flag == "E" else ebp_code


EXPORT = Direction(
    flag="E",
    order_message="CEB303",
    list_message="CEB603",
    revocation_message="CEB605",
    order_party_field="OrderHead.ebcCode",
    party_column="ebc_code",
    closing_movement="departed",
    closing_info="goods departed",
    needs_quota=False,
    documents=(EXPORT_ORDER, "inventory list (CEB603)", EXPORT_FUNDS, EXPORT_WAYBILL),
)
IMPORT = Direction(
    flag="I",
    order_message="CEB311",
    list_message="CEB621",
    revocation_message="CEB623",
    order_party_field="OrderHead.ebpCode",
    party_column="ebp_code",
    closing_movement="delivered",
    closing_info="goods delivered",
    needs_quota=True,
    documents=(IMPORT_ORDER, "inventory list (CEB621)", IMPORT_PAYMENT, IMPORT_WAYBILL),
)
DIRECTIONS = {"E": EXPORT, "I": IMPORT}


def direction(ie_flag: str) -> Direction:
    """The direction of ``ieFlag`` (anything but ``E`` is an import, as stored flags are)."""
    return EXPORT if ie_flag == "E" else IMPORT
