"""Loading domain objects from the tables and writing their changes back, one aggregate per
module; the unit of work (:mod:`cbec.logistics.unit_of_work`) holds one of each::

    parcels = await work.parcels.load(keys)
    entries = record_arrival(arrival, timelines(parcels), at=now)
    work.parcels.save_all(parcels.values())
"""

from cbec.logistics.repository.documents import (
    MasterBillRepository,
    ReceiptRepository,
    SplitPartRepository,
    WaybillRepository,
    waybill_record,
)
from cbec.logistics.repository.lists import (
    ListRepository,
    list_row,
    released_list,
    return_record,
    returned_lines_json,
)
from cbec.logistics.repository.parcels import CHUNK, LoadedParcel, ParcelRepository, timelines
from cbec.logistics.repository.warehouses import (
    BookingRepository,
    LoadedWarehouse,
    WarehouseRepository,
    booking_lines_json,
    booking_of,
)

__all__ = [
    "CHUNK",
    "BookingRepository",
    "ListRepository",
    "LoadedParcel",
    "LoadedWarehouse",
    "MasterBillRepository",
    "ParcelRepository",
    "ReceiptRepository",
    "SplitPartRepository",
    "WarehouseRepository",
    "WaybillRepository",
    "booking_lines_json",
    "booking_of",
    "list_row",
    "released_list",
    "return_record",
    "returned_lines_json",
    "timelines",
    "waybill_record",
]
