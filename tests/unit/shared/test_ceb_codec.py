"""The CEB XML codec against the published samples and hostile input (ceb/README.md)."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import ValidationError

from cbec.shared.ceb import (
    MESSAGES,
    CebError,
    CebParseError,
    CebSchemaError,
    message_type,
    parse_message,
    to_xml,
    validate_xml,
)

CEB_REFERENCE = (Path(__file__).parents[3] / ".." / "shared" / "ceb").resolve()
SAMPLES = CEB_REFERENCE / "samples"

# ceb/README.md: ten export samples are invalid as published, each for a named element.
INVALID_SAMPLES = {
    "export/CEB303Message.xml": "/CEB303Message/BaseTransfer[2]",
    "export/CEB403Message.xml": "/CEB403Message/BaseTransfer[2]",
    "export/CEB505Message.xml": "/CEB505Message/BaseTransfer[2]",
    "export/CEB507Message.xml": "/CEB507Message/BaseTransfer[2]",
    "export/CEB509Message.xml": "/CEB509Message/BaseTransfer[2]",
    "export/CEB603Message.xml": "/CEB603Message/BaseTransfer[2]",
    "export/CEB605Message.xml": "/CEB605Message/BaseTransfer[2]",
    "export/CEB607Message.xml": "/CEB607Message/BaseTransfer[2]",
    "export/CEB792Message.xml": "/CEB792Message/SummaryResult[1]/SummaryResultList[1]/gnum",
    "export/CEB214Message.xml": "/CEB214",
}
ALL_SAMPLES = sorted(p.relative_to(SAMPLES).as_posix() for p in SAMPLES.glob("*/*.xml"))
VALID_SAMPLES = [s for s in ALL_SAMPLES if s not in INVALID_SAMPLES]


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def test_the_reference_samples_are_all_there() -> None:
    assert len(ALL_SAMPLES) == 39
    assert len(VALID_SAMPLES) == 29
    assert set(INVALID_SAMPLES) <= set(ALL_SAMPLES)


@pytest.mark.parametrize("name", VALID_SAMPLES)
def test_every_valid_sample_parses_into_its_message_model(name: str) -> None:
    message = parse_message(sample(name))

    assert type(message) is MESSAGES[Path(name).stem]
    assert message.message_type() == Path(name).stem


@pytest.mark.parametrize("name", VALID_SAMPLES)
def test_every_sample_survives_xml_round_trip_unchanged(name: str) -> None:
    message = parse_message(sample(name))

    written = to_xml(message)
    validate_xml(written)
    assert parse_message(written) == message


@pytest.mark.parametrize("name", VALID_SAMPLES)
def test_every_sample_survives_json_round_trip_unchanged(name: str) -> None:
    message = parse_message(sample(name))

    again = type(message).model_validate_json(message.model_dump_json())
    assert again == message


@pytest.mark.parametrize(("name", "path"), sorted(INVALID_SAMPLES.items()))
def test_every_invalid_sample_is_rejected_naming_the_element(name: str, path: str) -> None:
    with pytest.raises(CebSchemaError) as caught:
        parse_message(sample(name))

    assert path in [p.path for p in caught.value.problems]
    with pytest.raises(CebSchemaError):
        validate_xml(sample(name))


def test_message_type_is_read_from_the_root_element() -> None:
    assert message_type(sample("import/CEB621Message.xml")) == "CEB621Message"
    assert message_type(sample("export/CEB214Message.xml")) == "CEB214"


def test_an_unexpected_message_type_is_refused() -> None:
    assert parse_message(sample("import/CEB311Message.xml"), expected="CEB311Message")

    with pytest.raises(CebSchemaError) as caught:
        parse_message(sample("import/CEB311Message.xml"), expected="CEB303Message")
    assert caught.value.problems[0].value == "CEB311Message"


def test_parsed_amounts_are_decimals_with_every_digit_kept() -> None:
    message = parse_message(sample("import/CEB311Message.xml"))

    head = message.Order[0].OrderHead
    assert head.acturalPaid == Decimal("19050")
    assert isinstance(head.goodsValue, Decimal)


def test_written_xml_uses_the_ceb_prefix_and_the_root_attributes() -> None:
    message = parse_message(sample("import/CEB312Message.xml"))

    written = to_xml(message)
    assert written.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    assert b'<ceb:CEB312Message xmlns:ceb="http://www.chinaport.gov.cn/ceb"' in written
    assert f'guid="{message.guid}" version="1.0"'.encode() in written


def test_signatures_are_accepted_on_input_and_never_written() -> None:
    data = sample("import/CEB621Message.xml")
    assert b"ds:Signature" in data

    written = to_xml(parse_message(data))
    assert b"Signature" not in written


def test_a_required_signature_is_enforced_only_when_asked() -> None:
    # The import schema requires ds:Signature on CEB621; the platform signs on transmission.
    written = to_xml(parse_message(sample("import/CEB621Message.xml")))

    validate_xml(written)
    with pytest.raises(CebSchemaError) as caught:
        validate_xml(written, require_signature=True)
    assert "ds:Signature" in caught.value.problems[0].rule


def test_a_schema_error_names_the_path_the_rule_and_the_value() -> None:
    data = sample("import/CEB311Message.xml").replace(
        b"<ceb:orderNo>order20160321116421002</ceb:orderNo>",
        b"<ceb:orderNo>" + b"9" * 61 + b"</ceb:orderNo>",
        1,
    )

    with pytest.raises(CebSchemaError) as caught:
        parse_message(data)
    [problem] = caught.value.problems
    assert problem.path == "/CEB311Message/Order[1]/OrderHead/orderNo"
    assert "maxLength" in problem.rule
    assert problem.value == "9" * 61
    assert problem.line is not None


def test_schema_validation_collects_every_problem() -> None:
    data = sample("import/CEB311Message.xml").replace(
        b"<ceb:acturalPaid>19050</ceb:acturalPaid>", b"<ceb:acturalPaid>1.234567</ceb:acturalPaid>"
    )

    with pytest.raises(CebSchemaError) as caught:
        validate_xml(data)
    assert len(caught.value.problems) == data.count(b"1.234567") > 1


def without_second_base_transfer(data: bytes) -> bytes:
    """An export sample as it should have been published: with one BaseTransfer."""
    return re.sub(rb"\s*<ceb:BaseTransfer>.*?</ceb:BaseTransfer>", b"", data, count=1, flags=re.S)


def test_an_export_sample_with_one_base_transfer_is_valid() -> None:
    message = parse_message(without_second_base_transfer(sample("export/CEB603Message.xml")))

    assert message.BaseTransfer.dxpMode == "DXP"


def test_an_empty_element_takes_the_schema_default() -> None:
    # CEB303 OrderHead: appStatus default="1", freight default="0".
    data = (
        without_second_base_transfer(sample("export/CEB303Message.xml"))
        .replace(b"<ceb:appStatus>2</ceb:appStatus>", b"<ceb:appStatus></ceb:appStatus>", 1)
        .replace(b"<ceb:freight>0</ceb:freight>", b"<ceb:freight/>", 1)
    )

    message = parse_message(data)
    heads = [order.OrderHead for order in message.Order]
    assert (heads[0].appStatus, heads[0].freight) == ("1", Decimal("0"))
    assert heads[1].appStatus == "2"


def test_a_foreign_root_namespace_is_refused() -> None:
    data = sample("import/CEB312Message.xml").replace(
        b'xmlns="http://www.chinaport.gov.cn/ceb"', b'xmlns="urn:other"'
    )

    with pytest.raises(CebSchemaError) as caught:
        parse_message(data)
    assert caught.value.problems[0].path == "/CEB312Message"


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<ceb:CEB312Message xmlns:ceb="http://www.chinaport.gov.cn/ceb" guid="x" version="1.0">
<ceb:OrderReturn><ceb:returnInfo>&lol9;</ceb:returnInfo></ceb:OrderReturn>
</ceb:CEB312Message>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<ceb:CEB312Message xmlns:ceb="http://www.chinaport.gov.cn/ceb">&x;</ceb:CEB312Message>"""


