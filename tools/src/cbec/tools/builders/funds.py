"""Receipts of funds (CEB403 ``Receipts``): the payment institution received an export order's
amount; payment vouchers (CEB411 ``Payment``): a buyer paid an import order.

    receipt_of_funds(order_no="EO1", ebp_code=..., ebc_code=..., pay_code=..., pay_no="PAY1",
                     charge="310", currency="142", accounting_date="20260305120000",
                     app_time="20260305120000")
    payment(order_no="IO1", ebp_code=..., pay_code=..., buyer="370102199001011234",
            amount_paid="135.37", pay_time="20260305120000", app_time="20260305120000")
"""

from __future__ import annotations

from typing import Any

from cbec.tools.builders.common import header


def receipt_of_funds(
    *,
    order_no: str,
    ebp_code: str,
    ebc_code: str,
    pay_code: str | None,
    pay_no: str,
    charge: str,
    currency: str,
    accounting_date: str,
    app_time: str,
    ebp_name: str = "platform",
    ebc_name: str = "seller",
    pay_name: str = "Example payment institution",
    guid: str | None = None,
) -> dict[str, Any]:
    """CEB403: the amount received (goods value and freight) for an export order; ``pay_code``
    None: funds received without a payment institution (no ``payCode``)."""
    receipt: dict[str, Any] = {
        **header(app_time, guid),
        "ebpCode": ebp_code,
        "ebpName": ebp_name,
        "ebcCode": ebc_code,
        "ebcName": ebc_name,
        "orderNo": order_no,
    }
    if pay_code is not None:
        receipt["payCode"] = pay_code
    return receipt | {
        "payName": pay_name,
        "payNo": pay_no,
        "charge": charge,
        "currency": currency,
        "accountingDate": accounting_date,
    }


def payment(
    *,
    order_no: str,
    ebp_code: str,
    pay_code: str,
    buyer: str,
    amount_paid: str,
    pay_time: str,
    app_time: str,
    pay_transaction_id: str | None = None,
    payer_name: str | None = None,
    telephone: str | None = "13800000000",
    currency: str = "142",
    ebp_name: str = "platform",
    pay_name: str = "Example payment institution",
    guid: str | None = None,
) -> dict[str, Any]:
    """CEB411 ``Payment``: the buyer known by ``buyer`` (its identity number) paid an import
    order; the transaction id defaults to ``TX`` and the order number; ``telephone`` None:
    none given."""
    head: dict[str, Any] = {
        **header(app_time, guid),
        "payCode": pay_code,
        "payName": pay_name,
        "payTransactionId": pay_transaction_id or f"TX{order_no}",
        "orderNo": order_no,
        "ebpCode": ebp_code,
        "ebpName": ebp_name,
        "payerIdType": "1",
        "payerIdNumber": buyer,
        "payerName": payer_name or f"Buyer {buyer}",
    }
    if telephone is not None:
        head["telephone"] = telephone
    return {
        "PaymentHead": head | {"amountPaid": amount_paid, "currency": currency, "payTime": pay_time}
    }
