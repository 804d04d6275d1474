"""Summary applications (CEB701) as enterprises file them: the standard's ``SummaryApply``
entity, answered with its receipt (CEB702: ``preNo``, ``sumNo``) and the summary result (CEB792
semantics: every list line and the declaration form item it went into; DOMAIN.md §5).

    receipt = await apply_for_summary(decl, session, entity, party, now)
    receipt["returnStatus"], receipt["sumNo"], receipt["summaries"]

An application names a time window (``startTime``/``endTime``: the lists released in it; the
list body is then ignored, as the standard says) or the lists themselves (``SummaryApplyList``).
Either way it covers one calendar month, the period of a summary. The summary is made at once:
the receipt is ``399`` (concluded) with the new ``sumNo``, or ``100`` naming every rule the
application breaks, or saying that nothing of the window is left to summarise. The same
application sent again (same ``copNo`` + ``agentCode``, same content) is answered with its first
receipt; another application under a used ``copNo`` is refused.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from cbec.declaration.domain import KeyTaken, Period, SummaryFlag, Violation, check_filer, filer_of
from cbec.declaration.models import InventoryRecord, SummaryRecord
from cbec.declaration.services import (
    CHINA,
    REJECTED,
    Declaration,
    SummaryRequest,
    _china,
    _dump,
    _fingerprint,
    _info,
    _receipt,
    make_summary,
)
from cbec.shared.ceb import export_models as ex

CONCLUDED = "399"
"""The summary result is formed (审结, DOMAIN.md §3)."""
MESSAGE = "CEB701"
APPLICATION = "application"
"""Where a summary's stored result keeps the application that made it."""


def _parse_time(value: str | None, field: str, found: list[Violation]) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y%m%d%H%M%S").replace(tzinfo=CHINA)
    except ValueError:
        found.append(Violation(field, "a time yyyyMMddHHmmss", value))
        return None


def _flags(head: ex.SummaryApplyHead, found: list[Violation]) -> tuple[SummaryFlag, bool]:
    flag = SummaryFlag.BY_CONSIGNOR
    if head.summaryFlag in {f.value for f in SummaryFlag}:
        flag = SummaryFlag(head.summaryFlag)
    else:
        found.append(
            Violation(
                "SummaryApplyHead.summaryFlag",
                "1 (by consignor) or 2 (by consignor and producer/seller)",
                head.summaryFlag,
            )
        )
    if head.itemNameFlag not in ("0", "1"):
        found.append(
            Violation(
                "SummaryApplyHead.itemNameFlag",
                "1 (by the lists' item names) or 0 (by HS code)",
                head.itemNameFlag,
            )
        )
    return flag, head.itemNameFlag == "1"


def _window(head: ex.SummaryApplyHead, found: list[Violation]) -> tuple[datetime, datetime] | None:
    start = _parse_time(head.startTime, "SummaryApplyHead.startTime", found)
    end = _parse_time(head.endTime, "SummaryApplyHead.endTime", found)
    if (head.startTime is None) != (head.endTime is None):
        found.append(
            Violation("SummaryApplyHead.endTime", "startTime and endTime come in pairs", None)
        )
        return None
    if start is None or end is None:
        return None
    if end < start:
        found.append(Violation("SummaryApplyHead.endTime", "not before startTime", head.endTime))
    elif Period.of(start) != Period.of(end):
        found.append(
            Violation(
                "SummaryApplyHead.endTime",
                f"a summary covers one calendar month: the month of startTime {Period.of(start)}",
                head.endTime,
            )
        )
    return start, end


async def _period_of_lists(
    session: AsyncSession,
    ebc_code: str,
    invt_nos: Sequence[str],
    applicant: str,
    found: list[Violation],
) -> Period | None:
    """The month of the named lists; an agent applying for the consignor names only lists it
    declared (another's are not found, as if they did not exist)."""
    rows = (
        await session.exec(
            select(InventoryRecord).where(
                InventoryRecord.ie_flag == "E",
                InventoryRecord.ebc_code == ebc_code,
                col(InventoryRecord.invt_no).in_(list(invt_nos)),
            )
        )
    ).all()
    own = applicant == ebc_code
    released = {
        row.invt_no: row.released_at
        for row in rows
        if row.released_at is not None and (own or row.agent_code == applicant)
    }
    whose = "" if own else f" declared by {applicant}"
    for index, invt_no in enumerate(invt_nos):
        if invt_no not in released:
            found.append(
                Violation(
                    f"SummaryApplyList[{index}].invtNo",
                    f"a released export list of the consignor {ebc_code}{whose}",
                    invt_no,
                )
            )
    periods = sorted({Period.of(_china(at)) for at in released.values() if at is not None})
    if len(periods) > 1:
        found.append(
            Violation(
                "SummaryApplyList",
                "a summary covers the lists of one calendar month",
                ", ".join(str(p) for p in periods),
            )
        )
    return periods[0] if len(periods) == 1 else None


