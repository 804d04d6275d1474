"""SQLModel tables of the tax-refund service.

Amounts are kept as decimal text (``"25.37"``), never floats: SQLite has no exact decimal
type, and the text round-trips exactly on both databases. ``dec()`` reads one back.

- the buyers' annual quota: one row per buyer and calendar year (``tax_quota_year``, the row a
  reservation locks) and one entry per list (``tax_quota_entry``, the domain's ``QuotaEntry``);
- the electronic tax bills of import lists and their lines (CEB816 semantics);
- export lists as closed, their purchase invoices, the exemption decision of each line, the
  refund of each invoiced line, and the deemed income tax statements;
- the zone's register of e-commerce enterprises, loaded from the data file.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Column, Index, Table, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from cbec.shared.clock import utcnow


def dec(text: str) -> Decimal:
    return Decimal(text)


class QuotaYearRow(SQLModel, table=True):
    """A buyer's calendar year: what it counts (reserved + used). Reservations of one buyer
    lock this row, so that the check of the limit and the reservation are one step."""

    __tablename__ = "tax_quota_year"

    buyer: str = Field(primary_key=True, max_length=60)
    year: int = Field(primary_key=True)
    counted: str = Field(default="0.00", max_length=40)
    updated_at: datetime = Field(default_factory=utcnow)


class QuotaEntryRow(SQLModel, table=True):
    """One list's share of its buyer's year (``domain.QuotaEntry``), by the list's number."""

    __tablename__ = "tax_quota_entry"
    __table_args__ = (
        Index("ix_tax_quota_entry_buyer_year", "buyer", "year"),
        Index("ix_tax_quota_entry_order", "order_no"),
    )

    invt_no: str = Field(primary_key=True, max_length=20)
    order_no: str = Field(max_length=60)
    buyer: str = Field(max_length=60)
    year: int
    amount: str = Field(max_length=40)
    state: str = Field(max_length=12)
    mode: str = Field(max_length=16)
    single_item: bool = Field(default=False)
    reserved_on: date
    released_on: date | None = None
    returned_on: date | None = None
    year_total_after: str = Field(max_length=40)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class TaxBillRow(SQLModel, table=True):
    """The electronic tax bill of an import list (CEB816 TaxHeadRd)."""

    __tablename__ = "tax_bill"
    __table_args__ = (Index("ix_tax_bill_buyer", "buyer"),)

    invt_no: str = Field(primary_key=True, max_length=20)
    tax_no: str = Field(max_length=50, unique=True)
    order_no: str = Field(max_length=60)
    buyer: str = Field(max_length=60)
    mode: str = Field(max_length=16)
    status: str = Field(max_length=1)
    customs_tax: str = Field(max_length=40)
    value_added_tax: str = Field(max_length=40)
    consumption_tax: str = Field(max_length=40)
    total_tax: str = Field(max_length=40)
    dutiable_value: str = Field(max_length=40)
    assure_code: str | None = Field(default=None, max_length=18)
    ebc_code: str | None = Field(default=None, max_length=18)
    customs_code: str | None = Field(default=None, max_length=4)
    year: int
    year_total_after: str = Field(max_length=40)
    assessed_at: str = Field(max_length=40)
    voided_at: datetime | None = None
    void_reason: str | None = Field(default=None, max_length=200)


class TaxBillLineRow(SQLModel, table=True):
    """One line of a tax bill (CEB816 TaxListRd) with the rates it used."""

    __tablename__ = "tax_bill_line"

    invt_no: str = Field(primary_key=True, foreign_key="tax_bill.invt_no", max_length=20)
    gnum: int = Field(primary_key=True)
    gcode: str = Field(max_length=10)
    tax_price: str = Field(max_length=40)
    tariff_rate: str = Field(max_length=20)
    vat_rate: str = Field(max_length=20)
    consumption_rate: str = Field(max_length=20)
    customs_tax: str = Field(max_length=40)
    value_added_tax: str = Field(max_length=40)
    consumption_tax: str = Field(max_length=40)


class ExportListRow(SQLModel, table=True):
    """A closed export list as the tax rules read it (``domain.ExportList`` as JSON)."""

    __tablename__ = "tax_export_list"
    __table_args__ = (Index("ix_tax_export_list_ebc", "ebc_code"),)

    invt_no: str = Field(primary_key=True, max_length=20)
    order_no: str = Field(max_length=60)
    ebc_code: str = Field(max_length=18)
    document: str = Field(sa_column=Column(Text, nullable=False))
    closed_at: str = Field(max_length=40)


