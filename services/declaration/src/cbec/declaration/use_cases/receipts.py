"""Receipts as the declarant gets them (DOMAIN.md §3), and the keys that name a document."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ValidationError

from cbec.declaration.domain import KeyTaken, Violation
from cbec.declaration.domain.lifecycle import clip_return_info, format_return_time
from cbec.declaration.models import ListRow
from cbec.declaration.unit_of_work import DeclarationWork
from cbec.shared.clock import china

# DOMAIN.md §3: -301010 is "order already exists"; other refusals of a document are 100.
ORDER_EXISTS = "-301010"
REJECTED = "100"
ACCEPTED = "2"


def dump(entity: BaseModel) -> dict[str, Any]:
    data: dict[str, Any] = entity.model_dump(mode="json", exclude_none=True)
    return data


def receipt(status: str, info: str, at: datetime, keys: dict[str, Any]) -> dict[str, Any]:
    return {
        **{k: v for k, v in keys.items() if v is not None},
        "returnStatus": status,
        "returnTime": format_return_time(china(at)),
        "returnInfo": clip_return_info(info),
    }


def key_taken(
    work: DeclarationWork, message: str, error: KeyTaken, at: datetime, keys: dict[str, Any]
) -> dict[str, Any]:
    """The receipt refusing a document of ``message`` under another enterprise's key."""
    return receipt(work.rules.receipts.key_taken[message], error.message, at, keys)


def violations_of(error: ValidationError, prefix: str = "") -> list[Violation]:
    found = []
    for item in error.errors():
        where = ".".join(str(p) for p in item.get("loc", ()))
        found.append(Violation(f"{prefix}{where}", item.get("msg", "invalid"), item.get("input")))
    return found


def info(violations: Sequence[Violation]) -> str:
    return "; ".join(str(v) for v in violations)


def list_keys(row: ListRow) -> dict[str, Any]:
    return {
        "copNo": row.cop_no,
        "agentCode": row.agent_code,
        "preNo": row.pre_no,
        "invtNo": row.invt_no,
        "orderNo": row.order_no,
        "ebpCode": row.ebp_code,
        "ebcCode": row.ebc_code,
    }


async def last_list_receipt(work: DeclarationWork, row: ListRow) -> dict[str, Any]:
    """The list's last receipt with its keys, as its filer is answered."""
    last = await work.lists.last_receipt(row)
    answer = receipt(last.return_status, last.return_info, china(last.created_at), list_keys(row))
    answer["returnTime"] = last.return_time
    return answer
