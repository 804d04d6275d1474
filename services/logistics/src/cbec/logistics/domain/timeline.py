"""The timeline of a parcel: a state machine with an explicit table of allowed transitions.

Export 9610 (domain reference §8): waybill registered -> list released -> arrived at the
supervised site (CEB507) -> linked to a master bill (CEB607) -> departed (CEB509); returns
(CEB213 application, CEB215 tally) after departure. Import direct purchase: waybill registered
-> entered the supervised site (CEB711) -> list released -> delivered (CEB513 ``S``); returns
(CEB625) after release. Bonded import (1210): the goods already lie in the special customs zone,
so the list is released without a site entry (``bonded=True``).

The release of a list reaches the logistics service as an event of the declaration service,
the arrival report as a message of the site operator: the two race, so an export parcel may
arrive before its list's release is known (``arrived_awaiting_release``); it departs only when
both hold.

    timeline = ParcelTimeline.start(key, "E", at=filed_at, reference="CEB505")
    timeline.apply(Movement.LIST_RELEASED, at=released_at, reference=invt_no)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from cbec.logistics.domain.errors import IllegalTransition
from cbec.logistics.domain.fields import IeFlag, require_aware
from cbec.logistics.domain.waybills import ParcelKey


class ParcelState(StrEnum):
    WAYBILL_REGISTERED = "waybill_registered"
    WAYBILL_DELETED = "waybill_deleted"
    LIST_RELEASED = "list_released"
    ARRIVED_AWAITING_RELEASE = "arrived_awaiting_release"
    ARRIVED = "arrived"
    LINKED_TO_MASTER_BILL = "linked_to_master_bill"
    DEPARTED = "departed"
    ENTERED_SITE = "entered_site"
    DELIVERED = "delivered"
    RETURN_APPLIED = "return_applied"
    RETURNED = "returned"


class Movement(StrEnum):
    WAYBILL_DELETED = "waybill deleted (appType 3)"
    LIST_RELEASED = "list released"
    LIST_REVOKED = "list revoked"
    ARRIVED = "arrival at the supervised site (CEB507)"
    LINKED_TO_MASTER_BILL = "master bill link (CEB607)"
    UNLINKED_FROM_MASTER_BILL = "master bill link deleted (CEB607 appType 3)"
    DEPARTED = "departure (CEB509)"
    ENTERED_SITE = "entry into the supervised site (CEB711)"
    DELIVERED = "signed for (CEB513 S)"
    RETURN_APPLIED = "return application"
    RETURN_RECEIVED = "returned goods received"


S, M = ParcelState, Movement

EXPORT_TRANSITIONS: Mapping[tuple[ParcelState, Movement], ParcelState] = {
    (S.WAYBILL_REGISTERED, M.WAYBILL_DELETED): S.WAYBILL_DELETED,
    (S.WAYBILL_REGISTERED, M.LIST_RELEASED): S.LIST_RELEASED,
    (S.WAYBILL_REGISTERED, M.ARRIVED): S.ARRIVED_AWAITING_RELEASE,
    (S.LIST_RELEASED, M.ARRIVED): S.ARRIVED,
    (S.LIST_RELEASED, M.LIST_REVOKED): S.WAYBILL_REGISTERED,
    (S.ARRIVED_AWAITING_RELEASE, M.LIST_RELEASED): S.ARRIVED,
    (S.ARRIVED, M.LIST_REVOKED): S.ARRIVED_AWAITING_RELEASE,
    (S.ARRIVED, M.LINKED_TO_MASTER_BILL): S.LINKED_TO_MASTER_BILL,
    (S.ARRIVED, M.DEPARTED): S.DEPARTED,
    (S.LINKED_TO_MASTER_BILL, M.UNLINKED_FROM_MASTER_BILL): S.ARRIVED,
    (S.LINKED_TO_MASTER_BILL, M.DEPARTED): S.DEPARTED,
    (S.DEPARTED, M.RETURN_APPLIED): S.RETURN_APPLIED,
    (S.RETURN_APPLIED, M.RETURN_RECEIVED): S.RETURNED,
    # A partial return may be followed by another one for the remaining quantities.
    (S.RETURNED, M.RETURN_APPLIED): S.RETURN_APPLIED,
}

IMPORT_TRANSITIONS: Mapping[tuple[ParcelState, Movement], ParcelState] = {
    (S.WAYBILL_REGISTERED, M.WAYBILL_DELETED): S.WAYBILL_DELETED,
    (S.WAYBILL_REGISTERED, M.ENTERED_SITE): S.ENTERED_SITE,
    (S.ENTERED_SITE, M.LIST_RELEASED): S.LIST_RELEASED,
    (S.LIST_RELEASED, M.LIST_REVOKED): S.ENTERED_SITE,
    (S.LIST_RELEASED, M.DELIVERED): S.DELIVERED,
    (S.LIST_RELEASED, M.RETURN_APPLIED): S.RETURN_APPLIED,
    (S.DELIVERED, M.RETURN_APPLIED): S.RETURN_APPLIED,
    (S.RETURN_APPLIED, M.RETURN_RECEIVED): S.RETURNED,
    (S.RETURNED, M.RETURN_APPLIED): S.RETURN_APPLIED,
}

BONDED_TRADE_MODE = "1210"
BONDED_RELEASE: Mapping[tuple[ParcelState, Movement], ParcelState] = {
    (S.WAYBILL_REGISTERED, M.LIST_RELEASED): S.LIST_RELEASED,
}
"""Bonded imports (DOMAIN.md §8): the goods are in the special customs zone before the order, so
their list is released with no site entry first (CEB711 is the direct purchase's 入库明细单)."""

TRANSITIONS: Mapping[IeFlag, Mapping[tuple[ParcelState, Movement], ParcelState]] = {
    "E": EXPORT_TRANSITIONS,
    "I": IMPORT_TRANSITIONS,
}

# The state a movement leads to when it is refused (the "to" of an illegal transition).
NOMINAL_TARGET: Mapping[Movement, ParcelState] = {
    M.WAYBILL_DELETED: S.WAYBILL_DELETED,
    M.LIST_RELEASED: S.LIST_RELEASED,
    M.LIST_REVOKED: S.WAYBILL_REGISTERED,
    M.ARRIVED: S.ARRIVED,
    M.LINKED_TO_MASTER_BILL: S.LINKED_TO_MASTER_BILL,
    M.UNLINKED_FROM_MASTER_BILL: S.ARRIVED,
    M.DEPARTED: S.DEPARTED,
    M.ENTERED_SITE: S.ENTERED_SITE,
    M.DELIVERED: S.DELIVERED,
    M.RETURN_APPLIED: S.RETURN_APPLIED,
    M.RETURN_RECEIVED: S.RETURNED,
}

# Export parcels whose list is released and that have not left the country yet.
AWAITING_DEPARTURE = frozenset({S.LIST_RELEASED, S.ARRIVED, S.LINKED_TO_MASTER_BILL})


def allowed_from(ie_flag: IeFlag, movement: Movement) -> tuple[ParcelState, ...]:
    """The states from which ``movement`` is allowed, in the table's order."""
    return tuple(state for (state, m) in TRANSITIONS[ie_flag] if m is movement)


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One step of a parcel's life: when, what, from which state to which, and the document."""

    at: datetime
    movement: Movement | None
    from_state: ParcelState | None
    to_state: ParcelState
    reference: str


@dataclass(slots=True)
class ParcelTimeline:
    """The life of one parcel, keyed by its waybill; ``apply`` appends an entry or raises."""

    key: ParcelKey
    ie_flag: IeFlag
    state: ParcelState
    entries: list[TimelineEntry] = field(default_factory=list)
    invt_no: str | None = None
    bill_no: str | None = None

    @classmethod
    def start(cls, key: ParcelKey, ie_flag: IeFlag, at: datetime, reference: str) -> ParcelTimeline:
        """The timeline of a parcel whose waybill was just filed."""
        entry = TimelineEntry(
            at=require_aware(at),
            movement=None,
            from_state=None,
            to_state=S.WAYBILL_REGISTERED,
            reference=reference,
        )
        return cls(key=key, ie_flag=ie_flag, state=S.WAYBILL_REGISTERED, entries=[entry])

    def next_state(self, movement: Movement, *, bonded: bool = False) -> ParcelState | None:
        """Where ``movement`` would take the parcel, or None when the table forbids it;
        ``bonded``: the movement concerns a bonded import list (1210)."""
        found = TRANSITIONS[self.ie_flag].get((self.state, movement))
        if found is None and bonded and self.ie_flag == "I":
            found = BONDED_RELEASE.get((self.state, movement))
        return found

    def allows(self, movement: Movement, *, bonded: bool = False) -> bool:
        return self.next_state(movement, bonded=bonded) is not None

    def apply(
        self,
        movement: Movement,
        at: datetime,
        reference: str,
        *,
        invt_no: str | None = None,
        bill_no: str | None = None,
        bonded: bool = False,
    ) -> TimelineEntry:
        """Move the parcel and append the entry; IllegalTransition (nothing changed) otherwise.

        ``invt_no`` records the released list (LIST_RELEASED); ``bill_no`` the master bill
        (LINKED_TO_MASTER_BILL). Revoking the list or deleting the link clears them.
        ``bonded``: the list is a bonded import list (1210), released without a site entry.
        """
        require_aware(at)
        target = self.next_state(movement, bonded=bonded)
        if target is None:
            raise IllegalTransition(
                parcel=str(self.key),
                movement=movement.value,
                from_state=self.state.value,
                to_state=NOMINAL_TARGET[movement].value,
                allowed_from=[s.value for s in allowed_from(self.ie_flag, movement)],
            )
        entry = TimelineEntry(
            at=at, movement=movement, from_state=self.state, to_state=target, reference=reference
        )
        if movement is M.LIST_RELEASED:
            self.invt_no = invt_no or reference
        elif movement is M.LIST_REVOKED:
            self.invt_no = None
        elif movement is M.LINKED_TO_MASTER_BILL:
            self.bill_no = bill_no or reference
        elif movement is M.UNLINKED_FROM_MASTER_BILL:
            self.bill_no = None
        self.state = target
        self.entries.append(entry)
        return entry

    def last_time(self, movement: Movement) -> datetime | None:
        """When ``movement`` last happened to the parcel, if ever."""
        for entry in reversed(self.entries):
            if entry.movement is movement:
                return entry.at
        return None

    @property
    def released_at(self) -> datetime | None:
        return self.last_time(M.LIST_RELEASED)

    @property
    def arrived_at(self) -> datetime | None:
        return self.last_time(M.ARRIVED)

    @property
    def list_released(self) -> bool:
        return self.invt_no is not None

    @property
    def has_arrived(self) -> bool:
        return self.last_time(M.ARRIVED) is not None


@dataclass(frozen=True, slots=True)
class OverdueParcel:
    """An export parcel released but not departed within the allowed time."""

    key: ParcelKey
    invt_no: str | None
    state: ParcelState
    released_at: datetime
    due_at: datetime
    overdue_by: timedelta


def find_overdue(
    timelines: Iterable[ParcelTimeline], now: datetime, max_wait: timedelta
) -> list[OverdueParcel]:
    """Export parcels released more than ``max_wait`` before ``now`` that have not departed.

    How long a released parcel may wait is not published: ``max_wait`` comes from settings.
    The result is ordered by release time, oldest first.
    """
    require_aware(now, "now")
    if max_wait <= timedelta(0):
        raise ValueError(f"max_wait must be positive, got {max_wait}")
    out: list[OverdueParcel] = []
    for timeline in timelines:
        if timeline.ie_flag != "E" or timeline.state not in AWAITING_DEPARTURE:
            continue
        released_at = timeline.released_at
        if released_at is None:
            continue
        due_at = released_at + max_wait
        if now > due_at:
            out.append(
                OverdueParcel(
                    key=timeline.key,
                    invt_no=timeline.invt_no,
                    state=timeline.state,
                    released_at=released_at,
                    due_at=due_at,
                    overdue_by=now - due_at,
                )
            )
    return sorted(out, key=lambda parcel: (parcel.released_at, parcel.key))
