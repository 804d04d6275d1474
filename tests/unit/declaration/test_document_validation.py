"""A document's own rules (DOMAIN.md §2 and the list checks of §4)."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest

from cbec.declaration.domain import (
    validate_export_inventory,
    validate_export_order,
    validate_import_inventory,
    validate_import_order,
)
from tests.unit.declaration.decl_builders import (
    export_line,
    export_list,
    export_order,
    import_line,
    import_list,
    import_order,
    replace_line,
)


def fields(violations: list[Any]) -> set[str]:
    return {v.field for v in violations}


def test_a_consistent_export_list_breaks_no_rule() -> None:
    assert validate_export_inventory(export_list()) == []


def test_a_consistent_import_list_breaks_no_rule() -> None:
    assert validate_import_inventory(import_list()) == []


@pytest.mark.parametrize(
    ("head", "field", "rule", "value", "expected"),
    [
        (
            {"gross_weight": D(0), "net_weight": D(0)},
            "grossWeight",
            "gross weight must be > 0",
            D(0),
            None,
        ),
        (
            {"gross_weight": D(-1), "net_weight": D(-1)},
            "grossWeight",
            "gross weight must be > 0",
            D(-1),
            None,
        ),
        (
            {"net_weight": D("2.6")},
            "netWeight",
            "net weight must not exceed gross weight",
            D("2.6"),
            D("2.5"),
        ),
    ],
)
def test_list_weights_are_checked(
    head: dict[str, Any], field: str, rule: str, value: D, expected: D | None
) -> None:
    violations = validate_export_inventory(export_list().model_copy(update=head))
    assert [(v.field, v.rule, v.value, v.expected) for v in violations] == [
        (field, rule, value, expected)
    ]


def test_net_weight_equal_to_gross_weight_is_allowed() -> None:
    assert (
        validate_export_inventory(export_list().model_copy(update={"net_weight": D("2.5")})) == []
    )


@pytest.mark.parametrize(
    ("changes", "field", "rule_part"),
    [
        ({"price": D(0), "total_price": D(0)}, "inventoryList[1].price", "price must be > 0"),
        (
            {"price": D(0), "total_price": D(0)},
            "inventoryList[1].totalPrice",
            "total price must be > 0",
        ),
        ({"total_price": D(81)}, "inventoryList[1].totalPrice", "qty × price"),
        ({"qty1": D(9)}, "inventoryList[1].qty1", "qty1 must equal qty"),
        ({"unit2": "035"}, "inventoryList[1].qty2", "qty2 is present exactly when unit2 is"),
        ({"qty2": D(1)}, "inventoryList[1].qty2", "qty2 is present exactly when unit2 is"),
        ({"gcode": "61091000"}, "inventoryList[1].gcode", "10 digits"),
        ({"gcode": "61091000AB"}, "inventoryList[1].gcode", "10 digits"),
    ],
)
def test_each_broken_line_rule_is_named(
    changes: dict[str, Any], field: str, rule_part: str
) -> None:
    violations = validate_export_inventory(replace_line(export_list(), 1, **changes))
    assert any(v.field == field and rule_part in v.rule for v in violations), violations


@pytest.mark.parametrize(
    "changes",
    [
        {"unit": "011", "unit1": "035", "qty1": D("1.5")},  # different legal unit: qty1 free
        {"unit2": "035", "qty2": D("1.5")},  # both second unit and quantity
        {"qty": D(3), "qty1": D(3), "price": D("0.33333"), "total_price": D("0.99999")},
    ],
)
def test_lines_that_keep_the_rules_pass(changes: dict[str, Any]) -> None:
    assert validate_export_inventory(replace_line(export_list(), 1, **changes)) == []


def test_a_mismatched_line_total_names_both_values() -> None:
    [violation] = validate_export_inventory(replace_line(export_list(), 1, total_price=D(81)))
    assert (violation.value, violation.expected) == (D(81), D("80.00000"))


def test_line_total_tolerance_is_configurable() -> None:
    invt = replace_line(export_list(), 1, total_price=D("80.01"))
    assert validate_export_inventory(invt) != []
    assert validate_export_inventory(invt, tolerance=D("0.01")) == []


def test_validation_collects_every_violation_not_just_the_first() -> None:
    invt = replace_line(export_list(), 2, gcode="4202", qty1=D(1)).model_copy(
        update={"gross_weight": D(0)}
    )
    assert fields(validate_export_inventory(invt)) == {
        "grossWeight",
        "netWeight",
        "inventoryList[2].gcode",
        "inventoryList[2].qty1",
    }


@pytest.mark.parametrize(
    ("gnums", "ok"),
    [
        ((1, 2, 3), True),
        ((1, 3), False),  # gap
        ((1, 1), False),  # repeat
        ((2, 3), False),  # not from 1
    ],
)
def test_line_numbers_run_from_one_without_gaps(gnums: tuple[int, ...], ok: bool) -> None:
    invt = export_list(inventoryList=tuple(export_line(g) for g in gnums))
    violations = validate_export_inventory(invt)
    assert ("inventoryList.gnum" not in fields(violations)) is ok


@pytest.mark.parametrize(("count", "ok"), [(1, True), (100, True), (101, False), (0, False)])
def test_an_export_list_has_one_to_a_hundred_lines(count: int, ok: bool) -> None:
    invt = export_list(inventoryList=tuple(export_line(g) for g in range(1, count + 1)))
    assert ("inventoryList" not in fields(validate_export_inventory(invt))) is ok


@pytest.mark.parametrize(("count", "ok"), [(99, True), (100, False)])
def test_an_import_list_has_at_most_ninety_nine_lines(count: int, ok: bool) -> None:
    invt = import_list(inventoryList=tuple(import_line(g) for g in range(1, count + 1)))
    assert ("inventoryList" not in fields(validate_import_inventory(invt))) is ok


def test_import_lists_get_the_same_line_checks() -> None:
    invt = replace_line(import_list(), 1, gcode="3304", total_price=D(99))
    assert fields(validate_import_inventory(invt)) == {
        "inventoryList[1].gcode",
        "inventoryList[1].totalPrice",
    }


def test_a_consistent_export_order_breaks_no_rule() -> None:
    assert validate_export_order(export_order()) == []


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"goods_value": D(0)}, "goodsValue"),
        ({"freight": D(-1)}, "freight"),
    ],
)
def test_export_order_head_rules(overrides: dict[str, Any], field: str) -> None:
    assert fields(validate_export_order(export_order().model_copy(update=overrides))) == {field}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"total_price": D(79)}, "orderList[1].totalPrice"),
        ({"price": D(0), "total_price": D(0)}, "orderList[1].price"),
        ({"qty": D(0), "total_price": D(0)}, "orderList[1].qty"),
    ],
)
def test_export_order_line_rules(changes: dict[str, Any], field: str) -> None:
    assert field in fields(validate_export_order(replace_line(export_order(), 1, **changes)))


def test_a_consistent_import_order_breaks_no_rule() -> None:
    assert validate_import_order(import_order()) == []


@pytest.mark.parametrize("name", ["freight", "discount", "tax_total"])
def test_import_order_amounts_are_not_negative(name: str) -> None:
    violations = validate_import_order(import_order().model_copy(update={name: D(-1)}))
    camel = {"freight": "freight", "discount": "discount", "tax_total": "taxTotal"}[name]
    assert fields(violations) == {camel}
