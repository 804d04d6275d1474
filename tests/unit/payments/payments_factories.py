"""Valid raw funds documents (camelCase, as the messages carry them) for the payments tests.

Values follow the samples of the customs standard (ceb/samples CEB411, CEB403).
"""

from __future__ import annotations

from typing import Any

from cbec.payments.domain import (
    PaymentVoucher,
    ReceiptOfFunds,
    parse_payment_voucher,
    parse_receipt_of_funds,
)
from tests.support import builders

VOUCHER_GUID = "4CDE1CFD-EDED-46B1-946C-B8022E42FC94"
RECEIPT_GUID = "4CDE1CFD-EDED-46B1-946C-B8022E42FC95"


def raw_voucher(**changes: Any) -> dict[str, Any]:
    document = builders.payment(
        guid=VOUCHER_GUID,
        app_time="20160308112745",
        pay_code="1101110323",
        pay_name="测试企业",
        pay_transaction_id="P0242250007",
        order_no="order2016030811340007",
        ebp_code="1101110325",
        ebp_name="测试企业",
        buyer="130625021345225322",
        payer_name="支付人",
        telephone="13256254445",
        amount_paid="19050",
        pay_time="20160315153555",
    )
    raw: dict[str, Any] = {**document["PaymentHead"], "note": ""}
    raw.update(changes)
    return raw


def raw_receipt(**changes: Any) -> dict[str, Any]:
    raw = builders.receipt_of_funds(
        guid=RECEIPT_GUID,
        app_time="20240507153001",
        ebp_code="1105910159",
        ebp_name="东方物通科技(北京)有限公司",
        ebc_code="1105910159",
        ebc_name="东方物通科技(北京)有限公司",
        order_no="order2024050711340001",
        pay_code="4403169D3W",
        pay_name="财付通支付科技有限公司",
        pay_no="P20240507001",
        charge="200.50",
        currency="502",
        accounting_date="20240507153001",
    )
    raw["note"] = "test"
    raw.update(changes)
    return raw


def voucher(**changes: Any) -> PaymentVoucher:
    return parse_payment_voucher(raw_voucher(**changes))


def receipt(**changes: Any) -> ReceiptOfFunds:
    return parse_receipt_of_funds(raw_receipt(**changes))
