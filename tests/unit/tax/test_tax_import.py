from decimal import Decimal

import pytest

from cbec.tax_refund.domain.errors import ImportTaxRefused, TaxError
from cbec.tax_refund.domain.import_tax import (
    ImportList,
    ImportTaxAssessment,
    assess_import_tax,
    dutiable_values,
)
from cbec.tax_refund.domain.limits import TaxMode
from cbec.tax_refund.domain.tables import HsList, RateTable
from cbec.tax_refund.domain.tax_bill import TaxBill, TaxBillStatus, issue_tax_bill

D = Decimal
COSMETICS = "3304990000"
MIXER = "8509400000"


def import_list(*lines: tuple[str, str, str], freight: str = "0", insured_fee: str = "0"):
    """Lines as (gcode, qty, totalPrice)."""
    return ImportList.model_validate(
        {
            "invtNo": "43002025I000000001",
            "buyerIdType": "1",
            "buyerIdNumber": "37010219900101123x",
            "freight": freight,
            "insuredFee": insured_fee,
            "currency": "142",
            "assureCode": "3701960001",
            "ebcCode": "3701960002",
            "customsCode": "4300",
            "lines": [
                {
                    "gnum": n,
                    "gcode": gcode,
                    "qty": qty,
                    "price": str(D(total) / D(qty)),
                    "totalPrice": total,
                }
                for n, (gcode, qty, total) in enumerate(lines, start=1)
            ],
        }
    )


def assess(lst: ImportList, rates: RateTable, positive_list: HsList, used: str = "0"):
    return assess_import_tax(lst, annual_used=D(used), rates=rates, positive_list=positive_list)


def test_cosmetics_reproduce_the_worked_example_to_the_fen(rates, positive_list) -> None:
    # DOMAIN.md §6.4: price 100 + freight 10 -> DV 110; DV / 0.85 = 129.41;
    # consumption tax 13.59; VAT 11.78; total 25.37
    result = assess(import_list((COSMETICS, "2", "100"), freight="10"), rates, positive_list)
    (line,) = result.lines
    assert line.tax_price == D("110.00")
    assert line.customs_tax == 0
    assert line.consumption_tax == D("13.59")
    assert line.value_added_tax == D("11.78")
    assert result.total_tax == D("25.37")
    assert result.mode is TaxMode.RETAIL


def test_the_combined_rate_on_the_whole_would_give_one_fen_less(rates, positive_list) -> None:
    # (0.15 + 0.13) / 0.85 × 0.7 = 23.06%: 110 × 23.06% = 25.36; per-tax rounding gives 25.37
    combined = (D("0.15") + D("0.13")) / D("0.85") * D("0.7")
    assert (D(110) * combined).quantize(D("0.01")) == D("25.36")
    result = assess(import_list((COSMETICS, "1", "100"), freight="10"), rates, positive_list)
    assert result.total_tax == D("25.37")


def test_goods_without_consumption_tax_pay_70_percent_of_vat(rates, positive_list) -> None:
    # DOMAIN.md §6.4: 110 × 13% × 70% = 10.01
    result = assess(import_list((MIXER, "2", "100"), freight="10"), rates, positive_list)
    assert result.value_added_tax == D("10.01")
    assert result.consumption_tax == 0
    assert result.total_tax == D("10.01")


def test_freight_and_insurance_are_spread_by_value_with_the_remainder_on_the_last_line() -> None:
    lst = import_list(
        (MIXER, "1", "100"), (MIXER, "1", "100"), (MIXER, "1", "100"), freight="9", insured_fee="1"
    )
    assert dutiable_values(lst) == [D("103.33"), D("103.33"), D("103.34")]