class PurchaseInvoiceRow(SQLModel, table=True):
    """A purchase (input VAT) invoice the enterprise reported for an export list line."""

    __tablename__ = "tax_purchase_invoice"
    __table_args__ = (UniqueConstraint("invt_no", "gnum", "invoice_no"),)

    id: int | None = Field(default=None, primary_key=True)
    invt_no: str = Field(max_length=20, index=True)
    gnum: int
    invoice_no: str = Field(max_length=60)
    amount: str | None = Field(default=None, max_length=40)
    registered_by: str = Field(max_length=18)
    created_at: datetime = Field(default_factory=utcnow)


class ExemptionRow(SQLModel, table=True):
    """The exemption decision of one export list line (财税〔2018〕103号). ``superseded`` when
    purchase invoices arrived later and the line took the refund instead."""

    __tablename__ = "tax_exemption"
    __table_args__ = (Index("ix_tax_exemption_ebc", "ebc_code"),)

    invt_no: str = Field(primary_key=True, max_length=20)
    gnum: int = Field(primary_key=True)
    order_no: str = Field(max_length=60)
    ebc_code: str = Field(max_length=18)
    gcode: str = Field(max_length=10)
    customs_code: str = Field(max_length=4)
    ie_date: date
    currency: str = Field(max_length=3)
    amount: str = Field(max_length=40)
    exempt: bool
    reasons: str = Field(sa_column=Column(Text, nullable=False))
    superseded: bool = Field(default=False)
    decided_at: str = Field(max_length=40)


class RefundRow(SQLModel, table=True):
    """The export refund of one invoiced list line (DOMAIN.md §6.3), or why it is refused."""

    __tablename__ = "tax_refund"
    __table_args__ = (Index("ix_tax_refund_ebc", "ebc_code"),)

    invt_no: str = Field(primary_key=True, max_length=20)
    gnum: int = Field(primary_key=True)
    order_no: str = Field(max_length=60)
    ebc_code: str = Field(max_length=18)
    gcode: str = Field(max_length=10)
    claimable: bool
    fob_value: str = Field(max_length=40)
    currency: str = Field(max_length=3)
    exchange_rate: str | None = Field(default=None, max_length=20)
    fob_cny: str | None = Field(default=None, max_length=40)
    refund_rate: str | None = Field(default=None, max_length=20)
    refund: str | None = Field(default=None, max_length=40)
    reasons: str = Field(sa_column=Column(Text, nullable=False))
    computed_at: str = Field(max_length=40)


class ZoneEnterpriseRow(SQLModel, table=True):
    """An e-commerce enterprise registered in the zone (from the register's data file)."""

    __tablename__ = "tax_zone_enterprise"

    ebc_code: str = Field(primary_key=True, max_length=18)
    name: str = Field(default="", max_length=200)
    small_low_profit: bool = Field(default=False)
    source: str = Field(max_length=500)
    updated_at: datetime = Field(default_factory=utcnow)


class IncomeTaxStatementRow(SQLModel, table=True):
    """The deemed corporate income tax of an enterprise's year (国家税务总局公告2019年第36号)."""

    __tablename__ = "tax_income_statement"

    ebc_code: str = Field(primary_key=True, max_length=18)
    year: int = Field(primary_key=True)
    revenue: str = Field(max_length=40)
    taxable_income: str = Field(max_length=40)
    tax: str = Field(max_length=40)
    relief_applied: bool
    lines: int
    computed_at: datetime = Field(default_factory=utcnow)


TABLES: tuple[Table, ...] = (
    QuotaYearRow.__table__,  # type: ignore[attr-defined]
    QuotaEntryRow.__table__,  # type: ignore[attr-defined]
    TaxBillRow.__table__,  # type: ignore[attr-defined]
    TaxBillLineRow.__table__,  # type: ignore[attr-defined]
    ExportListRow.__table__,  # type: ignore[attr-defined]
    PurchaseInvoiceRow.__table__,  # type: ignore[attr-defined]
    ExemptionRow.__table__,  # type: ignore[attr-defined]
    RefundRow.__table__,  # type: ignore[attr-defined]
    ZoneEnterpriseRow.__table__,  # type: ignore[attr-defined]
    IncomeTaxStatementRow.__table__,  # type: ignore[attr-defined]
)
