"""The documents the declaration rules read, as frozen pydantic models.

Field aliases are the customs standard's camelCase names (`orderNo`, `ebcCode`, ...), so a
model validates straight from a message's fields; the Python attributes are their snake_case
forms. Only the fields the rules use are modelled. Business rules are not enforced here: a
document with a zero gross weight must still be representable so that validation can name
every rule it breaks. `copCode` is the code of the party that sent the document (the
message's `BaseTransfer/copCode`, or the authenticated party at the gateway).

    invt = ExportInventory.model_validate({"orderNo": "O1", "ebcCode": "3701960001", ...})
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from cbec.declaration.domain.codes import AppType, ExportOrderType, StatisticsFlag


class CebModel(BaseModel):
    model_config = ConfigDict(
        frozen=True,
        alias_generator=to_camel,
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
    )


# Export (出口)


class ExportOrderLine(CebModel):
    """A line of an export order (CEB303 `OrderList`)."""

    gnum: int
    item_no: str
    item_name: str
    unit: str
    currency: str
    qty: Decimal
    price: Decimal
    total_price: Decimal


class ExportOrder(CebModel):
    """Export electronic order (CEB303), keyed by `orderNo` + `ebcCode`."""

    app_type: AppType = AppType.NEW
    order_type: ExportOrderType
    order_no: str
    ebp_code: str
    ebc_code: str
    goods_value: Decimal
    freight: Decimal = Decimal(0)
    currency: str
    cop_code: str
    lines: tuple[ExportOrderLine, ...] = Field(alias="orderList")


class ReceiptOfFunds(CebModel):
    """Export receipt of funds (CEB403 `Receipts`), keyed by `orderNo` + `ebcCode`."""

    app_type: AppType = AppType.NEW
    order_no: str
    ebp_code: str
    ebc_code: str
    pay_code: str | None = None
    pay_no: str | None = None
    charge: Decimal
    currency: str
    accounting_date: str
    cop_code: str


class ExportWaybill(CebModel):
    """Export logistics waybill (CEB505 `Logistics`), keyed by `logisticsCode` + `logisticsNo`."""

    app_type: AppType = AppType.NEW
    logistics_code: str
    logistics_no: str
    freight: Decimal = Decimal(0)
    insured_fee: Decimal = Decimal(0)
    currency: str
    gross_weight: Decimal
    pack_no: int
    ebc_code: str | None = None
    cop_code: str


class InventoryLine(CebModel):
    """The line fields export (CEB603) and import (CEB621) lists share."""

    gnum: int
    item_no: str | None = None
    item_name: str | None = None
    gcode: str
    gname: str
    gmodel: str = ""
    country: str
    currency: str
    qty: Decimal
    unit: str
    qty1: Decimal
    unit1: str
    qty2: Decimal | None = None
    unit2: str | None = None
    price: Decimal
    total_price: Decimal

    @property
    def goods_name(self) -> str:
        """The name compared with the order line: the enterprise's item name, else `gname`."""
        return self.item_name or self.gname


class ExportInventoryLine(InventoryLine):
    """A line of an export inventory list (CEB603 `InventoryList`); `country` is the final
    destination."""


class ExportInventory(CebModel):
    """Export inventory list (CEB603 `Inventory`): `copNo` + `agentCode`, then `invtNo`."""

    app_type: AppType = AppType.NEW
    customs_code: str
    port_code: str
    ie_date: str
    order_no: str
    ebp_code: str
    ebc_code: str
    logistics_code: str
    logistics_no: str
    cop_no: str
    pre_no: str | None = None
    invt_no: str | None = None
    agent_code: str
    owner_code: str
    trade_mode: str
    traf_mode: str
    country: str
    statistics_flag: StatisticsFlag
    freight: Decimal = Decimal(0)
    insured_fee: Decimal = Decimal(0)
    pack_no: int
    gross_weight: Decimal
    net_weight: Decimal
    lines: tuple[ExportInventoryLine, ...] = Field(alias="inventoryList")


