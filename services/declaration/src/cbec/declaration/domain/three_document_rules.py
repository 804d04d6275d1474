"""The rule families of the three-document check (三单比对, DOMAIN.md §4), one function each.

Each family compares one aspect of a list with its documents and returns the violations it
finds, in the order the check reports them; :mod:`.three_document` runs the families of a
direction in turn. What export and import check alike (the keys naming the order and the
waybill, who may send them) is written once, at the top::

    found = [*export_keys(invt, order, funds, waybill), *export_senders(order, funds, waybill)]
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from cbec.declaration.domain.codes import CNY
from cbec.declaration.domain.documents import (
    ExportInventory,
    ExportOrder,
    ExportWaybill,
    ImportInventory,
    ImportOrder,
    ImportPayment,
    ImportWaybill,
    ReceiptOfFunds,
)
from cbec.declaration.domain.errors import Violation


def _differs(field_name: str, rule: str, value: object, expected: object) -> list[Violation]:
    if value != expected:
        return [Violation(field=field_name, rule=rule, value=value, expected=expected)]
    return []


def _amount_differs(
    field_name: str, rule: str, value: Decimal, expected: Decimal, tolerance: Decimal
) -> list[Violation]:
    if abs(value - expected) > tolerance:
        return [Violation(field=field_name, rule=rule, value=value, expected=expected)]
    return []


def _sender(
    field_name: str, document: str, cop_code: str, allowed: Iterable[str | None]
) -> list[Violation]:
    parties = sorted({code for code in allowed if code})
    if cop_code not in parties:
        return [
            Violation(
                field=field_name,
                rule=f"the {document} must be sent by its responsible party",
                value=cop_code,
                expected=" or ".join(parties),
            )
        ]
    return []


# Rules the export and import checks share.


def _order_keys(
    invt: ExportInventory | ImportInventory,
    order: ExportOrder | ImportOrder,
    *,
    ebp_first: bool,
) -> list[Violation]:
    """The list names its order: orderNo, then the two enterprise codes (an export order is
    keyed by ebcCode, an import order by ebpCode, and that key is compared first)."""
    order_no = _differs(
        "order.orderNo", "the order's orderNo equals the list's", order.order_no, invt.order_no
    )
    ebc = _differs(
        "order.ebcCode", "the list's ebcCode equals the order's", invt.ebc_code, order.ebc_code
    )
    ebp = _differs(
        "order.ebpCode", "the list's ebpCode equals the order's", invt.ebp_code, order.ebp_code
    )
    return order_no + (ebp + ebc if ebp_first else ebc + ebp)


def _waybill_keys(
    invt: ExportInventory | ImportInventory, waybill: ExportWaybill | ImportWaybill
) -> list[Violation]:
    """The list names its waybill by (logisticsCode, logisticsNo)."""
    return _differs(
        "logistics.logisticsCode",
        "the waybill's logisticsCode equals the list's",
        waybill.logistics_code,
        invt.logistics_code,
    ) + _differs(
        "logistics.logisticsNo",
        "the waybill's logisticsNo equals the list's",
        waybill.logistics_no,
        invt.logistics_no,
    )


def _order_sender(order: ExportOrder | ImportOrder) -> list[Violation]:
    return _sender("order.copCode", "order", order.cop_code, (order.ebp_code, order.ebc_code))


def _waybill_sender(waybill: ExportWaybill | ImportWaybill) -> list[Violation]:
    return _sender("logistics.copCode", "waybill", waybill.cop_code, (waybill.logistics_code,))


# Export


def export_keys(
    invt: ExportInventory, order: ExportOrder, funds: ReceiptOfFunds, waybill: ExportWaybill
) -> list[Violation]:
    """Order and funds by (orderNo, ebcCode), waybill by (logisticsCode, logisticsNo)."""
    return [
        *_order_keys(invt, order, ebp_first=False),
        *_differs(
            "receipts.orderNo",
            "the funds' orderNo equals the list's",
            funds.order_no,
            invt.order_no,
        ),
        *_differs(
            "receipts.ebcCode",
            "the funds' ebcCode equals the list's",
            funds.ebc_code,
            invt.ebc_code,
        ),
        *_waybill_keys(invt, waybill),
    ]


def export_senders(
    order: ExportOrder, funds: ReceiptOfFunds, waybill: ExportWaybill
) -> list[Violation]:
    """Each document sent by its own responsible party."""
    return [
        *_order_sender(order),
        *_sender(
            "receipts.copCode", "receipt of funds", funds.cop_code, (funds.ebc_code, funds.pay_code)
        ),
        *_waybill_sender(waybill),
    ]


def export_lines(invt: ExportInventory, order: ExportOrder) -> list[Violation]:
    """Lines one to one by gnum, with the same goods name."""
    found: list[Violation] = []
    order_lines = {line.gnum: line for line in order.lines}
    for line in invt.lines:
        at = f"inventoryList[{line.gnum}]"
        order_line = order_lines.get(line.gnum)
        if order_line is None:
            found.append(Violation(f"{at}.gnum", "every list line has an order line", line.gnum))
            continue
        found += _differs(
            f"{at}.itemName",
            "the list line's goods name equals the order line's",
            line.goods_name,
            order_line.item_name,
        )
    list_gnums = {line.gnum for line in invt.lines}
    for gnum in sorted(set(order_lines) - list_gnums):
        found.append(Violation(f"orderList[{gnum}].gnum", "every order line has a list line", gnum))
    return found


def export_currencies(
    invt: ExportInventory, order: ExportOrder, funds: ReceiptOfFunds
) -> list[Violation]:
    """The funds, the order lines and the list lines are in the order's currency."""
    found = _differs(
        "receipts.currency",
        "the funds' currency equals the order's",
        funds.currency,
        order.currency,
    )
    for order_line in order.lines:
        found += _differs(
            f"orderList[{order_line.gnum}].currency",
            "the order line's currency equals the order's",
            order_line.currency,
            order.currency,
        )
    for line in invt.lines:
        found += _differs(
            f"inventoryList[{line.gnum}].currency",
            "the list line's currency equals the order's",
            line.currency,
            order.currency,
        )
    return found


