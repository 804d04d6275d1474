"""Consistent sample documents for the declaration rules' tests; override what a test needs."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from cbec.declaration.domain import (
    DeclarationRules,
    ExportDocumentsOnFile,
    ExportInventory,
    ExportInventoryLine,
    ExportOrder,
    ExportOrderLine,
    ExportWaybill,
    ImportDocumentsOnFile,
    ImportInventory,
    ImportInventoryLine,
    ImportLimits,
    ImportOrder,
    ImportOrderLine,
    ImportPayment,
    ImportWaybill,
    ReceiptOfFunds,
    RiskRules,
    SummaryRules,
    ThreeDocumentRules,
)

D = Decimal

EBP = "3701960001"
EBC = "3701960002"
AGENT = "3701980003"
LOGISTICS = "3701970004"
PAY = "4403169D3W"


def three_document_rules(tolerance: str = "0") -> ThreeDocumentRules:
    return ThreeDocumentRules(amount_tolerance=D(tolerance), document_wait=timedelta(days=3))


def import_limits() -> ImportLimits:
    return ImportLimits(per_transaction=D(5000), annual=D(26000))


def risk_rules(**overrides: Any) -> RiskRules:
    values: dict[str, Any] = {
        "negative_list": frozenset({"9999999999"}),
        "usual_prices": (),
        "price_tolerance_factor": D(3),
        "split_order_limit": D(5000),
        "repeated_mismatch_threshold": 3,
        "inspection_rate": D(0),
        "inspection_rate_by_grade": {},
        "selection_seed": "test-seed",
    }
    values.update(overrides)
    return RiskRules(**values)


def summary_rules(max_items: int = 50) -> SummaryRules:
    return SummaryRules(max_items_per_form=max_items, deadline_day=15)


def rules(**risk_overrides: Any) -> DeclarationRules:
    return DeclarationRules(
        three_document=three_document_rules(),
        import_limits=import_limits(),
        risk=risk_rules(**risk_overrides),
        summary=summary_rules(),
    )


# Export


def export_order_line(gnum: int = 1, **overrides: Any) -> ExportOrderLine:
    values: dict[str, Any] = {
        "gnum": gnum,
        "itemNo": f"SKU-{gnum}",
        "itemName": f"goods {gnum}",
        "unit": "011",
        "currency": "502",
        "qty": D(10),
        "price": D(8),
        "totalPrice": D(80),
    }
    values.update(overrides)
    return ExportOrderLine.model_validate(values)


def export_order(**overrides: Any) -> ExportOrder:
    values: dict[str, Any] = {
        "orderType": "E",
        "orderNo": "EO0001",
        "ebpCode": EBP,
        "ebcCode": EBC,
        "goodsValue": D(110),
        "freight": D(10),
        "currency": "502",
        "copCode": EBP,
        "orderList": (
            export_order_line(1),
            export_order_line(2, qty=D(2), price=D(15), totalPrice=D(30)),
        ),
    }
    values.update(overrides)
    return ExportOrder.model_validate(values)


def export_funds(**overrides: Any) -> ReceiptOfFunds:
    values: dict[str, Any] = {
        "orderNo": "EO0001",
        "ebpCode": EBP,
        "ebcCode": EBC,
        "payCode": PAY,
        "payNo": "PAY0001",
        "charge": D(120),
        "currency": "502",
        "accountingDate": "20260305120000",
        "copCode": PAY,
    }
    values.update(overrides)
    return ReceiptOfFunds.model_validate(values)


def export_waybill(**overrides: Any) -> ExportWaybill:
    values: dict[str, Any] = {
        "logisticsCode": LOGISTICS,
        "logisticsNo": "LP0001",
        "freight": D(10),
        "currency": "502",
        "grossWeight": D("2.5"),
        "packNo": 1,
        "copCode": LOGISTICS,
    }
    values.update(overrides)
    return ExportWaybill.model_validate(values)


def export_line(gnum: int = 1, **overrides: Any) -> ExportInventoryLine:
    values: dict[str, Any] = {
        "gnum": gnum,
        "itemNo": f"SKU-{gnum}",
        "itemName": f"goods {gnum}",
        "gcode": "6109100022",
        "gname": "cotton T-shirt",
        "gmodel": "100% cotton",
        "country": "502",
        "currency": "502",
        "qty": D(10),
        "unit": "011",
        "qty1": D(10),
        "unit1": "011",
        "price": D(8),
        "totalPrice": D(80),
    }
    values.update(overrides)
    return ExportInventoryLine.model_validate(values)


def export_list(**overrides: Any) -> ExportInventory:
    values: dict[str, Any] = {
        "customsCode": "4300",
        "portCode": "4300",
        "ieDate": "20260305",
        "orderNo": "EO0001",
        "ebpCode": EBP,
        "ebcCode": EBC,
        "logisticsCode": LOGISTICS,
        "logisticsNo": "LP0001",
        "copNo": "COP0001",
        "invtNo": "43002026E000000001",
        "agentCode": AGENT,
        "ownerCode": EBC,
        "tradeMode": "9610",
        "trafMode": "5",
        "country": "502",
        "statisticsFlag": "B",
        "packNo": 1,
        "grossWeight": D("2.5"),
        "netWeight": D("2.0"),
        "inventoryList": (
            export_line(1),
            export_line(
                2,
                gcode="4202920000",
                gname="bag",
                qty=D(2),
                qty1=D(2),
                price=D(15),
                totalPrice=D(30),
            ),
        ),
    }
    values.update(overrides)
    return ExportInventory.model_validate(values)


def export_on_file(**overrides: Any) -> ExportDocumentsOnFile:
    values: dict[str, Any] = {
        "order": export_order(),
        "funds": export_funds(),
        "waybill": export_waybill(),
    }
    values.update(overrides)
    return ExportDocumentsOnFile(**values)


def replace_line(document: Any, gnum: int, **changes: Any) -> Any:
    """A copy of an order or list whose line `gnum` has `changes` (python field names)."""
    lines = tuple(
        line.model_copy(update=changes) if line.gnum == gnum else line for line in document.lines
    )
    return document.model_copy(update={"lines": lines})


# Import

IMPORT_EBP = "4403169999"
IMPORT_EBC = "4403160001"
IMPORT_LOGISTICS = "4403970002"
BUYER_ID = "370102199001011234"


def import_order_line(gnum: int = 1, **overrides: Any) -> ImportOrderLine:
    values: dict[str, Any] = {
        "gnum": gnum,
        "itemName": "face cream",
        "unit": "011",
        "qty": D(1),
        "price": D(100),
        "totalPrice": D(100),
        "currency": "142",
        "country": "116",
    }
    values.update(overrides)
    return ImportOrderLine.model_validate(values)


def import_order(**overrides: Any) -> ImportOrder:
    # DOMAIN.md §6.4 worked example: price 100 + freight 10, tax 25.37.
    values: dict[str, Any] = {
        "orderNo": "IO0001",
        "ebpCode": IMPORT_EBP,
        "ebcCode": IMPORT_EBC,
        "goodsValue": D(100),
        "freight": D(10),
        "discount": D(0),
        "taxTotal": D("25.37"),
        "acturalPaid": D("135.37"),
        "currency": "142",
        "buyerRegNo": "buyer01",
        "buyerName": "张三",
        "buyerTelephone": "13800000000",
        "buyerIdType": "1",
        "buyerIdNumber": BUYER_ID,
        "consignee": "张三",
        "consigneeTelephone": "13800000000",
        "consigneeAddress": "济南市历下区1号",
        "copCode": IMPORT_EBP,
        "orderList": (import_order_line(1),),
    }
    values.update(overrides)
    return ImportOrder.model_validate(values)


def import_payment(**overrides: Any) -> ImportPayment:
    values: dict[str, Any] = {
        "payCode": PAY,
        "payTransactionId": "TX0001",
        "orderNo": "IO0001",
        "ebpCode": IMPORT_EBP,
        "payerIdType": "1",
        "payerIdNumber": BUYER_ID,
        "payerName": "张三",
        "amountPaid": D("135.37"),
        "currency": "142",
        "payTime": "20260305120000",
        "copCode": PAY,
    }
    values.update(overrides)
    return ImportPayment.model_validate(values)


def import_waybill(**overrides: Any) -> ImportWaybill:
    values: dict[str, Any] = {
        "logisticsCode": IMPORT_LOGISTICS,
        "logisticsNo": "IL0001",
        "orderNo": "IO0001",
        "freight": D(10),
        "currency": "142",
        "weight": D("0.5"),
        "packNo": 1,
        "consignee": "张三",
        "consigneeTelephone": "13800000000",
        "consigneeAddress": "济南市历下区1号",
        "copCode": IMPORT_LOGISTICS,
    }
    values.update(overrides)
    return ImportWaybill.model_validate(values)


def import_line(gnum: int = 1, **overrides: Any) -> ImportInventoryLine:
    values: dict[str, Any] = {
        "gnum": gnum,
        "itemName": "face cream",
        "gcode": "3304990099",
        "gname": "face cream",
        "gmodel": "50ml",
        "country": "116",
        "currency": "142",
        "qty": D(1),
        "unit": "011",
        "qty1": D("0.05"),
        "unit1": "035",
        "price": D(100),
        "totalPrice": D(100),
    }
    values.update(overrides)
    return ImportInventoryLine.model_validate(values)


def import_list(**overrides: Any) -> ImportInventory:
    values: dict[str, Any] = {
        "orderNo": "IO0001",
        "ebpCode": IMPORT_EBP,
        "ebcCode": IMPORT_EBC,
        "logisticsCode": IMPORT_LOGISTICS,
        "logisticsNo": "IL0001",
        "copNo": "ICOP0001",
        "invtNo": "43002026I00000001",
        "assureCode": IMPORT_EBC,
        "customsCode": "4300",
        "portCode": "4300",
        "buyerIdType": "1",
        "buyerIdNumber": BUYER_ID,
        "buyerName": "张三",
        "buyerTelephone": "13800000000",
        "consigneeAddress": "济南市历下区1号",
        "agentCode": AGENT,
        "tradeMode": "9610",
        "trafMode": "5",
        "country": "116",
        "freight": D(10),
        "currency": "142",
        "packNo": 1,
        "grossWeight": D("0.5"),
        "netWeight": D("0.4"),
        "inventoryList": (import_line(1),),
    }
    values.update(overrides)
    return ImportInventory.model_validate(values)


def import_on_file(**overrides: Any) -> ImportDocumentsOnFile:
    values: dict[str, Any] = {
        "order": import_order(),
        "payment": import_payment(),
        "waybill": import_waybill(),
        "buyer_verified": False,
        "buyer_year_total": D(0),
    }
    values.update(overrides)
    return ImportDocumentsOnFile(**values)
