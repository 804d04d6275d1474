"""The buyer's annual quota (DOMAIN.md §6.4), reserved at the tax service outside any
transaction.

A transaction that decides to release an import list does not call the tax service: it records
the release as awaiting its reservation (:func:`await_reservation`, the list keeps its status)
and commits. After the commit the reservation is asked (:func:`settle`), and a new short
transaction applies the answer (:func:`apply_answer`): the release, or the refusal's receipt
(-621005 / -621018). A slow tax service therefore holds no lock and no transaction, and the
decisions of other lists go on meanwhile. Reservations are idempotent per ``invtNo`` at the tax
service: a crash between the steps is repaired by the periodic re-check
(:func:`awaiting_reservations`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel
from sqlalchemy import event
from sqlalchemy.orm import Session

from cbec.declaration import events as ev
from cbec.declaration.adapters import QuotaAnswer, QuotaUnavailable
from cbec.declaration.domain import (
    Decision,
    DecisionOutcome,
    ListStatus,
    OfficerAction,
    OfficerDecision,
    Receipt,
    RiskHit,
    RiskOutcome,
    Transition,
    apply_decision,
    apply_officer_decision,
)
from cbec.declaration.domain.lifecycle import clip_return_info, format_return_time
from cbec.declaration.domain.stored import stored_list
from cbec.declaration.models import ListRow
from cbec.declaration.unit_of_work import Declaration, DeclarationWork, transaction
from cbec.declaration.use_cases.receipts import last_list_receipt
from cbec.declaration.use_cases.recording import invt_no_of, keep_counsel, record, risk_reason
from cbec.shared.clock import china, utcnow

log = logging.getLogger(__name__)
S = ListStatus


class PendingRelease(BaseModel):
    """A release decided and awaiting the buyer's quota, kept on the list (``awaiting_quota``)."""

    by: Literal["rules", "officer"]
    fingerprint: str = ""
    """The version of the list it was decided on."""
    risk_hits: tuple[tuple[str, str, str], ...] = ()
    officer: str | None = None
    note: str | None = None

    @classmethod
    def by_rules(cls, decision: Decision) -> PendingRelease:
        hits = tuple((h.rule, h.outcome.value, h.detail) for h in decision.risk_hits)
        return cls(by="rules", risk_hits=hits)

    @classmethod
    def by_officer(cls, officer: str, note: str) -> PendingRelease:
        return cls(by="officer", officer=officer, note=note)

    def steps(self, current: ListStatus, at: datetime) -> tuple[Transition, ...]:
        if self.by == "officer":
            assert self.officer is not None
            assert self.note is not None
            decision = OfficerDecision(OfficerAction.RELEASE, self.note, self.officer, None)
            return apply_officer_decision(current, decision, at=at)
        return apply_decision(current, self.decision(), at=at)

    def decision(self) -> Decision:
        hits = tuple(
            RiskHit(rule, RiskOutcome(out), detail) for rule, out, detail in self.risk_hits
        )
        return Decision(DecisionOutcome.RELEASE, "", risk_hits=hits)

    def reasons(self) -> tuple[ev.CustomsReason, ...]:
        """Customs' own reasons kept with the outcome: the risk rules, or the officer's note."""
        if self.by == "officer":
            assert self.note is not None
            note = ev.CustomsReason(
                kind="officer-decision",
                officer=self.officer,
                action=OfficerAction.RELEASE.value,
                detail=self.note.strip(),
            )
            return (note,)
        return tuple(risk_reason(hit) for hit in self.decision().risk_hits)


@dataclass(slots=True)
class Reservation:
    """A reservation to ask of the tax service once the deciding transaction has committed."""

    list_id: int
    fingerprint: str
    by_officer: bool
    invt_no: str
    order_no: str
    buyer_id_number: str
    amount: Decimal
    single_item: bool
    day: str
    receipt: dict[str, Any] | None = field(default=None)
    """The filer's answer to refresh with the outcome (a list filed in the same request)."""


FollowUp = Reservation


def reservation_of(row: ListRow, pending: PendingRelease, now: datetime) -> Reservation:
    stored = stored_list(row.document)
    assert row.id is not None
    assert row.invt_no is not None
    assert stored.head.buyer_id_number is not None
    return Reservation(
        list_id=row.id,
        fingerprint=pending.fingerprint,
        by_officer=pending.by == "officer",
        invt_no=row.invt_no,
        order_no=row.order_no,
        buyer_id_number=stored.head.buyer_id_number,
        amount=stored.dutiable_value(),
        single_item=stored.single_item,
        day=china(now).date().isoformat(),
    )


def await_reservation(
    work: DeclarationWork, row: ListRow, pending: PendingRelease, now: datetime
) -> Reservation:
    """Record that the list's release awaits the buyer's quota; reserved after the commit."""
    if row.invt_no is None:
        row.invt_no = invt_no_of(row, now)
    pending = pending.model_copy(update={"fingerprint": row.fingerprint})
    row.awaiting_quota = pending.model_dump_json()
    reservation = reservation_of(row, pending, now)
    work.follow_ups.append(reservation)
    return reservation


