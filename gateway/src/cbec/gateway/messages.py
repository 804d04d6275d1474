"""Customs XML at the edge: a CEB business message becomes the JSON documents the services take,
and their JSON receipts become the CEB receipt message.

    message = parse_message(body)                       # hardened: no DTD, no entities
    documents = documents_of(message)                   # [{"OrderHead": {...}, "OrderList": [...]}]
    payload = to_json(documents)                        # amounts as exact JSON numbers
    xml = receipt_xml(message, service_answer["receipts"])   # CEB304Message ...

Pure: no I/O.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from cbec.gateway.routing import document_field
from cbec.shared.ceb import (
    CebMessage,
    CebSchemaError,
    build_receipt,
    document_keys,
    format_return_time,
    to_xml,
)
from cbec.shared.ceb.types import format_decimal
from cbec.shared.clock import utcnow

RETURN_FIELDS = ("returnStatus", "returnTime", "returnInfo")
MAX_RETURN_INFO = 1000
"""``returnInfo`` holds at most 1000 characters (DOMAIN.md §3)."""


def documents(message: CebMessage) -> list[Any]:
    """The document models of a message (one for a message holding a single document)."""
    field = document_field(message.message_type())
    value = getattr(message, field)
    return list(value) if isinstance(value, list) else [value]


def documents_of(message: CebMessage) -> list[dict[str, Any]]:
    """The documents of a message in the JSON shape of the service APIs (the entity, without
    the message's BaseTransfer), amounts kept as Decimal."""
    return [d.model_dump(mode="python", exclude_none=True) for d in documents(message)]


def to_json(value: Any) -> bytes:
    """JSON with Decimal written as exact numbers (never through float)."""
    return _encode(value).encode("utf-8")


def _encode(value: Any) -> str:
    if isinstance(value, Decimal):
        return format_decimal(value)
    if isinstance(value, Mapping):
        items = (f"{json.dumps(str(k), ensure_ascii=False)}:{_encode(v)}" for k, v in value.items())
        return "{" + ",".join(items) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(_encode(v) for v in value) + "]"
    if isinstance(value, datetime):
        return json.dumps(value.isoformat())
    return json.dumps(value, ensure_ascii=False)


def receipt_message(message: CebMessage, receipts: Sequence[Mapping[str, Any]]) -> CebMessage:
    """The receipt message answering ``message``: one receipt document per document, from the
    service's JSON receipt of it (its status, time, info and the keys the service assigned, such
    as ``preNo`` or ``invtNo``) and the keys of the document itself.

    Raises :class:`CebSchemaError` when the answer cannot be a valid receipt message (a receipt
    missing or lacking a key that the receipt message requires)."""
    docs = documents(message)
    if len(receipts) != len(docs):
        raise CebSchemaError([], f"{len(receipts)} receipts for {len(docs)} documents")
    name = message.message_type()
    answers: list[CebMessage] = []
    for document, receipt in zip(docs, receipts, strict=True):
        keys = {**document_keys(document)}
        keys.update({k: v for k, v in receipt.items() if k not in RETURN_FIELDS and v is not None})
        answers.append(
            build_receipt(
                name,
                [keys],
                return_status=str(receipt.get("returnStatus", "")),
                return_time=str(receipt.get("returnTime") or format_return_time(utcnow())),
                return_info=str(receipt.get("returnInfo", ""))[:MAX_RETURN_INFO],
            )
        )
    first = answers[0]
    field = document_field_of(first)
    combined = [item for answer in answers for item in getattr(answer, field)]
    return type(first).model_validate(
        {"guid": first.guid, "version": first.version, field: combined}
    )


def document_field_of(receipt: CebMessage) -> str:
    spec = type(receipt).xml_spec
    return next(name for name in spec.children if name not in ("BaseTransfer", "ExtendMessage"))


def receipt_xml(message: CebMessage, receipts: Sequence[Mapping[str, Any]]) -> bytes:
    return to_xml(receipt_message(message, receipts))