def export_amount(order: ExportOrder, funds: ReceiptOfFunds, tolerance: Decimal) -> list[Violation]:
    """The received amount equals the order's goodsValue + freight."""
    return _amount_differs(
        "receipts.charge",
        "the amount received equals the order's goodsValue + freight",
        funds.charge,
        order.goods_value + order.freight,
        tolerance,
    )


# Import


def import_keys(
    invt: ImportInventory, order: ImportOrder, payment: ImportPayment, waybill: ImportWaybill
) -> list[Violation]:
    """Order and payment by (orderNo, ebpCode); the waybill by (logisticsCode, logisticsNo),
    naming the same order."""
    return [
        *_order_keys(invt, order, ebp_first=True),
        *_differs(
            "payment.orderNo",
            "the payment's orderNo equals the list's",
            payment.order_no,
            invt.order_no,
        ),
        *_differs(
            "payment.ebpCode",
            "the payment's ebpCode equals the list's",
            payment.ebp_code,
            invt.ebp_code,
        ),
        *_waybill_keys(invt, waybill),
        *_differs(
            "logistics.orderNo",
            "the waybill's orderNo is the list's order",
            waybill.order_no,
            invt.order_no,
        ),
    ]


def import_senders(
    order: ImportOrder, payment: ImportPayment, waybill: ImportWaybill
) -> list[Violation]:
    """Each document sent by its own responsible party."""
    return [
        *_order_sender(order),
        *_sender("payment.copCode", "payment", payment.cop_code, (payment.pay_code,)),
        *_waybill_sender(waybill),
    ]


def import_amounts(
    order: ImportOrder, payment: ImportPayment, tolerance: Decimal
) -> list[Violation]:
    """The order adds up, and the payment pays what the order says was paid."""
    return _amount_differs(
        "order.acturalPaid",
        "acturalPaid equals goodsValue + freight + taxTotal − discount",
        order.actural_paid,
        order.goods_value + order.freight + order.tax_total - order.discount,
        tolerance,
    ) + _amount_differs(
        "payment.amountPaid",
        "the payment's amountPaid equals the order's acturalPaid",
        payment.amount_paid,
        order.actural_paid,
        tolerance,
    )


def import_consignee(order: ImportOrder, waybill: ImportWaybill) -> list[Violation]:
    """The consignee of the order is the consignee of the waybill."""
    found: list[Violation] = []
    for field_name, on_order, on_waybill in (
        ("consignee", order.consignee, waybill.consignee),
        ("consigneeTelephone", order.consignee_telephone, waybill.consignee_telephone),
        ("consigneeAddress", order.consignee_address, waybill.consignee_address),
    ):
        found += _differs(
            f"logistics.{field_name}",
            f"the waybill's {field_name} equals the order's",
            on_waybill,
            on_order,
        )
    return found


def import_buyer(
    invt: ImportInventory, order: ImportOrder, payment: ImportPayment, *, buyer_verified: bool
) -> list[Violation]:
    """The buyer on the list is the buyer of the order, and the buyer's identity is verified
    or the buyer is the payer."""
    found = _differs(
        "buyerIdNumber",
        "the list's buyer equals the order's",
        invt.buyer_id_number,
        order.buyer_id_number,
    )
    found += _differs(
        "buyerName", "the list's buyer equals the order's", invt.buyer_name, order.buyer_name
    )
    payer_is_buyer = (
        payment.payer_id_number == order.buyer_id_number and payment.payer_name == order.buyer_name
    )
    if not (buyer_verified or payer_is_buyer):
        found.append(
            Violation(
                "payment.payerIdNumber",
                "the buyer's identity is verified, or the buyer is the payer",
                f"{payment.payer_name} {payment.payer_id_number}",
                f"{order.buyer_name} {order.buyer_id_number}",
            )
        )
    return found


def import_currencies(
    invt: ImportInventory, order: ImportOrder, payment: ImportPayment
) -> list[Violation]:
    """Currency 142 throughout."""
    found: list[Violation] = []
    for field_name, currency in (
        ("order.currency", order.currency),
        ("payment.currency", payment.currency),
        ("currency", invt.currency),
        *((f"orderList[{line.gnum}].currency", line.currency) for line in order.lines),
        *((f"inventoryList[{line.gnum}].currency", line.currency) for line in invt.lines),
    ):
        found += _differs(field_name, "an import is in CNY (142)", currency, CNY)
    return found


def import_parcels(invt: ImportInventory, waybill: ImportWaybill) -> list[Violation]:
    """One parcel per list."""
    return _differs(
        "packNo", "an import list is one parcel (packNo 1)", invt.pack_no, 1
    ) + _differs(
        "logistics.packNo", "an import waybill is one parcel (packNo 1)", waybill.pack_no, 1
    )
