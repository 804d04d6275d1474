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

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from itertools import chain
from typing import Any, TypeVar

from pydantic import Field

from cbec.logistics.domain.errors import MovementRefused, SplitMessageConflict, Violation
from cbec.logistics.domain.fields import (
    COMMON_HEAD_RULES,
    AppType,
    CebModel,
    CebTime,
    FieldRule,
    amount,
    ceb_time,
    count,
    fixed,
    one_of,
    parse_document,
    parse_record,
    party_code,
    require_aware,
    text,
)
from cbec.logistics.domain.timeline import Movement, ParcelState, ParcelTimeline, TimelineEntry
from cbec.logistics.domain.waybills import (
    EXPORT_LOGISTICS_NO_MAX,
    IMPORT_LOGISTICS_NO_MAX,
    ParcelKey,
)

# A movement message carries up to 100 records, but a split arrival/departure/link may list
# any number of parcels in total.
_SPLIT_RULES: tuple[FieldRule, ...] = (
    count("msgCount", required=False),
    count("msgSeqNo", required=False),
)


class ParcelLine(CebModel):
    """A line of an arrival, departure or site entry: one parcel by its waybill number."""

    gnum: int
    logistics_no: str
    total_package_no: str | None = None
    note: str | None = None


class _SplitHead(CebModel):
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


class Arrival(CebModel):
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


class Departure(CebModel):
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


class MasterBillLink(CebModel):
    """CEB607 ``WayBill``: a flight or vessel bill and the parcels (and lists) it carries."""

    head: MasterBillHead = Field(alias="WayBillHead")
    parcels: tuple[MasterBillLine, ...] = Field(alias="WayBillList", default=())

    @property
    def split_position(self) -> tuple[int, int]:
        return self.head.msg_count or 1, self.head.msg_seq_no or 1


class SiteEntryHead(CebModel):
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


class SiteEntry(CebModel):
    """CEB711 ``Delivery``: import parcels that entered the supervised site."""

    head: SiteEntryHead = Field(alias="DeliveryHead")
    parcels: tuple[ParcelLine, ...] = Field(alias="DeliveryList", default=())


class DeliveryStatus(CebModel):
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


# --- checks --------------------------------------------------------------------------------


def _only_new(app_type: AppType, where: str, document: str) -> list[Violation]:
    if app_type is AppType.NEW:
        return []
    return [
        Violation(
            field=where,
            rule=f"only a new {document} (appType 1) moves parcels",
            value=app_type.value,
            expected=AppType.NEW.value,
        )
    ]


def _lookup(
    parcels: Mapping[ParcelKey, ParcelTimeline],
    key: ParcelKey,
    where: str,
    ie_flag: str,
    seen: set[ParcelKey],
    violations: list[Violation],
) -> ParcelTimeline | None:
    """The parcel's timeline, or None after recording why the line cannot be used."""
    if key in seen:
        violations.append(
            Violation(field=where, rule="a parcel appears once per message", value=key.logistics_no)
        )
        return None
    seen.add(key)
    timeline = parcels.get(key)
    if timeline is None or timeline.state is ParcelState.WAYBILL_DELETED:
        violations.append(
            Violation(
                field=where,
                rule=f"no waybill on file for this parcel from logisticsCode {key.logistics_code}",
                value=key.logistics_no,
            )
        )
        return None
    if timeline.ie_flag != ie_flag:
        kind = "an export" if ie_flag == "E" else "an import"
        violations.append(
            Violation(
                field=where,
                rule=f"the parcel must have {kind} waybill",
                value=timeline.ie_flag,
                expected=ie_flag,
            )
        )
        return None
    return timeline


def _not_allowed(timeline: ParcelTimeline, movement: Movement, where: str) -> Violation:
    return Violation(
        field=where,
        rule=f"{movement.value} is not allowed for a parcel in state {timeline.state.value}",
        value=timeline.key.logistics_no,
        expected=timeline.state.value,
    )


