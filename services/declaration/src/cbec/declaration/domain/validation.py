"""Rules a single document must meet on its own, before it is compared with any other.

Each function returns every violation it finds (an empty list when the document is good)::

    violations = validate_export_inventory(invt)
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from cbec.declaration.domain.documents import (
    ExportInventory,
    ExportOrder,
    ExportOrderLine,
    ImportInventory,
    ImportOrder,
    ImportOrderLine,
    InventoryLine,
)
from cbec.declaration.domain.errors import Violation

# DOMAIN.md §2 (the standard's limits): an order or list has up to 100 lines, import 99.
MAX_EXPORT_LINES = 100
MAX_IMPORT_LINES = 99
HS_CODE_DIGITS = 10
AMOUNT_QUANTUM = Decimal("0.00001")
"""Amounts carry up to 5 fraction digits in the standard."""


def line_total(qty: Decimal, price: Decimal) -> Decimal:
    """qty × price at the standard's 5 fraction digits."""
    return (qty * price).quantize(AMOUNT_QUANTUM, rounding=ROUND_HALF_UP)


def _line_numbers(list_name: str, gnums: Sequence[int], max_lines: int) -> list[Violation]:
    found: list[Violation] = []
    if not gnums:
        found.append(Violation(field=list_name, rule="a document has at least one line", value=0))
    if len(gnums) > max_lines:
        found.append(
            Violation(
                field=list_name,
                rule=f"a document has at most {max_lines} lines",
                value=len(gnums),
                expected=max_lines,
            )
        )
    expected = list(range(1, len(gnums) + 1))
    if sorted(gnums) != expected:
        found.append(
            Violation(
                field=f"{list_name}.gnum",
                rule="line numbers run from 1 without gaps or repeats",
                value=sorted(gnums),
                expected=expected,
            )
        )
    return found


def _line_total_matches(
    field: str, qty: Decimal, price: Decimal, total: Decimal, tolerance: Decimal
) -> list[Violation]:
    computed = line_total(qty, price)
    if abs(total - computed) > tolerance:
        return [
            Violation(
                field=f"{field}.totalPrice",
                rule="line total must equal qty × price",
                value=total,
                expected=computed,
            )
        ]
    return []


def validate_inventory_lines(
    lines: Sequence[InventoryLine],
    *,
    max_lines: int,
    tolerance: Decimal = Decimal(0),
) -> list[Violation]:
    """The line checks of DOMAIN.md §4 ("list checks"), for export and import lists."""
    found = _line_numbers("inventoryList", [line.gnum for line in lines], max_lines)
    for line in lines:
        at = f"inventoryList[{line.gnum}]"
        if line.price <= 0:
            found.append(Violation(f"{at}.price", "price must be > 0", line.price))
        if line.total_price <= 0:
            found.append(Violation(f"{at}.totalPrice", "total price must be > 0", line.total_price))
        found += _line_total_matches(at, line.qty, line.price, line.total_price, tolerance)
        if line.unit == line.unit1 and line.qty != line.qty1:
            found.append(
                Violation(
                    f"{at}.qty1",
                    "when unit equals the legal unit unit1, qty1 must equal qty",
                    line.qty1,
                    line.qty,
                )
            )
        if (line.qty2 is None) != (not line.unit2):
            found.append(
                Violation(
                    f"{at}.qty2",
                    "qty2 is present exactly when unit2 is",
                    line.qty2,
                    line.unit2 or "no unit2",
                )
            )
        if len(line.gcode) != HS_CODE_DIGITS or not line.gcode.isdigit():
            found.append(Violation(f"{at}.gcode", "HS code must be 10 digits", line.gcode))
    return found


def _weights(gross: Decimal, net: Decimal) -> list[Violation]:
    found: list[Violation] = []
    if gross <= 0:
        found.append(Violation("grossWeight", "gross weight must be > 0", gross))
    if net > gross:
        found.append(Violation("netWeight", "net weight must not exceed gross weight", net, gross))
    return found


def validate_export_inventory(
    invt: ExportInventory, *, tolerance: Decimal = Decimal(0)
) -> list[Violation]:
    """An export list's own rules (CEB603; DOMAIN.md §4 list checks)."""
    found = _weights(invt.gross_weight, invt.net_weight)
    found += validate_inventory_lines(invt.lines, max_lines=MAX_EXPORT_LINES, tolerance=tolerance)
    return found


def validate_import_inventory(
    invt: ImportInventory, *, tolerance: Decimal = Decimal(0)
) -> list[Violation]:
    """An import list's own rules (CEB621; the same list checks, at most 99 lines)."""
    found = _weights(invt.gross_weight, invt.net_weight)
    found += validate_inventory_lines(invt.lines, max_lines=MAX_IMPORT_LINES, tolerance=tolerance)
    return found


def _order_lines(
    lines: Sequence[ExportOrderLine] | Sequence[ImportOrderLine],
    max_lines: int,
    tolerance: Decimal,
) -> list[Violation]:
    found = _line_numbers("orderList", [line.gnum for line in lines], max_lines)
    for line in lines:
        at = f"orderList[{line.gnum}]"
        if line.price <= 0:
            found.append(Violation(f"{at}.price", "price must be > 0", line.price))
        if line.qty <= 0:
            found.append(Violation(f"{at}.qty", "quantity must be > 0", line.qty))
        found += _line_total_matches(at, line.qty, line.price, line.total_price, tolerance)
    return found


def validate_export_order(
    order: ExportOrder, *, tolerance: Decimal = Decimal(0)
) -> list[Violation]:
    """An export order's own rules (CEB303)."""
    found: list[Violation] = []
    if order.goods_value <= 0:
        found.append(Violation("goodsValue", "goods value must be > 0", order.goods_value))
    if order.freight < 0:
        found.append(Violation("freight", "freight must not be negative", order.freight))
    found += _order_lines(order.lines, MAX_EXPORT_LINES, tolerance)
    return found


def validate_import_order(
    order: ImportOrder, *, tolerance: Decimal = Decimal(0)
) -> list[Violation]:
    """An import order's own rules (CEB311)."""
    found: list[Violation] = []
    if order.goods_value <= 0:
        found.append(Violation("goodsValue", "goods value must be > 0", order.goods_value))
    for name, amount in (
        ("freight", order.freight),
        ("discount", order.discount),
        ("taxTotal", order.tax_total),
    ):
        if amount < 0:
            found.append(Violation(name, f"{name} must not be negative", amount))
    found += _order_lines(order.lines, MAX_IMPORT_LINES, tolerance)
    return found
