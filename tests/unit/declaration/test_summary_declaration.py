"""Summary declaration of export lists (清单核放、汇总申报, DOMAIN.md §5)."""

from __future__ import annotations

import random
from datetime import date, datetime
from decimal import Decimal as D
from itertools import count
from typing import Any

import pytest

from cbec.declaration.domain import (
    ListStatus,
    Period,
    SummaryApplication,
    SummaryCandidate,
    SummaryFlag,
    SummaryLedger,
    SummaryRules,
    WorkingCalendar,
    decl_seq_numbers,
    summarise,
    summary_deadline,
    summary_is_late,
)
from tests.unit.declaration.decl_builders import export_line, export_list, summary_rules

MARCH = Period(2026, 3)
RELEASED_IN_MARCH = datetime(2026, 3, 10, 9, 30)
ENTERPRISES = ("3701960011", "3701960012", "3701960013")
COUNTRIES = ("502", "303", "116")
PORTS = ("4301", "4302")
HS_CODES = ("6109100022", "4202920000", "3304990099", "8517130000", "9503008900")
CURRENCIES = ("502", "142")

serials = count(1)


def candidate(
    lines: tuple[Any, ...],
    *,
    status: ListStatus = ListStatus.CLOSED,
    released_at: datetime = RELEASED_IN_MARCH,
    **head: Any,
) -> SummaryCandidate:
    serial = next(serials)
    values: dict[str, Any] = {
        "invtNo": f"43002026E{serial:09d}",
        "copNo": f"COP{serial}",
        "logisticsNo": f"LP{serial:06d}",
        "inventoryList": lines,
        "grossWeight": D("3.5"),
        "netWeight": D("3.0"),
    }
    values.update(head)
    return SummaryCandidate(export_list(**values), status, released_at)


def matrix_lines(country: str, k: int) -> tuple[Any, ...]:
    lines = []
    gnum = count(1)
    for h, gcode in enumerate(HS_CODES):
        for c, currency in enumerate(CURRENCIES):
            qty = D(h + 1 + k)
            price = D(c + 2)
            lines.append(
                export_line(
                    next(gnum),
                    gcode=gcode,
                    gname=f"goods {gcode}",
                    itemName=f"goods {gcode}",
                    country=country,
                    currency=currency,
                    qty=qty,
                    qty1=qty,
                    price=price,
                    totalPrice=qty * price,
                )
            )
    return tuple(lines)


def matrix() -> list[SummaryCandidate]:
    """3 enterprises × 3 countries × 2 exit customs, two lists each; every list has 5 HS codes
    × 2 currencies. List k has quantity h + 1 + k for the h-th HS code, price 2 or 3."""
    return [
        candidate(
            matrix_lines(country, k), ebcCode=ebc, ownerCode=ebc, country=country, portCode=port
        )
        for ebc in ENTERPRISES
        for country in COUNTRIES
        for port in PORTS
        for k in (0, 1)
    ]


APPLICATION = SummaryApplication(period=MARCH)
NUMBERS = decl_seq_numbers("4300202603")


def run(
    candidates: list[SummaryCandidate],
    application: SummaryApplication = APPLICATION,
    ledger: SummaryLedger | None = None,
    rules: SummaryRules | None = None,
) -> Any:
    return summarise(
        candidates, application, ledger or SummaryLedger(), rules or summary_rules(), NUMBERS
    )


def test_the_month_is_consolidated_into_one_form_per_grouping_key() -> None:
    result = run(matrix())
    assert len(result.forms) == 3 * 3 * 2
    keys = {(f.key.ebc_code, f.key.country, f.key.port_code) for f in result.forms}
    assert len(keys) == 18
    assert not result.supplementary
    for form in result.forms:
        assert len(form.items) == 5 * 2
        assert [item.gseqno for item in form.items] == list(range(1, 11))
        assert len(form.invt_nos) == 2
        assert (form.gross_weight, form.net_weight) == (D(7), D(6))
        for item in form.items:
            h = HS_CODES.index(item.gcode)
            c = CURRENCIES.index(item.currency)
            assert item.country == form.key.country
            assert item.qty == item.qty1 == D(2 * h + 3)
            assert item.total_price == D(2 * h + 3) * D(c + 2)
            assert item.price == D(c + 2)


