"""Who files a funds document, and what anyone else sending under its key is told."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from cbec.payments.domain import DUPLICATE_PAYMENT_STATUS, SubmissionKind, classify_submission
from cbec.payments.domain.access import filing_violations, may_change, reads_everything
from tests.unit.payments.payments_factories import receipt, voucher

SELLER, INSTITUTION, PLATFORM = "1105910159", "4403169D3W", "1105910159"


@dataclass(frozen=True)
class Who:
    party: str | None
    roles: frozenset[str]


def who(party: str | None, *roles: str) -> Who:
    return Who(party, frozenset(roles))


# (caller, document, the fields its refusal names; () when it may file the document)
FILERS = [
    (who("1101110323", "payment"), voucher(), ()),
    (who("1101110323", "ecommerce"), voucher(), ("payCode",)),
    (who("9999999999", "payment"), voucher(), ("payCode",)),
    (who(None, "payment"), voucher(), ("payCode",)),
    (who(INSTITUTION, "payment"), receipt(), ()),
    (who(SELLER, "ecommerce"), receipt(), ()),
    (who("1101110325", "ecommerce"), receipt(ebpCode="1101110325"), ()),
    (who(INSTITUTION, "ecommerce"), receipt(), ("ebcCode", "ebpCode")),
    (who(SELLER, "payment"), receipt(), ("payCode",)),
    (who(INSTITUTION, "customs-officer"), receipt(), ("ebcCode", "ebpCode", "payCode")),
]


@pytest.mark.parametrize(("caller", "document", "fields"), FILERS)
def test_a_funds_document_is_filed_by_an_enterprise_it_names_in_a_field_of_its_role(
    caller: Who, document: object, fields: tuple[str, ...]
) -> None:
    violations = filing_violations(caller, document)  # type: ignore[arg-type]
    assert tuple(v.field for v in violations) == fields


@pytest.mark.parametrize(
    "new",
    [
        receipt(appType="2", charge="1.00"),
        receipt(appType="3"),
        receipt(appType="1"),  # the same content: accepted as sent again, but only to its filer
    ],
    ids=["change", "delete", "the same again"],
)
def test_anything_under_the_key_of_another_enterprises_document_is_a_duplicate(
    new: object,
) -> None:
    decision = classify_submission(receipt(), new, on_file_by_another=True)  # type: ignore[arg-type]

    assert decision.kind is SubmissionKind.CONFLICTING_DUPLICATE
    assert not decision.changes_state
    assert decision.return_status == DUPLICATE_PAYMENT_STATUS
    assert [v.field for v in decision.differences] == ["orderNo"]
    assert "filed it" in decision.differences[0].rule


def test_a_voucher_of_another_names_its_transaction() -> None:
    decision = classify_submission(voucher(), voucher(appType="2"), on_file_by_another=True)
    assert [v.field for v in decision.differences] == ["payTransactionId"]


@pytest.mark.parametrize(
    ("new", "kind"),
    [
        (receipt(appType="2", charge="1.00"), SubmissionKind.CHANGE),
        (receipt(appType="3"), SubmissionKind.DELETE),
        (receipt(), SubmissionKind.IDENTICAL_DUPLICATE),
    ],
)
def test_the_filer_changes_deletes_and_resends_its_own(new: object, kind: SubmissionKind) -> None:
    assert classify_submission(receipt(), new).kind is kind  # type: ignore[arg-type]


def test_only_the_filer_may_change_and_officers_read_everything() -> None:
    assert may_change(who(INSTITUTION, "payment"), INSTITUTION)
    assert not may_change(who("1105910159", "payment"), INSTITUTION)
    assert not may_change(who(None, "payment"), INSTITUTION)
    assert reads_everything(who("X", "tax-officer"))
    assert reads_everything(who(None, "operator"))
    assert not reads_everything(who(SELLER, "ecommerce", "payment"))
