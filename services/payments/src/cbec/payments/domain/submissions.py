"""What a submitted funds document does to what is on file: new, duplicate, change or delete.

A voucher is unique by ``payCode`` + ``payTransactionId``; a receipt of funds by its order key
``orderNo`` + ``ebcCode`` (DOMAIN.md §2). The caller looks up the document on file under the
new one's key and, for a voucher, the vouchers on file for the same order (one payment voucher
per import order: the three-document check finds it by ``orderNo`` + ``ebpCode``, DOMAIN.md §4)::

    decision = classify_submission(on_file, submitted, same_order=vouchers_of_the_order)
    if decision.kind is SubmissionKind.IDENTICAL_DUPLICATE:
        ...  # the same document again: answer it as accepted, change nothing
    elif decision.kind is SubmissionKind.CONFLICTING_DUPLICATE:
        ...  # answer -401007, change nothing
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from pydantic.alias_generators import to_camel, to_snake

from cbec.payments.domain.documents import (
    AppType,
    FundsDocument,
    PaymentVoucher,
    business_content,
)
from cbec.shared.errors import Violation

# "-401007 duplicate payment" (DOMAIN.md §3, processing errors).
DUPLICATE_PAYMENT_STATUS = "-401007"


class SubmissionKind(StrEnum):
    NEW = "new"
    IDENTICAL_DUPLICATE = "identical-duplicate"
    CONFLICTING_DUPLICATE = "conflicting-duplicate"
    CHANGE = "change"
    DELETE = "delete"
    UNKNOWN_DOCUMENT = "unknown-document"


_CHANGES_STATE = frozenset({SubmissionKind.NEW, SubmissionKind.CHANGE, SubmissionKind.DELETE})


@dataclass(frozen=True, slots=True)
class SubmissionDecision:
    """The outcome, and for a conflict or change the fields that differ (new vs on file)."""

    kind: SubmissionKind
    reason: str
    differences: tuple[Violation, ...] = field(default=())
    return_status: str | None = None

    @property
    def accepted(self) -> bool:
        """Whether the submission is applied: new, change and delete are; duplicates are not."""
        return self.kind in _CHANGES_STATE

    @property
    def changes_state(self) -> bool:
        return self.kind in _CHANGES_STATE


def _differences(on_file: FundsDocument, new: FundsDocument) -> tuple[Violation, ...]:
    old_content = business_content(on_file)
    new_content = business_content(new)
    return tuple(
        Violation(
            to_camel(name),
            "differs from the document on file under the same key",
            new_content[name],
            old_content[name],
        )
        for name in sorted(new_content)
        if new_content[name] != old_content.get(name)
    )


def _filed_by_another(new: FundsDocument) -> SubmissionDecision:
    key_field = "payTransactionId" if isinstance(new, PaymentVoucher) else "orderNo"
    return SubmissionDecision(
        SubmissionKind.CONFLICTING_DUPLICATE,
        f"{new.document_id} is on file, filed by another enterprise",
        (
            Violation(
                key_field,
                "a document on file is changed or deleted only by the enterprise that filed it",
                getattr(new, to_snake(key_field)),
            ),
        ),
        return_status=DUPLICATE_PAYMENT_STATUS,
    )


def _nothing_on_file(new: FundsDocument) -> SubmissionDecision:
    if new.app_type is AppType.NEW:
        return SubmissionDecision(SubmissionKind.NEW, f"{new.document_id} is new")
    return SubmissionDecision(
        SubmissionKind.UNKNOWN_DOCUMENT,
        f"appType {new.app_type.value} needs {new.document_id} on file, and it is not",
        (
            Violation(
                "appType", "a change or delete needs the document on file", new.app_type.value
            ),
        ),
    )


def classify_submission(
    existing: FundsDocument | None,
    new: FundsDocument,
    *,
    same_order: Iterable[FundsDocument] = (),
    on_file_by_another: bool = False,
) -> SubmissionDecision:
    """Classify ``new`` against ``existing``, the document on file under the same key (or None).

    - ``on_file_by_another``: ``existing`` was filed by another enterprise than the one sending
      ``new``: whatever ``new`` says (the same content, a change, a delete), it is refused as a
      duplicate (-401007) and changes nothing; only the filer changes or deletes a document;

    - nothing on file: ``appType`` 1 is new; a change or delete of it is an unknown document;
    - on file, same content (whatever ``guid``, ``appType`` and ``appTime``): an identical
      duplicate, nothing changes; it is the document sent again (an ERP whose answer was lost
      in a crash sends it again, the platform promises that this is safe), so it is answered as
      accepted, as the first time;
    - on file, different content: ``appType`` 2 is a change, ``appType`` 1 a conflicting
      duplicate (the key is taken); ``appType`` 3 deletes it;
    - ``same_order``: documents on file for the new one's order key; one under another
      document key means the order is already paid by another transaction: a conflict.
    """
    if existing is not None and (
        type(existing) is not type(new) or existing.document_key != new.document_key
    ):
        raise ValueError(
            f"{existing.document_id} is not on file under the key of {new.document_id}"
        )
    if existing is not None and on_file_by_another:
        return _filed_by_another(new)
    other = sorted(
        d.document_id
        for d in same_order
        if d.order_key == new.order_key and d.document_key != new.document_key
    )
    if other and new.app_type is not AppType.DELETE:
        return SubmissionDecision(
            SubmissionKind.CONFLICTING_DUPLICATE,
            f"order {new.order_key} already has funds document {', '.join(other)}",
            (Violation("orderNo", "one funds document per order", new.order_no, other[0]),),
        )
    if existing is None:
        return _nothing_on_file(new)
    if new.app_type is AppType.DELETE:
        return SubmissionDecision(SubmissionKind.DELETE, f"{new.document_id} is deleted")
    differences = _differences(existing, new)
    if not differences:
        return SubmissionDecision(
            SubmissionKind.IDENTICAL_DUPLICATE,
            f"{new.document_id} is already on file with the same content: accepted before, "
            "nothing changes",
        )
    if new.app_type is AppType.CHANGE:
        return SubmissionDecision(
            SubmissionKind.CHANGE, f"{new.document_id} is changed", differences
        )
    return SubmissionDecision(
        SubmissionKind.CONFLICTING_DUPLICATE,
        f"{new.document_id} is already on file with different content; send appType 2 to change",
        differences,
    )
