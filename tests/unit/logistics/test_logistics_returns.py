"""Returns: export (CEB213 / CEB215) within 1 year, import (CEB625) within 30 / 45 days."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from cbec.logistics.domain import (
    ExportReturnBook,
    ExportReturnPolicy,
    ImportReturnBook,
    InvalidMessage,
    Movement,
    ParcelState,
    ParcelTimeline,
    ReturnRefused,
    ReturnScope,
    ReturnWindowClosed,
    parse_export_return,
    parse_import_return,
    parse_return_tally,
)
from tests.unit.logistics.logistics_builders import (
    at,
    export_list,
    export_parcel,
    export_return,
    export_return_line,
    import_list,
    import_parcel,
    import_return,
    import_return_line,
    return_tally,
)

M, S = Movement, ParcelState
RELEASED = "20250301120000"


def rules_of(error: ReturnRefused) -> list[tuple[str, str]]:
    return [(v.field, v.rule) for v in error.violations]


def departed_parcel() -> ParcelTimeline:
    timeline = export_parcel("L2025030100001")
    for n, movement in enumerate((M.LIST_RELEASED, M.ARRIVED, M.DEPARTED)):
        timeline.apply(movement, at(f"2025030{n + 1}130000"), "ref")
    return timeline


# --- export returns ---------------------------------------------------------------------------


def test_a_partial_export_return_within_the_year_is_accepted() -> None:
    book = ExportReturnBook(export_list(RELEASED))
    parcel = departed_parcel()

    accepted = book.apply(
        parse_export_return(export_return(export_return_line(1, "4"))),
        at("20250601100000"),
        parcel,
    )

    assert accepted.scope is ReturnScope.PARTIAL
    assert [(line.gnum, line.qty) for line in accepted.lines] == [(1, Decimal(4))]
    assert parcel.state is S.RETURN_APPLIED


@pytest.mark.parametrize(
    ("applied", "accepted"),
    [
        ("20260301235959", True),  # the last day of the year after release
        ("20260302000000", False),
        ("20270101000000", False),
    ],
)
def test_an_export_return_is_applied_for_within_one_year_of_release(
    applied: str, accepted: bool
) -> None:
    book = ExportReturnBook(export_list(RELEASED))
    application = parse_export_return(export_return(export_return_line(1, "1")))

    if accepted:
        book.apply(application, at(applied))
        return
    with pytest.raises(ReturnRefused) as caught:
        book.apply(application, at(applied))
    (violation,) = caught.value.violations
    assert violation.field == "InvtRefundHead.appTime"
    assert violation.rule == (
        "an export return is applied for within 1 year(s) of the list's release"
    )
    assert violation.expected == "on or before 2026-03-01"


def test_the_one_year_window_of_a_list_released_on_29_february_ends_on_28_february() -> None:
    book = ExportReturnBook(export_list("20240229100000"))
    application = parse_export_return(export_return(export_return_line(1, "1")))

    late = book.check(application, at("20250301000000"))
    assert [v.expected for v in late] == ["on or before 2025-02-28"]
    assert book.check(application, at("20250228235959")) == []


def test_returned_quantities_over_several_returns_never_exceed_the_original() -> None:
    book = ExportReturnBook(export_list(RELEASED))
    book.apply(
        parse_export_return(export_return(export_return_line(1, "6"), co_el_no="R1")),
        at("20250401100000"),
    )

    with pytest.raises(ReturnRefused) as caught:
        book.apply(
            parse_export_return(export_return(export_return_line(1, "5"), co_el_no="R2")),
            at("20250402100000"),
        )

    violations = {v.field: v for v in caught.value.violations}
    assert set(violations) == {"InvtRefundList[1].qty", "InvtRefundList[1].qty1"}
    qty = violations["InvtRefundList[1].qty"]
    assert qty.rule == (
        "returned qty over all returns must not exceed the original qty (already returned 6)"
    )
    assert (qty.value, qty.expected) == (Decimal(11), "<= 10")
    assert len(book.returns) == 1


def test_a_return_of_everything_over_several_returns_is_whole() -> None:
    book = ExportReturnBook(export_list(RELEASED))
    first = book.apply(
        parse_export_return(export_return(export_return_line(1, "6"), co_el_no="R1")),
        at("20250401100000"),
    )
    last = book.apply(
        parse_export_return(
            export_return(
                export_return_line(1, "4", qty2="2.5", unit2="035"),
                export_return_line(2, "2"),
                co_el_no="R2",
            )
        ),
        at("20250402100000"),
    )

    assert first.scope is ReturnScope.PARTIAL
    assert last.scope is ReturnScope.WHOLE


def test_an_export_return_line_must_match_the_original_list_line() -> None:
    book = ExportReturnBook(export_list(RELEASED))
    application = parse_export_return(
        export_return(
            export_return_line(1, "1", gcode="6109100099", unit="007"),
            export_return_line(7, "1"),
            export_return_line(2, "1", qty2="1", unit2="035"),
        )
    )

    with pytest.raises(ReturnRefused) as caught:
        book.apply(application, at("20250401100000"))

    assert rules_of(caught.value) == [
        ("InvtRefundList[1].gcode", "gcode must be the same as on the original list line"),
        ("InvtRefundList[1].unit", "unit must be the same as on the original list line"),
        ("InvtRefundList[2].gnum", "gnum must be a line of the original list 43002025E000000001"),
        ("InvtRefundList[3].unit2", "unit2 must be the same as on the original list line"),
        ("InvtRefundList[3].qty2", "the original list line has no qty2 to return"),
    ]


def test_an_export_return_names_the_original_list_and_enterprise() -> None:
    book = ExportReturnBook(export_list(RELEASED))
    application = parse_export_return(
        export_return(export_return_line(1, "1"), invtNo="43002025E000000999", ebcCode="1234567890")
    )

    with pytest.raises(ReturnRefused) as caught:
        book.apply(application, at("20250401100000"))

    assert [field for field, _ in rules_of(caught.value)] == [
        "InvtRefundHead.invtNo",
        "InvtRefundHead.ebcCode",
    ]


def test_goods_that_never_departed_cannot_be_returned() -> None:
    book = ExportReturnBook(export_list(RELEASED))
    parcel = export_parcel("L2025030100001")

    with pytest.raises(ReturnRefused) as caught:
        book.apply(
            parse_export_return(export_return(export_return_line(1, "1"))),
            at("20250401100000"),
            parcel,
        )

    assert rules_of(caught.value) == [("logisticsNo", "only goods that departed can be returned")]
    assert book.returns == []


def test_the_same_return_application_is_filed_once() -> None:
    book = ExportReturnBook(export_list(RELEASED))
    application = parse_export_return(export_return(export_return_line(1, "1")))
    book.apply(application, at("20250401100000"))

    with pytest.raises(ReturnRefused) as caught:
        book.apply(application, at("20250401100000"))
    assert ("InvtRefundHead.coElNo", "a return application is filed once") in rules_of(caught.value)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"ieFlag": "E"}, "InvtRefundHead.ieFlag"),
        ({"country": "142"}, "InvtRefundHead.country"),
        ({"coElNo": ""}, "InvtRefundHead.coElNo"),
        ({"reason": "x" * 501}, "InvtRefundHead.reason"),
    ],
)
def test_an_export_return_breaking_a_field_rule_is_invalid(
    overrides: dict[str, str], field: str
) -> None:
    with pytest.raises(InvalidMessage) as caught:
        parse_export_return(export_return(export_return_line(1, "1"), **overrides))
    assert field in [v.field for v in caught.value.violations]


@pytest.mark.parametrize("qty", ["0", "-1"])
def test_a_returned_quantity_must_be_positive(qty: str) -> None:
    with pytest.raises(InvalidMessage) as caught:
        parse_export_return(export_return(export_return_line(1, qty)))
    assert {v.field for v in caught.value.violations} == {
        "InvtRefundList[1].qty",
        "InvtRefundList[1].qty1",
    }


def test_the_tally_of_the_returned_parcel_completes_the_export_return() -> None:
    book = ExportReturnBook(export_list(RELEASED))
    parcel = departed_parcel()
    book.apply(
        parse_export_return(export_return(export_return_line(2, "2"))),
        at("20250401100000"),
        parcel,
    )

    outcome = book.receive(parse_return_tally(return_tally()), at("20250410100000"), parcel)

    assert outcome.invt_no == "43002025E000000001"
    assert outcome.return_no == "RET001"
    assert [(line.gnum, line.gcode, line.qty) for line in outcome.lines] == [
        (2, "6403990090", Decimal(2))
    ]
    assert outcome.scope is ReturnScope.PARTIAL
    assert parcel.state is S.RETURNED
    assert book.returns[0].received_at == at("20250410100000")


def test_a_tally_without_an_accepted_return_is_refused() -> None:
    book = ExportReturnBook(export_list(RELEASED))

    with pytest.raises(ReturnRefused) as caught:
        book.receive(parse_return_tally(return_tally("RL9999")), at("20250410100000"))
    assert rules_of(caught.value) == [
        ("logisticsNo", "a tally needs an accepted return application for this return waybill")
    ]


@pytest.mark.parametrize(
    ("released", "trade_mode", "received", "duty_free"),
    [
        ("20260110100000", "9610", "20260710235959", True),
        ("20260110100000", "9810", "20260711000000", False),  # after 6 months
        ("20251231100000", "9610", "20260201100000", False),  # exported before 2026
        ("20271231100000", "1210", "20280301100000", True),
        ("20280101100000", "9610", "20280201100000", False),  # exported after 2027
        ("20260110100000", "0110", "20260201100000", False),  # not a CBEC trade mode
    ],
)
def test_returned_exports_of_2026_and_2027_within_six_months_reenter_duty_free(
    released: str, trade_mode: str, received: str, duty_free: bool
) -> None:
    book = ExportReturnBook(export_list(released, trade_mode=trade_mode))
    book.apply(parse_export_return(export_return(export_return_line(1, "1"))), at(released))

    outcome = book.receive(parse_return_tally(return_tally()), at(received))

    assert outcome.duty_free_reimport is duty_free
    assert outcome.refund_export_duty is duty_free


def test_the_export_return_window_comes_from_the_policy() -> None:
    book = ExportReturnBook(export_list(RELEASED), policy=ExportReturnPolicy(window_years=2))

    book.apply(parse_export_return(export_return(export_return_line(1, "1"))), at("20270301100000"))


# --- import returns ---------------------------------------------------------------------------


def released_import_parcel() -> ParcelTimeline:
    timeline = import_parcel("L201603081138001")
    timeline.apply(M.ENTERED_SITE, at("20250301080000"), "RK001")
    timeline.apply(M.LIST_RELEASED, at(RELEASED), "CUS", invt_no="430020251000000001")
    return timeline


@pytest.mark.parametrize(
    ("applied", "accepted"),
    [("20250331235959", True), ("20250401000000", False)],
)
def test_an_import_return_is_applied_for_within_30_days_of_release(
    applied: str, accepted: bool
) -> None:
    book = ImportReturnBook(import_list(RELEASED))
    application = parse_import_return(import_return(import_return_line(1, "1")))

    if accepted:
        result = book.apply(application, at(applied))
        assert result.goods_due_by == date(2025, 4, 15)
        return
    with pytest.raises(ReturnRefused) as caught:
        book.apply(application, at(applied))
    assert rules_of(caught.value) == [
        (
            "InvtRefundHead.appTime",
            "an import return is applied for within 30 days of the list's release",
        )
    ]


def test_goods_back_within_45_days_cancel_the_tax_and_restore_the_quota() -> None:
    book = ImportReturnBook(import_list(RELEASED))
    parcel = released_import_parcel()
    parcel.apply(M.DELIVERED, at("20250305100000"), "CEB513")
    book.apply(
        parse_import_return(import_return(import_return_line(1, "1"), import_return_line(2, "2"))),
        at("20250320100000"),
        parcel,
    )

    outcome = book.receive("IRET001", at("20250415235959"), parcel)

    assert outcome.buyer_id_number == "130681196203023331"
    assert outcome.quota_to_restore == Decimal("501.00")  # 300 × 1/3 + 401 × 2/2
    assert [(line.gnum, line.qty) for line in outcome.lines] == [(1, Decimal(1)), (2, Decimal(2))]
    assert outcome.scope is ReturnScope.PARTIAL
    assert parcel.state is S.RETURNED


def test_goods_back_after_45_days_close_the_return_window() -> None:
    book = ImportReturnBook(import_list(RELEASED))
    book.apply(parse_import_return(import_return(import_return_line(1, "1"))), at("20250320100000"))

    with pytest.raises(ReturnWindowClosed) as caught:
        book.receive("IRET001", at("20250416000000"))

    (violation,) = caught.value.violations
    assert violation.rule == "returned goods are back within 45 days of the list's release"
    assert (violation.value, violation.expected) == ("2025-04-16", "on or before 2025-04-15")
    assert book.returns[0].received_at is None


def test_the_quota_to_restore_is_the_returned_share_rounded_to_the_cent() -> None:
    book = ImportReturnBook(import_list(RELEASED))
    book.apply(parse_import_return(import_return(import_return_line(1, "2"))), at("20250320100000"))

    assert book.receive("IRET001", at("20250321100000")).quota_to_restore == Decimal("200.00")


def test_an_import_return_above_the_original_quantity_is_refused() -> None:
    book = ImportReturnBook(import_list(RELEASED))
    book.apply(
        parse_import_return(import_return(import_return_line(2, "1"), cop_no="A")),
        at("20250310100000"),
    )

    with pytest.raises(ReturnRefused) as caught:
        book.apply(
            parse_import_return(import_return(import_return_line(2, "1.5"), cop_no="B")),
            at("20250311100000"),
        )

    (violation,) = caught.value.violations
    assert violation.field == "InvtRefundList[1].qty"
    assert (violation.value, violation.expected) == (Decimal("2.5"), "<= 2")


def test_an_import_return_must_match_the_list_order_waybill_and_buyer() -> None:
    book = ImportReturnBook(import_list(RELEASED))
    application = parse_import_return(
        import_return(
            import_return_line(1, "1"),
            orderNo="order-other",
            logisticsNo="L-OTHER",
            buyerIdNumber="110101199001011234",
        )
    )

    with pytest.raises(ReturnRefused) as caught:
        book.apply(application, at("20250310100000"))

    assert [field for field, _ in rules_of(caught.value)] == [
        "InvtRefundHead.orderNo",
        "InvtRefundHead.logisticsNo",
        "InvtRefundHead.buyerIdNumber",
    ]


def test_an_import_return_needs_released_goods() -> None:
    book = ImportReturnBook(import_list(RELEASED))
    parcel = import_parcel("L201603081138001")

    with pytest.raises(ReturnRefused) as caught:
        book.apply(
            parse_import_return(import_return(import_return_line(1, "1"))),
            at("20250310100000"),
            parcel,
        )
    assert rules_of(caught.value) == [("logisticsNo", "only released goods can be returned")]


def test_goods_of_an_unknown_or_already_received_import_return_are_refused() -> None:
    book = ImportReturnBook(import_list(RELEASED))
    with pytest.raises(ReturnRefused):
        book.receive("NOPE", at("20250310100000"))

    book.apply(parse_import_return(import_return(import_return_line(1, "1"))), at("20250310100000"))
    book.receive("IRET001", at("20250311100000"))
    with pytest.raises(ReturnRefused):
        book.receive("IRET001", at("20250312100000"))


def test_an_export_list_cannot_be_returned_as_an_import() -> None:
    book = ImportReturnBook(export_list(RELEASED))

    violations = book.check(
        parse_import_return(import_return(import_return_line(1, "1"))), at("20250310100000")
    )

    assert ("InvtRefundHead.invtNo", "CEB625 returns an import list") in [
        (v.field, v.rule) for v in violations
    ]


def test_goods_back_late_can_be_recorded_outside_the_window_with_nothing_to_restore() -> None:
    book = ImportReturnBook(import_list(RELEASED))
    parcel = released_import_parcel()
    book.apply(
        parse_import_return(import_return(import_return_line(1, "1"))),
        at("20250320100000"),
        parcel,
    )

    outcome = book.receive("IRET001", at("20250416000000"), parcel, accept_late=True)

    assert outcome.within_window is False
    assert outcome.quota_to_restore == Decimal(0)
    assert book.value_of(outcome.lines) == Decimal("100.00")
    assert book.returns[0].received_at == at("20250416000000")
    assert parcel.state is S.RETURNED


def test_an_export_return_is_bounded_by_qty_when_the_list_line_has_no_legal_unit() -> None:
    released = export_list(RELEASED)
    without_legal_units = replace(
        released,
        lines=tuple(replace(line, unit1=None, qty1=None) for line in released.lines),
    )
    book = ExportReturnBook(without_legal_units)

    accepted = book.apply(
        parse_export_return(export_return(export_return_line(1, "4"))), at("20250401100000")
    )
    with pytest.raises(ReturnRefused) as caught:
        book.apply(
            parse_export_return(export_return(export_return_line(1, "7"), co_el_no="RET002")),
            at("20250402100000"),
        )

    assert accepted.scope is ReturnScope.PARTIAL
    assert [field for field, _rule in rules_of(caught.value)] == ["InvtRefundList[1].qty"]