@pytest.mark.parametrize(
    "data",
    [BOMB, EXTERNAL_ENTITY, BOMB.decode().encode("utf-16")],
    ids=["billion-laughs", "external-entity", "utf-16-bomb"],
)
def test_doctype_and_entity_declarations_are_rejected_unexpanded(data: bytes) -> None:
    with pytest.raises(CebParseError) as caught:
        parse_message(data)

    assert "DOCTYPE" in caught.value.problems[0].rule or "ENTITY" in caught.value.problems[0].rule


@pytest.mark.parametrize(
    ("data", "line", "column"),
    [
        (b"<ceb:CEB312Message xmlns:ceb='http://www.chinaport.gov.cn/ceb'>\n<a></b>", 2, 8),
        (b"<?xml version='1.0'?>\n\n<unclosed", 3, 10),
        (b"not xml at all", 1, 1),
    ],
)
def test_malformed_xml_is_rejected_naming_line_and_column(
    data: bytes, line: int, column: int
) -> None:
    with pytest.raises(CebParseError) as caught:
        parse_message(data)

    [problem] = caught.value.problems
    assert problem.line == line
    assert problem.path == f"line {line}, column {column}"
    assert problem.rule.startswith("malformed XML")


def test_an_empty_document_is_malformed() -> None:
    with pytest.raises(CebParseError):
        parse_message(b"")