async def _made_by(
    session: AsyncSession, ebc_code: str, cop_no: str, agent_code: str
) -> tuple[SummaryRecord, dict[str, Any]] | None:
    """The summary an earlier application with this copNo + agentCode made, and its record."""
    rows = await session.exec(select(SummaryRecord).where(SummaryRecord.ebc_code == ebc_code))
    for row in rows.all():
        made: dict[str, Any] = json.loads(row.result).get(APPLICATION) or {}
        if (made.get("copNo"), made.get("agentCode")) == (cop_no, agent_code):
            return row, made
    return None


def summary_view(summary: SummaryRecord) -> dict[str, Any]:
    """A summary's result (the SummaryCompleted event's data), without its application."""
    result: dict[str, Any] = json.loads(summary.result)
    result.pop(APPLICATION, None)
    return result


def pre_no(summary: SummaryRecord, now: datetime) -> str:
    """The platform's pre-entry number of the application: ``B`` + yyyyMMdd + 9 digits."""
    assert summary.id is not None
    return f"B{_china(now):%Y%m%d}{summary.id % 10**9:09d}"


async def apply_for_summary(
    decl: Declaration,
    session: AsyncSession,
    entity: ex.SummaryApply,
    party: str | None,
    now: datetime,
) -> dict[str, Any]:
    """One summary application (CEB701 ``SummaryApply``): its receipt, with ``summaries``."""
    head = entity.SummaryApplyHead
    keys: dict[str, Any] = {
        "copNo": head.copNo,
        "agentCode": head.agentCode,
        "ebcCode": head.ebcCode,
    }
    fingerprint = _fingerprint(_dump(entity))
    filer = filer_of(party, head.agentCode)
    earlier = await _made_by(session, head.ebcCode, head.copNo, head.agentCode)
    if earlier is not None:
        made_before, made = earlier
        try:
            check_filer(
                filed_by=made.get("submittedBy") or head.agentCode,
                caller=filer,
                what=f"the summary application {head.copNo} of the agent {head.agentCode}",
                field="SummaryApplyHead.copNo",
            )
        except KeyTaken as error:
            return decl.key_taken(MESSAGE, error, now, keys)
        if made.get("fingerprint") == fingerprint:
            replay: dict[str, Any] = made["receipt"]
            return replay
        rule = f"copNo {head.copNo} already made the summary {made_before.sum_no}"
        return _receipt(REJECTED, f"SummaryApplyHead.copNo: {rule}", now, keys)

    found: list[Violation] = []
    if head.appType != "1":
        found.append(
            Violation(
                "SummaryApplyHead.appType", "1: a summary is applied for, not changed", head.appType
            )
        )
    flag, item_name_flag = _flags(head, found)
    window = _window(head, found)
    invt_nos = [line.invtNo for line in entity.SummaryApplyList]
    period: Period | None = None
    if window is not None:
        period = Period.of(window[0])
    elif head.startTime is None and invt_nos:
        period = await _period_of_lists(session, head.ebcCode, invt_nos, filer, found)
    elif head.startTime is None:
        found.append(
            Violation(
                "SummaryApplyHead.startTime",
                "an application names a time window (startTime, endTime) or its lists",
                None,
            )
        )
    if found or period is None:
        return _receipt(REJECTED, _info(found), now, keys)

    request = SummaryRequest(
        ebc_code=head.ebcCode,
        period=period,
        summary_flag=flag,
        item_name_flag=item_name_flag,
        invt_nos=frozenset(invt_nos) if window is None else None,
        released_from=window[0] if window else None,
        released_to=window[1] if window else None,
        applicant=filer,
    )
    try:
        _, summary = await make_summary(decl, session, request, now)
    except KeyTaken as error:
        return decl.key_taken(MESSAGE, error, now, keys)
    if summary is None:
        what = "released in the window" if window else "named"
        info = (
            f"nothing to summarise: no closed list of statisticsFlag B {what} "
            f"({period}) is left that was not summarised before"
        )
        return _receipt(REJECTED, info, now, keys)
    result: dict[str, Any] = json.loads(summary.result)
    forms = result.get("forms", [])
    lists = {a["invtNo"] for a in result.get("assignments", [])}
    keys |= {"preNo": pre_no(summary, now), "sumNo": summary.sum_no}
    info = f"summary {summary.sum_no}: {len(lists)} list(s) into {len(forms)} declaration form(s)"
    receipt = _receipt(CONCLUDED, info, now, keys) | {"summaries": [dict(result)]}
    result[APPLICATION] = {
        "copNo": head.copNo,
        "agentCode": head.agentCode,
        "submittedBy": filer,
        "fingerprint": fingerprint,
        "receipt": receipt,
    }
    summary.result = json.dumps(result, ensure_ascii=False)
    session.add(summary)
    return receipt
