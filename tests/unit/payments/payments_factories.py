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

VOUCHER_GUID = "4CDE1CFD-EDED-46B1-946C-B8022E42FC94"
RECEIPT_GUID = "4CDE1CFD-EDED-46B1-946C-B8022E42FC95"


def raw_voucher(**changes: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "guid": VOUCHER_GUID,
        "appType": "1",
        "appTime": "20160308112745",
        "appStatus": "2",
        "payCode": "1101110323",
        "payName": "测试企业",
        "payTransactionId": "P0242250007",
        "orderNo": "order2016030811340007",
        "ebpCode": "1101110325",
        "ebpName": "测试企业",
        "payerIdType": "1",
        "payerIdNumber": "130625021345225322",
        "payerName": "支付人",
        "telephone": "13256254445",
        "amountPaid": "19050",
        "currency": "142",
        "payTime": "20160315153555",
        "note": "",
    }
    raw.update(changes)
    return raw


def raw_receipt(**changes: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "guid": RECEIPT_GUID,
        "appType": "1",
        "appTime": "20240507153001",
        "appStatus": "2",
        "ebpCode": "1105910159",
        "ebpName": "东方物通科技(北京)有限公司",
        "ebcCode": "1105910159",
        "ebcName": "东方物通科技(北京)有限公司",
        "orderNo": "order2024050711340001",
        "payCode": "4403169D3W",
        "payName": "财付通支付科技有限公司",
        "payNo": "P20240507001",
        "charge": "200.50",
        "currency": "502",
        "accountingDate": "20240507153001",
        "note": "test",
    }
    raw.update(changes)
    return raw


def voucher(**changes: Any) -> PaymentVoucher:
    return parse_payment_voucher(raw_voucher(**changes))


def receipt(**changes: Any) -> ReceiptOfFunds:
    return parse_receipt_of_funds(raw_receipt(**changes))
