"""Customs XML to the services' JSON documents and their receipts back to the receipt message."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from cbec.gateway import messages
from cbec.shared.ceb import CebSchemaError, parse_message
from tests.unit.gateway.documents import export_order, order_message

SELLER = "3301963K69"


def test_the_documents_of_a_message_become_the_entities_in_json_with_exact_amounts() -> None:
    message = parse_message(order_message(export_order("EO1", SELLER), export_order("EO2", SELLER)))
    documents = messages.documents_of(message)
    assert [d["OrderHead"]["orderNo"] for d in documents] == ["EO1", "EO2"]
    payload = json.loads(messages.to_json(documents), parse_float=Decimal)
    assert payload[0]["OrderHead"]["goodsValue"] == Decimal("12345678912345.12345")
    assert b'"goodsValue":12345678912345.12345' in messages.to_json(documents)
    assert "BaseTransfer" not in payload[0]


def test_the_receipts_of_the_service_become_the_receipt_message_of_the_standard() -> None:
    message = parse_message(order_message(export_order("EO1", SELLER), export_order("EO2", SELLER)))
    receipts = [
        {
            "orderNo": "EO1",
            "returnStatus": "2",
            "returnTime": "20240507153001123",
            "returnInfo": "accepted",
        },
        {
            "orderNo": "EO2",
            "returnStatus": "-301010",
            "returnTime": "20240507153001124",
            "returnInfo": "orderNo: order already exists",
        },
    ]
    answer = parse_message(messages.receipt_xml(message, receipts))
    assert answer.message_type() == "CEB304Message"
    returns = answer.OrderReturn  # type: ignore[attr-defined]
    assert [(r.orderNo, r.returnStatus) for r in returns] == [("EO1", "2"), ("EO2", "-301010")]
    assert returns[1].returnInfo == "orderNo: order already exists"
    assert returns[0].ebcCode == SELLER


def test_a_receipt_per_document_is_required() -> None:
    message = parse_message(order_message(export_order("EO1", SELLER)))
    with pytest.raises(CebSchemaError):
        messages.receipt_message(message, [])