def test_each_line_is_taxed_and_rounded_on_its_own(rates, positive_list) -> None:
    lst = import_list((COSMETICS, "1", "60"), (MIXER, "1", "40"), freight="10")
    result = assess(lst, rates, positive_list)
    cosmetics, mixer = result.lines
    assert (cosmetics.tax_price, mixer.tax_price) == (D("66.00"), D("44.00"))
    # 66 / 0.85 × 0.15 × 0.7 = 8.1529 -> 8.15; 66 / 0.85 × 0.13 × 0.7 = 7.0659 -> 7.07
    assert (cosmetics.consumption_tax, cosmetics.value_added_tax) == (D("8.15"), D("7.07"))
    # 44 × 0.13 × 0.7 = 4.004 -> 4.00
    assert mixer.value_added_tax == D("4.00")
    assert result.total_tax == D("19.22")
    assert result.dutiable_value == D("110.00")


@pytest.mark.parametrize(
    ("total", "freight", "passes"),
    [
        ("4990.00", "10.00", True),  # exactly 5,000.00 including freight
        ("4990.01", "10.00", False),  # 5,000.01
        ("5000.00", "0", True),
        ("5000.01", "0", False),
    ],
)
def test_a_transaction_may_reach_but_not_exceed_5000(
    rates, positive_list, total: str, freight: str, passes: bool
) -> None:
    lst = import_list((COSMETICS, "2", total), freight=freight)
    if passes:
        assert assess(lst, rates, positive_list).dutiable_value == D("5000.00")
        return
    with pytest.raises(ImportTaxRefused) as refused:
        assess(lst, rates, positive_list)
    assert refused.value.return_status == -621005
    assert "5,000.01 CNY" in refused.value.return_info
    assert "5,000.00 CNY" in refused.value.return_info
    assert refused.value.violations[0].field == "taxPrice"


@pytest.mark.parametrize(
    ("used", "total", "passes"),
    [
        ("25000.00", "1000.00", True),  # the year reaches exactly 26,000.00
        ("25000.00", "1000.01", False),  # 26,000.01
        ("0", "4999.99", True),
        ("26000.00", "0.01", False),
    ],
)
def test_the_buyers_year_may_reach_but_not_exceed_26000(
    rates, positive_list, used: str, total: str, passes: bool
) -> None:
    lst = import_list((MIXER, "2", total))
    if passes:
        assert assess(lst, rates, positive_list, used=used).dutiable_value == D(total)
        return
    with pytest.raises(ImportTaxRefused) as refused:
        assess(lst, rates, positive_list, used=used)
    assert refused.value.return_status == -621018
    info = refused.value.return_info
    assert f"{D(used):,.2f} CNY" in info
    assert "26,000.01 CNY" in info
    assert "-621018" in info


def test_a_single_item_above_5000_within_the_year_is_taxed_in_full(rates, positive_list) -> None:
    # one indivisible item, DV 6,000: tariff 5% = 300.00; (6,000 + 300) / 0.85 = 7,411.7647;
    # consumption tax 15% = 1,111.76; VAT 13% = 963.53
    result = assess(import_list((COSMETICS, "1", "6000")), rates, positive_list, used="20000")
    assert result.mode is TaxMode.GENERAL_TRADE
    (line,) = result.lines
    assert line.customs_tax == D("300.00")
    assert line.consumption_tax == D("1111.76")
    assert line.value_added_tax == D("963.53")
    assert result.dutiable_value == D("6000")


def test_a_single_item_above_5000_beyond_the_years_room_is_refused(rates, positive_list) -> None:
    with pytest.raises(ImportTaxRefused) as refused:
        assess(import_list((COSMETICS, "1", "6000")), rates, positive_list, used="20000.01")
    assert refused.value.return_status == -621005
    assert [v.field for v in refused.value.violations] == ["taxPrice", "taxPrice"]
    assert "-621018" in refused.value.return_info


@pytest.mark.parametrize(
    "lines",
    [
        [(COSMETICS, "2", "6000")],  # one line but two pieces
        [(COSMETICS, "1", "3000"), (MIXER, "1", "3000")],  # two items
    ],
)
def test_more_than_one_item_above_5000_is_refused_even_with_room(
    rates, positive_list, lines
) -> None:
    with pytest.raises(ImportTaxRefused) as refused:
        assess(import_list(*lines), rates, positive_list)
    assert refused.value.return_status == -621005


