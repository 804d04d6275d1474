"""SQLModel tables of the payments service.

- ``payment_voucher`` / ``receipt_of_funds``: the funds documents on file (CEB411 / CEB403),
  with their key columns, the document as accepted (``content``, JSON) and the enterprise that
  filed it (``filed_by``: the only one that changes or deletes it);
- ``settlement`` and ``settlement_document``: what each settlement paid out and the receipts
  it covers (a receipt is settled once: ``document_id`` is unique there);
- ``order_ledger``: the orders the declaration service accepted (its order events), keyed as
  funds documents join them: import ``orderNo`` + ``ebpCode``, export ``orderNo`` + ``ebcCode``;
- ``funds_flag``: each reconciliation flag, once per order and flag;
- ``rate_table_version``: every rate table loaded, the newest one in force;
- ``fee_schedule``: each payment institution's settlement fee.

Amounts are stored as decimal text (:class:`ExactDecimal`): SQLite has no exact decimal type,
and settlement keeps converted amounts exact to more digits than any SQL NUMERIC holds.
Times are stored timezone-aware; customs times (``payTime``, ``accountingDate``) are China
Standard Time (UTC+8) and are read back in it.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Column, Index, String, Table, Text, UniqueConstraint
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


class ExactDecimal(TypeDecorator[Decimal]):
    """A Decimal stored as its text, so that no database rounds it."""

    impl = String(100)
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if not isinstance(value, Decimal):
            raise TypeError(f"expected a Decimal, got {type(value).__name__}")
        return str(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        return None if value is None else Decimal(value)


def _amount(*, nullable: bool = False) -> Any:
    return Field(sa_column=Column(ExactDecimal(), nullable=nullable))


class PaymentVoucherRow(SQLModel, table=True):
    """An import payment voucher on file (CEB411), unique by ``payCode`` + ``payTransactionId``."""

    __tablename__ = "payment_voucher"
    __table_args__ = (
        UniqueConstraint("pay_code", "pay_transaction_id", name="uq_payment_voucher_key"),
        Index("ix_payment_voucher_order", "order_no", "ebp_code"),
    )

    id: int | None = Field(default=None, primary_key=True)
    document_id: str = Field(max_length=100, unique=True)
    pay_code: str = Field(max_length=18)
    pay_transaction_id: str = Field(max_length=60)
    order_no: str = Field(max_length=60)
    ebp_code: str = Field(max_length=18)
    amount_paid: Decimal = _amount()
    currency: str = Field(max_length=3)
    pay_time: datetime
    payer_is_buyer: bool | None = None
    split_id: str | None = Field(default=None, max_length=100, index=True)
    split_total: Decimal | None = _amount(nullable=True)
    content: str = Field(sa_column=Column(Text, nullable=False))
    filed_by: str = Field(max_length=18, description="the enterprise that filed it")
    accepted_at: datetime
    updated_at: datetime


class ReceiptOfFundsRow(SQLModel, table=True):
    """An export receipt of funds on file (CEB403), unique by ``orderNo`` + ``ebcCode``."""

    __tablename__ = "receipt_of_funds"
    __table_args__ = (
        UniqueConstraint("order_no", "ebc_code", name="uq_receipt_of_funds_key"),
        Index("ix_receipt_of_funds_unsettled", "settlement_id", "accounting_day"),
    )

    id: int | None = Field(default=None, primary_key=True)
    document_id: str = Field(max_length=100, unique=True)
    order_no: str = Field(max_length=60)
    ebc_code: str = Field(max_length=18, index=True)
    ebp_code: str = Field(max_length=18)
    pay_code: str | None = Field(default=None, max_length=18)
    pay_no: str | None = Field(default=None, max_length=60)
    charge: Decimal = _amount()
    currency: str = Field(max_length=3)
    accounting_date: datetime
    accounting_day: date
    split_id: str | None = Field(default=None, max_length=100, index=True)
    split_total: Decimal | None = _amount(nullable=True)
    content: str = Field(sa_column=Column(Text, nullable=False))
    filed_by: str = Field(max_length=18, description="the enterprise that filed it")
    settlement_id: str | None = Field(default=None, max_length=120)
    accepted_at: datetime
    updated_at: datetime


class SettlementRow(SQLModel, table=True):
    """One institution's CNY payout to one payee for the receipts of one day."""

    __tablename__ = "settlement"
    __table_args__ = (Index("ix_settlement_payee_day", "ebc_code", "day"),)

    settlement_id: str = Field(primary_key=True, max_length=120)
    pay_code: str = Field(max_length=18)
    ebc_code: str = Field(max_length=18)
    day: date
    currency: str = Field(max_length=3)
    rate: Decimal = _amount()
    gross_exact: Decimal = _amount()
    fee_exact: Decimal = _amount()
    gross: Decimal = _amount()
    fee: Decimal = _amount()
    net: Decimal = _amount()
    run_through: date
    settled_at: datetime
    filed_by: str | None = Field(
        default=None, max_length=18, description="the operator who ran it; none: the schedule"
    )


