from datetime import date

import pytest

from cbec.tax_refund.domain.errors import ListNotClosed
from cbec.tax_refund.domain.exemption import ExemptionPolicy, decide_exemption
from cbec.tax_refund.domain.exports import ExportList
from cbec.tax_refund.domain.tables import HsList

ZONE_ENTERPRISE = "3701960002"
POLICY = ExemptionPolicy(
    registered_enterprises=frozenset({ZONE_ENTERPRISE}),
    zone_customs=frozenset({"4300", "4301"}),
    excluded_hs=HsList.of(["4403", "26011100"]),
)


def export_list(
    *gcodes: str,
    ebc_code: str = ZONE_ENTERPRISE,
    customs_code: str = "4300",
    ie_date: str = "20250115",
    status: int | None = 899,
) -> ExportList:
    return ExportList.model_validate(
        {
            "invtNo": "43002025E000000001",
            "ebcCode": ebc_code,
            "customsCode": customs_code,
            "portCode": "4300",
            "tradeMode": "9610",
            "statisticsFlag": "B",
            "ieDate": ie_date,
            "returnStatus": status,
            "lines": [
                {
                    "gnum": n,
                    "gcode": gcode,
                    "gname": "goods",
                    "unit": "011",
                    "qty": "2",
                    "price": "50",
                    "totalPrice": "100",
                    "currency": "502",
                }
                for n, gcode in enumerate(gcodes, start=1)
            ],
        }
    )


def test_a_line_meeting_the_three_conditions_is_exempt() -> None:
    (decision,) = decide_exemption(export_list("6109100000"), POLICY)
    assert decision.exempt
    assert decision.reasons == ()
    assert (decision.invt_no, decision.gnum, decision.gcode) == (
        "43002025E000000001",
        1,
        "6109100000",
    )


@pytest.mark.parametrize(
    ("overrides", "gcode", "failed"),
    [
        ({"ebc_code": "9999999999"}, "6109100000", ["ebcCode"]),
        ({"customs_code": "5100"}, "6109100000", ["customsCode"]),
        ({}, "4403110000", ["InventoryList[1].gcode"]),
        ({}, "2601110000", ["InventoryList[1].gcode"]),  # listed at 8 digits
        ({"ie_date": "20180930"}, "6109100000", ["ieDate"]),  # before 财税〔2018〕103号
        (
            {"ebc_code": "9999999999", "customs_code": "5100"},
            "4403110000",
            ["ebcCode", "customsCode", "InventoryList[1].gcode"],
        ),
    ],
)
def test_a_line_failing_a_condition_is_not_exempt_and_names_each_failure(
    overrides: dict[str, str], gcode: str, failed: list[str]
) -> None:
    (decision,) = decide_exemption(export_list(gcode, **overrides), POLICY)
    assert not decision.exempt
    assert [reason.field for reason in decision.reasons] == failed


def test_the_first_day_of_the_notice_is_covered() -> None:
    (decision,) = decide_exemption(export_list("6109100000", ie_date="20181001"), POLICY)
    assert decision.exempt


def test_each_line_of_a_list_is_decided_on_its_own() -> None:
    decisions = decide_exemption(export_list("6109100000", "4403990000", "8517130000"), POLICY)
    assert [d.exempt for d in decisions] == [True, False, True]
    assert "4403" in decisions[1].reasons[0].rule


def test_the_failed_condition_quotes_the_notice() -> None:
    (decision,) = decide_exemption(export_list("6109100000", customs_code="5100"), POLICY)
    (reason,) = decision.reasons
    assert "condition 2 of 财税〔2018〕103号" in reason.rule
    assert reason.value == "5100"
    assert reason.expected == "4300 or 4301"


@pytest.mark.parametrize("status", [None, 120, 800])
def test_a_list_that_has_not_closed_is_not_decided(status: int | None) -> None:
    with pytest.raises(ListNotClosed) as error:
        decide_exemption(export_list("6109100000", status=status), POLICY)
    assert error.value.violations[0].field == "returnStatus"


def test_the_export_date_is_read_in_the_customs_format() -> None:
    assert export_list("6109100000").ie_date == date(2025, 1, 15)