def test_every_list_line_is_mapped_to_its_form_and_item() -> None:
    candidates = matrix()
    result = run(candidates)
    assert len(result.assignments) == 36 * 10
    forms = {form.decl_seq_no: form for form in result.forms}
    assert all(len(number) == 18 for number in forms)
    for c in candidates:
        for line in c.inventory.lines:
            decl_seq_no, gseqno = result.assignment_of(c.invt_no, line.gnum)
            form = forms[decl_seq_no]
            item = form.items[gseqno - 1]
            assert (item.gcode, item.currency, item.unit) == (line.gcode, line.currency, line.unit)
            assert (form.key.ebc_code, form.key.port_code) == (
                c.inventory.ebc_code,
                c.inventory.port_code,
            )
            assert c.invt_no in form.invt_nos


def test_the_same_lists_in_any_order_give_the_same_summary() -> None:
    candidates = matrix()
    shuffled = candidates[:]
    random.Random(7).shuffle(shuffled)
    assert run(candidates) == run(shuffled)


def test_re_running_after_recording_changes_nothing() -> None:
    candidates = matrix()
    first = run(candidates)
    ledger = SummaryLedger().record(first)
    again = run(candidates, ledger=ledger)
    assert again.forms == ()
    assert again.assignments == ()
    assert {reason for _, reason in again.excluded} == {"already summarised in 2026-03"}
    assert ledger.record(again).summarised == ledger.summarised


def test_a_list_closed_after_the_summary_goes_into_a_supplementary_summary() -> None:
    late_lines = matrix_lines("502", 0)
    head = {"ebcCode": ENTERPRISES[0], "country": "502", "portCode": PORTS[0]}
    late = candidate(late_lines, status=ListStatus.RELEASED, **head)
    month = matrix()
    first = run([*month, late])
    assert late.invt_no not in first.invt_nos
    assert (late.invt_no, "not closed (status 800)") in first.excluded
    ledger = SummaryLedger().record(first)

    closed = SummaryCandidate(late.inventory, ListStatus.CLOSED, late.released_at)
    supplement = run([*month, closed], ledger=ledger)
    assert supplement.supplementary
    assert supplement.invt_nos == {late.invt_no}
    [form] = supplement.forms
    assert form.invt_nos == (late.invt_no,)
    assert sum(item.qty for item in form.items) == D(30)  # 2 currencies × (1 + 2 + … + 5)
    assert ledger.record(supplement).summarised[late.invt_no] == MARCH


def test_lists_of_other_months_and_simplified_lists_are_left_out() -> None:
    lines = matrix_lines("502", 0)
    april = candidate(lines, released_at=datetime(2026, 4, 1, 0, 0))
    simplified = candidate(lines, statisticsFlag="A")
    march = candidate(lines)
    result = run([april, simplified, march])
    assert result.invt_nos == {march.invt_no}
    assert [invt for invt, _ in result.excluded] == [simplified.invt_no]
    assert "statisticsFlag A" in result.excluded[0][1]


def test_an_application_for_one_consignor_takes_only_its_lists() -> None:
    application = SummaryApplication(period=MARCH, ebc_code=ENTERPRISES[1])
    result = run(matrix(), application)
    assert len(result.forms) == 6
    assert {form.key.ebc_code for form in result.forms} == {ENTERPRISES[1]}


@pytest.mark.parametrize(("flag", "forms"), [(SummaryFlag.BY_CONSIGNOR, 1), ("2", 2)])
def test_summary_flag_two_also_groups_by_producer(flag: str, forms: int) -> None:
    lines = matrix_lines("502", 0)
    lists = [candidate(lines, ownerCode="3701960091"), candidate(lines, ownerCode="3701960092")]
    result = run(lists, SummaryApplication(period=MARCH, summary_flag=SummaryFlag(flag)))
    assert len(result.forms) == forms
    owners = {form.key.owner_code for form in result.forms}
    assert owners == ({None} if forms == 1 else {"3701960091", "3701960092"})


def test_transport_mode_separates_forms() -> None:
    lines = matrix_lines("502", 0)
    assert len(run([candidate(lines, trafMode="5"), candidate(lines, trafMode="2")]).forms) == 2


@pytest.mark.parametrize(("item_name_flag", "items"), [(False, 1), (True, 2)])
def test_item_name_flag_one_keeps_original_item_names_apart(
    item_name_flag: bool, items: int
) -> None:
    lines = (
        export_line(1, itemName="blue shirt"),
        export_line(2, itemName="red shirt"),
    )
    application = SummaryApplication(period=MARCH, item_name_flag=item_name_flag)
    [form] = run([candidate(lines)], application).forms
    assert len(form.items) == items
    assert sum(item.qty for item in form.items) == D(20)


