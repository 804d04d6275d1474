"""The published sample messages, read by the shared CEB codec, go through the logistics rules.

The samples' values are placeholders: where they break a business rule that the schema does not
hold, the rule names it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cbec.logistics.domain import (
    InvalidMessage,
    parse_delivery_status,
    parse_export_return,
    parse_import_return,
    parse_import_waybill,
    parse_return_tally,
    parse_site_entry,
)
from cbec.shared.ceb import parse_message

SAMPLES = (Path(__file__).parents[3] / ".." / "shared" / "ceb" / "samples").resolve()


def first_record(sample: str, element: str, inner: str | None = None) -> dict[str, Any]:
    message = parse_message((SAMPLES / sample).read_bytes())
    body = message.model_dump(by_alias=True, exclude_none=True)[element]
    record: dict[str, Any] = body[0] if isinstance(body, list) else body
    if inner is not None:
        inner_record: dict[str, Any] = record[inner]
        return inner_record
    return record


@pytest.mark.parametrize(
    ("sample", "element", "parse"),
    [
        ("import/CEB711Message.xml", "Delivery", parse_site_entry),
        ("import/CEB625Message.xml", "InvtRefund", parse_import_return),
        ("export/CEB213Message.xml", "InvtRefund", parse_export_return),
    ],
)
def test_a_published_sample_is_read_into_its_model(
    sample: str, element: str, parse: Callable[[Any], object]
) -> None:
    parsed = parse(first_record(sample, element))

    assert getattr(parsed, "lines", None) or getattr(parsed, "parcels", None)


@pytest.mark.parametrize(
    ("sample", "element", "inner", "parse", "expected"),
    [
        (
            "import/CEB511Message.xml",
            "Logistics",
            "LogisticsHead",
            parse_import_waybill,
            ("packNo", "packNo of a CBEC retail import waybill must be 1"),
        ),
        (
            "import/CEB513Message.xml",
            "LogisticsStatus",
            None,
            parse_delivery_status,
            ("logisticsStatus", "logisticsStatus must be S (signed for)"),
        ),
        (
            "export/CEB215Message.xml",
            "InvtRefundDetail",
            None,
            parse_return_tally,
            ("guid", "guid must be upper-case"),
        ),
    ],
)
def test_a_published_sample_with_placeholder_values_is_refused_by_name(
    sample: str,
    element: str,
    inner: str | None,
    parse: Callable[[Any], object],
    expected: tuple[str, str],
) -> None:
    with pytest.raises(InvalidMessage) as caught:
        parse(first_record(sample, element, inner))

    assert [(v.field, v.rule) for v in caught.value.violations] == [expected]
