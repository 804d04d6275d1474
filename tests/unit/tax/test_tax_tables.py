from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from cbec.tax_refund.data import (
    load_exchange_rates,
    load_hs_list,
    load_rate_table,
    load_tables,
)
from cbec.tax_refund.domain.errors import DataFileError
from cbec.tax_refund.domain.table_files import (
    parse_customs_codes,
    parse_exchange_rates,
    parse_hs_list,
    parse_income_tax_relief,
    parse_rate_table,
)
from cbec.tax_refund.domain.tables import HsList

D = Decimal

RATES = """\
# example rates
hs_code,vat_rate,consumption_tax_rate,tariff_rate,refund_rate,name

3304,0.13,0.15,0.01,0.13,"cosmetics, heading"
33049100,0.13,0,0.01,0.09,powders
3304990029,0.13,0.15,0.02,0.13,one national subdivision
"""


def test_every_shipped_example_table_loads() -> None:
    tables = load_tables()
    assert len(tables.rates) > 0
    assert len(tables.positive_list) > 0
    assert "4300" in tables.zone_customs
    assert tables.income_tax_relief.brackets_for(2025)


@pytest.mark.parametrize(
    ("gcode", "found", "refund_rate"),
    [
        ("3304990029", "3304990029", "0.13"),  # the 10-digit entry itself
        ("3304910000", "33049100", "0.09"),  # falls back to 8 digits
        ("3304100000", "3304", "0.13"),  # falls back to the heading
        ("3305100000", None, None),  # nothing covers it
    ],
)
def test_an_hs_code_finds_its_most_specific_rate(
    gcode: str, found: str | None, refund_rate: str | None
) -> None:
    rates = parse_rate_table(RATES, "rates.csv").find(gcode)
    assert (rates.hs_code if rates else None) == found
    assert (rates.refund_rate if rates else None) == (D(refund_rate) if refund_rate else None)


def test_an_hs_list_entry_covers_every_code_that_begins_with_it() -> None:
    listed = parse_hs_list("hs_code\n3304\n19011010\n", "positive.csv")
    assert "3304990000" in listed
    assert "1901101000" in listed
    assert "1901109000" not in listed
    assert listed.entry_for("3304990000") == "3304"


def test_the_tables_cannot_be_changed_after_loading() -> None:
    table = parse_rate_table(RATES, "rates.csv")
    with pytest.raises(TypeError):
        table.entries["8517"] = table.entries["3304"]  # type: ignore[index]
    with pytest.raises(AttributeError):
        table.source = "other"  # type: ignore[misc]
    assert isinstance(HsList.of(["3304"]), HsList)


def test_exchange_rates_are_those_of_the_month_and_cny_is_always_one() -> None:
    rates = parse_exchange_rates("month,currency,cny_per_unit\n2025-01,502,7.1\n", "fx.csv")
    assert rates.rate("502", date(2025, 1, 31)) == D("7.1")
    assert rates.rate("502", date(2025, 2, 1)) is None
    assert rates.rate("142", date(1999, 1, 1)) == 1


def test_relief_brackets_are_chosen_by_year() -> None:
    relief = parse_income_tax_relief(
        "from_year,to_year,income_over,income_up_to,effective_rate\n"
        "2019,2020,0,1000000,0.05\n2019,2020,1000000,3000000,0.10\n2023,2027,0,3000000,0.05\n",
        "relief.csv",
    )
    assert [b.effective_rate for b in relief.brackets_for(2020)] == [D("0.05"), D("0.10")]
    assert relief.brackets_for(2021) == ()


RATE_HEADER = "hs_code,vat_rate,consumption_tax_rate,tariff_rate,refund_rate\n"
FX_HEADER = "month,currency,cny_per_unit\n"
RELIEF_HEADER = "from_year,to_year,income_over,income_up_to,effective_rate\n"