_ARRIVED_STATES = frozenset(
    {
        ParcelState.ARRIVED,
        ParcelState.ARRIVED_AWAITING_RELEASE,
        ParcelState.LINKED_TO_MASTER_BILL,
    }
)
_NOT_ARRIVED_STATES = frozenset({ParcelState.WAYBILL_REGISTERED, ParcelState.LIST_RELEASED})
_GONE_STATES = frozenset({ParcelState.DEPARTED, ParcelState.RETURN_APPLIED, ParcelState.RETURNED})


def _never_arrived(timeline: ParcelTimeline, where: str) -> Violation:
    return Violation(
        field=where,
        rule="the parcel never arrived at the supervised site (no CEB507 arrival)",
        value=timeline.key.logistics_no,
    )


def _list_not_released(timeline: ParcelTimeline, where: str) -> Violation:
    return Violation(
        field=where,
        rule="the parcel's inventory list is not released",
        value=timeline.key.logistics_no,
    )


def _apply_all(
    timelines: list[ParcelTimeline],
    movement: Movement,
    at: datetime,
    reference: str,
    *,
    bill_no: str | None = None,
) -> list[TimelineEntry]:
    return [timeline.apply(movement, at, reference, bill_no=bill_no) for timeline in timelines]


# --- arrival (CEB507) ----------------------------------------------------------------------


def check_arrival(arrival: Arrival, parcels: Mapping[ParcelKey, ParcelTimeline]) -> list[Violation]:
    """Every reason why the arrival report does not fit its parcels (empty when it does)."""
    violations = _only_new(arrival.head.app_type, "ArrivalHead.appType", "arrival report")
    seen: set[ParcelKey] = set()
    for position, line in enumerate(arrival.parcels, start=1):
        where = f"ArrivalList[{position}].logisticsNo"
        key = ParcelKey(arrival.head.logistics_code, line.logistics_no)
        timeline = _lookup(parcels, key, where, "E", seen, violations)
        if timeline is None or timeline.allows(Movement.ARRIVED):
            continue
        if timeline.state in _ARRIVED_STATES:
            violations.append(
                Violation(
                    field=where,
                    rule="the parcel has already arrived at the supervised site",
                    value=line.logistics_no,
                )
            )
        else:
            violations.append(_not_allowed(timeline, Movement.ARRIVED, where))
    return violations


def record_arrival(
    arrival: Arrival, parcels: Mapping[ParcelKey, ParcelTimeline], at: datetime
) -> list[TimelineEntry]:
    """Move every parcel of the arrival report to the site, or refuse the whole report."""
    require_aware(at)
    violations = check_arrival(arrival, parcels)
    if violations:
        raise MovementRefused("CEB507", violations)
    code = arrival.head.logistics_code
    checked = [parcels[ParcelKey(code, line.logistics_no)] for line in arrival.parcels]
    return _apply_all(checked, Movement.ARRIVED, at, arrival.head.cop_no)


# --- master bill link (CEB607) -------------------------------------------------------------


def check_master_bill_link(
    link: MasterBillLink, parcels: Mapping[ParcelKey, ParcelTimeline]
) -> list[Violation]:
    """Every reason why the master bill link does not fit its parcels and lists."""
    head = link.head
    if head.app_type is AppType.CHANGE:
        return [
            Violation(
                field="WayBillHead.appType",
                rule="a master bill link is changed by deleting it (appType 3) and filing it anew",
                value=head.app_type.value,
            )
        ]
    violations: list[Violation] = []
    seen: set[ParcelKey] = set()
    for position, line in enumerate(_link_lines(link, parcels), start=1):
        where = f"WayBillList[{position}].logisticsNo"
        key = ParcelKey(head.logistics_code, line.logistics_no)
        timeline = _lookup(parcels, key, where, "E", seen, violations)
        if timeline is None:
            continue
        if head.app_type is AppType.DELETE:
            if timeline.bill_no != head.bill_no:
                violations.append(
                    Violation(
                        field=where,
                        rule="only a parcel linked to this master bill can be unlinked from it",
                        value=timeline.bill_no,
                        expected=head.bill_no,
                    )
                )
            continue
        if line.invt_no is not None and timeline.invt_no != line.invt_no:
            violations.append(
                Violation(
                    field=f"WayBillList[{position}].invtNo",
                    rule="invtNo must be the released inventory list of the parcel",
                    value=line.invt_no,
                    expected=timeline.invt_no,
                )
            )
        if timeline.allows(Movement.LINKED_TO_MASTER_BILL):
            continue
        if timeline.state in _NOT_ARRIVED_STATES:
            violations.append(_never_arrived(timeline, where))
        elif timeline.state is ParcelState.ARRIVED_AWAITING_RELEASE:
            violations.append(_list_not_released(timeline, where))
        elif timeline.state is ParcelState.LINKED_TO_MASTER_BILL:
            violations.append(
                Violation(
                    field=where,
                    rule="the parcel is already linked to a master bill",
                    value=timeline.bill_no,
                    expected=head.bill_no,
                )
            )
        else:
            violations.append(_not_allowed(timeline, Movement.LINKED_TO_MASTER_BILL, where))
    return violations


