"""The funds documents: import payment vouchers (CEB411) and export receipts of funds (CEB403).

Fields, lengths and required-ness follow the XSDs of the 202205 edition of the customs CBEC
message standard (``PaymentHead`` in ceb-import, ``Receipts`` in ceb-export). Build documents
with :func:`parse_payment_voucher` / :func:`parse_receipt_of_funds`, which check every field
and raise :class:`InvalidFundsDocument` with all violations at once::

    voucher = parse_payment_voucher({"payCode": "4403169D3W", "amountPaid": "190.50", ...})
    voucher.document_key  # ("4403169D3W", "P0242250007")
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, ClassVar

from pydantic import ConfigDict

from cbec.payments.domain.errors import InvalidFundsDocument
from cbec.payments.domain.fields import FieldRule, Kind, check_fields
from cbec.payments.domain.money import CNY
from cbec.shared.ceb.base import CebDocument
from cbec.shared.errors import Violation


class Flow(StrEnum):
    """``ieFlag``: which way the goods go."""

    IMPORT = "I"
    EXPORT = "E"


class AppType(StrEnum):
    """``appType``: 1 new, 2 change, 3 delete (DOMAIN.md §1)."""

    NEW = "1"
    CHANGE = "2"
    DELETE = "3"


@dataclass(frozen=True, slots=True, order=True)
class OrderKey:
    """The key a funds document is joined to its order by (DOMAIN.md §2).

    Import: ``orderNo`` + ``ebpCode`` (the platform); export: ``orderNo`` + ``ebcCode``.
    """

    flow: Flow
    order_no: str
    party_code: str

    def __str__(self) -> str:
        return f"{self.flow.value}:{self.party_code}:{self.order_no}"


@dataclass(frozen=True, slots=True)
class PersonIdentity:
    """A natural person as the messages identify one: id type (1 = ID card), number and name."""

    id_type: str
    id_number: str
    name: str

    def same_person(self, other: PersonIdentity) -> bool:
        """Same id type and number (an ID card's final ``x`` in either case) and the same name."""
        return (
            self.id_type == other.id_type
            and self.id_number.strip().upper() == other.id_number.strip().upper()
            and self.name.strip() == other.name.strip()
        )


class _CustomsModel(CebDocument):
    """A funds document refuses fields the standard does not have (the domain names them all)."""

    model_config = ConfigDict(extra="forbid")


# Fields that say how a document was sent, not what it says: a resend may differ in them.
_ENVELOPE_FIELDS = frozenset({"guid", "app_type", "app_time"})


class PaymentVoucher(_CustomsModel):
    """CEB411 ``PaymentHead``: the payment institution's voucher of an import order's payment."""

    guid: str
    app_type: AppType
    app_time: datetime
    app_status: str
    pay_code: str
    pay_name: str
    pay_transaction_id: str
    order_no: str
    ebp_code: str
    ebp_name: str
    payer_id_type: str
    payer_id_number: str
    payer_name: str
    telephone: str | None = None
    amount_paid: Decimal
    currency: str
    pay_time: datetime
    note: str | None = None
    # Not a field of the 202205 CEB411: the payment institution's own statement of whether the
    # payer is the buyer (DOMAIN.md §7), kept as it was reported; None when it did not say.
    payer_is_buyer: bool | None = None

    flow: ClassVar[Flow] = Flow.IMPORT

    @property
    def document_key(self) -> tuple[str, str]:
        """Unique per voucher: ``payCode`` + ``payTransactionId`` (DOMAIN.md §2)."""
        return (self.pay_code, self.pay_transaction_id)

    @property
    def document_id(self) -> str:
        return f"CEB411:{self.pay_code}:{self.pay_transaction_id}"

    @property
    def order_key(self) -> OrderKey:
        return OrderKey(Flow.IMPORT, self.order_no, self.ebp_code)

    @property
    def amount(self) -> Decimal:
        return self.amount_paid

    @property
    def funds_time(self) -> datetime:
        return self.pay_time

    @property
    def payer(self) -> PersonIdentity:
        return PersonIdentity(self.payer_id_type, self.payer_id_number, self.payer_name)


class ReceiptOfFunds(_CustomsModel):
    """CEB403 ``Receipts``: funds an export order's e-commerce enterprise has received."""

    guid: str
    app_type: AppType
    app_time: datetime
    app_status: str
    ebp_code: str
    ebp_name: str
    ebc_code: str
    ebc_name: str
    order_no: str
    # payCode: "国内企业必填" (required for a domestic institution); cash and offshore have none.
    pay_code: str | None = None
    pay_name: str
    pay_no: str | None = None
    charge: Decimal
    currency: str
    accounting_date: datetime
    note: str | None = None

    flow: ClassVar[Flow] = Flow.EXPORT

    @property
    def document_key(self) -> tuple[str, str]:
        """Unique per receipt: the order key ``orderNo`` + ``ebcCode`` (DOMAIN.md §2)."""
        return (self.order_no, self.ebc_code)

    @property
    def document_id(self) -> str:
        return f"CEB403:{self.ebc_code}:{self.order_no}"

    @property
    def order_key(self) -> OrderKey:
        return OrderKey(Flow.EXPORT, self.order_no, self.ebc_code)

    @property
    def amount(self) -> Decimal:
        return self.charge

    @property
    def funds_time(self) -> datetime:
        return self.accounting_date

    @property
    def accounting_day(self) -> date:
        return self.accounting_date.date()

    @property
    def payee(self) -> str:
        """Who the funds are settled to: the e-commerce enterprise."""
        return self.ebc_code


FundsDocument = PaymentVoucher | ReceiptOfFunds


def business_content(document: FundsDocument) -> dict[str, Any]:
    """What a document says, without how it was sent (``guid``, ``appType``, ``appTime``)."""
    return document.model_dump(exclude=set(_ENVELOPE_FIELDS))


_APP = (
    FieldRule("guid", Kind.GUID, exact_length=36),
    FieldRule("appType", Kind.CHOICE, choices=("1", "2", "3")),
    FieldRule("appTime", Kind.TIMESTAMP),
    FieldRule("appStatus", Kind.CHOICE, choices=("1", "2")),
)

# CEB411 PaymentHead (ceb-import-202205.xsd).
VOUCHER_RULES: tuple[FieldRule, ...] = (
    *_APP,
    FieldRule("payCode", max_length=18),
    FieldRule("payName", max_length=100),
    FieldRule("payTransactionId", max_length=60),
    FieldRule("orderNo", max_length=60),
    FieldRule("ebpCode", max_length=18),
    FieldRule("ebpName", max_length=100),
    # "1-身份证,2-其它。限定为身份证，填写“1”" (ceb-import-202205.xsd, payerIdType).
    FieldRule("payerIdType", Kind.CHOICE, choices=("1",)),
    FieldRule("payerIdNumber", max_length=60),
    FieldRule("payerName", max_length=60),
    FieldRule("telephone", required=False, max_length=60),
    FieldRule("amountPaid", Kind.DECIMAL, positive=True),
    # currency fixed="142": "限定为人民币" (ceb-import-202205.xsd).
    FieldRule(
        "currency",
        Kind.CURRENCY,
        fixed=CNY,
        fixed_reason="must be 142 (CNY): import payments are in renminbi",
    ),
    FieldRule("payTime", Kind.TIMESTAMP),
    FieldRule("note", required=False, max_length=1000),
    FieldRule("payerIsBuyer", Kind.FLAG, required=False),
)

# CEB403 Receipts (ceb-export-202205.xsd).
RECEIPT_RULES: tuple[FieldRule, ...] = (
    *_APP,
    FieldRule("ebpCode", max_length=18),
    FieldRule("ebpName", max_length=100),
    FieldRule("ebcCode", max_length=18),
    FieldRule("ebcName", max_length=100),
    FieldRule("orderNo", max_length=60),
    FieldRule("payCode", required=False, max_length=18),
    FieldRule("payName", max_length=100),
    FieldRule("payNo", required=False, max_length=60),
    FieldRule("charge", Kind.DECIMAL, positive=True),
    FieldRule("currency", Kind.CURRENCY),
    FieldRule("accountingDate", Kind.TIMESTAMP),
    FieldRule("note", required=False, max_length=1000),
)


def validate_payment_voucher(
    raw: Mapping[str, Any], *, currencies: Collection[str] | None = None
) -> list[Violation]:
    """Every violation of a CEB411 payment voucher's fields (empty when it is valid)."""
    return check_fields(raw, VOUCHER_RULES, currencies=currencies)[1]


def validate_receipt_of_funds(
    raw: Mapping[str, Any], *, currencies: Collection[str] | None = None
) -> list[Violation]:
    """Every violation of a CEB403 receipt of funds' fields (empty when it is valid)."""
    return check_fields(raw, RECEIPT_RULES, currencies=currencies)[1]


def parse_payment_voucher(
    raw: Mapping[str, Any], *, currencies: Collection[str] | None = None
) -> PaymentVoucher:
    """A valid :class:`PaymentVoucher`, or :class:`InvalidFundsDocument` naming every fault."""
    values, violations = check_fields(raw, VOUCHER_RULES, currencies=currencies)
    if violations:
        raise InvalidFundsDocument(violations)
    return PaymentVoucher.model_validate(values)


def parse_receipt_of_funds(
    raw: Mapping[str, Any], *, currencies: Collection[str] | None = None
) -> ReceiptOfFunds:
    """A valid :class:`ReceiptOfFunds`, or :class:`InvalidFundsDocument` naming every fault."""
    values, violations = check_fields(raw, RECEIPT_RULES, currencies=currencies)
    if violations:
        raise InvalidFundsDocument(violations)
    return ReceiptOfFunds.model_validate(values)