@pytest.mark.parametrize(
    ("changes", "items"),
    [
        ({}, 1),
        ({"gcode": "6109100099"}, 2),
        ({"country": "303"}, 2),  # final destination country of the line
        ({"currency": "142"}, 2),
        ({"unit": "007"}, 2),
    ],
)
def test_lines_merge_per_hs_code_country_currency_and_unit(
    changes: dict[str, Any], items: int
) -> None:
    lines = (export_line(1), export_line(2, **changes))
    [form] = run([candidate(lines)]).forms
    assert len(form.items) == items


def test_more_items_than_a_form_holds_start_another_form() -> None:
    lines = tuple(
        export_line(g, gcode=f"61091000{g:02d}", price=D(g), totalPrice=D(10 * g))
        for g in range(1, 11)
    )
    c = candidate(lines, grossWeight=D("5.5"), netWeight=D("5"))
    result = run([c], rules=summary_rules(max_items=4))
    assert [len(form.items) for form in result.forms] == [4, 4, 2]
    assert [[i.gseqno for i in form.items] for form in result.forms] == [
        [1, 2, 3, 4],
        [1, 2, 3, 4],
        [1, 2],
    ]
    assert len({form.decl_seq_no for form in result.forms}) == 3
    assert result.assignment_of(c.invt_no, 5) == (result.forms[1].decl_seq_no, 1)
    assert result.assignment_of(c.invt_no, 10) == (result.forms[2].decl_seq_no, 2)
    # The list's weights are shared out by value (10+20+30+40 : 50+…+80 : 90+100 of 550).
    assert sum(form.gross_weight for form in result.forms) == D("5.5")
    assert sum(form.net_weight for form in result.forms) == D(5)
    assert result.forms[0].gross_weight == D("1.00000")


def test_fifty_items_fill_one_form() -> None:
    lines = tuple(export_line(g, gcode=f"61091{g:05d}") for g in range(1, 51))
    assert [len(f.items) for f in run([candidate(lines)]).forms] == [50]
    lines = tuple(export_line(g, gcode=f"61091{g:05d}") for g in range(1, 52))
    assert [len(f.items) for f in run([candidate(lines)]).forms] == [50, 1]


def test_declaration_numbers_are_eighteen_characters() -> None:
    number = decl_seq_numbers("4300202603")
    assert (number(1), number(12)) == ("430020260300000001", "430020260300000012")
    with pytest.raises(ValueError, match="no room"):
        decl_seq_numbers("X" * 18)


# Deadline: the 15th of the next month, or the next working day


CALENDAR = WorkingCalendar(
    holidays=frozenset({date(2026, 10, 15), date(2026, 10, 16)}),
    extra_working_days=frozenset({date(2026, 11, 15)}),
)


@pytest.mark.parametrize(
    ("period", "deadline"),
    [
        (Period(2026, 3), date(2026, 4, 15)),  # a Wednesday
        (Period(2026, 2), date(2026, 3, 16)),  # the 15th is a Sunday
        (Period(2026, 7), date(2026, 8, 17)),  # the 15th is a Saturday
        (Period(2026, 9), date(2026, 10, 19)),  # Thu and Fri holidays, then the weekend
        (Period(2026, 10), date(2026, 11, 15)),  # a Sunday worked in exchange for a holiday
        (Period(2026, 12), date(2027, 1, 15)),  # over the year's end
    ],
)
def test_the_summary_deadline(period: Period, deadline: date) -> None:
    rules = SummaryRules(max_items_per_form=50, deadline_day=15, calendar=CALENDAR)
    assert summary_deadline(period, rules) == deadline


@pytest.mark.parametrize(
    ("today", "summarised_on", "late"),
    [
        (date(2026, 3, 16), None, False),  # the deadline day itself
        (date(2026, 3, 17), None, True),
        (date(2026, 5, 1), date(2026, 3, 16), False),
        (date(2026, 5, 1), date(2026, 3, 17), True),
    ],
)
def test_whether_a_month_is_late(today: date, summarised_on: date | None, late: bool) -> None:
    rules = SummaryRules(max_items_per_form=50, deadline_day=15, calendar=CALENDAR)
    assert summary_is_late(Period(2026, 2), rules, today=today, summarised_on=summarised_on) is late