def test_goods_off_the_positive_list_are_refused_naming_the_line(rates, positive_list) -> None:
    lst = import_list((COSMETICS, "1", "100"), ("4403100000", "1", "100"))
    with pytest.raises(ImportTaxRefused) as refused:
        assess(lst, rates, positive_list)
    assert refused.value.return_status == 100
    (violation,) = refused.value.violations
    assert violation.field == "InventoryList[2].gcode"
    assert violation.value == "4403100000"
    assert "positive list" in violation.rule


def test_every_failed_rule_is_reported_at_once(rates, positive_list) -> None:
    lst = import_list(("9999999999", "1", "3000"), (MIXER, "1", "3000"))
    with pytest.raises(ImportTaxRefused) as refused:
        assess(lst, rates, positive_list, used="25000")
    rules = [v.rule for v in refused.value.violations]
    assert len(rules) == 4  # off the positive list, no rates, single limit, annual limit
    assert refused.value.return_status == -621005


def test_a_list_in_another_currency_is_refused(rates, positive_list) -> None:
    lst = import_list((MIXER, "1", "100")).model_copy(update={"currency": "502"})
    with pytest.raises(ImportTaxRefused) as refused:
        assess(lst, rates, positive_list)
    assert refused.value.violations[0].field == "currency"


def test_the_tax_bill_carries_the_lines_and_their_sums(rates, positive_list) -> None:
    lst = import_list((COSMETICS, "1", "60"), (MIXER, "1", "40"), freight="10")
    bill = issue_tax_bill(assess(lst, rates, positive_list), lst, tax_no="T430020250000001")
    data = bill.to_ceb()
    assert data["taxNo"] == "T430020250000001"
    assert data["invtNo"] == "43002025I000000001"
    assert data["assureCode"] == "3701960001"
    assert data["status"] == "1"
    assert (data["customsTax"], data["valueAddedTax"], data["consumptionTax"]) == (
        "0.00",
        "11.07",
        "8.15",
    )
    assert [line["gnum"] for line in data["lines"]] == [1, 2]
    assert data["lines"][0]["taxPrice"] == "66.00"
    assert bill.total_tax == D("19.22")
    assert bill.void().status is TaxBillStatus.VOID


def test_a_tax_bill_whose_head_differs_from_its_lines_is_invalid(rates, positive_list) -> None:
    lst = import_list((MIXER, "1", "100"), freight="10")
    bill = issue_tax_bill(assess(lst, rates, positive_list), lst, tax_no="T1")
    with pytest.raises(ValueError, match="valueAddedTax"):
        TaxBill.model_validate({**bill.to_ceb(), "valueAddedTax": "10.02"})


def test_a_tax_bill_needs_the_customs_list_number(rates, positive_list) -> None:
    lst = import_list((MIXER, "1", "100")).model_copy(update={"invt_no": None})
    assessment: ImportTaxAssessment = assess(lst, rates, positive_list)
    with pytest.raises(TaxError) as error:
        issue_tax_bill(assessment, lst, tax_no="T1")
    assert error.value.violations[0].field == "invtNo"


def test_an_import_list_reads_the_customs_field_names() -> None:
    lst = import_list((MIXER, "1", "100"), freight="5")
    assert lst.buyer == "37010219900101123X"
    assert lst.freight == D("5")
    with pytest.raises(ValueError, match="gnum"):
        ImportList.model_validate(
            {
                "buyerIdNumber": "1",
                "lines": [
                    {"gnum": 1, "gcode": MIXER, "qty": 1, "price": 1, "totalPrice": 1},
                    {"gnum": 1, "gcode": MIXER, "qty": 1, "price": 1, "totalPrice": 1},
                ],
            }
        )