async def awaiting_reservations(work: DeclarationWork, now: datetime) -> list[Reservation]:
    """Every release still awaiting its reservation (after a crash or an unreachable tax
    service), to ask again."""
    return [
        reservation_of(row, PendingRelease.model_validate_json(row.awaiting_quota or ""), now)
        for row in await work.lists.awaiting_quota()
    ]


async def settle(
    decl: Declaration, reservations: list[Reservation], *, officer_waiting: bool = False
) -> None:
    """Ask each reservation (outside any transaction), then apply its answer in a short one.
    An officer's release the tax service did not answer while the officer waits
    (``officer_waiting``) is withdrawn (the list stays in review) and the error raised, as the
    officer's request fails; otherwise the release keeps awaiting and is asked again."""
    for reservation in reservations:
        try:
            answer = await decl.quota.reserve(
                invt_no=reservation.invt_no,
                order_no=reservation.order_no,
                buyer_id_number=reservation.buyer_id_number,
                amount=reservation.amount,
                single_item=reservation.single_item,
                day=reservation.day,
            )
        except QuotaUnavailable as exc:
            # The list stays declared; the next document or the periodic check decides again.
            log.warning("quota reservation for %s not made: %s", reservation.invt_no, exc)
            if officer_waiting and reservation.by_officer:
                async with transaction(decl) as work:
                    await withdraw(work, reservation)
                raise
            continue
        async with transaction(decl) as work:
            orphan = not await apply_answer(work, reservation, answer, utcnow())
        if orphan and answer.reserved:
            await cancel(decl, reservation.invt_no)


async def withdraw(work: DeclarationWork, reservation: Reservation) -> None:
    await work.lists_one_at_a_time()
    row = await work.lists.by_id(reservation.list_id)
    if row is not None and row.awaiting_quota is not None:
        pending = PendingRelease.model_validate_json(row.awaiting_quota)
        if pending.fingerprint == reservation.fingerprint:
            row.awaiting_quota = None


async def apply_answer(
    work: DeclarationWork, reservation: Reservation, answer: QuotaAnswer, now: datetime
) -> bool:
    """Apply the tax service's answer to the release awaiting it: released, or rejected with
    the refusal's receipt. False when nothing awaits it any more and the list holds no
    reservation (the reservation is then to be cancelled)."""
    await work.lists_one_at_a_time()
    row = await work.lists.by_id(reservation.list_id)
    if row is None:
        return False
    pending = (
        PendingRelease.model_validate_json(row.awaiting_quota or "null")
        if row.awaiting_quota
        else None
    )
    if pending is None or pending.fingerprint != reservation.fingerprint:
        # Decided again meanwhile: a newer reservation follows, or the list went elsewhere.
        return row.quota_reserved or pending is not None
    row.awaiting_quota = None
    current = ListStatus(row.status)
    if answer.reserved:
        row.quota_reserved = True
        steps = pending.steps(current, china(now))
        await record(work, row, steps, now)
        reasons = pending.reasons()
        if reasons and steps:
            keep_counsel(work, row, steps[-1].receipt, reasons, now)
    else:
        assert answer.return_status is not None
        refused = Receipt(
            answer.return_status, format_return_time(china(now)), clip_return_info(answer.detail)
        )
        await record(
            work,
            row,
            (Transition(current, S.REJECTED, refused),),
            now,
            rules=(refused.return_info,),
        )
        if pending.by == "officer":
            keep_counsel(work, row, refused, pending.reasons(), now)
    if reservation.receipt is not None:
        answered = await last_list_receipt(work, row)
        row.receipt = json.dumps(answered, ensure_ascii=False)
        reservation.receipt.clear()
        reservation.receipt.update(answered)
    return True


async def cancel(decl: Declaration, invt_no: str) -> bool:
    """Withdraw a reservation at the tax service; False when it did not answer."""
    try:
        await decl.quota.cancel(invt_no)
    except QuotaUnavailable as exc:
        log.warning("quota reservation of %s not cancelled: %s", invt_no, exc)
        return False
    return True


class QuotaDesk:
    """Asks the reservations an event consumer's transaction left, once it has committed (the
    consumer commits a whole batch of events; the tax service is not asked inside it)."""

    def __init__(self, decl: Declaration) -> None:
        self.decl = decl
        self._queue: asyncio.Queue[list[Reservation]] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    def after_commit(self, work: DeclarationWork) -> None:
        """Hand over the work's reservations when (and only if) its transaction commits."""
        if not work.follow_ups:
            return
        reservations = list(work.follow_ups)
        work.follow_ups.clear()

        def committed(session: Session) -> None:
            self._queue.put_nowait(reservations)

        event.listen(work.session.sync_session, "after_commit", committed, once=True)

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="quota-reservations")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _loop(self) -> None:
        while True:
            reservations = await self._queue.get()
            try:
                await settle(self.decl, reservations)
            except Exception:
                log.exception("quota reservations not settled; the periodic check asks again")
