"""Receipts: the answer to a business message is the message whose code is one higher.

Each business document gets a receipt document carrying its keys (``guid``, ``orderNo``,
``ebcCode`` ...) and ``returnStatus``, ``returnTime`` (yyyyMMddHHmmssSSS) and ``returnInfo``
(DOMAIN.md §3; the receipt messages of the 202205 standard: CEB304 for CEB303 ...)::

    receipt = receipt_for(order_message, return_status="2", return_time=now, return_info="ok")
    receipt.message_type()   # "CEB304Message", one OrderReturn per Order

    build_receipt("CEB621Message", [{"guid": ..., "customsCode": "4300", ...}],
                  return_status="120", return_time=now, return_info="入库")
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from cbec.shared.ceb.codec import MESSAGES, problems_from_validation
from cbec.shared.ceb.errors import CebSchemaError, Problem
from cbec.shared.ceb.types import CebMessage, CebModel

_RETURN_FIELDS = frozenset({"returnStatus", "returnTime", "returnInfo"})
_ENVELOPE_FIELDS = frozenset({"BaseTransfer", "BaseSubscribe", "ExtendMessage"})


def _receipt_pairs() -> dict[str, str]:
    pairs = {}
    for name, model in MESSAGES.items():
        answer = f"CEB{int(name[3:6]) + 1:03d}Message"
        answer_model = MESSAGES.get(answer)
        # A business message travels with a BaseTransfer; its receipt is a bare list of
        # ...Return documents.
        if (
            answer_model is not None
            and "BaseTransfer" in model.model_fields
            and "BaseTransfer" not in answer_model.model_fields
        ):
            pairs[name] = answer
    return pairs


RECEIPT_TYPES: dict[str, str] = _receipt_pairs()
"""Business message type -> receipt message type (``CEB303Message`` -> ``CEB304Message``)."""


def receipt_type(message_type: str) -> str:
    """The receipt message type answering a business message type."""
    try:
        return RECEIPT_TYPES[message_type]
    except KeyError:
        rule = "no receipt message answers this message type"
        raise CebSchemaError([Problem(f"/{message_type}", rule, value=message_type)]) from None


def format_return_time(moment: datetime) -> str:
    """``returnTime`` as the standard writes it: yyyyMMddHHmmssSSS."""
    return moment.strftime("%Y%m%d%H%M%S") + f"{moment.microsecond // 1000:03d}"


def _document_field(model: type[CebMessage]) -> str:
    return next(name for name in model.xml_spec.children if name not in _ENVELOPE_FIELDS)


def build_receipt(
    message_type: str,
    documents: Iterable[Mapping[str, Any]],
    *,
    return_status: str | int,
    return_time: datetime | str,
    return_info: str,
    guid: str | None = None,
    version: str = "1.0",
) -> CebMessage:
    """The receipt message for ``message_type`` (a business message type), one receipt document
    per mapping of document keys (``guid`` and the keys the receipt names, e.g. ``ebpCode``,
    ``ebcCode``, ``orderNo`` for CEB304). Keys the receipt does not carry are ignored."""
    answer = MESSAGES[receipt_type(message_type)]
    field = _document_field(answer)
    document_model = answer.xml_spec.children[field]
    wanted = set(document_model.model_fields) - _RETURN_FIELDS
    when = return_time if isinstance(return_time, str) else format_return_time(return_time)
    returns = [
        {
            **{k: v for k, v in keys.items() if k in wanted and v is not None},
            "returnStatus": str(return_status),
            "returnTime": when,
            "returnInfo": return_info,
        }
        for keys in documents
    ]
    values = {"guid": guid or str(uuid.uuid4()).upper(), "version": version, field: returns}
    try:
        return answer.model_validate(values)
    except ValidationError as error:
        raise CebSchemaError(problems_from_validation(error, answer.xml_spec.name)) from None


def document_keys(document: CebModel) -> dict[str, Any]:
    """The simple fields of a business document's head (or of the document itself when it has
    no head): where a receipt finds the keys it repeats."""
    spec = document.xml_spec
    head_field = next((name for name in spec.children if name.endswith("Head")), None)
    head = getattr(document, head_field) if head_field else document
    head_spec = head.xml_spec
    return {
        name: getattr(head, name)
        for name in type(head).model_fields
        if name not in head_spec.children and name not in head_spec.fragments
    }


def receipt_for(
    message: CebMessage,
    *,
    return_status: str | int,
    return_time: datetime | str,
    return_info: str,
    keys: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None,
    guid: str | None = None,
) -> CebMessage:
    """The receipt answering every document of a business message, their keys taken from the
    documents. ``keys`` adds or overrides keys the platform or customs assigns (``preNo``,
    ``invtNo`` ...): one mapping for every document, or a sequence with one per document."""
    name = message.xml_spec.name
    field = _document_field(type(message))
    value = getattr(message, field)
    documents = value if field in message.xml_spec.repeated else [value]
    if keys is None or isinstance(keys, Mapping):
        extra: Sequence[Mapping[str, Any]] = [keys or {}] * len(documents)
    elif len(keys) != len(documents):
        rule = f"one mapping of keys per document: {len(documents)} documents"
        raise CebSchemaError([Problem(f"/{name}/{field}", rule, value=str(len(keys)))])
    else:
        extra = keys
    return build_receipt(
        name,
        [{**document_keys(d), **k} for d, k in zip(documents, extra, strict=True)],
        return_status=return_status,
        return_time=return_time,
        return_info=return_info,
        guid=guid,
    )