class SettlementDocumentRow(SQLModel, table=True):
    """A receipt a settlement covers, converted exactly; each receipt is settled once."""

    __tablename__ = "settlement_document"

    id: int | None = Field(default=None, primary_key=True)
    settlement_id: str = Field(max_length=120, foreign_key="settlement.settlement_id", index=True)
    document_id: str = Field(max_length=100, unique=True)
    order_no: str = Field(max_length=60)
    currency: str = Field(max_length=3)
    amount: Decimal = _amount()
    rate: Decimal = _amount()
    cny_exact: Decimal = _amount()


class OrderLedgerRow(SQLModel, table=True):
    """An order as the declaration service accepted it, and what the list added."""

    __tablename__ = "order_ledger"
    __table_args__ = (
        UniqueConstraint("flow", "order_no", "party_code", name="uq_order_ledger_key"),
        Index("ix_order_ledger_order_no", "order_no"),
    )

    id: int | None = Field(default=None, primary_key=True)
    flow: str = Field(max_length=1)
    order_no: str = Field(max_length=60)
    party_code: str = Field(max_length=18)
    ebp_code: str = Field(max_length=18)
    ebc_code: str = Field(max_length=18, index=True)
    order_type: str = Field(max_length=1)
    currency: str = Field(max_length=3)
    goods_value: Decimal = _amount()
    freight: Decimal = _amount()
    discount: Decimal | None = _amount(nullable=True)
    tax_total: Decimal | None = _amount(nullable=True)
    actural_paid: Decimal | None = _amount(nullable=True)
    amount_due: Decimal = _amount()
    buyer_id_type: str | None = Field(default=None, max_length=1)
    buyer_id_number: str | None = Field(default=None, max_length=60)
    buyer_name: str | None = Field(default=None, max_length=60)
    placed_at: datetime
    invt_no: str | None = Field(default=None, max_length=20)
    released_at: datetime | None = None
    updated_at: datetime


class FundsFlagRow(SQLModel, table=True):
    """A reconciliation flag, raised (and published) once per order and flag."""

    __tablename__ = "funds_flag"
    __table_args__ = (
        UniqueConstraint("flow", "order_no", "party_code", "flag", name="uq_funds_flag"),
        Index("ix_funds_flag_ebc_time", "ebc_code", "flagged_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    flow: str = Field(max_length=1)
    order_no: str = Field(max_length=60)
    party_code: str = Field(max_length=18)
    ebc_code: str | None = Field(default=None, max_length=18)
    ebp_code: str | None = Field(default=None, max_length=18)
    flag: str = Field(max_length=40)
    field_name: str = Field(max_length=60)
    detail: str = Field(max_length=1000)
    expected: str | None = Field(default=None, max_length=200)
    actual: str | None = Field(default=None, max_length=200)
    document_id: str | None = Field(default=None, max_length=100)
    flagged_at: datetime
    resolved_at: datetime | None = None


class RateTableVersionRow(SQLModel, table=True):
    """A rate table as loaded (CSV text); the newest version is in force."""

    __tablename__ = "rate_table_version"

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=300)
    content: str = Field(sa_column=Column(Text, nullable=False))
    rates: int
    loaded_by: str | None = Field(default=None, max_length=18)
    loaded_at: datetime


class FeeScheduleRow(SQLModel, table=True):
    """A payment institution's settlement fee: basis points of the amount, at least a minimum."""

    __tablename__ = "fee_schedule"

    pay_code: str = Field(primary_key=True, max_length=18)
    basis_points: Decimal = _amount()
    minimum_fee: Decimal = _amount()
    source: str = Field(max_length=300)
    loaded_at: datetime


def _table(model: type[SQLModel]) -> Table:
    table: Table = model.__table__  # type: ignore[attr-defined]
    return table


# The service's own tables; the outbox and the inbox are added by cbec.shared.migrations.
TABLES: tuple[Table, ...] = tuple(
    _table(m)
    for m in (
        PaymentVoucherRow,
        ReceiptOfFundsRow,
        SettlementRow,
        SettlementDocumentRow,
        OrderLedgerRow,
        FundsFlagRow,
        RateTableVersionRow,
        FeeScheduleRow,
    )
)
