"""Funds documents on file and the order ledger: split payments, buyers, customs times."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from cbec.payments.domain import CNY, Flow, OrderKey, PersonIdentity
from cbec.payments.domain.funds import (
    FiledDocument,
    SplitPart,
    funds_records,
    payer_is_buyer,
    split_violations,
)
from cbec.payments.domain.ledger import Buyer, LedgerOrder, OrderSeen
from cbec.payments.domain.times import china_day, customs_time, from_customs_time
from tests.unit.payments.payments_factories import receipt, voucher

D = Decimal
FILER = "1101110323"


def test_a_document_outside_a_split_payment_is_a_record_of_its_own() -> None:
    on_file = FiledDocument(voucher(), FILER)
    [record] = funds_records([on_file])
    assert record.document_id == on_file.document.document_id
    assert not record.is_split


def test_the_parts_of_a_split_payment_make_one_record_with_the_total_as_filed() -> None:
    parts = [
        FiledDocument(voucher(orderNo="O2", payTransactionId="T2"), FILER, "P:PAY", D(300)),
        FiledDocument(voucher(orderNo="O1", payTransactionId="T1"), FILER, "P:PAY", D(300)),
    ]
    [record] = funds_records(parts)
    assert record.document_id == "SPLIT:I:P:PAY"
    assert record.total == D(300)
    assert [share.order.order_no for share in record.shares] == ["O1", "O2"]


def test_a_split_payment_without_a_total_on_file_totals_its_parts() -> None:
    parts = [
        FiledDocument(receipt(orderNo="E1", charge="10"), FILER, "P:PAY"),
        FiledDocument(receipt(orderNo="E2", charge="15.5"), FILER, "P:PAY"),
    ]
    [record] = funds_records(parts)
    assert record.total == D("25.5")
    assert record.payer is None


def test_a_split_payments_payer_is_the_buyer_only_when_every_part_says_so() -> None:
    assert payer_is_buyer([True, True]) is True
    assert payer_is_buyer([True, None]) is None
    assert payer_is_buyer([True, False, None]) is False
    assert payer_is_buyer([]) is None


def test_a_split_total_below_this_orders_share_is_refused_naming_the_field() -> None:
    assert split_violations(SplitPart("PAY", D(100)), D(100)) == []
    assert split_violations(None, D(100)) == []
    [violation] = split_violations(SplitPart("PAY", D(99)), D(100))
    assert violation.field == "splitPayment.total"


def test_a_split_payment_is_on_file_under_its_institution() -> None:
    assert SplitPart("PAY", D(1)).split_id("4403169D3W") == "4403169D3W:PAY"
    assert SplitPart("PAY", D(1)).split_id(None) == "-:PAY"


def test_a_released_list_names_the_buyer_only_when_the_order_did_not() -> None:
    listed = Buyer("1", "370102199001011234", "Zhang San")
    assert Buyer().after_release(listed) == listed
    named = Buyer("1", "110101199001011234", "Li Si")
    assert named.after_release(listed) == named


def _order(
    ie_flag: str,
    *,
    discount: Decimal | None = None,
    tax_total: Decimal | None = None,
    actural_paid: Decimal | None = None,
) -> OrderSeen:
    return OrderSeen(
        order_no="O1",
        ie_flag=ie_flag,
        order_type=ie_flag,
        ebp_code="EBP",
        ebc_code="EBC",
        currency=CNY,
        goods_value=D(100),
        freight=D(10),
        discount=discount,
        tax_total=tax_total,
        actural_paid=actural_paid,
        buyer=Buyer(),
        accepted_at=datetime(2026, 11, 22, tzinfo=UTC),
    )


def test_an_import_order_is_due_its_actural_paid_or_what_it_adds_up_to() -> None:
    assert _order("I", actural_paid=D("135.37")).amount_due == D("135.37")
    assert _order("I", tax_total=D(5), discount=D(2)).amount_due == D(113)
    assert _order("I").party_code == "EBP"


def test_an_export_order_is_due_its_goods_and_freight() -> None:
    assert _order("E", tax_total=D(5)).amount_due == D(110)
    assert _order("E").party_code == "EBC"


def test_an_import_order_on_the_ledger_is_reconciled_against_its_buyer() -> None:
    placed = datetime(2026, 11, 22, 0, 30, tzinfo=UTC)
    order = LedgerOrder("I", "O1", "EBP", "EBP", "EBC", CNY, D(10), placed, Buyer("1", "X", "Y"))
    facts = order.facts()
    assert facts.key == OrderKey(Flow.IMPORT, "O1", "EBP")
    assert facts.buyer == PersonIdentity("1", "X", "Y")
    assert facts.placed_at == datetime(2026, 11, 22, 8, 30)


def test_an_order_without_the_whole_buyer_is_reconciled_without_one() -> None:
    placed = datetime(2026, 11, 22, tzinfo=UTC)
    order = LedgerOrder("I", "O1", "EBP", "EBP", "EBC", CNY, D(10), placed, Buyer("1", "X"))
    assert order.facts().buyer is None


def test_customs_times_are_china_standard_time_without_a_zone() -> None:
    moment = datetime(2026, 11, 22, 16, 30, tzinfo=UTC)
    assert customs_time(moment) == datetime(2026, 11, 23, 0, 30)
    assert from_customs_time(datetime(2026, 11, 23, 0, 30)) == moment
    assert from_customs_time(moment) is moment
    assert china_day(moment).isoformat() == "2026-11-23"
