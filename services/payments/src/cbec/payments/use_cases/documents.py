"""Filing funds documents: a batch of vouchers or receipts, one answer per document, in order.

Each document is checked (fields, split payment, filer), classified against what is on file
(:func:`cbec.payments.domain.classify_submission`) and applied; what it changes is announced
in the same unit of work. The kind of document (:mod:`.kinds`) says what differs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cbec.payments.domain import (
    InvalidFundsDocument,
    SubmissionDecision,
    SubmissionKind,
    classify_submission,
)
from cbec.payments.domain.access import Who, filer_of, filing_violations, may_change
from cbec.payments.domain.funds import D, FiledDocument, SplitPart, split_violations
from cbec.payments.domain.times import customs_time
from cbec.payments.repository import FundsDocuments
from cbec.payments.unit_of_work import PaymentsWork
from cbec.payments.use_cases.kinds import DocumentKind, currency_codes
from cbec.shared.ceb import format_return_time
from cbec.shared.errors import Violation
from cbec.shared.telemetry import tag_span

ACCEPTED_STATUS = "2"  # accepted, being declared (DOMAIN.md §3)
REJECTED_STATUS = "100"  # rejected; the reason in returnInfo (DOMAIN.md §3)
MAX_RETURN_INFO = 1000  # returnInfo is at most 1000 characters (DOMAIN.md §3)
_CHANGED = (SubmissionKind.CHANGE, SubmissionKind.DELETE)


@dataclass(frozen=True, slots=True)
class Submitted:
    """One document of a request: the entity's fields (camelCase) and the extensions."""

    fields: dict[str, Any]
    split: SplitPart | None = None


@dataclass(slots=True)
class DocumentReceipt:
    """The answer to one document: its keys and returnStatus / returnTime / returnInfo."""

    keys: dict[str, Any]
    return_status: str
    return_info: str
    return_time: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "returnStatus": self.return_status,
            "returnTime": self.return_time,
            "returnInfo": self.return_info[:MAX_RETURN_INFO],
            **{k: v for k, v in self.keys.items() if v is not None},
        }


def _text(violations: Iterable[Violation]) -> str:
    return "; ".join(str(v) for v in violations)


def _status(decision: SubmissionDecision) -> str:
    if decision.accepted or decision.kind is SubmissionKind.IDENTICAL_DUPLICATE:
        # The same document sent again answers as the first time (nothing changes and nothing
        # is published): a resend after a lost answer is safe, as the gateway promises.
        return ACCEPTED_STATUS
    if decision.kind is SubmissionKind.CONFLICTING_DUPLICATE:
        # "-401007 duplicate payment" (DOMAIN.md §3): the key or the order is already paid.
        return decision.return_status or "-401007"
    return REJECTED_STATUS


def _info(decision: SubmissionDecision) -> str:
    if decision.differences:
        return f"{decision.reason}: {_text(decision.differences)}"
    return decision.reason


async def submit(
    work: PaymentsWork,
    kind: DocumentKind[D],
    batch: Sequence[Submitted],
    *,
    who: Who,
    now: datetime,
) -> list[DocumentReceipt]:
    """Apply a batch of funds documents of one kind filed by ``who``; one answer per document,
    in order (a document sees the ones before it in the batch)."""
    return [await _submit_one(work, kind, submitted, who=who, now=now) for submitted in batch]


async def _submit_one(
    work: PaymentsWork, kind: DocumentKind[D], submitted: Submitted, *, who: Who, now: datetime
) -> DocumentReceipt:
    keys = {k: submitted.fields.get(k) for k in kind.answer_keys}
    when = format_return_time(customs_time(now))
    tag_span(**{k: keys[k] for k in kind.span_keys})
    try:
        document = kind.parse(submitted.fields, currency_codes())
    except InvalidFundsDocument as error:
        return DocumentReceipt(keys, REJECTED_STATUS, _text(error.violations), when)
    refused = split_violations(submitted.split, document.amount) or filing_violations(who, document)
    if refused:
        return DocumentReceipt(keys, REJECTED_STATUS, _text(refused), when)
    on_file = kind.on_file(work)
    existing = await on_file.on_file(document)
    decision = classify_submission(
        existing.document if existing else None,
        document,
        same_order=await on_file.for_order(document),
        on_file_by_another=existing is not None and not may_change(who, existing.filed_by),
    )
    if existing is not None and existing.settlement_id is not None and decision.kind in _CHANGED:
        # A settled receipt was paid out: it stays as it was settled.
        info = f"{document.document_id} was settled in {existing.settlement_id}: it cannot change"
        return DocumentReceipt(keys, REJECTED_STATUS, info, when)
    split = submitted.split
    filed = FiledDocument(
        document,
        filer_of(who),
        split.split_id(document.pay_code) if split else None,
        split.total if split else None,
    )
    await _apply(on_file, decision, filed, now=now)
    if decision.kind in (SubmissionKind.NEW, SubmissionKind.CHANGE):
        work.publish(kind.accepted(document, now))
    await work.flush()
    return DocumentReceipt(keys, _status(decision), _info(decision), when)


async def _apply(
    on_file: FundsDocuments[D, Any],
    decision: SubmissionDecision,
    filed: FiledDocument[D],
    *,
    now: datetime,
) -> None:
    if decision.kind is SubmissionKind.NEW:
        on_file.add(filed, now=now)
    elif decision.kind is SubmissionKind.CHANGE:
        on_file.change(filed, now=now)
    elif decision.kind is SubmissionKind.DELETE:
        await on_file.delete(filed.document)
