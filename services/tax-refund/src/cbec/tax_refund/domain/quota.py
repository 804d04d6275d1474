"""The buyer's annual quota of CBEC retail imports (DOMAIN.md §6.4, 财关税〔2018〕49号).

Each buyer (by ID number) may import 26,000.00 CNY of dutiable value per calendar year. The
ledger is a pure object: the service loads a buyer's entries, calls it, and stores
``entries()`` back in the same transaction as the list's change of state::

    ledger = QuotaLedger(stored_entries)
    ledger.reserve("L1", buyer, assessment.dutiable_value, on=date(2025, 12, 31))
    ledger.use("L1", released_on=date(2026, 1, 2))
    outcome = ledger.restore_on_return("L1", applied_on=..., goods_back_on=...)

- ``reserve`` when a list is assessed: the amount counts at once, so that two lists of the same
  buyer cannot both pass on the same room; refused with -621018 when the room is too small.
- ``use`` on release; ``cancel`` drops a reservation whose list was rejected or revoked before
  release.
- ``restore_on_return``: a return applied for within 30 days of release with the goods back
  within 45 days (both counted in calendar days from the release date, inclusive) restores the
  amount; a return outside the window does not.

The year of an entry is the calendar year of the date of its reservation (the list's
declaration), and it stays there when the list is released in the next year: the limit was
checked against that year's room.

Every operation is idempotent by list key: repeating it changes nothing; contradicting it
(another buyer or amount for the same list) is a :class:`QuotaError`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum

from cbec.tax_refund.domain.errors import (
    RETURN_STATUS_OVER_ANNUAL_LIMIT,
    ImportTaxRefused,
    QuotaError,
    UnknownQuotaEntry,
    Violation,
)
from cbec.tax_refund.domain.import_tax import buyer_key
from cbec.tax_refund.domain.limits import DEFAULT_POLICY, ImportTaxPolicy, annual_limit_violation
from cbec.tax_refund.domain.money import ZERO


class QuotaState(StrEnum):
    RESERVED = "reserved"
    USED = "used"
    CANCELLED = "cancelled"
    RESTORED = "restored"


COUNTED = frozenset({QuotaState.RESERVED, QuotaState.USED})


@dataclass(frozen=True, slots=True)
class QuotaEntry:
    """One list's share of a buyer's year. ``list_key`` is the list's number (invtNo, or the
    enterprise copy number before customs gave one)."""

    list_key: str
    buyer: str
    year: int
    amount: Decimal
    state: QuotaState
    reserved_on: date
    released_on: date | None = None
    returned_on: date | None = None

    @property
    def counted(self) -> Decimal:
        return self.amount if self.state in COUNTED else ZERO

    @property
    def release_date(self) -> date:
        if self.released_on is None:
            raise QuotaError(
                [Violation(field="releasedOn", rule="the list has not been released", value=None)]
            )
        return self.released_on


@dataclass(frozen=True, slots=True)
class ReturnOutcome:
    """Whether a return restored the buyer's amount, and if not, which window it missed."""

    entry: QuotaEntry
    restored: bool
    reasons: tuple[Violation, ...] = ()