class ExportRevocation(CebModel):
    """Revocation of a released export list (CEB605 `InvtCancel`), keyed by `invtNo`."""

    customs_code: str
    cop_no: str
    invt_no: str
    reason: str
    agent_code: str
    ebc_code: str


# Import (进口)


class ImportOrderLine(CebModel):
    """A line of an import order (CEB311 `OrderList`)."""

    gnum: int
    item_name: str
    unit: str
    qty: Decimal
    price: Decimal
    total_price: Decimal
    currency: str
    country: str


class ImportOrder(CebModel):
    """Import electronic order (CEB311), keyed by `orderNo` + `ebpCode`."""

    app_type: AppType = AppType.NEW
    order_type: str = "I"
    order_no: str
    ebp_code: str
    ebc_code: str
    goods_value: Decimal
    freight: Decimal = Decimal(0)
    discount: Decimal = Decimal(0)
    tax_total: Decimal = Decimal(0)
    actural_paid: Decimal
    currency: str
    buyer_reg_no: str
    buyer_name: str
    buyer_telephone: str
    buyer_id_type: str
    buyer_id_number: str
    consignee: str
    consignee_telephone: str
    consignee_address: str
    cop_code: str
    lines: tuple[ImportOrderLine, ...] = Field(alias="orderList")

    @property
    def transaction_value(self) -> Decimal:
        """The actual transaction price: goods less discount, plus freight (without tax)."""
        return self.goods_value - self.discount + self.freight


class ImportPayment(CebModel):
    """Import payment voucher (CEB411 `PaymentHead`); joined to the order on `orderNo` +
    `ebpCode`."""

    app_type: AppType = AppType.NEW
    pay_code: str
    pay_transaction_id: str
    order_no: str
    ebp_code: str
    payer_id_type: str
    payer_id_number: str
    payer_name: str
    amount_paid: Decimal
    currency: str
    pay_time: str
    cop_code: str


class ImportWaybill(CebModel):
    """Import logistics waybill (CEB511 `LogisticsHead`), keyed by `logisticsCode` +
    `logisticsNo`; it names its order."""

    app_type: AppType = AppType.NEW
    logistics_code: str
    logistics_no: str
    order_no: str
    freight: Decimal = Decimal(0)
    insured_fee: Decimal = Decimal(0)
    currency: str
    weight: Decimal
    pack_no: int
    consignee: str
    consignee_telephone: str
    consignee_address: str
    cop_code: str


class ImportInventoryLine(InventoryLine):
    """A line of an import inventory list (CEB621 `InventoryList`); `country` is the origin."""


class ImportInventory(CebModel):
    """Import inventory list (CEB621 `InventoryHead`): `copNo`, then `invtNo`."""

    app_type: AppType = AppType.NEW
    order_no: str
    ebp_code: str
    ebc_code: str
    logistics_code: str
    logistics_no: str
    cop_no: str
    pre_no: str | None = None
    invt_no: str | None = None
    assure_code: str
    ems_no: str | None = None
    area_code: str | None = None
    customs_code: str
    port_code: str
    ie_date: str | None = None
    buyer_id_type: str
    buyer_id_number: str
    buyer_name: str
    buyer_telephone: str
    consignee_address: str
    agent_code: str
    trade_mode: str
    traf_mode: str
    country: str
    freight: Decimal = Decimal(0)
    insured_fee: Decimal = Decimal(0)
    currency: str
    pack_no: int
    gross_weight: Decimal
    net_weight: Decimal
    lines: tuple[ImportInventoryLine, ...] = Field(alias="inventoryList")


class ImportRevocation(CebModel):
    """Revocation of a released import list (CEB623 `InvtCancel`), keyed by `invtNo`."""

    customs_code: str
    order_no: str
    ebp_code: str
    ebc_code: str
    logistics_code: str
    logistics_no: str
    cop_no: str | None = None
    invt_no: str
    buyer_id_number: str
    buyer_name: str
    agent_code: str
    reason: str
