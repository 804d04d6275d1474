"""Goods movements: arrival (CEB507), master bill link (CEB607) and departure (CEB509) of
export parcels, site entry (CEB711) and delivery (CEB513) of import parcels. Each loads the
parcels its lines name, lets the domain move all of them or none, saves them and publishes a
ParcelMoved per parcel."""

from __future__ import annotations

from cbec.logistics.domain import (
    AppType,
    Arrival,
    DeliveryStatus,
    Departure,
    MasterBillLink,
    Movement,
    SiteEntry,
    parcel_keys,
    parse_delivery_status,
    parse_site_entry,
    record_arrival,
    record_delivery,
    record_departure,
    record_master_bill_link,
    record_site_entry,
)
from cbec.logistics.domain.access import refuse_unless_filer
from cbec.logistics.models import MasterBillRow
from cbec.logistics.repository import timelines
from cbec.logistics.unit_of_work import LogisticsWork
from cbec.logistics.use_cases.documents import Context, DocumentKind, Filed, ceb_time, head_of, pick
from cbec.logistics.use_cases.parcels import moved, publish_moves
from cbec.logistics.use_cases.splits import (
    ARRIVAL as ARRIVAL_SPLIT,
)
from cbec.logistics.use_cases.splits import (
    DEPARTURE as DEPARTURE_SPLIT,
)
from cbec.logistics.use_cases.splits import (
    MASTER_BILL as MASTER_BILL_SPLIT,
)
from cbec.logistics.use_cases.splits import (
    assemble,
    split_kind,
)
from cbec.logistics.use_cases.warehouse import bookings_departed
from cbec.shared.telemetry import joining_span


async def record_arrival_message(
    work: LogisticsWork, context: Context, filed: Filed[Arrival]
) -> str:
    """CEB507: parcels arrived at the export supervised site."""
    arrival, info = await assemble(work, context, ARRIVAL_SPLIT, filed)
    if arrival is None:
        return info
    keys = parcel_keys(arrival)
    parcels = await work.parcels.load(keys)
    entries = record_arrival(arrival, timelines(parcels), arrival.head.app_time)
    work.parcels.save_all(parcels.values())
    publish_moves(work, parcels, keys, entries, "arrived")
    return f"arrival {arrival.head.cop_no}: {len(keys)} parcel(s) at the supervised site"


def _new_bill(link: MasterBillLink, context: Context) -> MasterBillRow:
    head = link.head
    return MasterBillRow(
        logistics_code=head.logistics_code,
        bill_no=head.bill_no,
        cop_no=head.cop_no,
        agent_code=head.agent_code,
        traf_mode=head.traf_mode,
        traf_name=head.traf_name,
        voyage_no=head.voyage_no,
        gross_weight=str(head.gross_weight),
        linked_at=head.app_time,
        filed_by=context.filer,
    )


async def record_master_bill_message(
    work: LogisticsWork, context: Context, filed: Filed[MasterBillLink]
) -> str:
    """CEB607: parcels linked to (or unlinked from) a flight or vessel bill."""
    link, info = await assemble(work, context, MASTER_BILL_SPLIT, filed)
    if link is None:
        return info
    head = link.head
    unlinking = head.app_type is AppType.DELETE
    bill = await work.bills.get(head.logistics_code, head.bill_no)
    if bill is not None:
        refuse_unless_filer(
            "CEB607", bill.filed_by, context.party, "WayBillHead.billNo", head.bill_no
        )
    keys = parcel_keys(link)
    if unlinking and not keys:
        parcels = await work.parcels.load_on_bill(head.logistics_code, head.bill_no)
    else:
        parcels = await work.parcels.load(keys)
    entries = record_master_bill_link(link, timelines(parcels), head.app_time)
    work.parcels.save_all(parcels.values())
    if unlinking:
        if bill is not None:
            bill.parcels = max(0, bill.parcels - len(entries))
            work.bills.save(bill)
        return f"{len(entries)} parcel(s) unlinked from master bill {head.bill_no}"
    bill = bill if bill is not None else _new_bill(link, context)
    bill.parcels += len(entries)
    work.bills.save(bill)
    publish_moves(work, parcels, keys, entries, "linked")
    return f"{len(entries)} parcel(s) linked to master bill {head.bill_no}"


_DEPARTURE_JOINS = (Movement.LIST_RELEASED, Movement.ARRIVED, Movement.LINKED_TO_MASTER_BILL)
"""What a departure checks of its parcels (DOMAIN.md §8), each recorded in a trace of its own."""


async def record_departure_message(
    work: LogisticsWork, context: Context, filed: Filed[Departure]
) -> str:
    """CEB509: parcels left the country at leaveTime; bookings among them fill warehouses."""
    departure, info = await assemble(work, context, DEPARTURE_SPLIT, filed)
    if departure is None:
        return info
    head = departure.head
    keys = parcel_keys(departure)
    parcels = await work.parcels.load(keys)
    # The departure joins what was recorded of its parcels in other traces: it links them.
    links = await work.parcels.movement_links(parcels.values(), _DEPARTURE_JOINS)
    with joining_span(
        "parcels departed",
        links,
        copNo=head.cop_no,
        logisticsCode=head.logistics_code,
        billNo=head.bill_no,
    ):
        entries = record_departure(departure, timelines(parcels))
        work.parcels.save_all(parcels.values())
        leave_time = ceb_time(head.leave_time)
        publish_moves(work, parcels, keys, entries, "departed", leave_time=leave_time)
        await bookings_departed(work, context, [parcels[k] for k in keys], head.leave_time)
    return f"departure {head.cop_no}: {len(keys)} parcel(s) left at {leave_time}"


async def record_site_entry_message(work: LogisticsWork, context: Context, entry: SiteEntry) -> str:
    """CEB711: import parcels entered the supervised site."""
    context.not_in_future(entry.head.app_time, "DeliveryHead.appTime", "CEB711")
    keys = parcel_keys(entry)
    parcels = await work.parcels.load(keys)
    entries = record_site_entry(entry, timelines(parcels), entry.head.app_time)
    work.parcels.save_all(parcels.values())
    publish_moves(work, parcels, keys, entries, "entered_site")
    return f"{len(keys)} parcel(s) entered the supervised site"


async def record_waybill_status(
    work: LogisticsWork, context: Context, status: DeliveryStatus
) -> str:
    """CEB513: the buyer signed for an import parcel (status S)."""
    context.not_in_future(status.logistics_time, "logisticsTime", "CEB513")
    parcel = await work.parcels.get(status.key)
    entry = record_delivery(status, parcel.timeline if parcel is not None else None)
    assert parcel is not None
    work.parcels.save(parcel)
    work.publish(moved(parcel, "delivered", entry))
    return f"parcel {status.logistics_no} signed for"


ARRIVAL = split_kind(ARRIVAL_SPLIT, record_arrival_message)
MASTER_BILL = split_kind(MASTER_BILL_SPLIT, record_master_bill_message)
DEPARTURE = split_kind(DEPARTURE_SPLIT, record_departure_message)
SITE_ENTRY = DocumentKind(
    "CEB711",
    lambda d: pick(head_of(d, "DeliveryHead"), "guid", "copNo", "operatorCode", "customsCode"),
    parse_site_entry,
    record_site_entry_message,
)
WAYBILL_STATUS = DocumentKind(
    "CEB513",
    lambda d: pick(d, "guid", "logisticsCode", "logisticsNo", "logisticsStatus"),
    parse_delivery_status,
    record_waybill_status,
)