class QuotaLedger:
    """Reservations and uses of the buyers' annual quota; pure, no I/O."""

    def __init__(
        self, entries: Iterable[QuotaEntry] = (), policy: ImportTaxPolicy = DEFAULT_POLICY
    ) -> None:
        self.policy = policy
        self._entries: dict[str, QuotaEntry] = {}
        for entry in entries:
            if entry.list_key in self._entries:
                raise QuotaError(
                    [Violation(field="invtNo", rule="one entry per list", value=entry.list_key)]
                )
            self._entries[entry.list_key] = entry

    def entries(self) -> tuple[QuotaEntry, ...]:
        return tuple(self._entries.values())

    def entry(self, list_key: str) -> QuotaEntry:
        try:
            return self._entries[list_key]
        except KeyError:
            raise UnknownQuotaEntry(
                [Violation(field="invtNo", rule="no quota entry for this list", value=list_key)]
            ) from None

    def counted(self, buyer_id_number: str, year: int) -> Decimal:
        """What the buyer's calendar year counts: reserved and used amounts."""
        buyer = buyer_key(buyer_id_number)
        return sum(
            (e.counted for e in self._entries.values() if e.buyer == buyer and e.year == year),
            ZERO,
        )

    def room(self, buyer_id_number: str, year: int) -> Decimal:
        return max(self.policy.annual_limit - self.counted(buyer_id_number, year), ZERO)

    def reserve(self, list_key: str, buyer_id_number: str, amount: Decimal, on: date) -> QuotaEntry:
        """Count ``amount`` in the buyer's year of ``on``; refused (-621018) above the limit."""
        buyer = buyer_key(buyer_id_number)
        existing = self._entries.get(list_key)
        if existing is not None and existing.state is QuotaState.CANCELLED:
            # A list rejected or revoked and then declared again takes a new reservation.
            del self._entries[list_key]
            existing = None
        if existing is not None:
            if (existing.buyer, existing.amount, existing.year) != (buyer, amount, on.year):
                raise QuotaError(
                    [
                        Violation(
                            field="invtNo",
                            rule="the list already holds a different reservation",
                            value=f"{buyer} {amount} {on.year}",
                            expected=f"{existing.buyer} {existing.amount} {existing.year}",
                        )
                    ]
                )
            return existing
        if amount <= 0:
            raise QuotaError(
                [Violation(field="taxPrice", rule="a reservation must be above 0", value=amount)]
            )
        used = self.counted(buyer, on.year)
        if used + amount > self.policy.annual_limit:
            raise ImportTaxRefused(
                [annual_limit_violation(used, amount, self.policy)],
                return_status=RETURN_STATUS_OVER_ANNUAL_LIMIT,
            )
        entry = QuotaEntry(list_key, buyer, on.year, amount, QuotaState.RESERVED, reserved_on=on)
        self._entries[list_key] = entry
        return entry

    def use(self, list_key: str, released_on: date) -> QuotaEntry:
        """The list was released: its reservation becomes a use."""
        entry = self.entry(list_key)
        if entry.state is QuotaState.USED and entry.released_on == released_on:
            return entry
        self._require(entry, QuotaState.RESERVED, "only a reserved amount is used on release")
        if released_on < entry.reserved_on:
            raise QuotaError(
                [
                    Violation(
                        field="releasedOn",
                        rule="a list is released after its reservation",
                        value=released_on,
                        expected=f">= {entry.reserved_on}",
                    )
                ]
            )
        return self._put(replace(entry, state=QuotaState.USED, released_on=released_on))

    def cancel(self, list_key: str) -> QuotaEntry:
        """The list was rejected or revoked before release: its reservation no longer counts."""
        entry = self.entry(list_key)
        if entry.state is QuotaState.CANCELLED:
            return entry
        self._require(entry, QuotaState.RESERVED, "only a reservation can be cancelled")
        return self._put(replace(entry, state=QuotaState.CANCELLED))

    def withdraw(self, list_key: str) -> QuotaEntry:
        """The list was revoked (CEB623), before or after release: the goods are not imported,
        so its amount no longer counts."""
        entry = self.entry(list_key)
        if entry.state is QuotaState.CANCELLED:
            return entry
        if entry.state not in COUNTED:
            raise QuotaError(
                [
                    Violation(
                        field="state",
                        rule="only a reserved or released list can be withdrawn",
                        value=entry.state,
                    )
                ]
            )
        return self._put(replace(entry, state=QuotaState.CANCELLED))

    def restore_on_return(
        self, list_key: str, applied_on: date, goods_back_on: date
    ) -> ReturnOutcome:
        """A return of a released list: restores the amount when inside the return window."""
        entry = self.entry(list_key)
        if entry.state is QuotaState.RESTORED:
            return ReturnOutcome(entry, restored=True)
        self._require(entry, QuotaState.USED, "only a released list can be returned")
        reasons = self._window_violations(entry.release_date, applied_on, goods_back_on)
        if reasons:
            return ReturnOutcome(entry, restored=False, reasons=reasons)
        restored = self._put(replace(entry, state=QuotaState.RESTORED, returned_on=goods_back_on))
        return ReturnOutcome(restored, restored=True)

    def _window_violations(
        self, released_on: date, applied_on: date, goods_back_on: date
    ) -> tuple[Violation, ...]:
        # 财关税〔2018〕49号: a return applied for within 30 days of release, with the goods back
        # in the supervised area within 45 days, is not taxed and restores the annual amount.
        reasons: list[Violation] = []
        applied_after = (applied_on - released_on).days
        back_after = (goods_back_on - released_on).days
        if not 0 <= applied_after <= self.policy.return_apply_days:
            reasons.append(
                Violation(
                    field="appTime",
                    rule=(
                        f"a return restores the quota when applied for within "
                        f"{self.policy.return_apply_days} days of release ({released_on})"
                    ),
                    value=f"{applied_on} ({applied_after} days)",
                    expected=f"<= {self.policy.return_apply_days} days",
                )
            )
        if not 0 <= back_after <= self.policy.return_goods_days:
            reasons.append(
                Violation(
                    field="goodsBackOn",
                    rule=(
                        f"a return restores the quota when the goods are back within "
                        f"{self.policy.return_goods_days} days of release ({released_on})"
                    ),
                    value=f"{goods_back_on} ({back_after} days)",
                    expected=f"<= {self.policy.return_goods_days} days",
                )
            )
        return tuple(reasons)

    def _require(self, entry: QuotaEntry, state: QuotaState, rule: str) -> None:
        if entry.state is not state:
            raise QuotaError(
                [Violation(field="state", rule=rule, value=entry.state, expected=state)]
            )

    def _put(self, entry: QuotaEntry) -> QuotaEntry:
        self._entries[entry.list_key] = entry
        return entry