def _link_lines(
    link: MasterBillLink, parcels: Mapping[ParcelKey, ParcelTimeline]
) -> Sequence[MasterBillLine]:
    """The lines a link names; a delete without lines means every parcel on that bill."""
    if link.parcels or link.head.app_type is not AppType.DELETE:
        return link.parcels
    return [
        MasterBillLine(gnum=n, logistics_no=t.key.logistics_no)
        for n, t in enumerate(
            sorted(
                (t for t in parcels.values() if t.bill_no == link.head.bill_no),
                key=lambda t: t.key,
            ),
            start=1,
        )
    ]


def record_master_bill_link(
    link: MasterBillLink, parcels: Mapping[ParcelKey, ParcelTimeline], at: datetime
) -> list[TimelineEntry]:
    """Link (appType 1) or unlink (appType 3) the parcels of a master bill, all or none."""
    require_aware(at)
    violations = check_master_bill_link(link, parcels)
    if violations:
        raise MovementRefused("CEB607", violations)
    code = link.head.logistics_code
    movement = (
        Movement.UNLINKED_FROM_MASTER_BILL
        if link.head.app_type is AppType.DELETE
        else Movement.LINKED_TO_MASTER_BILL
    )
    checked = [parcels[ParcelKey(code, line.logistics_no)] for line in _link_lines(link, parcels)]
    return _apply_all(checked, movement, at, link.head.cop_no, bill_no=link.head.bill_no)


# --- departure (CEB509) --------------------------------------------------------------------


def check_departure(
    departure: Departure, parcels: Mapping[ParcelKey, ParcelTimeline]
) -> list[Violation]:
    """Every reason why the departure does not fit its parcels: never arrived, list not
    released, already departed, left before it arrived, or on another master bill."""
    head = departure.head
    violations = _only_new(head.app_type, "DepartureHead.appType", "departure")
    seen: set[ParcelKey] = set()
    for position, line in enumerate(departure.parcels, start=1):
        where = f"DepartureList[{position}].logisticsNo"
        key = ParcelKey(head.logistics_code, line.logistics_no)
        timeline = _lookup(parcels, key, where, "E", seen, violations)
        if timeline is None:
            continue
        if not timeline.allows(Movement.DEPARTED):
            if timeline.state in _NOT_ARRIVED_STATES:
                violations.append(_never_arrived(timeline, where))
            elif timeline.state is ParcelState.ARRIVED_AWAITING_RELEASE:
                violations.append(_list_not_released(timeline, where))
            elif timeline.state in _GONE_STATES:
                violations.append(
                    Violation(
                        field=where, rule="the parcel has already departed", value=key.logistics_no
                    )
                )
            else:
                violations.append(_not_allowed(timeline, Movement.DEPARTED, where))
            continue
        arrived_at = timeline.arrived_at
        if arrived_at is not None and head.leave_time < arrived_at:
            violations.append(
                Violation(
                    field="DepartureHead.leaveTime",
                    rule=f"leaveTime must not be before the arrival of parcel {key.logistics_no}",
                    value=head.leave_time.isoformat(),
                    expected=f">= {arrived_at.isoformat()}",
                )
            )
        if head.bill_no and timeline.bill_no and head.bill_no != timeline.bill_no:
            violations.append(
                Violation(
                    field="DepartureHead.billNo",
                    rule=f"billNo must be the master bill parcel {key.logistics_no} is linked to",
                    value=head.bill_no,
                    expected=timeline.bill_no,
                )
            )
    return violations


