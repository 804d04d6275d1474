"""Summary declaration (DOMAIN.md §5): a consignor's closed export lists of a month
consolidated into declaration forms, once each; the monthly run and the overdue report."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import col, select

from cbec.declaration import events as ev
from cbec.declaration.domain import (
    ListStatus,
    Period,
    SummaryApplication,
    SummaryCandidate,
    SummaryFlag,
    SummaryLedger,
    check_filer,
    decl_seq_numbers,
    summarise,
    summary_deadline,
    summary_is_late,
)
from cbec.declaration.domain.stored import stored_list
from cbec.declaration.domain.summary import SummaryResult
from cbec.declaration.models import ListRow, OverdueSummaryRow, SummarisedListRow, SummaryRow
from cbec.declaration.repository import export_inventory_of
from cbec.declaration.unit_of_work import DeclarationWork
from cbec.shared.clock import china, china_iso
from cbec.shared.telemetry import tag_span

S = ListStatus


@dataclass(frozen=True, slots=True)
class SummaryRequest:
    ebc_code: str
    period: Period
    summary_flag: SummaryFlag = SummaryFlag.BY_CONSIGNOR
    item_name_flag: bool = False
    invt_nos: frozenset[str] | None = None
    released_from: datetime | None = None
    """With ``released_to``: only the lists released in this window (a CEB701 time range)."""
    released_to: datetime | None = None
    applicant: str | None = None
    """The enterprise applying (a CEB701 application's filer): the consignor itself, or an
    agent for lists it declared; None for the platform's own monthly run."""

    def takes(self, invt_no: str | None, released_at: datetime) -> bool:
        if self.invt_nos is not None and invt_no not in self.invt_nos:
            return False
        if self.released_from is not None and released_at < self.released_from:
            return False
        return self.released_to is None or released_at <= self.released_to


def sum_no(customs: str, period: Period, serial: int) -> str:
    """The summary application number: customs code (4) + year and month (6) + ``S`` + serial
    (7), 18 characters as the standard's receipts (CEB702, CEB792) require."""
    return f"{customs}{period.year:04d}{period.month:02d}S{serial % 10**7:07d}"


def _check_applicant(request: SummaryRequest, row: ListRow) -> None:
    """A summary is applied for by the consignor (``ebcCode``) or by the agent that declared
    every list it takes; another enterprise's application changes nothing (KeyTaken)."""
    if request.applicant is None or request.applicant == request.ebc_code:
        return
    check_filer(
        filed_by=row.agent_code,
        caller=request.applicant,
        what=f"the list {row.invt_no} of the consignor {request.ebc_code}",
        field="SummaryApplyHead.agentCode",
    )


async def summarise_month(
    work: DeclarationWork, request: SummaryRequest, now: datetime
) -> list[SummaryRow]:
    """Consolidate the consignor's closed lists of the month not yet summarised; a month that
    already had its summary gets a supplementary one; nothing new, nothing done."""
    existing, made = await make_summary(work, request, now)
    return [*existing, made] if made is not None else existing


async def _candidates(work: DeclarationWork, request: SummaryRequest) -> list[SummaryCandidate]:
    """The consignor's released or closed export lists the request takes."""
    found = await work.session.exec(
        select(ListRow).where(
            ListRow.ie_flag == "E",
            ListRow.ebc_code == request.ebc_code,
            col(ListRow.released_at).is_not(None),
            col(ListRow.status).in_((S.RELEASED.value, S.CLOSED.value)),
        )
    )
    candidates = []
    for row in found.all():
        assert row.released_at is not None
        if not request.takes(row.invt_no, china(row.released_at)):
            continue
        _check_applicant(request, row)
        candidates.append(
            SummaryCandidate(
                export_inventory_of(row), ListStatus(row.status), china(row.released_at)
            )
        )
    return candidates


async def _summarised(work: DeclarationWork, invt_nos: list[str]) -> dict[str, Period]:
    """The ledger: the period each of the lists was summarised in."""
    summarised: dict[str, Period] = {}
    if invt_nos:
        ledger_rows = await work.session.exec(
            select(SummarisedListRow).where(col(SummarisedListRow.invt_no).in_(invt_nos))
        )
        for entry in ledger_rows.all():
            year, month = entry.period.split("-")
            summarised[entry.invt_no] = Period(int(year), int(month))
    return summarised


async def _summaries_of(work: DeclarationWork, request: SummaryRequest) -> list[SummaryRow]:
    found = await work.session.exec(
        select(SummaryRow)
        .where(SummaryRow.ebc_code == request.ebc_code, SummaryRow.period == str(request.period))
        .order_by(col(SummaryRow.id))
    )
    return list(found.all())


async def make_summary(
    work: DeclarationWork, request: SummaryRequest, now: datetime
) -> tuple[list[SummaryRow], SummaryRow | None]:
    """The month's summaries of the consignor so far, and the one made now of its closed lists
    not yet summarised (None when there is none)."""
    candidates = await _candidates(work, request)
    summarised = await _summarised(work, [c.invt_no for c in candidates])
    existing = await _summaries_of(work, request)
    periods = frozenset({request.period}) if existing else frozenset()
    ledger = SummaryLedger(summarised, periods)
    summary = SummaryRow(
        ebc_code=request.ebc_code,
        period=str(request.period),
        summary_flag=request.summary_flag.value,
        item_name_flag=request.item_name_flag,
        result="{}",
        created_at=now,
    )
    work.session.add(summary)
    await work.session.flush()
    assert summary.id is not None
    prefix = f"D{request.period.year:04d}{request.period.month:02d}{summary.id % 10**7:07d}"
    result = summarise(
        candidates,
        SummaryApplication(
            request.period, request.summary_flag, request.item_name_flag, request.ebc_code
        ),
        ledger,
        work.rules.summary,
        decl_seq_numbers(prefix),
    )
    if not result.assignments:
        await work.session.delete(summary)
        return existing, None
    summary.sum_no = sum_no(work.decl.settings.summary_customs_code, request.period, summary.id)
    summary.supplementary = result.supplementary
    event = _summary_completed(summary.sum_no, request, result, now)
    summary.result = json.dumps(event.to_data(), ensure_ascii=False)
    for invt_no in sorted(result.invt_nos):
        work.session.add(
            SummarisedListRow(invt_no=invt_no, summary_id=summary.id, period=str(request.period))
        )
    tag_span(sumNo=summary.sum_no)
    work.publish(event)
    return existing, summary


def _summary_completed(
    sum_no: str, request: SummaryRequest, result: SummaryResult, now: datetime
) -> ev.SummaryCompleted:
    return ev.SummaryCompleted(
        sumNo=sum_no,
        ebcCode=request.ebc_code,
        period=str(request.period),
        supplementary=result.supplementary,
        forms=tuple(
            ev.SummaryForm(
                declSeqNo=form.decl_seq_no,
                ebcCode=form.key.ebc_code,
                ownerCode=form.key.owner_code,
                trafMode=form.key.traf_mode,
                country=form.key.country,
                portCode=form.key.port_code,
                items=tuple(
                    ev.SummaryItem(
                        gseqno=item.gseqno,
                        gcode=item.gcode,
                        gname=item.gname,
                        country=item.country,
                        currency=item.currency,
                        unit=item.unit,
                        qty=item.qty,
                        totalPrice=item.total_price,
                    )
                    for item in form.items
                ),
            )
            for form in result.forms
        ),
        assignments=tuple(
            ev.LineAssignment(
                invtNo=a.invt_no, gnum=a.gnum, declSeqNo=a.decl_seq_no, gseqno=a.gseqno
            )
            for a in result.assignments
        ),
        completedAt=china_iso(now),
    )


def _open_months(rows: list[ListRow], summarised: set[str]) -> dict[tuple[str, Period], int]:
    """Lists of the summary declaration (statisticsFlag B) not yet summarised, by consignor and
    month of release."""
    open_lists: dict[tuple[str, Period], int] = defaultdict(int)
    for row in rows:
        if row.invt_no in summarised or stored_list(row.document).head.statistics_flag != "B":
            continue
        assert row.released_at is not None
        open_lists[(row.ebc_code, Period.of(china(row.released_at)))] += 1
    return open_lists


async def _report_overdue(
    work: DeclarationWork, still_open: dict[tuple[str, Period], int], today: date
) -> list[str]:
    """SummaryOverdue, once, for each month not summarised by its deadline."""
    this_month = Period(today.year, today.month)
    overdue: list[str] = []
    for (ebc_code, period), count in sorted(
        still_open.items(), key=lambda kv: (kv[0][0], kv[0][1])
    ):
        if period >= this_month or not summary_is_late(period, work.rules.summary, today=today):
            continue
        known = (
            await work.session.exec(
                select(OverdueSummaryRow).where(
                    OverdueSummaryRow.ebc_code == ebc_code,
                    OverdueSummaryRow.period == str(period),
                )
            )
        ).first()
        if known is not None:
            continue
        work.session.add(OverdueSummaryRow(ebc_code=ebc_code, period=str(period), lists=count))
        work.publish(
            ev.SummaryOverdue(
                sumNo=f"UNSUMMARISED-{ebc_code}-{period}",
                ebcCode=ebc_code,
                period=str(period),
                deadline=summary_deadline(period, work.rules.summary).isoformat(),
                lists=count,
            ),
        )
        overdue.append(f"{ebc_code} {period}")
    return overdue


async def run_scheduled_summaries(
    work: DeclarationWork, today: date, now: datetime
) -> dict[str, Any]:
    """The monthly run: from the configured day on, summarise last month for every consignor;
    report months not summarised by their deadline (SummaryOverdue, once)."""
    previous = (
        Period(today.year - 1, 12) if today.month == 1 else Period(today.year, today.month - 1)
    )
    found = await work.session.exec(
        select(ListRow).where(
            ListRow.ie_flag == "E",
            col(ListRow.released_at).is_not(None),
            col(ListRow.status).in_((S.RELEASED.value, S.CLOSED.value)),
        )
    )
    rows = list(found.all())
    summarised = set((await work.session.exec(select(SummarisedListRow.invt_no))).all())
    open_lists = _open_months(rows, summarised)
    made: list[str] = []
    if today.day >= work.decl.settings.summary_run_day:
        for ebc_code in sorted({ebc for ebc, period in open_lists if period == previous}):
            _, record = await make_summary(work, SummaryRequest(ebc_code, previous), now)
            if record is not None and record.sum_no:
                made.append(record.sum_no)
    remaining = set((await work.session.exec(select(SummarisedListRow.invt_no))).all())
    overdue = await _report_overdue(work, _open_months(rows, remaining), today)
    return {"summaries": made, "overdue": overdue}