def test_a_document_over_the_size_limit_is_rejected_before_parsing() -> None:
    data = sample("import/CEB621Message.xml")

    with pytest.raises(CebParseError) as caught:
        parse_message(data, max_bytes=len(data) - 1)
    assert caught.value.problems[0].value == str(len(data))
    assert parse_message(data, max_bytes=len(data))


def test_the_default_size_limit_is_ten_mebibytes() -> None:
    padding = b"<!--" + b"x" * (10 * 1024 * 1024) + b"-->"

    with pytest.raises(CebParseError) as caught:
        validate_xml(sample("import/CEB312Message.xml") + padding)
    assert "10485760 bytes" in caught.value.problems[0].rule


def test_text_input_is_a_programming_error_not_a_parse_error() -> None:
    with pytest.raises(TypeError):
        parse_message("<ceb:CEB312Message/>")  # type: ignore[arg-type]


def test_codec_errors_are_platform_errors_that_name_field_and_rule() -> None:
    with pytest.raises(CebError) as caught:
        parse_message(sample("export/CEB792Message.xml"))

    violation = caught.value.violations[0]
    assert violation.field.startswith("/CEB792Message/SummaryResult")
    assert "gseqno" in violation.rule
    assert caught.value.status_code == 422


def with_extension(fragment: str) -> dict[str, object]:
    message = parse_message(sample("import/CEB411Message.xml"))
    data = message.model_dump(mode="json")
    data["ExtendMessage"] = {"name": "ext", "version": "1", "Message": fragment}
    return data


def test_an_extension_message_travels_as_raw_xml() -> None:
    model = MESSAGES["CEB411Message"]
    message = model.model_validate(
        with_extension('<ext:Data xmlns:ext="urn:x"><ext:a>1</ext:a><ext:b/></ext:Data>')
    )

    written = to_xml(message)
    assert b'<ext:Data xmlns:ext="urn:x">' in written
    assert parse_message(written) == message


@pytest.mark.parametrize(
    "fragment",
    ["<broken", "<a/><b/>", '<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>', "text only"],
)
def test_an_extension_that_is_not_one_xml_element_is_refused(fragment: str) -> None:
    with pytest.raises(ValidationError) as caught:
        MESSAGES["CEB411Message"].model_validate(with_extension(fragment))

    assert caught.value.errors()[0]["loc"] == ("ExtendMessage", "Message")