def record_departure(
    departure: Departure, parcels: Mapping[ParcelKey, ParcelTimeline]
) -> list[TimelineEntry]:
    """Move every parcel of the departure out of the country at ``leaveTime``, or none."""
    violations = check_departure(departure, parcels)
    if violations:
        raise MovementRefused("CEB509", violations)
    code = departure.head.logistics_code
    checked = [parcels[ParcelKey(code, line.logistics_no)] for line in departure.parcels]
    return _apply_all(checked, Movement.DEPARTED, departure.head.leave_time, departure.head.cop_no)


# --- import: site entry (CEB711) and delivery (CEB513) -------------------------------------


def check_site_entry(
    entry: SiteEntry, parcels: Mapping[ParcelKey, ParcelTimeline]
) -> list[Violation]:
    """Every reason why the site entry does not fit its import parcels."""
    head = entry.head
    violations = _only_new(head.app_type, "DeliveryHead.appType", "site entry")
    seen: set[ParcelKey] = set()
    for position, line in enumerate(entry.parcels, start=1):
        where = f"DeliveryList[{position}].logisticsNo"
        key = ParcelKey(head.logistics_code, line.logistics_no)
        timeline = _lookup(parcels, key, where, "I", seen, violations)
        if timeline is None or timeline.allows(Movement.ENTERED_SITE):
            continue
        violations.append(
            Violation(
                field=where,
                rule="the parcel has already entered the supervised site",
                value=line.logistics_no,
                expected=timeline.state.value,
            )
        )
    return violations


def record_site_entry(
    entry: SiteEntry, parcels: Mapping[ParcelKey, ParcelTimeline], at: datetime
) -> list[TimelineEntry]:
    """Move every parcel of the CEB711 into the supervised site, or none."""
    require_aware(at)
    violations = check_site_entry(entry, parcels)
    if violations:
        raise MovementRefused("CEB711", violations)
    code = entry.head.logistics_code
    checked = [parcels[ParcelKey(code, line.logistics_no)] for line in entry.parcels]
    reference = entry.head.cop_no or entry.head.bill_no
    return _apply_all(checked, Movement.ENTERED_SITE, at, reference)


def check_delivery(status: DeliveryStatus, timeline: ParcelTimeline | None) -> list[Violation]:
    """Every reason why the parcel cannot be signed for: unknown, not released, twice, early."""
    where = "logisticsNo"
    violations = _only_new(status.app_type, "appType", "waybill status")
    found = _lookup(
        {status.key: timeline} if timeline is not None else {},
        status.key,
        where,
        "I",
        set(),
        violations,
    )
    if found is None:
        return violations
    if not found.allows(Movement.DELIVERED):
        if found.state in (ParcelState.WAYBILL_REGISTERED, ParcelState.ENTERED_SITE):
            violations.append(_list_not_released(found, where))
        elif found.state is ParcelState.DELIVERED:
            violations.append(
                Violation(
                    field=where,
                    rule="the parcel is already signed for",
                    value=found.key.logistics_no,
                )
            )
        else:
            violations.append(_not_allowed(found, Movement.DELIVERED, where))
        return violations
    released_at = found.released_at
    if released_at is not None and status.logistics_time < released_at:
        violations.append(
            Violation(
                field="logisticsTime",
                rule="a parcel is signed for after its list is released",
                value=status.logistics_time.isoformat(),
                expected=f">= {released_at.isoformat()}",
            )
        )
    return violations


def record_delivery(status: DeliveryStatus, timeline: ParcelTimeline | None) -> TimelineEntry:
    """The buyer signed for the parcel (CEB513 ``S``) at ``logisticsTime``."""
    violations = check_delivery(status, timeline)
    if violations or timeline is None:
        raise MovementRefused("CEB513", violations)
    return timeline.apply(Movement.DELIVERED, status.logistics_time, status.guid)
