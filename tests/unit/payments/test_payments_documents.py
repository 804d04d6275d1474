"""Field rules of payment vouchers (CEB411) and receipts of funds (CEB403), from the XSDs."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest

from cbec.payments.domain import (
    AppType,
    Flow,
    InvalidFundsDocument,
    OrderKey,
    parse_payment_voucher,
    parse_receipt_of_funds,
    validate_payment_voucher,
    validate_receipt_of_funds,
)
from tests.unit.payments.payments_factories import raw_receipt, raw_voucher

CURRENCY_TABLE = frozenset({"110", "116", "142", "300", "303", "502"})


def rules_broken(violations: list[Any]) -> list[tuple[str, str]]:
    return [(v.field, v.rule) for v in violations]


def test_the_standards_sample_voucher_is_valid_and_keeps_amounts_as_decimals() -> None:
    voucher = parse_payment_voucher(raw_voucher())

    assert voucher.amount_paid == Decimal("19050")
    assert isinstance(voucher.amount_paid, Decimal)
    assert voucher.pay_time == datetime(2016, 3, 15, 15, 35, 55)
    assert voucher.app_type is AppType.NEW
    assert voucher.note is None
    assert voucher.document_key == ("1101110323", "P0242250007")
    assert voucher.order_key == OrderKey(Flow.IMPORT, "order2016030811340007", "1101110325")


def test_the_voucher_serialises_with_the_standards_field_names() -> None:
    dumped = parse_payment_voucher(raw_voucher()).model_dump(by_alias=True)

    assert {"payCode", "payTransactionId", "orderNo", "ebpCode", "amountPaid", "payTime"} <= set(
        dumped
    )


@pytest.mark.parametrize(
    ("field", "value", "rule"),
    [
        ("payCode", None, "is required"),
        ("payCode", "", "is required"),
        ("payCode", "1" * 19, "must be at most 18 characters"),
        ("payTransactionId", "P" * 61, "must be at most 60 characters"),
        ("orderNo", "o" * 61, "must be at most 60 characters"),
        ("payerName", "n" * 61, "must be at most 60 characters"),
        ("telephone", "1" * 61, "must be at most 60 characters"),
        ("note", "x" * 1001, "must be at most 1000 characters"),
        ("amountPaid", "1.123456", "must have at most 5 fraction digits"),
        ("amountPaid", "12345678901234567890", "must have at most 19 digits"),
        ("amountPaid", "0", "must be > 0"),
        ("amountPaid", "-190.50", "must be > 0"),
        ("amountPaid", 190.5, "must be a decimal (text or integer), not a float"),
        ("amountPaid", "19O50", "must be a decimal number"),
        ("amountPaid", "NaN", "must be a decimal number"),
        ("currency", "502", "must be 142 (CNY): import payments are in renminbi"),
        ("currency", "CNY", "must be a 3-digit customs currency code"),
        ("currency", "14", "must be a 3-digit customs currency code"),
        ("payTime", "2016-03-15", "must be a time as yyyyMMddHHmmss (14 digits)"),
        ("payTime", "20160230153555", "must be a real calendar date and time"),
        ("appTime", "20160308250000", "must be a real calendar date and time"),
        ("guid", "4cde1cfd-eded-46b1-946c-b8022e42fc94", "must be a 36-character upper-case UUID"),
        ("guid", "4CDE1CFD", "must be exactly 36 characters"),
        ("appType", "4", "must be one of 1, 2, 3"),
        ("appStatus", "3", "must be one of 1, 2"),
        ("payerIdType", "2", "must be one of 1"),
        ("payerIsBuyer", "maybe", "must be true or false (1 or 0)"),
    ],
)
def test_a_voucher_field_that_breaks_its_rule_is_named_with_the_rule(
    field: str, value: Any, rule: str
) -> None:
    violations = validate_payment_voucher(raw_voucher(**{field: value}))

    assert rules_broken(violations) == [(field, rule)]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("amountPaid", "0.00001"),
        ("amountPaid", "1.123450"),
        ("amountPaid", "1234567890123456789"),
        ("amountPaid", 19050),
        ("amountPaid", Decimal("190.5")),
        ("payCode", "4403169D3W12345678"),
        ("orderNo", "o" * 60),
        ("telephone", None),
        ("note", "x" * 1000),
        ("payTime", "20240229235959"),
        ("appType", 2),
        ("payerIsBuyer", True),
        ("payerIsBuyer", "0"),
    ],
)
def test_a_voucher_field_at_the_edge_of_its_rule_is_accepted(field: str, value: Any) -> None:
    assert validate_payment_voucher(raw_voucher(**{field: value})) == []


def test_validation_reports_every_broken_rule_not_only_the_first() -> None:
    raw = raw_voucher(payCode="", amountPaid="0", payTime="yesterday")

    with pytest.raises(InvalidFundsDocument) as caught:
        parse_payment_voucher(raw)

    assert rules_broken(caught.value.violations) == [
        ("payCode", "is required"),
        ("amountPaid", "must be > 0"),
        ("payTime", "must be a time as yyyyMMddHHmmss (14 digits)"),
    ]
    assert caught.value.status_code == 422
    assert "amountPaid: must be > 0 (got 0, expected 0)" in caught.value.message


def test_every_required_voucher_field_missing_is_reported() -> None:
    violations = validate_payment_voucher({})

    assert {v.field for v in violations} == {
        "guid",
        "appType",
        "appTime",
        "appStatus",
        "payCode",
        "payName",
        "payTransactionId",
        "orderNo",
        "ebpCode",
        "ebpName",
        "payerIdType",
        "payerIdNumber",
        "payerName",
        "amountPaid",
        "currency",
        "payTime",
    }
    assert {v.rule for v in violations} == {"is required"}


@pytest.mark.parametrize(
    ("reported", "recorded"),
    [("1", True), ("true", True), (True, True), ("0", False), (False, False), (None, None)],
)
def test_a_voucher_records_whether_the_institution_reports_the_payer_as_the_buyer(
    reported: Any, recorded: bool | None
) -> None:
    voucher = parse_payment_voucher(raw_voucher(payerIsBuyer=reported))

    assert voucher.payer_is_buyer is recorded


def test_the_standards_sample_receipt_is_valid_and_keyed_by_order_and_enterprise() -> None:
    receipt = parse_receipt_of_funds(raw_receipt())

    assert receipt.charge == Decimal("200.50")
    assert receipt.currency == "502"
    assert receipt.document_key == ("order2024050711340001", "1105910159")
    assert receipt.order_key == OrderKey(Flow.EXPORT, "order2024050711340001", "1105910159")
    assert receipt.payee == "1105910159"


@pytest.mark.parametrize(
    ("field", "value", "rule"),
    [
        ("ebcCode", None, "is required"),
        ("ebcCode", "1" * 19, "must be at most 18 characters"),
        ("ebpName", "n" * 101, "must be at most 100 characters"),
        ("orderNo", "o" * 61, "must be at most 60 characters"),
        ("payName", "", "is required"),
        ("payNo", "P" * 61, "must be at most 60 characters"),
        ("charge", "0.000000", "must be > 0"),
        ("charge", "200.505001", "must have at most 5 fraction digits"),
        ("currency", "USD", "must be a 3-digit customs currency code"),
        ("currency", "999", "must be a code of the customs currency table"),
        ("accountingDate", "20241301000000", "must be a real calendar date and time"),
        ("appStatus", "", "is required"),
    ],
)
def test_a_receipt_field_that_breaks_its_rule_is_named_with_the_rule(
    field: str, value: Any, rule: str
) -> None:
    violations = validate_receipt_of_funds(raw_receipt(**{field: value}), currencies=CURRENCY_TABLE)

    assert rules_broken(violations) == [(field, rule)]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("payCode", None),
        ("payNo", ""),
        ("currency", "142"),
        ("currency", "300"),
        ("charge", "0.00001"),
        ("ebpCode", "无"),
    ],
)
def test_a_receipt_field_at_the_edge_of_its_rule_is_accepted(field: str, value: Any) -> None:
    assert validate_receipt_of_funds(raw_receipt(**{field: value}), currencies=CURRENCY_TABLE) == []


def test_a_receipt_with_several_faults_names_each_field() -> None:
    with pytest.raises(InvalidFundsDocument) as caught:
        parse_receipt_of_funds(raw_receipt(ebcCode=None, charge="-1", currency="50"))

    assert [v.field for v in caught.value.violations] == ["ebcCode", "charge", "currency"]
