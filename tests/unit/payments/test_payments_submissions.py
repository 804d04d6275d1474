"""A submitted funds document against what is on file: new, duplicate, change or delete."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cbec.payments.domain import (
    DUPLICATE_PAYMENT_STATUS,
    SubmissionKind,
    classify_submission,
)
from tests.unit.payments.payments_factories import receipt, voucher

RESENT_GUID = "0D8E2C5A-1B7F-4E7A-9F8B-3C2D1E0F9A8B"


def test_a_voucher_with_nothing_on_file_is_new() -> None:
    decision = classify_submission(None, voucher())

    assert decision.kind is SubmissionKind.NEW
    assert decision.accepted


def test_the_same_voucher_sent_again_is_an_identical_duplicate_that_changes_nothing() -> None:
    on_file = voucher()
    resent = voucher(guid=RESENT_GUID, appTime="20160309080000")

    decision = classify_submission(on_file, resent)

    assert decision.kind is SubmissionKind.IDENTICAL_DUPLICATE
    # The document sent again (its answer lost in a crash): answered as accepted, not -401007.
    assert decision.return_status is None
    assert DUPLICATE_PAYMENT_STATUS == "-401007"  # is for a conflicting one
    assert not decision.accepted
    assert not decision.changes_state


def test_an_amount_written_with_trailing_zeros_is_the_same_amount() -> None:
    decision = classify_submission(voucher(), voucher(amountPaid="19050.00"))

    assert decision.kind is SubmissionKind.IDENTICAL_DUPLICATE


def test_a_change_that_changes_nothing_is_an_identical_duplicate() -> None:
    decision = classify_submission(voucher(), voucher(appType="2"))

    assert decision.kind is SubmissionKind.IDENTICAL_DUPLICATE


def test_a_new_voucher_under_a_taken_key_with_other_content_is_a_conflicting_duplicate() -> None:
    decision = classify_submission(voucher(), voucher(amountPaid="19000"))

    assert decision.kind is SubmissionKind.CONFLICTING_DUPLICATE
    assert not decision.accepted
    assert decision.return_status is None
    [difference] = decision.differences
    assert difference.field == "amountPaid"
    assert difference.value == Decimal("19000")
    assert difference.expected == Decimal("19050")


def test_a_change_of_a_voucher_on_file_is_a_change_naming_what_changed() -> None:
    decision = classify_submission(
        voucher(), voucher(appType="2", amountPaid="19000", payerName="王五")
    )

    assert decision.kind is SubmissionKind.CHANGE
    assert decision.accepted
    assert [d.field for d in decision.differences] == ["amountPaid", "payerName"]


def test_a_delete_of_a_voucher_on_file_deletes_it() -> None:
    decision = classify_submission(voucher(), voucher(appType="3"))

    assert decision.kind is SubmissionKind.DELETE


@pytest.mark.parametrize("app_type", ["2", "3"])
def test_a_change_or_delete_of_a_document_not_on_file_is_refused(app_type: str) -> None:
    decision = classify_submission(None, voucher(appType=app_type))

    assert decision.kind is SubmissionKind.UNKNOWN_DOCUMENT
    assert not decision.accepted
    assert decision.differences[0].field == "appType"
    assert decision.differences[0].value == app_type


def test_a_second_voucher_for_an_already_paid_order_is_a_conflict() -> None:
    first = voucher()
    second = voucher(payTransactionId="P0242250099")

    decision = classify_submission(None, second, same_order=[first])

    assert decision.kind is SubmissionKind.CONFLICTING_DUPLICATE
    assert decision.differences[0].field == "orderNo"
    assert first.document_id in decision.reason


def test_vouchers_of_other_orders_do_not_conflict() -> None:
    other_order = voucher(payTransactionId="P0242250099", orderNo="order2016030811340008")

    decision = classify_submission(None, voucher(), same_order=[other_order])

    assert decision.kind is SubmissionKind.NEW


def test_the_voucher_itself_among_its_orders_documents_is_no_conflict() -> None:
    on_file = voucher()

    decision = classify_submission(on_file, voucher(), same_order=[on_file])

    assert decision.kind is SubmissionKind.IDENTICAL_DUPLICATE


def test_a_receipt_is_keyed_by_order_and_enterprise_so_a_new_pay_no_is_a_conflict() -> None:
    decision = classify_submission(receipt(), receipt(payNo="P20240507999"))

    assert decision.kind is SubmissionKind.CONFLICTING_DUPLICATE
    assert [d.field for d in decision.differences] == ["payNo"]


def test_a_receipt_sent_twice_is_an_identical_duplicate() -> None:
    decision = classify_submission(receipt(), receipt(guid=RESENT_GUID))

    assert decision.kind is SubmissionKind.IDENTICAL_DUPLICATE


def test_a_receipt_changed_with_app_type_2_is_a_change() -> None:
    decision = classify_submission(receipt(), receipt(appType="2", charge="210.00"))

    assert decision.kind is SubmissionKind.CHANGE


def test_the_document_on_file_must_be_the_one_under_the_new_documents_key() -> None:
    with pytest.raises(ValueError, match="not on file under the key"):
        classify_submission(voucher(), voucher(payTransactionId="P0242250099"))


def test_a_receipt_is_never_on_file_under_a_vouchers_key() -> None:
    with pytest.raises(ValueError, match="not on file under the key"):
        classify_submission(receipt(), voucher())
