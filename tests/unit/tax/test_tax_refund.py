from datetime import date
from decimal import Decimal

import pytest

from cbec.tax_refund.domain.errors import RefundNotClaimable
from cbec.tax_refund.domain.exports import ExportList
from cbec.tax_refund.domain.refund import compute_export_refund
from cbec.tax_refund.domain.tables import ExchangeRates, RateTable

D = Decimal
RATES = ExchangeRates("test fx", {("2025-01", "502"): D("7.1000"), ("2025-02", "502"): D("7.1500")})


def export_list(
    *lines: tuple[str, str, str],
    flag: str = "B",
    leave_time: str | None = "20250120103000",
    trade_mode: str = "9610",
    ie_date: str = "20250115",
    sold_on: str | None = None,
) -> ExportList:
    """Lines as (gcode, totalPrice, currency)."""
    return ExportList.model_validate(
        {
            "invtNo": "43002025E000000002",
            "ebcCode": "3701960002",
            "customsCode": "4300",
            "tradeMode": trade_mode,
            "statisticsFlag": flag,
            "ieDate": ie_date,
            "returnStatus": 899,
            "leaveTime": leave_time,
            "soldOn": sold_on,
            "lines": [
                {
                    "gnum": n,
                    "gcode": gcode,
                    "gname": "goods",
                    "unit": "011",
                    "qty": "1",
                    "price": total,
                    "totalPrice": total,
                    "currency": currency,
                }
                for n, (gcode, total, currency) in enumerate(lines, start=1)
            ],
        }
    )


def refund(lst: ExportList, rates: RateTable):
    return compute_export_refund(lst, rates=rates, exchange_rates=RATES)


def test_the_refund_is_the_fob_value_in_cny_times_the_refund_rate(rates: RateTable) -> None:
    # 1,000.00 USD × 7.1000 = 7,100.00 CNY; × 13% = 923.00
    claim = refund(export_list(("8509400000", "1000.00", "502")), rates)
    (line,) = claim.lines
    assert (line.exchange_rate, line.fob_value_cny) == (D("7.1000"), D("7100.00"))
    assert (line.refund_rate, line.refund) == (D("0.13"), D("923.00"))
    assert claim.refund == D("923.00")
    assert claim.departed_on == date(2025, 1, 20)


def test_amounts_convert_at_the_rate_of_the_month_of_export(rates: RateTable) -> None:
    claim = refund(
        export_list(("8509400000", "1000.00", "502"), ie_date="20250201"),
        rates,
    )
    assert claim.lines[0].fob_value_cny == D("7150.00")


def test_each_line_takes_its_own_hs_refund_rate_and_rounds_to_the_fen(rates: RateTable) -> None:
    claim = refund(
        export_list(
            ("6109100000", "33.33", "502"),  # 236.643 -> 236.64 CNY; × 9% = 21.2976 -> 21.30
            ("4403110000", "100", "142"),  # refund cancelled: rate 0
            ("3304990000", "10", "142"),  # 10 × 13% = 1.30
        ),
        rates,
    )
    assert [line.refund for line in claim.lines] == [D("21.30"), D("0.00"), D("1.30")]
    assert claim.fob_value_cny == D("346.64")
    assert claim.refund == D("22.60")


@pytest.mark.parametrize(
    ("overrides", "failed"),
    [
        ({"flag": "A"}, ["statisticsFlag"]),
        ({"leave_time": None}, ["leaveTime"]),
        ({"flag": "A", "leave_time": None}, ["statisticsFlag", "leaveTime"]),
    ],
)
def test_a_refund_needs_a_consolidated_declaration_and_departed_goods(
    rates: RateTable, overrides: dict[str, str | None], failed: list[str]
) -> None:
    with pytest.raises(RefundNotClaimable) as error:
        refund(export_list(("8509400000", "1000", "502"), **overrides), rates)  # type: ignore[arg-type]
    assert [v.field for v in error.value.violations] == failed


def test_missing_rates_are_all_reported(rates: RateTable) -> None:
    with pytest.raises(RefundNotClaimable) as error:
        refund(
            export_list(("9999999999", "10", "502"), ("8509400000", "10", "303")),
            rates,
        )
    assert [v.field for v in error.value.violations] == [
        "InventoryList[1].gcode",
        "InventoryList[2].currency",
    ]


@pytest.mark.parametrize(
    ("leave_time", "sold_on", "claimable"),
    [
        ("20250127000000", None, True),  # 离境即退税 from 2025-01-27
        ("20250126235959", None, False),  # the day before: must be sold first
        ("20250126235959", "20250210", True),
    ],
)
def test_overseas_warehouse_goods_claim_on_departure_from_27_january_2025(
    rates: RateTable, leave_time: str, sold_on: str | None, claimable: bool
) -> None:
    lst = export_list(
        ("8509400000", "100", "142"),
        trade_mode="9810",
        leave_time=leave_time,
        sold_on=sold_on,
    )
    if claimable:
        assert refund(lst, rates).refund == D("13.00")
    else:
        with pytest.raises(RefundNotClaimable) as error:
            refund(lst, rates)
        assert [v.field for v in error.value.violations] == ["soldOn"]
