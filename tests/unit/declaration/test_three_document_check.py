"""The three-document check (三单比对, DOMAIN.md §4)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal as D
from itertools import permutations
from typing import Any

import pytest

from cbec.declaration.domain import (
    ExportDocumentsOnFile,
    ImportDocumentsOnFile,
    Violation,
    check_export,
    check_import,
    check_import_limits,
    missing_documents_report,
)
from cbec.declaration.domain.three_document import (
    EXPORT_FUNDS,
    EXPORT_ORDER,
    EXPORT_WAYBILL,
    IMPORT_ORDER,
    IMPORT_PAYMENT,
    IMPORT_WAYBILL,
)
from tests.unit.declaration.decl_builders import (
    export_funds,
    export_line,
    export_list,
    export_on_file,
    export_order,
    export_waybill,
    import_limits,
    import_list,
    import_on_file,
    import_order,
    import_order_line,
    import_payment,
    import_waybill,
    replace_line,
    three_document_rules,
)

RULES = three_document_rules()


def only(violations: tuple[Violation, ...]) -> Violation:
    assert len(violations) == 1, violations
    return violations[0]


# Waiting for documents


@pytest.mark.parametrize(
    ("present", "missing"),
    [
        ((), (EXPORT_ORDER, EXPORT_FUNDS, EXPORT_WAYBILL)),
        (("order",), (EXPORT_FUNDS, EXPORT_WAYBILL)),
        (("order", "funds"), (EXPORT_WAYBILL,)),
        (("funds", "waybill"), (EXPORT_ORDER,)),
        (("order", "waybill"), (EXPORT_FUNDS,)),
    ],
)
def test_export_list_waits_for_every_missing_document(
    present: tuple[str, ...], missing: tuple[str, ...]
) -> None:
    full = export_on_file()
    on_file = ExportDocumentsOnFile(**{name: getattr(full, name) for name in present})
    # Even a disagreeing list is not compared while something is missing.
    result = check_export(export_list(ebp_code="OTHER"), on_file, RULES)
    assert (result.complete, result.missing, result.violations) == (False, missing, ())


@pytest.mark.parametrize("arrival", list(permutations(["order", "funds", "waybill"])))
def test_the_check_runs_when_the_last_missing_document_arrives(arrival: tuple[str, ...]) -> None:
    full = export_on_file()
    arrived: dict[str, Any] = {}
    outcomes = []
    for name in arrival:
        arrived[name] = getattr(full, name)
        outcomes.append(check_export(export_list(), ExportDocumentsOnFile(**arrived), RULES).passed)
    assert outcomes == [False, False, True]


def test_list_waits_until_its_import_waybill_arrives() -> None:
    on_file = import_on_file(waybill=None)
    result = check_import(import_list(), on_file, RULES, import_limits())
    assert result.missing == (IMPORT_WAYBILL,)
    assert not result.complete


def test_import_list_with_nothing_on_file_lacks_all_three() -> None:
    result = check_import(import_list(), ImportDocumentsOnFile(), RULES, import_limits())
    assert result.missing == (IMPORT_ORDER, IMPORT_PAYMENT, IMPORT_WAYBILL)


@pytest.mark.parametrize(
    ("elapsed", "overdue"),
    [(timedelta(hours=71), False), (timedelta(hours=72), True), (timedelta(days=5), True)],
)
def test_a_list_missing_documents_past_the_wait_is_overdue(
    elapsed: timedelta, overdue: bool
) -> None:
    received = datetime(2026, 3, 5, 9, 0)
    report = missing_documents_report(
        (EXPORT_WAYBILL,), received_at=received, now=received + elapsed, wait=timedelta(days=3)
    )
    assert report is not None
    assert report.missing == (EXPORT_WAYBILL,)
    assert report.deadline == datetime(2026, 3, 8, 9, 0)
    assert report.overdue is overdue


def test_a_complete_list_is_never_reported_missing_documents() -> None:
    now = datetime(2026, 3, 5)
    assert missing_documents_report((), received_at=now, now=now, wait=timedelta(0)) is None


# Export comparisons


def test_an_export_list_that_agrees_with_its_documents_passes() -> None:
    assert check_export(export_list(), export_on_file(), RULES).passed


EXPORT_MISMATCHES: list[tuple[str, Any, Any, str, Any, Any]] = [
    # (id, list, on_file, field, value, expected)
    (
        "ebpCode differs",
        export_list(ebpCode="3701960009"),
        export_on_file(),
        "order.ebpCode",
        "3701960009",
        "3701960001",
    ),
    (
        "ebcCode differs",
        export_list(),
        export_on_file(order=export_order(ebcCode="3701960008")),
        "order.ebcCode",
        "3701960002",
        "3701960008",
    ),
    (
        "order for another orderNo",
        export_list(),
        export_on_file(order=export_order(orderNo="EO0002")),
        "order.orderNo",
        "EO0002",
        "EO0001",
    ),
    (
        "funds for another order",
        export_list(),
        export_on_file(funds=export_funds(orderNo="EO0002")),
        "receipts.orderNo",
        "EO0002",
        "EO0001",
    ),
    (
        "funds of another enterprise",
        export_list(),
        export_on_file(funds=export_funds(ebcCode="3701960008")),
        "receipts.ebcCode",
        "3701960008",
        "3701960002",
    ),
    (
        "waybill of another carrier",
        export_list(),
        export_on_file(waybill=export_waybill(logisticsCode="3701970009", copCode="3701970009")),
        "logistics.logisticsCode",
        "3701970009",
        "3701970004",
    ),
    (
        "waybill number differs",
        export_list(),
        export_on_file(waybill=export_waybill(logisticsNo="LP0002")),
        "logistics.logisticsNo",
        "LP0002",
        "LP0001",
    ),
    (
        "order sent by the carrier",
        export_list(),
        export_on_file(order=export_order(copCode="3701970004")),
        "order.copCode",
        "3701970004",
        "3701960001 or 3701960002",
    ),
    (
        "funds sent by the platform",
        export_list(),
        export_on_file(funds=export_funds(copCode="3701960001")),
        "receipts.copCode",
        "3701960001",
        "3701960002 or 4403169D3W",
    ),
    (
        "waybill sent by the enterprise",
        export_list(),
        export_on_file(waybill=export_waybill(copCode="3701960002")),
        "logistics.copCode",
        "3701960002",
        "3701970004",
    ),
    (
        "goods name differs",
        replace_line(export_list(), 2, item_name="handbag"),
        export_on_file(),
        "inventoryList[2].itemName",
        "handbag",
        "goods 2",
    ),
    (
        "funds in another currency",
        export_list(),
        export_on_file(funds=export_funds(currency="142")),
        "receipts.currency",
        "142",
        "502",
    ),
    (
        "list line in another currency",
        replace_line(export_list(), 1, currency="142"),
        export_on_file(),
        "inventoryList[1].currency",
        "142",
        "502",
    ),
    (
        "order line in another currency",
        export_list(),
        export_on_file(order=replace_line(export_order(), 2, currency="300")),
        "orderList[2].currency",
        "300",
        "502",
    ),
    (
        "received amount short",
        export_list(),
        export_on_file(funds=export_funds(charge=D("119.99"))),
        "receipts.charge",
        D("119.99"),
        D(120),
    ),
    (
        "received amount without freight",
        export_list(),
        export_on_file(funds=export_funds(charge=D(110))),
        "receipts.charge",
        D(110),
        D(120),
    ),
]


@pytest.mark.parametrize(
    ("invt", "on_file", "field", "value", "expected"),
    [case[1:] for case in EXPORT_MISMATCHES],
    ids=[case[0] for case in EXPORT_MISMATCHES],
)
def test_each_export_mismatch_names_its_rule_and_both_values(
    invt: Any, on_file: Any, field: str, value: Any, expected: Any
) -> None:
    result = check_export(invt, on_file, RULES)
    violation = only(result.violations)
    assert (violation.field, violation.value, violation.expected) == (field, value, expected)
    assert violation.rule
    assert str(value) in str(violation)
    assert str(expected) in str(violation)


def test_a_list_line_without_an_order_line_is_a_mismatch() -> None:
    invt = export_list(
        inventoryList=(*export_list().lines, export_line(3, itemName="goods 3")),
    )
    violation = only(check_export(invt, export_on_file(), RULES).violations)
    assert (violation.field, violation.rule) == (
        "inventoryList[3].gnum",
        "every list line has an order line",
    )


def test_an_order_line_without_a_list_line_is_a_mismatch() -> None:
    invt = export_list(inventoryList=export_list().lines[:1])
    violation = only(check_export(invt, export_on_file(), RULES).violations)
    assert (violation.field, violation.rule) == (
        "orderList[2].gnum",
        "every order line has a list line",
    )


def test_the_goods_name_falls_back_to_gname_when_the_list_has_no_item_name() -> None:
    invt = replace_line(export_list(), 1, item_name=None, gname="goods 1")
    assert check_export(invt, export_on_file(), RULES).passed


def test_funds_may_be_sent_by_the_enterprise_itself() -> None:
    on_file = export_on_file(funds=export_funds(copCode="3701960002"))
    assert check_export(export_list(), on_file, RULES).passed


@pytest.mark.parametrize(
    ("tolerance", "charge", "passes"),
    [
        ("0", "120", True),
        ("0", "120.01", False),
        ("0.01", "120.01", True),
        ("0.01", "119.98", False),
    ],
)
def test_received_amount_tolerance_is_configurable(
    tolerance: str, charge: str, passes: bool
) -> None:
    on_file = export_on_file(funds=export_funds(charge=D(charge)))
    assert check_export(export_list(), on_file, three_document_rules(tolerance)).passed is passes


def test_every_export_mismatch_is_reported_together() -> None:
    on_file = export_on_file(
        order=export_order(ebpCode="3701960009"),
        funds=export_funds(currency="142", charge=D(1)),
        waybill=export_waybill(logisticsNo="LP0009"),
    )
    fields = {v.field for v in check_export(export_list(), on_file, RULES).violations}
    assert fields == {
        "order.ebpCode",
        "order.copCode",
        "receipts.currency",
        "receipts.charge",
        "logistics.logisticsNo",
    }


# Import comparisons


def test_an_import_list_that_agrees_with_its_documents_passes() -> None:
    assert check_import(import_list(), import_on_file(), RULES, import_limits()).passed


IMPORT_MISMATCHES: list[tuple[str, Any, Any, str, Any, Any]] = [
    (
        "ebpCode differs",
        import_list(ebpCode="4403160009"),
        import_on_file(payment=import_payment(ebpCode="4403160009")),
        "order.ebpCode",
        "4403160009",
        "4403169999",
    ),
    (
        "payment for another order",
        import_list(),
        import_on_file(payment=import_payment(orderNo="IO0002")),
        "payment.orderNo",
        "IO0002",
        "IO0001",
    ),
    (
        "waybill names another order",
        import_list(),
        import_on_file(waybill=import_waybill(orderNo="IO0002")),
        "logistics.orderNo",
        "IO0002",
        "IO0001",
    ),
    (
        "waybill number differs",
        import_list(),
        import_on_file(waybill=import_waybill(logisticsNo="IL0002")),
        "logistics.logisticsNo",
        "IL0002",
        "IL0001",
    ),
    (
        "acturalPaid is not the sum",
        import_list(),
        import_on_file(
            order=import_order(acturalPaid=D("130.37")),
            payment=import_payment(amountPaid=D("130.37")),
        ),
        "order.acturalPaid",
        D("130.37"),
        D("135.37"),
    ),
    (
        "payment differs from acturalPaid",
        import_list(),
        import_on_file(payment=import_payment(amountPaid=D("135.36"))),
        "payment.amountPaid",
        D("135.36"),
        D("135.37"),
    ),
    (
        "consignee name differs",
        import_list(),
        import_on_file(waybill=import_waybill(consignee="李四")),
        "logistics.consignee",
        "李四",
        "张三",
    ),
    (
        "consignee phone differs",
        import_list(),
        import_on_file(waybill=import_waybill(consigneeTelephone="13900000000")),
        "logistics.consigneeTelephone",
        "13900000000",
        "13800000000",
    ),
    (
        "consignee address differs",
        import_list(),
        import_on_file(waybill=import_waybill(consigneeAddress="青岛市1号")),
        "logistics.consigneeAddress",
        "青岛市1号",
        "济南市历下区1号",
    ),
    (
        "order not in CNY",
        import_list(),
        import_on_file(order=import_order(currency="502")),
        "order.currency",
        "502",
        "142",
    ),
    (
        "payment not in CNY",
        import_list(),
        import_on_file(payment=import_payment(currency="502")),
        "payment.currency",
        "502",
        "142",
    ),
    (
        "list not in CNY",
        import_list(currency="110"),
        import_on_file(),
        "currency",
        "110",
        "142",
    ),
    (
        "list line not in CNY",
        replace_line(import_list(), 1, currency="110"),
        import_on_file(),
        "inventoryList[1].currency",
        "110",
        "142",
    ),
    ("list of two parcels", import_list(packNo=2), import_on_file(), "packNo", 2, 1),
    (
        "waybill of two parcels",
        import_list(),
        import_on_file(waybill=import_waybill(packNo=2)),
        "logistics.packNo",
        2,
        1,
    ),
    (
        "list names another buyer",
        import_list(buyerName="李四"),
        import_on_file(),
        "buyerName",
        "李四",
        "张三",
    ),
    (
        "payment sent by the platform",
        import_list(),
        import_on_file(payment=import_payment(copCode="4403169999")),
        "payment.copCode",
        "4403169999",
        "4403169D3W",
    ),
    (
        "waybill sent by the platform",
        import_list(),
        import_on_file(waybill=import_waybill(copCode="4403169999")),
        "logistics.copCode",
        "4403169999",
        "4403970002",
    ),
]


@pytest.mark.parametrize(
    ("invt", "on_file", "field", "value", "expected"),
    [case[1:] for case in IMPORT_MISMATCHES],
    ids=[case[0] for case in IMPORT_MISMATCHES],
)
def test_each_import_mismatch_names_its_rule_and_both_values(
    invt: Any, on_file: Any, field: str, value: Any, expected: Any
) -> None:
    violation = only(check_import(invt, on_file, RULES, import_limits()).violations)
    assert (violation.field, violation.value, violation.expected) == (field, value, expected)


@pytest.mark.parametrize(
    ("payer_name", "payer_id", "verified", "passes"),
    [
        ("张三", "370102199001011234", False, True),  # the buyer paid
        ("李四", "370102199202022222", True, True),  # another payer, buyer verified
        ("李四", "370102199202022222", False, False),  # another payer, not verified
        ("张三", "370102199202022222", False, False),  # same name, other identity
    ],
)
def test_the_buyer_is_verified_or_is_the_payer(
    payer_name: str, payer_id: str, verified: bool, passes: bool
) -> None:
    on_file = import_on_file(
        payment=import_payment(payerName=payer_name, payerIdNumber=payer_id),
        buyer_verified=verified,
    )
    result = check_import(import_list(), on_file, RULES, import_limits())
    assert result.passed is passes
    if not passes:
        assert only(result.violations).field == "payment.payerIdNumber"


def test_actural_paid_accounts_for_the_discount() -> None:
    order = import_order(discount=D(5), acturalPaid=D("130.37"))
    on_file = import_on_file(order=order, payment=import_payment(amountPaid=D("130.37")))
    assert check_import(import_list(), on_file, RULES, import_limits()).passed


# Import limits (财关税〔2018〕49号)


def order_of(value: str, qty: str = "1", lines: int = 1) -> Any:
    per_line = D(value) / lines
    return import_order(
        goodsValue=D(value),
        freight=D(0),
        orderList=tuple(
            import_order_line(g, qty=D(qty), price=per_line / D(qty), totalPrice=per_line)
            for g in range(1, lines + 1)
        ),
    )


@pytest.mark.parametrize(
    ("value", "qty", "lines", "year_total", "codes"),
    [
        ("4999.99", "1", 2, "0", []),
        ("5000", "1", 2, "0", []),  # at the limit
        ("5000.01", "1", 2, "0", ["-621005"]),
        ("5000.01", "2", 1, "0", ["-621005"]),  # one line, but two pieces: divisible
        ("6000", "1", 1, "0", []),  # a single indivisible item within the year's room
        ("6000", "1", 1, "20000", []),  # exactly 26,000 in the year
        ("6000", "1", 1, "20000.01", ["-621005", "-621018"]),
        ("1000", "1", 2, "25000", []),
        ("1000", "1", 2, "25000.01", ["-621018"]),
    ],
)
def test_import_limits_per_transaction_and_per_year(
    value: str, qty: str, lines: int, year_total: str, codes: list[str]
) -> None:
    violations = check_import_limits(order_of(value, qty, lines), D(year_total), import_limits())
    assert [v.rule.split()[0] for v in violations] == codes


def test_the_limit_counts_freight_and_discount() -> None:
    order = import_order(
        goodsValue=D(4995), freight=D(10), discount=D(0), orderList=(import_order_line(1),)
    )
    order = order.model_copy(
        update={"lines": (import_order_line(1, qty=D(2), price=D("2497.5"), totalPrice=D(4995)),)}
    )
    [violation] = check_import_limits(order, D(0), import_limits())
    assert (violation.value, violation.expected) == (D(5005), D(5000))
    discounted = order.model_copy(update={"discount": D(10)})
    assert check_import_limits(discounted, D(0), import_limits()) == []


def test_an_import_over_the_limit_fails_the_check() -> None:
    order = order_of("6000", qty="2")
    on_file = import_on_file(order=order)
    fields = {
        v.field for v in check_import(import_list(), on_file, RULES, import_limits()).violations
    }
    assert "goodsValue" in fields
