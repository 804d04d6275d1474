"""Receipts: the message one code higher, with the document's keys and the return status."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from cbec.shared.ceb import (
    RECEIPT_TYPES,
    CebSchemaError,
    build_receipt,
    parse_message,
    receipt_for,
    receipt_type,
    to_xml,
    validate_xml,
)

SAMPLES = (Path(__file__).parents[3] / ".." / "shared" / "ceb" / "samples").resolve()
WHEN = datetime(2024, 5, 1, 12, 30, 45, 678900)


@pytest.mark.parametrize(
    ("business", "receipt"),
    [
        ("CEB303Message", "CEB304Message"),
        ("CEB403Message", "CEB404Message"),
        ("CEB505Message", "CEB506Message"),
        ("CEB507Message", "CEB508Message"),
        ("CEB509Message", "CEB510Message"),
        ("CEB603Message", "CEB604Message"),
        ("CEB605Message", "CEB606Message"),
        ("CEB607Message", "CEB608Message"),
        ("CEB213Message", "CEB214Message"),
        ("CEB215Message", "CEB216Message"),
        ("CEB701Message", "CEB702Message"),
        ("CEB311Message", "CEB312Message"),
        ("CEB411Message", "CEB412Message"),
        ("CEB511Message", "CEB512Message"),
        ("CEB513Message", "CEB514Message"),
        ("CEB621Message", "CEB622Message"),
        ("CEB623Message", "CEB624Message"),
        ("CEB625Message", "CEB626Message"),
        ("CEB711Message", "CEB712Message"),
    ],
)
def test_each_business_message_is_answered_by_the_next_code(business: str, receipt: str) -> None:
    assert receipt_type(business) == receipt


def test_only_business_messages_have_receipts() -> None:
    assert len(RECEIPT_TYPES) == 19
    for not_answered in ("CEB304Message", "CEB792Message", "CEB816Message", "CEB214"):
        with pytest.raises(CebSchemaError):
            receipt_type(not_answered)


def test_an_order_receipt_repeats_each_orders_keys() -> None:
    order = parse_message((SAMPLES / "import" / "CEB311Message.xml").read_bytes())

    receipt = receipt_for(order, return_status=2, return_time=WHEN, return_info="新增申报成功")

    assert receipt.message_type() == "CEB312Message"
    assert len(receipt.OrderReturn) == len(order.Order)
    first, head = receipt.OrderReturn[0], order.Order[0].OrderHead
    assert (first.guid, first.ebpCode, first.ebcCode, first.orderNo) == (
        head.guid,
        head.ebpCode,
        head.ebcCode,
        head.orderNo,
    )
    assert (first.returnStatus, first.returnTime) == ("2", "20240501123045678")
    validate_xml(to_xml(receipt))


def test_a_list_receipt_needs_the_numbers_customs_assigns() -> None:
    inventory = parse_message((SAMPLES / "import" / "CEB621Message.xml").read_bytes())

    with pytest.raises(CebSchemaError) as caught:
        receipt_for(inventory, return_status=120, return_time=WHEN, return_info="入库")
    paths = {p.path for p in caught.value.problems}
    assert "/CEB622Message/InventoryReturn[1]/invtNo" in paths

    numbers = [
        {"preNo": f"B20240501{n:09d}", "invtNo": f"43002024I{n:09d}"}
        for n in range(len(inventory.Inventory))
    ]
    receipt = receipt_for(
        inventory, return_status=120, return_time=WHEN, return_info="入库", keys=numbers
    )
    assert [r.invtNo for r in receipt.InventoryReturn] == [k["invtNo"] for k in numbers]
    validate_xml(to_xml(receipt))


def test_keys_per_document_must_match_the_documents() -> None:
    inventory = parse_message((SAMPLES / "import" / "CEB621Message.xml").read_bytes())

    with pytest.raises(CebSchemaError):
        receipt_for(inventory, return_status=1, return_time=WHEN, return_info="", keys=[{}])


def test_a_receipt_is_built_from_keys_alone() -> None:
    receipt = build_receipt(
        "CEB303Message",
        [{"guid": "A" * 36, "ebpCode": "1105910159", "ebcCode": "1105910159", "orderNo": "o-1"}],
        return_status="100",
        return_time="20240501123045678",
        return_info="订单重复",
        guid="B" * 36,
    )

    assert receipt.guid == "B" * 36
    assert receipt.OrderReturn[0].returnInfo == "订单重复"
    validate_xml(to_xml(receipt))


def test_a_receipt_refuses_a_return_info_too_long_for_the_standard() -> None:
    with pytest.raises(CebSchemaError) as caught:
        build_receipt(
            "CEB303Message",
            [{"guid": "A" * 36, "ebpCode": "1", "ebcCode": "1", "orderNo": "o-1"}],
            return_status="100",
            return_time=WHEN,
            return_info="x" * 1001,
        )
    assert caught.value.problems[0].path == "/CEB304Message/OrderReturn[1]/returnInfo"
