"""Goods movements, each checked against the parcels it names before anything moves.

- CEB507 arrival at the supervised site (export), parcels by ``logisticsNo``;
- CEB607 master bill link: flight / vessel bill <-> parcels <-> lists;
- CEB509 departure (``leaveTime``): only for parcels that arrived and whose list is released;
- CEB711 entry into the supervised site (import direct purchase);
- CEB513 waybill status ``S``: the buyer signed for the parcel (import).

A message moves all of its parcels or none: every problem of every parcel is collected into
one :class:`MovementRefused` (field = the message line, rule, values compared)::

    arrival = parse_arrival(raw)
    entries = record_arrival(arrival, parcels, at=now)   # parcels: ParcelKey -> ParcelTimeline

The caller loads the timelines of the keys in :func:`parcel_keys` and saves them afterwards.
"""

from cbec.logistics.domain.movements.export import (
    check_arrival,
    check_departure,
    check_master_bill_link,
    record_arrival,
    record_departure,
    record_master_bill_link,
)
from cbec.logistics.domain.movements.imports import (
    check_delivery,
    check_site_entry,
    record_delivery,
    record_site_entry,
)
from cbec.logistics.domain.movements.messages import (
    Arrival,
    DeliveryStatus,
    Departure,
    MasterBillLink,
    SiteEntry,
    combine_parts,
    parcel_keys,
    parse_arrival,
    parse_delivery_status,
    parse_departure,
    parse_master_bill_link,
    parse_site_entry,
)

__all__ = [
    "Arrival",
    "DeliveryStatus",
    "Departure",
    "MasterBillLink",
    "SiteEntry",
    "check_arrival",
    "check_delivery",
    "check_departure",
    "check_master_bill_link",
    "check_site_entry",
    "combine_parts",
    "parcel_keys",
    "parse_arrival",
    "parse_delivery_status",
    "parse_departure",
    "parse_master_bill_link",
    "parse_site_entry",
    "record_arrival",
    "record_delivery",
    "record_departure",
    "record_master_bill_link",
    "record_site_entry",
]