@pytest.mark.parametrize(
    ("parse", "text", "line", "reason"),
    [
        (parse_rate_table, RATE_HEADER + "3304,0.13,0.15,0.01\n", 2, "expected 5 fields"),
        (parse_rate_table, "# c\n" + RATE_HEADER + "3304,0.13,x,0,0\n", 3, "not a decimal"),
        (parse_rate_table, RATE_HEADER + "3304,13,0.15,0,0\n", 2, "between 0 and 1"),
        (parse_rate_table, RATE_HEADER + "3304,0.13,1,0,0\n", 2, "below 1"),
        (parse_rate_table, RATE_HEADER + "3304,0.13,0.1,-0.1,0\n", 2, "at least 0"),
        (parse_rate_table, RATE_HEADER + "3304,0.13,NaN,0,0\n", 2, "not a decimal"),
        (parse_rate_table, RATE_HEADER + "33041,0.13,0,0,0\n", 2, "4, 6, 8 or 10 digits"),
        (parse_rate_table, RATE_HEADER + "3304,0.13,0,0,0\n\n3304,0.13,0,0,0\n", 4, "line 2"),
        (parse_rate_table, "hs_code,vat_rate\n", 1, "lacks column"),
        (parse_rate_table, RATE_HEADER.strip() + ",vat\n", 1, "unknown column"),
        (parse_rate_table, "# only a comment\n\n", 2, "no header"),
        (parse_hs_list, "hs_code\n3304\n3304\n", 3, "already given"),
        (parse_hs_list, "hs_code\n33O4\n", 2, "digits"),
        (parse_exchange_rates, FX_HEADER + "2025-13,502,7.1\n", 2, "YYYY-MM"),
        (parse_exchange_rates, FX_HEADER + "2025-01,USD,7.1\n", 2, "3-digit"),
        (parse_exchange_rates, FX_HEADER + "2025-01,502,0\n", 2, "greater than 0"),
        (parse_exchange_rates, FX_HEADER + "2025-01,502,7\n2025-01,502,7.2\n", 3, "already"),
        (parse_income_tax_relief, RELIEF_HEADER + "2020,2019,0,1,0.05\n", 2, "from_year"),
        (parse_income_tax_relief, RELIEF_HEADER + "2019,2020,5,1,0.05\n", 2, "below"),
        (parse_income_tax_relief, RELIEF_HEADER + "2019,2020,100,200,0.05\n", 2, "must be 0"),
        (
            parse_income_tax_relief,
            RELIEF_HEADER + "2019,2020,0,1,0.05\n2020,2021,0,1,0.05\n",
            3,
            "overlap",
        ),
        (parse_customs_codes, "customs_code\n430\n", 2, "4 digits"),
    ],
)
def test_a_malformed_data_file_is_refused_with_its_line_number(
    parse, text: str, line: int, reason: str
) -> None:
    with pytest.raises(DataFileError, match=reason) as caught:
        parse(text, "table.csv")
    assert caught.value.source == "table.csv"
    assert caught.value.line == line
    assert f"table.csv, line {line}:" in str(caught.value)


def test_loading_a_malformed_file_names_the_file_and_the_line(tmp_path: Path) -> None:
    path = tmp_path / "hs_rates.csv"
    path.write_text(RATE_HEADER + "8517,0.13,0,0,0.13\n8516,0.13,zero,0,0.13\n", "utf-8")
    with pytest.raises(DataFileError) as caught:
        load_rate_table(path)
    assert caught.value.line == 3
    assert str(path) in str(caught.value)


def test_a_file_that_is_not_utf8_is_refused_at_the_line_of_the_bad_byte(tmp_path: Path) -> None:
    path = tmp_path / "positive_list.csv"
    path.write_bytes(b"hs_code,name\n3304,ok\n8517,\xff\n")
    with pytest.raises(DataFileError, match="UTF-8") as caught:
        load_hs_list(path)
    assert caught.value.line == 3


def test_a_missing_file_is_refused_naming_it(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="cannot be read") as caught:
        load_exchange_rates(tmp_path / "absent.csv")
    assert "absent.csv" in caught.value.source
