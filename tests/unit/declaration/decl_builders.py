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
from tests.support import builders

D = Decimal

EBP = "3701960001"
EBC = "3701960002"
AGENT = "3701980003"
LOGISTICS = "3701970004"
PAY = "4403169D3W"
APP_TIME = "20260305120000"


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


def head_of(document: dict[str, Any], head: str, lines: str, lines_field: str) -> dict[str, Any]:
    """A built document's head with its lines under ``lines_field``, as the models read it."""
    return {**document[head], lines_field: document[lines]}


def export_order_line(gnum: int = 1, **overrides: Any) -> ExportOrderLine:
    values = builders.order_line(
        gnum,
        item_no=f"SKU-{gnum}",
        item_name=f"goods {gnum}",
        unit="011",
        currency="502",
        qty="10",
        price="8",
        total_price="80",
    )
    values.update(overrides)
    return ExportOrderLine.model_validate(values)


def export_order(**overrides: Any) -> ExportOrder:
    document = builders.export_order(
        order_no="EO0001",
        ebp_code=EBP,
        ebc_code=EBC,
        goods_value="110",
        freight="10",
        currency="502",
        app_time=APP_TIME,
        lines=[],
        copCode=EBP,
    )
    values = head_of(document, "OrderHead", "OrderList", "orderList")
    values["orderList"] = (
        export_order_line(1),
        export_order_line(2, qty=D(2), price=D(15), totalPrice=D(30)),
    )
    values.update(overrides)
    return ExportOrder.model_validate(values)


def export_funds(**overrides: Any) -> ReceiptOfFunds:
    values = builders.receipt_of_funds(
        order_no="EO0001",
        ebp_code=EBP,
        ebc_code=EBC,
        pay_code=PAY,
        pay_no="PAY0001",
        charge="120",
        currency="502",
        accounting_date="20260305120000",
        app_time=APP_TIME,
    )
    values["copCode"] = PAY
    values.update(overrides)
    return ReceiptOfFunds.model_validate(values)


def export_waybill(**overrides: Any) -> ExportWaybill:
    values = builders.export_waybill(
        logistics_code=LOGISTICS,
        logistics_no="LP0001",
        ebc_code=None,
        freight="10",
        currency="502",
        gross_weight="2.5",
        app_time=APP_TIME,
        copCode=LOGISTICS,
    )
    values.update(overrides)
    return ExportWaybill.model_validate(values)


def export_line(gnum: int = 1, **overrides: Any) -> ExportInventoryLine:
    values = builders.inventory_line(
        gnum,
        item_no=f"SKU-{gnum}",
        item_name=f"goods {gnum}",
        gcode="6109100022",
        gname="cotton T-shirt",
        gmodel="100% cotton",
        country="502",
        currency="502",
        qty="10",
        unit="011",
        price="8",
        total_price="80",
    )
    values.update(overrides)
    return ExportInventoryLine.model_validate(values)


def export_list(**overrides: Any) -> ExportInventory:
    document = builders.export_inventory(
        order_no="EO0001",
        cop_no="COP0001",
        ebp_code=EBP,
        ebc_code=EBC,
        agent_code=AGENT,
        logistics_code=LOGISTICS,
        logistics_no="LP0001",
        lines=[],
        app_time=APP_TIME,
        ie_date="20260305",
        freight="0",
        gross_weight="2.5",
        net_weight="2.0",
        invtNo="43002026E000000001",
    )
    values = head_of(document, "InventoryHead", "InventoryList", "inventoryList")
    values["inventoryList"] = (
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
    )
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
BUYER_NAME = "张三"
ADDRESS = "济南市历下区1号"


def import_order_line(gnum: int = 1, **overrides: Any) -> ImportOrderLine:
    values = builders.import_order_line(
        gnum,
        item_name="face cream",
        unit="011",
        qty="1",
        price="100",
        total_price="100",
        country="116",
    )
    values.update(overrides)
    return ImportOrderLine.model_validate(values)


def import_order(**overrides: Any) -> ImportOrder:
    # DOMAIN.md §6.4 worked example: price 100 + freight 10, tax 25.37.
    document = builders.import_order(
        order_no="IO0001",
        ebp_code=IMPORT_EBP,
        ebc_code=IMPORT_EBC,
        buyer=BUYER_ID,
        goods_value="100",
        freight="10",
        paid="135.37",
        lines=[],
        app_time=APP_TIME,
        address=ADDRESS,
        taxTotal="25.37",
        buyerRegNo="buyer01",
        buyerName=BUYER_NAME,
        consignee=BUYER_NAME,
        copCode=IMPORT_EBP,
    )
    values = head_of(document, "OrderHead", "OrderList", "orderList")
    values["orderList"] = (import_order_line(1),)
    values.update(overrides)
    return ImportOrder.model_validate(values)


def import_payment(**overrides: Any) -> ImportPayment:
    document = builders.payment(
        order_no="IO0001",
        ebp_code=IMPORT_EBP,
        pay_code=PAY,
        pay_transaction_id="TX0001",
        buyer=BUYER_ID,
        payer_name=BUYER_NAME,
        amount_paid="135.37",
        pay_time="20260305120000",
        app_time=APP_TIME,
    )
    values = {**document["PaymentHead"], "copCode": PAY}
    values.update(overrides)
    return ImportPayment.model_validate(values)


def import_waybill(**overrides: Any) -> ImportWaybill:
    values = builders.import_waybill(
        logistics_code=IMPORT_LOGISTICS,
        logistics_no="IL0001",
        order_no="IO0001",
        weight="0.5",
        consignee=BUYER_NAME,
        address=ADDRESS,
        telephone="13800000000",
        app_time=APP_TIME,
        copCode=IMPORT_LOGISTICS,
    )
    values.update(overrides)
    return ImportWaybill.model_validate(values)


def import_line(gnum: int = 1, **overrides: Any) -> ImportInventoryLine:
    values = builders.inventory_line(
        gnum,
        item_name="face cream",
        gcode="3304990099",
        gname="face cream",
        gmodel="50ml",
        bar_code=None,
        country="116",
        currency="142",
        qty="1",
        unit="011",
        qty1="0.05",
        unit1="035",
        price="100",
        total_price="100",
    )
    values.update(overrides)
    return ImportInventoryLine.model_validate(values)


def import_list(**overrides: Any) -> ImportInventory:
    document = builders.import_inventory(
        order_no="IO0001",
        cop_no="ICOP0001",
        ebp_code=IMPORT_EBP,
        ebc_code=IMPORT_EBC,
        agent_code=AGENT,
        logistics_code=IMPORT_LOGISTICS,
        logistics_no="IL0001",
        buyer=BUYER_ID,
        lines=[],
        app_time=APP_TIME,
        decl_time="20260305",
        address=ADDRESS,
        invtNo="43002026I00000001",
        assureCode=IMPORT_EBC,
        buyerName=BUYER_NAME,
        country="116",
    )
    values = head_of(document, "InventoryHead", "InventoryList", "inventoryList")
    values["inventoryList"] = (import_line(1),)
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
