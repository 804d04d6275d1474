"""Summary applications (CEB701 ``SummaryApply``, DOMAIN.md §5): a consignor asks for the export
declaration forms of its lists released in a period.

    summary_application(cop_no="SA1", ebc_code="3702960001", start_time="20260301000000",
                        end_time="20260331235959", app_time="20260401090000")
"""

from __future__ import annotations

from typing import Any

from cbec.tools.builders.common import CUSTOMS, header


def summary_application(
    *,
    cop_no: str,
    ebc_code: str,
    start_time: str,
    end_time: str,
    app_time: str,
    ebc_name: str = "seller",
    summary_flag: str = "1",
    item_name_flag: str = "0",
    guid: str | None = None,
    **head: Any,
) -> dict[str, Any]:
    """CEB701 of the seller ``ebc_code``, its own agent and declaring agent, for its lists
    released in [``start_time``, ``end_time``]; ``head`` adds to or replaces fields of the
    head."""
    return {
        "SummaryApplyHead": {
            **header(app_time, guid),
            "customsCode": CUSTOMS,
            "copNo": cop_no,
            "agentCode": ebc_code,
            "agentName": ebc_name,
            "ebcCode": ebc_code,
            "ebcName": ebc_name,
            "declAgentCode": ebc_code,
            "declAgentName": ebc_name,
            "startTime": start_time,
            "endTime": end_time,
            "summaryFlag": summary_flag,
            "itemNameFlag": item_name_flag,
            "msgCount": 1,
            "msgSeqNo": 1,
            **head,
        },
        "SummaryApplyList": [],
    }
