"""Overseas warehouses (9810): stock per SKU from departed bookings, sales against bookings."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from cbec.logistics.domain import (
    Booking,
    BookingLine,
    OverseasWarehouse,
    Sale,
    SaleLine,
    StockRefused,
)
from tests.unit.logistics.logistics_builders import EBC_CODE, at

T0 = at("20250401100000")
D = Decimal


def booking(
    order_no: str = "W2025001",
    *,
    order_type: str = "W",
    ebc_code: str = EBC_CODE,
    departed: bool = True,
    lines: tuple[tuple[str, str], ...] = (("SKU-A", "10"), ("SKU-B", "4")),
) -> Booking:
    return Booking(
        order_no=order_no,
        order_type=order_type,
        ebc_code=ebc_code,
        lines=tuple(BookingLine(item_no=sku, qty=D(qty)) for sku, qty in lines),
        departed_at=T0 - timedelta(days=3) if departed else None,
    )


def sale(sale_no: str, booking_no: str, *lines: tuple[str, str]) -> Sale:
    return Sale(sale_no, booking_no, tuple(SaleLine(sku, D(qty)) for sku, qty in lines))


def stocked() -> OverseasWarehouse:
    warehouse = OverseasWarehouse(ebc_code=EBC_CODE, warehouse_code="DE-FRA-01")
    warehouse.receive(booking(), T0)
    return warehouse


def violations(error: StockRefused) -> list[tuple[str, str]]:
    return [(v.field, v.rule) for v in error.violations]


def test_a_departed_booking_fills_the_warehouse_per_sku() -> None:
    warehouse = stocked()

    assert warehouse.stock == {"SKU-A": D(10), "SKU-B": D(4)}
    assert [(m.item_no, m.qty, m.booking_no) for m in warehouse.movements] == [
        ("SKU-A", D(10), "W2025001"),
        ("SKU-B", D(4), "W2025001"),
    ]


def test_only_a_departed_booking_of_the_warehouse_enterprise_fills_it() -> None:
    warehouse = OverseasWarehouse(ebc_code=EBC_CODE, warehouse_code="DE-FRA-01")

    with pytest.raises(StockRefused) as caught:
        warehouse.receive(booking(order_type="E", ebc_code="9999999999", departed=False), T0)

    assert [field for field, _ in violations(caught.value)] == ["orderType", "ebcCode", "orderNo"]
    assert warehouse.stock == {}


def test_a_booking_cannot_bring_in_more_than_was_booked() -> None:
    warehouse = stocked()

    with pytest.raises(StockRefused) as caught:
        warehouse.receive(booking(), T0, received={"SKU-A": D(1), "SKU-X": D(1)})

    assert violations(caught.value) == [
        (
            "received[SKU-A]",
            "received qty over all inbounds must not exceed the booked qty (already received 10)",
        ),
        ("received[SKU-X]", "a received SKU must be on the booking"),
    ]


def test_a_booking_may_arrive_in_several_inbounds() -> None:
    warehouse = OverseasWarehouse(ebc_code=EBC_CODE, warehouse_code="DE-FRA-01")
    warehouse.receive(booking(), T0, received={"SKU-A": D(6)})
    warehouse.receive(booking(), T0, received={"SKU-A": D(4), "SKU-B": D(4)})

    assert warehouse.stock == {"SKU-A": D(10), "SKU-B": D(4)}


def test_a_sale_takes_stock_out_and_off_its_booking() -> None:
    warehouse = stocked()

    warehouse.record_sale(sale("S1", "W2025001", ("SKU-A", "3"), ("SKU-A", "1")), T0)

    assert warehouse.stock["SKU-A"] == D(6)
    assert warehouse.bookings["W2025001"].available("SKU-A") == D(6)


def test_a_sale_cannot_take_more_than_its_booking_brought_in() -> None:
    warehouse = stocked()
    warehouse.receive(booking("W2025002", lines=(("SKU-A", "5"),)), T0)

    with pytest.raises(StockRefused) as caught:
        warehouse.record_sale(sale("S1", "W2025002", ("SKU-A", "6")), T0)

    (violation,) = caught.value.violations
    assert violation.rule == (
        "a sale cannot take more than booking W2025002 brought in and has not sold yet"
    )
    assert (violation.value, violation.expected) == (D(6), "<= 5")
    assert warehouse.stock["SKU-A"] == D(15)


def test_a_sale_against_an_unknown_booking_or_twice_is_refused() -> None:
    warehouse = stocked()
    warehouse.record_sale(sale("S1", "W2025001", ("SKU-B", "1")), T0)

    with pytest.raises(StockRefused) as caught:
        warehouse.record_sale(sale("S1", "W-NONE", ("SKU-B", "1")), T0)

    assert [field for field, _ in violations(caught.value)] == ["saleNo", "bookingNo"]


def test_stock_never_goes_below_zero() -> None:
    warehouse = stocked()
    warehouse.write_off("SKU-B", D(3), "damaged in storage", T0)

    with pytest.raises(StockRefused) as caught:
        warehouse.record_sale(sale("S1", "W2025001", ("SKU-B", "2")), T0)

    (violation,) = caught.value.violations
    assert violation.rule == "stock of SKU-B must not go below zero"
    assert (violation.value, violation.expected) == (D(2), "<= 1 on hand")
    assert warehouse.stock["SKU-B"] == D(1)


@pytest.mark.parametrize(
    ("qty", "reason", "fields"),
    [
        ("11", "lost", ["qty"]),
        ("0", "lost", ["qty"]),
        ("1", " ", ["reason"]),
    ],
)
def test_a_write_off_is_positive_within_stock_and_gives_its_reason(
    qty: str, reason: str, fields: list[str]
) -> None:
    warehouse = stocked()

    with pytest.raises(StockRefused) as caught:
        warehouse.write_off("SKU-A", D(qty), reason, T0)
    assert [field for field, _ in violations(caught.value)] == fields


@pytest.mark.parametrize("qty", ["0", "-1"])
def test_a_sold_quantity_must_be_positive(qty: str) -> None:
    with pytest.raises(StockRefused) as caught:
        stocked().record_sale(sale("S1", "W2025001", ("SKU-A", qty)), T0)
    assert violations(caught.value) == [("lines[SKU-A].qty", "sold qty must be > 0")]


def test_the_stock_report_shows_each_sku_and_each_booking_as_of_a_moment() -> None:
    warehouse = stocked()
    warehouse.record_sale(sale("S1", "W2025001", ("SKU-A", "3")), T0 + timedelta(days=1))
    warehouse.write_off("SKU-A", D(1), "broken", T0 + timedelta(days=2))
    warehouse.record_sale(sale("S2", "W2025001", ("SKU-B", "4")), T0 + timedelta(days=5))

    report = warehouse.stock_report(T0 + timedelta(days=3))

    assert [
        (line.item_no, line.received, line.sold, line.written_off, line.on_hand)
        for line in report.lines
    ] == [("SKU-A", D(10), D(3), D(1), D(6)), ("SKU-B", D(4), D(0), D(0), D(4))]
    assert [(b.order_no, b.item_no, b.available) for b in report.bookings] == [
        ("W2025001", "SKU-A", D(7)),
        ("W2025001", "SKU-B", D(4)),
    ]
    assert report.on_hand("SKU-B") == D(4)
    assert report.on_hand("SKU-UNKNOWN") == D(0)
    assert (report.ebc_code, report.warehouse_code) == (EBC_CODE, "DE-FRA-01")
