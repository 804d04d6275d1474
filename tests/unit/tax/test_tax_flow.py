"""The rules together, on the shipped example tables, as the service will call them."""

from datetime import date
from decimal import Decimal

import pytest

from cbec.tax_refund.data import load_tables
from cbec.tax_refund.domain import (
    ImportList,
    ImportTaxRefused,
    QuotaLedger,
    TaxMode,
    assess_import_tax,
    issue_tax_bill,
)

D = Decimal
BUYER = "370102199001011234"


def import_list(invt_no: str, gcode: str, qty: str, total: str, freight: str = "0"):
    return ImportList.model_validate(
        {
            "invtNo": invt_no,
            "buyerIdNumber": BUYER,
            "freight": freight,
            "lines": [{"gnum": 1, "gcode": gcode, "qty": qty, "price": total, "totalPrice": total}],
        }
    )


def test_the_example_tables_reproduce_the_worked_examples() -> None:
    tables = load_tables()
    taxes = []
    for gcode in ("3304990000", "3304910000"):  # with and without consumption tax
        lst = import_list("43002025I000000001", gcode, "1", "100", freight="10")
        assessment = assess_import_tax(
            lst, annual_used=D(0), rates=tables.rates, positive_list=tables.positive_list
        )
        taxes.append(assessment.total_tax)
    assert taxes == [D("25.37"), D("10.01")]


def test_a_single_item_taxed_in_full_counts_in_the_years_total() -> None:
    tables = load_tables()
    ledger = QuotaLedger()
    ledger.reserve("L0", BUYER, D("15000.00"), on=date(2025, 6, 1))
    invt_no = "43002025I000000002"
    lst = import_list(invt_no, "8517130000", "1", "8000.00")
    assessment = assess_import_tax(
        lst,
        annual_used=ledger.counted(BUYER, 2025),
        rates=tables.rates,
        positive_list=tables.positive_list,
    )
    assert assessment.mode is TaxMode.GENERAL_TRADE
    ledger.reserve(invt_no, lst.buyer, assessment.dutiable_value, on=date(2025, 6, 2))
    ledger.use(invt_no, released_on=date(2025, 6, 3))
    assert ledger.counted(BUYER, 2025) == D("23000.00")
    bill = issue_tax_bill(assessment, lst, tax_no="T1")
    assert bill.value_added_tax == D("1040.00")  # 8,000 × 13%, tariff 0 for 8517

    # the next order of 3,000.01 would take the year to 26,000.01
    nxt = import_list("43002025I000000003", "8517130000", "1", "3000.01")
    with pytest.raises(ImportTaxRefused) as refused:
        assess_import_tax(
            nxt,
            annual_used=ledger.counted(BUYER, 2025),
            rates=tables.rates,
            positive_list=tables.positive_list,
        )
    assert refused.value.return_status == -621018
