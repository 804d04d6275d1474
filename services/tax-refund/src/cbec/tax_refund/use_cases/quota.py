"""The buyer's annual quota, reserved and cancelled by the declaration service
(财关税〔2018〕49号, DOMAIN.md §6.4).

A reservation is idempotent per ``invtNo``: the same list reserved again with the same buyer,
amount and year answers the reservation it holds and counts nothing more (the declaration
service may call again after a timeout, outside its own transaction); the same list with
another buyer, amount or year is a conflict.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from cbec.shared.errors import Conflict, Violation
from cbec.tax_refund.domain import (
    ImportTaxPolicy,
    ImportTaxRefused,
    QuotaState,
    buyer_key,
    check_limits,
)
from cbec.tax_refund.models import QuotaEntryRow, dec
from cbec.tax_refund.unit_of_work import TaxWork


@dataclass(frozen=True, slots=True)
class ReservationRequest:
    invt_no: str
    order_no: str
    buyer_id_number: str
    amount: Decimal
    single_item: bool
    on: date


@dataclass(frozen=True, slots=True)
class Reservation:
    """What a list holds of its buyer's year, as stored (amounts as their decimal text)."""

    invt_no: str
    buyer: str
    year: int
    reserved: str
    year_total_after: str

    @classmethod
    def of(cls, row: QuotaEntryRow) -> Reservation:
        return cls(row.invt_no, row.buyer, row.year, row.amount, row.year_total_after)

    def as_json(self) -> dict[str, Any]:
        return {
            "invtNo": self.invt_no,
            "buyerIdNumber": self.buyer,
            "year": self.year,
            "reserved": self.reserved,
            "yearTotalAfter": self.year_total_after,
        }


async def reserve(
    work: TaxWork, request: ReservationRequest, policy: ImportTaxPolicy
) -> Reservation:
    """Check the limits and count the list's dutiable value in the buyer's year, atomically.

    Over a limit: :class:`ImportTaxRefused` (-621005 / -621018) with the amounts.
    """
    buyer = buyer_key(request.buyer_id_number)
    year = request.on.year
    existing = await work.quota.entry(request.invt_no)
    if existing is not None and existing.state != QuotaState.CANCELLED:
        return _same_reservation(existing, buyer, request)
    book = await work.quota.open_year(buyer, year, also=request.invt_no)
    # Another request for the same list may have committed while this one waited for the lock.
    existing = await work.quota.entry(request.invt_no)
    if existing is not None and existing.state != QuotaState.CANCELLED:
        return _same_reservation(existing, buyer, request)
    ledger = book.ledger(policy)
    limits = check_limits(
        request.amount,
        annual_used=ledger.counted(buyer, year),
        single_item=request.single_item,
        policy=policy,
    )
    if not limits.passed:
        raise ImportTaxRefused(list(limits.violations), return_status=limits.return_status)
    entry = ledger.reserve(request.invt_no, buyer, request.amount, on=request.on)
    row = book.save(
        ledger,
        entry,
        order_no=request.order_no,
        mode=limits.mode.value,
        single_item=request.single_item,
    )
    return Reservation.of(row)


def _same_reservation(
    existing: QuotaEntryRow, buyer: str, request: ReservationRequest
) -> Reservation:
    asked = (buyer, request.amount, request.on.year)
    held = (existing.buyer, dec(existing.amount), existing.year)
    if asked != held:
        raise Conflict(
            f"list {request.invt_no} already holds a reservation of {held[1]} for buyer "
            f"{held[0]} in {held[2]}",
            [
                Violation(
                    field="invtNo",
                    rule="the list already holds a different reservation; cancel it first",
                    value=f"{buyer} {request.amount} {request.on.year}",
                    expected=f"{held[0]} {held[1]} {held[2]}",
                )
            ],
        )
    return Reservation.of(existing)


async def cancel(work: TaxWork, invt_no: str, policy: ImportTaxPolicy) -> bool:
    """Drop a reservation of a list not released; idempotent. False when none was held."""
    existing = await work.quota.entry(invt_no)
    if existing is None or existing.state == QuotaState.CANCELLED:
        return False
    book = await work.quota.open_year(existing.buyer, existing.year)
    ledger = book.ledger(policy)
    current = ledger.entry(invt_no)
    if current.state is QuotaState.CANCELLED:
        return False
    if current.state is not QuotaState.RESERVED:
        raise Conflict(
            f"list {invt_no} is {current.state.value}: a released list is withdrawn by revocation",
            [
                Violation(
                    field="invtNo",
                    rule="only a reservation of a list not yet released can be cancelled",
                    value=current.state.value,
                    expected=QuotaState.RESERVED.value,
                )
            ],
        )
    book.save(ledger, ledger.cancel(invt_no), order_no=existing.order_no)
    return True
