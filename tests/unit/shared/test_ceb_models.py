"""The generated message models: up to date with the XSDs, and as strict as the schema."""

from __future__ import annotations

import copy
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from cbec.shared.ceb import (
    DIRECTIONS,
    MESSAGES,
    CebSchemaError,
    codegen,
    export_models,
    message_model,
    parse_message,
    problems_from_validation,
    to_xml,
    validate_xml,
)
from cbec.shared.ceb.export_models import CEB303Message
from cbec.shared.ceb.import_models import CEB311Message, CEB816Message, CEB818Message

SAMPLES = (Path(__file__).parents[3] / ".." / "shared" / "ceb" / "samples").resolve()
PACKAGED_XSD = Path(codegen.__file__).parent / "xsd"

EXPORT_MESSAGES = (
    "303 304 403 404 505 506 507 508 509 510 603 604 605 606 607 608 701 702 792 213 214 215 216"
)
IMPORT_MESSAGES = "311 312 411 412 511 512 513 514 621 622 623 624 625 626 711 712"


@pytest.mark.parametrize("module", sorted(codegen.SCHEMAS))
def test_generated_models_are_up_to_date_with_the_xsd(module: str) -> None:
    schema_path, doc = codegen.SCHEMAS[module]

    committed = (codegen.HERE / module).read_text(encoding="utf-8")
    assert committed == codegen.generate(schema_path, doc)


@pytest.mark.parametrize("name", sorted(p.name for p in PACKAGED_XSD.glob("*.xsd")))
def test_packaged_schemas_are_the_published_ones(name: str) -> None:
    assert (PACKAGED_XSD / name).read_bytes() == (SAMPLES.parent / "xsd" / name).read_bytes()


@pytest.mark.parametrize(
    ("codes", "direction"), [(EXPORT_MESSAGES, "export"), (IMPORT_MESSAGES, "import")]
)
def test_every_business_message_of_the_platform_has_a_model(codes: str, direction: str) -> None:
    for code in codes.split():
        assert DIRECTIONS[f"CEB{code}Message"] == direction
        assert message_model(f"CEB{code}Message").message_type() == f"CEB{code}Message"


def test_an_unknown_message_type_has_no_model() -> None:
    with pytest.raises(CebSchemaError):
        message_model("CEB999Message")


def test_documents_nest_as_in_the_schema() -> None:
    fields = CEB303Message.model_fields
    assert list(fields) == [
        "guid",
        "version",
        "Order",
        "BaseTransfer",
        "BaseSubscribe",
        "ExtendMessage",
    ]
    assert CEB816Message.xml_spec.children["Tax"] is not CEB818Message.xml_spec.children["Tax"]


def order_json() -> dict[str, Any]:
    message = parse_message((SAMPLES / "import" / "CEB311Message.xml").read_bytes())
    return message.model_dump(mode="json")


def errors_of(data: dict[str, Any]) -> list[tuple[tuple[str | int, ...], str]]:
    with pytest.raises(ValidationError) as caught:
        CEB311Message.model_validate(data)
    return [(e["loc"], e["type"]) for e in caught.value.errors()]


def test_json_of_a_document_validates_with_the_same_model() -> None:
    data = order_json()

    message = CEB311Message.model_validate(data)
    assert message.Order[0].OrderHead.orderNo == "order20160321116421002"
    assert isinstance(message.Order[0].OrderHead.acturalPaid, Decimal)


def head(data: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = data["Order"][0]["OrderHead"]
    return result


# (field, value, pydantic error type): each a facet of the import schema's OrderHead.
HEAD_VIOLATIONS = [
    ("orderNo", "x" * 61, "string_too_long"),  # maxLength 60
    ("guid", "short", "string_too_short"),  # length 36
    ("appTime", "2016030811270", "string_too_short"),  # length 14
    ("currency", "502", "literal_error"),  # fixed="142"
    ("goodsValue", "1.123456", "decimal_max_places"),  # fractionDigits 5
    ("goodsValue", "12345678901234567890", "decimal_max_digits"),  # totalDigits 19
    ("goodsValue", "NaN", "finite_number"),
    ("goodsValue", "abc", "decimal_parsing"),
    ("ebpName", "bad\x00char", "xml_char"),
    ("unknownField", "1", "extra_forbidden"),
]


@pytest.mark.parametrize(("field", "value", "error"), HEAD_VIOLATIONS)
def test_json_breaking_a_facet_fails_at_that_field(field: str, value: str, error: str) -> None:
    data = order_json()
    head(data)[field] = value

    assert errors_of(data) == [(("Order", 0, "OrderHead", field), error)]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("goodsValue", "12345678912345.12345"),  # 19 digits, 5 of them after the point
        ("goodsValue", "1.10000000"),  # trailing zeros are not fraction digits (XSD)
        ("orderNo", "x" * 60),
        ("note", ""),
    ],
)
def test_json_within_the_facets_is_accepted(field: str, value: str) -> None:
    data = order_json()
    head(data)[field] = value

    assert CEB311Message.model_validate(data)


def test_total_digits_follow_the_schema_not_pydantic() -> None:
    # totalDigits=19, fractionDigits=5 allows 18 digits before the point when 1 follows it.
    data = order_json()
    head(data)["goodsValue"] = "123456789012345678.1"

    message = CEB311Message.model_validate(data)
    validate_xml(to_xml(message))


def test_a_missing_required_field_and_a_missing_document_are_both_reported() -> None:
    data = order_json()
    del head(data)["orderNo"]
    data["Order"][1]["OrderList"] = []

    assert errors_of(data) == [
        (("Order", 0, "OrderHead", "orderNo"), "missing"),
        (("Order", 1, "OrderList"), "too_short"),
    ]


def test_the_import_order_holds_at_most_99_lines() -> None:
    data = order_json()
    line = data["Order"][0]["OrderList"][0]
    data["Order"][0]["OrderList"] = [copy.deepcopy(line) for _ in range(100)]

    assert errors_of(data) == [(("Order", 0, "OrderList"), "too_long")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  a \n\t b  ", "a b"),
        (" " + "x" * 250 + " ", "x" * 250),  # the length is checked after collapsing
    ],
)
def test_collapsed_strings_are_collapsed_before_their_length_is_checked(
    text: str, expected: str
) -> None:
    # Export InventoryList/gmodel: maxLength 250, whiteSpace="collapse".
    gmodel = TypeAdapter(export_models.InventoryList.model_fields["gmodel"].rebuild_annotation())

    assert gmodel.validate_python(text) == expected
    with pytest.raises(ValidationError):
        gmodel.validate_python("x" * 251)


def test_validation_problems_carry_the_xml_path_of_the_field() -> None:
    data = order_json()
    head(data)["orderNo"] = "x" * 61

    with pytest.raises(ValidationError) as caught:
        CEB311Message.model_validate(data)
    [problem] = problems_from_validation(caught.value, "CEB311Message")
    assert problem.path == "/CEB311Message/Order[1]/OrderHead/orderNo"
    assert problem.value == "x" * 61


def test_assignment_is_validated_too() -> None:
    message = CEB311Message.model_validate(order_json())

    with pytest.raises(ValidationError):
        message.Order[0].OrderHead.orderNo = "x" * 61


def test_every_message_model_is_registered_once() -> None:
    assert len(MESSAGES) == 23 + 19
    assert all(model.message_type() == name for name, model in MESSAGES.items())
