"""Waybills (CEB505 export, CEB511 import): field rules, filing, change and delete."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from cbec.logistics.domain import (
    AppType,
    DuplicateWaybill,
    ExportWaybill,
    InvalidMessage,
    LogisticsError,
    ParcelKey,
    WaybillInUse,
    WaybillNotFound,
    file_waybill,
    mark_used_by_list,
    parse_export_waybill,
    parse_import_waybill,
    release_from_list,
)
from tests.unit.logistics.logistics_builders import (
    LOGISTICS_CODE,
    at,
    export_waybill,
    import_waybill,
)

NOW = at("20250301100500")


def violations_of(parse: Any, raw: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(InvalidMessage) as caught:
        parse(raw)
    return [(v.field, v.rule) for v in caught.value.violations]


def test_a_complete_export_waybill_is_accepted_with_decimal_amounts() -> None:
    waybill = parse_export_waybill(export_waybill())

    assert waybill.key == ParcelKey(LOGISTICS_CODE, "L2025030100001")
    assert waybill.freight == Decimal("20.50")
    assert isinstance(waybill.gross_weight, Decimal)
    assert waybill.app_type is AppType.NEW
    assert waybill.app_time == at("20250301100000")


def test_a_complete_import_waybill_is_accepted() -> None:
    waybill = parse_import_waybill(import_waybill())

    assert waybill.order_no == "order20250301001"
    assert waybill.pack_no == 1
    assert waybill.weight == Decimal("0.80")


@pytest.mark.parametrize(
    ("overrides", "field", "rule"),
    [
        ({"logisticsNo": "L" * 33}, "logisticsNo", "logisticsNo must be at most 32 characters"),
        ({"logisticsNo": ""}, "logisticsNo", "logisticsNo is required"),
        ({"freight": "-0.01"}, "freight", "freight must be >= 0"),
        (
            {"freight": 20.5},
            "freight",
            "freight must be a decimal (text or Decimal), never a binary float",
        ),
        ({"freight": "1.123456"}, "freight", "freight has at most 5 decimal places"),
        ({"freight": "abc"}, "freight", "freight must be a decimal number"),
        ({"freight": "1" * 20}, "freight", "freight has at most 19 digits"),
        ({"freight": "NaN"}, "freight", "freight must be a decimal number"),
        ({"grossWeight": "0"}, "grossWeight", "grossWeight must be > 0"),
        ({"grossWeight": None}, "grossWeight", "grossWeight is required"),
        ({"packNo": "0"}, "packNo", "packNo must be >= 1"),
        ({"packNo": "1.5"}, "packNo", "packNo must be a whole number"),
        ({"logisticsCode": "12345"}, "logisticsCode", "logisticsCode must be 10 or 18 characters"),
        ({"ebcCode": "123"}, "ebcCode", "ebcCode must be 10 or 18 characters"),
        ({"currency": "CNY"}, "currency", "currency must be digits"),
        ({"appType": "4"}, "appType", "appType must be 1 (new), 2 (change) or 3 (delete)"),
        ({"appTime": "20250230100000"}, "appTime", "appTime must be a valid time yyyyMMddHHmmss"),
        ({"guid": "4cde1cfd-eded-46b1-946c-b8022e42fc94"}, "guid", "guid must be upper-case"),
        ({"goodsInfo": "x" * 201}, "goodsInfo", "goodsInfo must be at most 200 characters"),
    ],
)
def test_an_export_waybill_breaking_a_field_rule_is_refused_naming_field_and_rule(
    overrides: dict[str, Any], field: str, rule: str
) -> None:
    assert (field, rule) in violations_of(parse_export_waybill, export_waybill(**overrides))


@pytest.mark.parametrize(
    "overrides",
    [
        {"logisticsNo": "L" * 32},
        {"freight": "0"},
        {"freight": Decimal("12.12345")},
        {"packNo": 3},
        {"ebcCode": None, "ebcName": None},
        {"logisticsCode": "91370100MA3C000000"},
    ],
)
def test_an_export_waybill_at_the_limits_is_accepted(overrides: dict[str, Any]) -> None:
    parse_export_waybill(export_waybill(**overrides))


@pytest.mark.parametrize(
    ("overrides", "field", "rule"),
    [
        ({"logisticsNo": "L" * 61}, "logisticsNo", "logisticsNo must be at most 60 characters"),
        ({"packNo": "2"}, "packNo", "packNo of a CBEC retail import waybill must be 1"),
        ({"currency": "502"}, "currency", "currency of an import waybill must be 142 (CNY)"),
        ({"weight": "0"}, "weight", "weight must be > 0"),
        ({"freight": "-1"}, "freight", "freight must be >= 0"),
        ({"consignee": "  "}, "consignee", "consignee is required"),
        ({"consigneeAddress": None}, "consigneeAddress", "consigneeAddress is required"),
        (
            {"consigneeTelephone": "1" * 51},
            "consigneeTelephone",
            "consigneeTelephone must be at most 50 characters",
        ),
        ({"orderNo": "o" * 61}, "orderNo", "orderNo must be at most 60 characters"),
    ],
)
def test_an_import_waybill_breaking_a_field_rule_is_refused_naming_field_and_rule(
    overrides: dict[str, Any], field: str, rule: str
) -> None:
    assert (field, rule) in violations_of(parse_import_waybill, import_waybill(**overrides))


def test_an_import_waybill_number_may_be_60_characters_and_freight_absent() -> None:
    waybill = parse_import_waybill(import_waybill(logisticsNo="L" * 60, freight=None))

    assert waybill.freight == Decimal(0)


def test_every_violation_of_a_waybill_is_reported_at_once() -> None:
    found = violations_of(
        parse_import_waybill,
        import_waybill(packNo="2", currency="502", consignee="", weight="-1"),
    )

    assert [field for field, _ in found] == ["currency", "weight", "packNo", "consignee"]


def test_an_import_waybill_without_parcels_gets_one_violation_for_pack_no() -> None:
    found = violations_of(parse_import_waybill, import_waybill(packNo="0"))

    assert found == [("packNo", "packNo must be >= 1")]


def test_a_violation_carries_the_offending_value() -> None:
    with pytest.raises(InvalidMessage) as caught:
        parse_export_waybill(export_waybill(grossWeight="0"))

    (violation,) = caught.value.violations
    assert violation.value == Decimal(0)
    assert "grossWeight: grossWeight must be > 0" in caught.value.message


def test_a_waybill_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(InvalidMessage):
        parse_export_waybill(["not", "a", "record"])


# --- filing -----------------------------------------------------------------------------------


def test_a_new_waybill_is_filed_under_its_key() -> None:
    record = file_waybill(parse_export_waybill(export_waybill()), None, NOW)

    assert record.key == ParcelKey(LOGISTICS_CODE, "L2025030100001")
    assert record.filed_at == NOW
    assert not record.deleted


def test_a_second_new_waybill_with_the_same_number_is_a_duplicate() -> None:
    record = file_waybill(parse_export_waybill(export_waybill()), None, NOW)

    with pytest.raises(DuplicateWaybill) as caught:
        file_waybill(parse_export_waybill(export_waybill()), record, NOW)
    assert caught.value.violations[0].field == "logisticsNo"


def test_a_change_before_any_list_uses_the_waybill_replaces_it() -> None:
    record = file_waybill(parse_export_waybill(export_waybill()), None, NOW)

    changed = file_waybill(
        parse_export_waybill(export_waybill(appType="2", grossWeight="2.00")), record, NOW
    )

    assert isinstance(changed.waybill, ExportWaybill)
    assert changed.waybill.gross_weight == Decimal("2.00")
    assert changed.filed_at == NOW


def test_a_delete_before_any_list_uses_the_waybill_frees_its_number() -> None:
    record = file_waybill(parse_export_waybill(export_waybill()), None, NOW)
    deleted = file_waybill(parse_export_waybill(export_waybill(appType="3")), record, NOW)

    assert deleted.deleted
    assert not file_waybill(parse_export_waybill(export_waybill()), deleted, NOW).deleted


@pytest.mark.parametrize(("app_type", "action"), [("2", "changed"), ("3", "deleted")])
def test_a_waybill_used_by_a_list_can_no_longer_be_changed_or_deleted(
    app_type: str, action: str
) -> None:
    record = mark_used_by_list(
        file_waybill(parse_export_waybill(export_waybill()), None, NOW), "LISTCOP001"
    )

    with pytest.raises(WaybillInUse) as caught:
        file_waybill(parse_export_waybill(export_waybill(appType=app_type)), record, NOW)
    assert "LISTCOP001" in caught.value.message
    assert action in caught.value.message


@pytest.mark.parametrize("app_type", ["2", "3"])
def test_a_change_or_delete_of_an_unknown_waybill_is_refused(app_type: str) -> None:
    with pytest.raises(WaybillNotFound):
        file_waybill(parse_import_waybill(import_waybill(appType=app_type)), None, NOW)


def test_a_change_cannot_turn_an_export_waybill_into_an_import_one() -> None:
    record = file_waybill(parse_export_waybill(export_waybill(logisticsNo="L1")), None, NOW)

    with pytest.raises(LogisticsError):
        file_waybill(
            parse_import_waybill(import_waybill(appType="2", logisticsNo="L1")), record, NOW
        )


def test_a_waybill_is_quoted_by_one_list_at_a_time() -> None:
    record = mark_used_by_list(
        file_waybill(parse_export_waybill(export_waybill()), None, NOW), "LIST-A"
    )

    with pytest.raises(LogisticsError) as caught:
        mark_used_by_list(record, "LIST-B")
    assert caught.value.violations[0].expected == "LIST-A"


def test_a_revoked_list_frees_its_waybill_for_changes() -> None:
    record = mark_used_by_list(
        file_waybill(parse_export_waybill(export_waybill()), None, NOW), "LIST-A"
    )
    freed = release_from_list(record, "LIST-A")

    changed = file_waybill(parse_export_waybill(export_waybill(appType="2")), freed, NOW)
    assert changed.used_by_list is None


def test_filing_needs_a_timezone_aware_time() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        file_waybill(parse_export_waybill(export_waybill()), None, NOW.replace(tzinfo=None))
