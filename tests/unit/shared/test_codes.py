"""Customs code tables (codes/README.md): known codes answer, unknown ones are refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from cbec.shared import codes
from cbec.shared.codes import CodeTableError, load_extra_customs_codes

REFERENCE_CODES = (Path(__file__).parents[3] / ".." / "shared" / "codes").resolve()


@pytest.mark.parametrize(
    ("table", "code", "name"),
    [
        ("currency", "142", "人民币"),
        ("country", "142", "中国"),  # 142 is both CNY and China (DOMAIN.md §1)
        ("country", "116", "日本"),
        ("unit", "035", "千克"),
        ("unit", "007", "个"),
        ("unit", "011", "件"),
        ("transport_mode", "5", "航空运输"),
        ("packing", "22", "纸制或纤维板制盒/箱"),
        ("customs_district", "4300", "济南海关"),
        ("customs_district", "4258", "青岛前湾保税港区"),
    ],
)
def test_known_codes_answer_with_their_name(table: str, code: str, name: str) -> None:
    assert codes.is_valid(table, code)
    assert codes.table(table)[code].name_zh.startswith(name)


@pytest.mark.parametrize(
    ("table", "code"),
    [
        ("currency", "999"),
        ("currency", "CNY"),
        ("country", "000"),
        ("unit", "35"),
        ("transport_mode", "Q"),
        ("packing", "5"),
        ("customs_district", "4301X"),
        ("customs_district", "9999"),
        ("hs8", "3304"),
        ("currency", ""),
    ],
)
def test_unknown_codes_are_refused(table: str, code: str) -> None:
    assert not codes.is_valid(table, code)
    assert codes.table(table).get(code) is None
    with pytest.raises(KeyError, match=table):
        codes.table(table)[code]


@pytest.mark.parametrize(
    ("currency", "iso"),
    [
        ("142", "CNY"),
        ("502", "USD"),
        ("300", "EUR"),
        ("303", "GBP"),
        ("116", "JPY"),
        ("110", "HKD"),
    ],
)
def test_currencies_agree_with_iso_4217(currency: str, iso: str) -> None:
    assert codes.currency[currency]["iso"] == iso
    assert codes.currency.find("iso", iso) == codes.currency[currency]


def test_tables_are_attributes_loaded_once() -> None:
    assert codes.currency is codes.currency
    assert codes.currency is codes.table("currency")
    assert codes.hs8.get("33049900") is not None


@pytest.mark.parametrize(
    ("table", "rows"),
    [
        ("currency", 32),
        ("country", 243),
        ("unit", 123),
        ("transport_mode", 18),
        ("packing", 14),
        ("customs_district", 96),
        ("hs8", 641),
    ],
)
def test_every_shipped_table_is_complete_as_published(table: str, rows: int) -> None:
    source = codes.TABLES[table]

    assert len(codes.table(table)) >= rows
    shipped = (codes.DATA_DIR / source.file).read_bytes()
    assert shipped == (REFERENCE_CODES / source.file).read_bytes()


def test_an_unknown_table_is_an_error() -> None:
    with pytest.raises(KeyError):
        codes.table("tariff")
    with pytest.raises(AttributeError):
        _ = codes.tariff


def test_extra_customs_codes_are_added_from_a_file(tmp_path: Path) -> None:
    extra = tmp_path / "jinan.csv"
    extra.write_text(
        "code,name_zh,name_abbr,province\n4399,示例海关一,示例一,山东\n4398,示例海关二,,山东\n",
        encoding="utf-8",
    )
    assert not codes.is_valid("customs_district", "4399")

    assert load_extra_customs_codes(extra) == 2
    assert codes.customs_district["4399"].name_zh == "示例海关一"
    assert codes.is_valid("customs_district", "4398")
    assert codes.is_valid("customs_district", "4300")


def test_extra_customs_codes_replace_a_shipped_name(tmp_path: Path) -> None:
    extra = tmp_path / "renamed.csv"
    extra.write_text("code,name_zh\n4300,济南海关(新)\n", encoding="utf-8")
    table = codes.customs_district.copy()

    load_extra_customs_codes(extra, into=table)
    assert table["4300"].name_zh == "济南海关(新)"
    assert codes.customs_district["4300"].name_zh == "济南海关"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("code,name\n4397,x\n", "'name_zh' column"),
        ("code,name_zh\n4397,ok\n43A9,x\n", r"line 3: code must match \\d\{4\}"),
        ("code,name_zh\n4397,\n", "line 2: name_zh must not be empty"),
        ("code,name_zh\n4397,a\n4397,b\n", "line 3: 4397 appears twice"),
    ],
)
def test_a_bad_extra_codes_file_is_refused_naming_line_and_rule(
    tmp_path: Path, content: str, message: str
) -> None:
    extra = tmp_path / "bad.csv"
    extra.write_text(content, encoding="utf-8")
    table = codes.customs_district.copy()

    with pytest.raises(CodeTableError, match=message):
        load_extra_customs_codes(extra, into=table)
    assert "4397" not in table
    assert len(table) == len(codes.customs_district)


def test_a_missing_extra_codes_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CodeTableError, match="cannot be read"):
        load_extra_customs_codes(tmp_path / "missing.csv")
