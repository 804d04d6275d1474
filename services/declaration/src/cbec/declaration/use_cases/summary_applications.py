"""Summary applications (CEB701) as enterprises file them: the standard's ``SummaryApply``
entity, answered with its receipt (CEB702: ``preNo``, ``sumNo``) and the summary result (CEB792
semantics: every list line and the declaration form item it went into; DOMAIN.md §5).

    receipt = await apply_for_summary(work, entity, party, now)
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

from cbec.declaration.domain import KeyTaken, Period, SummaryFlag, Violation, check_filer, filer_of
from cbec.declaration.models import ListRow, SummaryRow
from cbec.declaration.unit_of_work import DeclarationWork
from cbec.declaration.use_cases.receipts import REJECTED, dump, info, key_taken, receipt
from cbec.declaration.use_cases.summary import SummaryRequest, make_summary
from cbec.shared.ceb import export_models as ex
from cbec.shared.clock import CHINA_TZ, china
from cbec.shared.fingerprints import fingerprint

CONCLUDED = "399"
"""The summary result is formed (审结, DOMAIN.md §3)."""
MESSAGE = "CEB701"
APPLICATION = "application"
"""Where a summary's stored result keeps the application that made it."""


def _parse_time(value: str | None, field: str, found: list[Violation]) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y%m%d%H%M%S").replace(tzinfo=CHINA_TZ)
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
    work: DeclarationWork,
    ebc_code: str,
    invt_nos: Sequence[str],
    applicant: str,
    found: list[Violation],
) -> Period | None:
    """The month of the named lists; an agent applying for the consignor names only lists it
    declared (another's are not found, as if they did not exist)."""
    rows = (
        await work.session.exec(
            select(ListRow).where(
                ListRow.ie_flag == "E",
                ListRow.ebc_code == ebc_code,
                col(ListRow.invt_no).in_(list(invt_nos)),
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
    periods = sorted({Period.of(china(at)) for at in released.values() if at is not None})
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
    work: DeclarationWork, ebc_code: str, cop_no: str, agent_code: str
) -> tuple[SummaryRow, dict[str, Any]] | None:
    """The summary an earlier application with this copNo + agentCode made, and its record."""
    rows = await work.session.exec(select(SummaryRow).where(SummaryRow.ebc_code == ebc_code))
    for row in rows.all():
        made: dict[str, Any] = json.loads(row.result).get(APPLICATION) or {}
        if (made.get("copNo"), made.get("agentCode")) == (cop_no, agent_code):
            return row, made
    return None


def summary_view(summary: SummaryRow) -> dict[str, Any]:
    """A summary's result (the SummaryCompleted event's data), without its application."""
    result: dict[str, Any] = json.loads(summary.result)
    result.pop(APPLICATION, None)
    return result


def pre_no(summary: SummaryRow, now: datetime) -> str:
    """The platform's pre-entry number of the application: ``B`` + yyyyMMdd + 9 digits."""
    assert summary.id is not None
    return f"B{china(now):%Y%m%d}{summary.id % 10**9:09d}"


async def _answer_earlier(
    work: DeclarationWork, head: ex.SummaryApplyHead, filer: str, printed: str, now: datetime
) -> dict[str, Any] | None:
    """An application under a copNo that already made a summary: its first receipt when sent
    again unchanged, else a refusal; None for a new copNo."""
    keys = _keys(head)
    earlier = await _made_by(work, head.ebcCode, head.copNo, head.agentCode)
    if earlier is None:
        return None
    made_before, made = earlier
    try:
        check_filer(
            filed_by=made.get("submittedBy") or head.agentCode,
            caller=filer,
            what=f"the summary application {head.copNo} of the agent {head.agentCode}",
            field="SummaryApplyHead.copNo",
        )
    except KeyTaken as error:
        return key_taken(work, MESSAGE, error, now, keys)
    if made.get("fingerprint") == printed:
        replay: dict[str, Any] = made["receipt"]
        return replay
    rule = f"copNo {head.copNo} already made the summary {made_before.sum_no}"
    return receipt(REJECTED, f"SummaryApplyHead.copNo: {rule}", now, keys)


def _keys(head: ex.SummaryApplyHead) -> dict[str, Any]:
    return {"copNo": head.copNo, "agentCode": head.agentCode, "ebcCode": head.ebcCode}


async def _request_of(
    work: DeclarationWork, entity: ex.SummaryApply, filer: str, found: list[Violation]
) -> SummaryRequest | None:
    """The summary the application asks for; None with what is wrong in ``found``."""
    head = entity.SummaryApplyHead
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
        period = await _period_of_lists(work, head.ebcCode, invt_nos, filer, found)
    elif head.startTime is None:
        found.append(
            Violation(
                "SummaryApplyHead.startTime",
                "an application names a time window (startTime, endTime) or its lists",
                None,
            )
        )
    if found or period is None:
        return None
    return SummaryRequest(
        ebc_code=head.ebcCode,
        period=period,
        summary_flag=flag,
        item_name_flag=item_name_flag,
        invt_nos=frozenset(invt_nos) if window is None else None,
        released_from=window[0] if window else None,
        released_to=window[1] if window else None,
        applicant=filer,
    )


async def apply_for_summary(
    work: DeclarationWork,
    entity: ex.SummaryApply,
    party: str | None,
    now: datetime,
) -> dict[str, Any]:
    """One summary application (CEB701 ``SummaryApply``): its receipt, with ``summaries``."""
    head = entity.SummaryApplyHead
    keys = _keys(head)
    printed = fingerprint(dump(entity))
    filer = filer_of(party, head.agentCode)
    earlier = await _answer_earlier(work, head, filer, printed, now)
    if earlier is not None:
        return earlier
    found: list[Violation] = []
    request = await _request_of(work, entity, filer, found)
    if request is None:
        return receipt(REJECTED, info(found), now, keys)
    try:
        _, summary = await make_summary(work, request, now)
    except KeyTaken as error:
        return key_taken(work, MESSAGE, error, now, keys)
    if summary is None:
        what = "released in the window" if request.invt_nos is None else "named"
        nothing = (
            f"nothing to summarise: no closed list of statisticsFlag B {what} "
            f"({request.period}) is left that was not summarised before"
        )
        return receipt(REJECTED, nothing, now, keys)
    result: dict[str, Any] = json.loads(summary.result)
    forms = result.get("forms", [])
    lists = {a["invtNo"] for a in result.get("assignments", [])}
    keys |= {"preNo": pre_no(summary, now), "sumNo": summary.sum_no}
    told = f"summary {summary.sum_no}: {len(lists)} list(s) into {len(forms)} declaration form(s)"
    answer = receipt(CONCLUDED, told, now, keys) | {"summaries": [dict(result)]}
    result[APPLICATION] = {
        "copNo": head.copNo,
        "agentCode": head.agentCode,
        "submittedBy": filer,
        "fingerprint": printed,
        "receipt": answer,
    }
    summary.result = json.dumps(result, ensure_ascii=False)
    work.session.add(summary)
    return answer
