"""The goods movement messages: their models, field rules and parsing.

CEB507 arrival, CEB607 master bill link, CEB509 departure (each may come split by
``msgCount`` / ``msgSeqNo``), CEB711 site entry and CEB513 waybill status::

    arrival = parse_arrival(raw)
    keys = parcel_keys(arrival)
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from itertools import chain
from typing import Any, TypeVar

from pydantic import Field

from cbec.logistics.domain.errors import SplitMessageConflict, Violation
from cbec.logistics.domain.fields import (
    COMMON_HEAD_RULES,
    AppType,
    CebTime,
    FieldRule,
    amount,
    ceb_time,
    count,
    fixed,
    one_of,
    party_code,
    text,
)
from cbec.logistics.domain.parsing import parse_document, parse_record
from cbec.logistics.domain.waybills import (
    EXPORT_LOGISTICS_NO_MAX,
    IMPORT_LOGISTICS_NO_MAX,
    ParcelKey,
)
from cbec.shared.ceb.base import CebDocument

# A movement message carries up to 100 records, but a split arrival/departure/link may list
# any number of parcels in total.
_SPLIT_RULES: tuple[FieldRule, ...] = (
    count("msgCount", required=False),
    count("msgSeqNo", required=False),
)


class ParcelLine(CebDocument):
    """A line of an arrival, departure or site entry: one parcel by its waybill number."""

    gnum: int
    logistics_no: str
    total_package_no: str | None = None
    note: str | None = None


class _SplitHead(CebDocument):
    guid: str
    app_type: AppType
    app_time: CebTime
    app_status: str
    customs_code: str
    cop_no: str
    pre_no: str | None = None
    logistics_code: str
    logistics_name: str
    msg_count: int | None = None
    msg_seq_no: int | None = None
    note: str | None = None


class ArrivalHead(_SplitHead):
    operator_code: str
    operator_name: str
    loct_no: str | None = None
    ie_flag: str
    traf_mode: str
    bill_no: str | None = None
    domestic_traf_no: str


class Arrival(CebDocument):
    """CEB507 ``Arrival``: parcels reported at the export supervised site."""

    head: ArrivalHead = Field(alias="ArrivalHead")
    parcels: tuple[ParcelLine, ...] = Field(alias="ArrivalList", default=())

    @property
    def split_position(self) -> tuple[int, int]:
        return self.head.msg_count or 1, self.head.msg_seq_no or 1


class DepartureHead(_SplitHead):
    traf_mode: str
    traf_name: str | None = None
    voyage_no: str | None = None
    bill_no: str | None = None
    leave_time: CebTime


class Departure(CebDocument):
    """CEB509 ``Departure``: parcels that left the country at ``leaveTime``."""

    head: DepartureHead = Field(alias="DepartureHead")
    parcels: tuple[ParcelLine, ...] = Field(alias="DepartureList", default=())

    @property
    def split_position(self) -> tuple[int, int]:
        return self.head.msg_count or 1, self.head.msg_seq_no or 1


class MasterBillHead(_SplitHead):
    agent_code: str
    agent_name: str
    loct_no: str | None = None
    traf_mode: str
    traf_name: str
    voyage_no: str
    bill_no: str
    domestic_traf_no: str | None = None
    gross_weight: Decimal


class MasterBillLine(ParcelLine):
    invt_no: str | None = None


class MasterBillLink(CebDocument):
    """CEB607 ``WayBill``: a flight or vessel bill and the parcels (and lists) it carries."""

    head: MasterBillHead = Field(alias="WayBillHead")
    parcels: tuple[MasterBillLine, ...] = Field(alias="WayBillList", default=())

    @property
    def split_position(self) -> tuple[int, int]:
        return self.head.msg_count or 1, self.head.msg_seq_no or 1


class SiteEntryHead(CebDocument):
    guid: str
    app_type: AppType
    app_time: CebTime
    app_status: str
    customs_code: str
    cop_no: str | None = None
    pre_no: str | None = None
    rkd_no: str | None = None
    operator_code: str
    operator_name: str
    ie_flag: str
    traf_mode: str
    traf_no: str
    voyage_no: str
    bill_no: str
    logistics_code: str
    logistics_name: str
    unload_location: str | None = None
    note: str | None = None


class SiteEntry(CebDocument):
    """CEB711 ``Delivery``: import parcels that entered the supervised site."""

    head: SiteEntryHead = Field(alias="DeliveryHead")
    parcels: tuple[ParcelLine, ...] = Field(alias="DeliveryList", default=())


class DeliveryStatus(CebDocument):
    """CEB513 ``LogisticsStatus``: an import parcel signed for (``S``) at ``logisticsTime``."""

    guid: str
    app_type: AppType
    app_time: CebTime
    app_status: str
    logistics_code: str
    logistics_name: str
    logistics_no: str
    logistics_status: str
    logistics_time: CebTime
    note: str | None = None

    @property
    def key(self) -> ParcelKey:
        return ParcelKey(self.logistics_code, self.logistics_no)


ARRIVAL_HEAD_RULES: tuple[FieldRule, ...] = (
    *COMMON_HEAD_RULES,
    fixed("customsCode", 4, digits=True),
    text("copNo", 30),
    fixed("preNo", 18, required=False),
    party_code("operatorCode"),
    text("operatorName", 100),
    text("loctNo", 10, required=False),
    one_of("ieFlag", "E", rule="CEB507 reports export parcels: ieFlag must be E"),
    fixed("trafMode", 1),
    text("billNo", 37, required=False),
    text("domesticTrafNo", 100),
    party_code("logisticsCode"),
    text("logisticsName", 100),
    *_SPLIT_RULES,
    text("note", 1000, required=False),
)

ARRIVAL_LINE_RULES: tuple[FieldRule, ...] = (
    count("gnum"),
    text("logisticsNo", EXPORT_LOGISTICS_NO_MAX),
    text("totalPackageNo", 37, required=False),
    text("note", 1000, required=False),
)

DEPARTURE_HEAD_RULES: tuple[FieldRule, ...] = (
    *COMMON_HEAD_RULES,
    fixed("customsCode", 4, digits=True),
    text("copNo", 30),
    fixed("preNo", 18, required=False),
    party_code("logisticsCode"),
    text("logisticsName", 100),
    fixed("trafMode", 1),
    text("trafName", 100, required=False),
    text("voyageNo", 32, required=False),
    text("billNo", 37, required=False),
    ceb_time("leaveTime"),
    *_SPLIT_RULES,
    text("note", 1000, required=False),
)

DEPARTURE_LINE_RULES = ARRIVAL_LINE_RULES

MASTER_BILL_HEAD_RULES: tuple[FieldRule, ...] = (
    *COMMON_HEAD_RULES,
    fixed("customsCode", 4, digits=True),
    text("copNo", 30),
    fixed("preNo", 18, required=False),
    party_code("agentCode"),
    text("agentName", 100),
    text("loctNo", 10, required=False),
    fixed("trafMode", 1),
    text("trafName", 100),
    text("voyageNo", 32),
    text("billNo", 37),
    text("domesticTrafNo", 100, required=False),
    amount("grossWeight", exclusive=True),
    party_code("logisticsCode"),
    text("logisticsName", 100),
    *_SPLIT_RULES,
    text("note", 1000, required=False),
)

MASTER_BILL_LINE_RULES: tuple[FieldRule, ...] = (
    count("gnum"),
    text("totalPackageNo", 60, required=False),
    text("logisticsNo", EXPORT_LOGISTICS_NO_MAX),
    text("invtNo", 20, required=False),
    text("note", 1000, required=False),
)

SITE_ENTRY_HEAD_RULES: tuple[FieldRule, ...] = (
    *COMMON_HEAD_RULES,
    fixed("customsCode", 4, digits=True),
    text("copNo", 20, required=False),
    text("preNo", 18, required=False),
    text("rkdNo", 18, required=False),
    party_code("operatorCode"),
    text("operatorName", 100),
    one_of("ieFlag", "I", rule="CEB711 reports import parcels: ieFlag must be I"),
    fixed("trafMode", 1),
    text("trafNo", 100),
    text("voyageNo", 32),
    text("billNo", 37),
    party_code("logisticsCode"),
    text("logisticsName", 100),
    text("unloadLocation", 100, required=False),
    text("note", 1000, required=False),
)

SITE_ENTRY_LINE_RULES: tuple[FieldRule, ...] = (
    count("gnum"),
    text("logisticsNo", IMPORT_LOGISTICS_NO_MAX),
    text("note", 1000, required=False),
)

DELIVERY_STATUS_RULES: tuple[FieldRule, ...] = (
    *COMMON_HEAD_RULES,
    party_code("logisticsCode"),
    text("logisticsName", 100),
    text("logisticsNo", IMPORT_LOGISTICS_NO_MAX),
    # CEB513: "物流签收状态，限定S".
    one_of("logisticsStatus", "S", rule="logisticsStatus must be S (signed for)"),
    ceb_time("logisticsTime"),
    text("note", 1000, required=False),
)


def parse_arrival(raw: Any) -> Arrival:
    return parse_document(
        Arrival,
        raw,
        "CEB507",
        head=("ArrivalHead", ARRIVAL_HEAD_RULES),
        lines=("ArrivalList", ARRIVAL_LINE_RULES),
        lines_optional_on_delete=True,
    )


def parse_departure(raw: Any) -> Departure:
    return parse_document(
        Departure,
        raw,
        "CEB509",
        head=("DepartureHead", DEPARTURE_HEAD_RULES),
        lines=("DepartureList", DEPARTURE_LINE_RULES),
    )


def parse_master_bill_link(raw: Any) -> MasterBillLink:
    return parse_document(
        MasterBillLink,
        raw,
        "CEB607",
        head=("WayBillHead", MASTER_BILL_HEAD_RULES),
        lines=("WayBillList", MASTER_BILL_LINE_RULES),
        lines_optional_on_delete=True,
    )


def parse_site_entry(raw: Any) -> SiteEntry:
    return parse_document(
        SiteEntry,
        raw,
        "CEB711",
        head=("DeliveryHead", SITE_ENTRY_HEAD_RULES),
        lines=("DeliveryList", SITE_ENTRY_LINE_RULES),
    )


def parse_delivery_status(raw: Any) -> DeliveryStatus:
    return parse_record(DeliveryStatus, raw, DELIVERY_STATUS_RULES, "CEB513")


D = TypeVar("D", Arrival, Departure, MasterBillLink)


def combine_parts(parts: Sequence[D]) -> D:
    """One message out of the parts of a split message, given in sequence order.

    The head is the first part's; the parcels are every part's, in order. Parts of another
    document (another copNo or logistics enterprise) are refused.
    """
    if not parts:
        raise ValueError("a split message has at least one part")
    first = parts[0].head
    for part in parts[1:]:
        for name, mine, theirs in (
            ("copNo", part.head.cop_no, first.cop_no),
            ("logisticsCode", part.head.logistics_code, first.logistics_code),
        ):
            if mine != theirs:
                raise SplitMessageConflict(
                    first.cop_no,
                    Violation(
                        field=name,
                        rule=f"every part of a split message has the same {name}",
                        value=mine,
                        expected=theirs,
                    ),
                )
    lines = tuple(chain.from_iterable(part.parcels for part in parts))
    return parts[0].model_copy(update={"parcels": lines})


def parcel_keys(message: Arrival | Departure | MasterBillLink | SiteEntry) -> list[ParcelKey]:
    """The parcels a movement message names, as keys to load their timelines."""
    code = message.head.logistics_code
    return [ParcelKey(code, line.logistics_no) for line in message.parcels]
