"""The funds documents on file: one repository per kind, the differences said once per kind.

A document loaded under its key is remembered, so that a change or delete in the same unit of
work updates the row on file.

A funds document's ``content`` is the JSON of the document as accepted, written as it always
was (``json.dumps``, keys in the model's order): stored rows stay byte for byte what they were.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any, ClassVar, Generic, TypeVar

from sqlalchemy import func
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from cbec.payments.domain import Flow, PaymentVoucher, ReceiptOfFunds
from cbec.payments.domain.funds import FiledDocument
from cbec.payments.domain.times import from_customs_time
from cbec.payments.models import PaymentVoucherRow, ReceiptOfFundsRow
from cbec.shared.fingerprints import loads

D = TypeVar("D", PaymentVoucher, ReceiptOfFunds)
R = TypeVar("R", PaymentVoucherRow, ReceiptOfFundsRow)


def content_of(document: PaymentVoucher | ReceiptOfFunds) -> str:
    return json.dumps(document.model_dump(mode="json", by_alias=True), ensure_ascii=False)


class FundsDocuments(ABC, Generic[D, R]):
    """The funds documents of one kind on file; a kind says its key, columns and party."""

    row_type: ClassVar[type[Any]]
    flow: ClassVar[Flow]

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._rows: dict[str, R] = {}

    # What differs between the kinds -----------------------------------------------------

    @abstractmethod
    def _key(self, document: D) -> ColumnElement[bool]:
        raise NotImplementedError

    @abstractmethod
    def _party(self) -> Any:
        """The column of the party funds join their order by (import ebpCode, export ebcCode)."""
        raise NotImplementedError

    @abstractmethod
    def _fixed(self, document: D) -> dict[str, Any]:
        """Columns written when the document is filed and never changed."""
        raise NotImplementedError

    @abstractmethod
    def _changing(self, document: D) -> dict[str, Any]:
        """Columns a change (``appType`` 2) writes again."""
        raise NotImplementedError

    @abstractmethod
    def _document(self, row: R) -> D:
        raise NotImplementedError

    def _filed(self, row: R) -> FiledDocument[D]:
        return FiledDocument(self._document(row), row.filed_by, row.split_id, row.split_total)

    # Loading ------------------------------------------------------------------------------

    async def on_file(self, document: D) -> FiledDocument[D] | None:
        """The document on file under ``document``'s key (remembered for a change)."""
        row = (await self.session.exec(select(self.row_type).where(self._key(document)))).first()
        if row is None:
            return None
        self._rows[document.document_id] = row
        filed: FiledDocument[D] = self._filed(row)
        return filed

    async def for_order(self, document: D) -> list[D]:
        """The documents on file for ``document``'s order, where one order has one document
        under its own key (vouchers: ``orderNo`` + ``ebpCode``); none for the other kinds."""
        return []

    async def every(self) -> list[FiledDocument[D]]:
        rows: Sequence[R] = (await self.session.exec(select(self.row_type))).all()
        return [self._filed(row) for row in rows]

    async def of_order(
        self, order_no: str, *, party: str | None, parties: Iterable[str] | None
    ) -> list[FiledDocument[D]]:
        """The documents of an order (of ``party``; of one of ``parties`` when given), with the
        other parts of their split payments, so that shares are checked against the total."""
        query = select(self.row_type).where(self.row_type.order_no == order_no)
        if party is not None:
            query = query.where(col(self._party()) == party)
        if parties is not None:
            query = query.where(col(self._party()).in_(list(parties)))
        rows: list[R] = list((await self.session.exec(query)).all())
        splits = {row.split_id for row in rows if row.split_id}
        if splits:
            known = {row.id for row in rows}
            partners = select(self.row_type).where(col(self.row_type.split_id).in_(splits))
            rows += [r for r in (await self.session.exec(partners)).all() if r.id not in known]
        return [self._filed(row) for row in rows]

    async def count(self) -> int:
        return (await self.session.exec(select(func.count()).select_from(self.row_type))).one()

    # Saving -------------------------------------------------------------------------------

    def add(self, filed: FiledDocument[D], *, now: datetime) -> None:
        document = filed.document
        row = self.row_type(
            **self._fixed(document),
            **self._changing(document),
            split_id=filed.split_id,
            split_total=filed.split_total,
            content=content_of(document),
            filed_by=filed.filed_by,
            accepted_at=now,
            updated_at=now,
        )
        self.session.add(row)

    def change(self, filed: FiledDocument[D], *, now: datetime) -> None:
        """Write a changed document over the one on file (loaded by :meth:`on_file`)."""
        row = self._rows[filed.document.document_id]
        for name, value in self._changing(filed.document).items():
            setattr(row, name, value)
        row.split_id = filed.split_id
        row.split_total = filed.split_total
        row.content = content_of(filed.document)
        row.updated_at = now
        self.session.add(row)

    async def delete(self, document: D) -> None:
        await self.session.delete(self._rows.pop(document.document_id))


class Vouchers(FundsDocuments[PaymentVoucher, PaymentVoucherRow]):
    """CEB411 payment vouchers, unique by ``payCode`` + ``payTransactionId``."""

    row_type = PaymentVoucherRow
    flow = Flow.IMPORT

    def _key(self, document: PaymentVoucher) -> ColumnElement[bool]:
        return (col(PaymentVoucherRow.pay_code) == document.pay_code) & (
            col(PaymentVoucherRow.pay_transaction_id) == document.pay_transaction_id
        )

    def _party(self) -> Any:
        return PaymentVoucherRow.ebp_code

    def _fixed(self, document: PaymentVoucher) -> dict[str, Any]:
        return {
            "document_id": document.document_id,
            "pay_code": document.pay_code,
            "pay_transaction_id": document.pay_transaction_id,
            "order_no": document.order_no,
            "ebp_code": document.ebp_code,
            "currency": document.currency,
        }

    def _changing(self, document: PaymentVoucher) -> dict[str, Any]:
        return {
            "amount_paid": document.amount_paid,
            "pay_time": from_customs_time(document.pay_time),
            "payer_is_buyer": document.payer_is_buyer,
        }

    def _document(self, row: PaymentVoucherRow) -> PaymentVoucher:
        return PaymentVoucher.model_validate(loads(row.content))

    async def for_order(self, document: PaymentVoucher) -> list[PaymentVoucher]:
        query = select(PaymentVoucherRow).where(
            PaymentVoucherRow.order_no == document.order_no,
            PaymentVoucherRow.ebp_code == document.ebp_code,
        )
        return [self._document(row) for row in (await self.session.exec(query)).all()]


class Receipts(FundsDocuments[ReceiptOfFunds, ReceiptOfFundsRow]):
    """CEB403 receipts of funds, unique by ``orderNo`` + ``ebcCode``; each settled once."""

    row_type = ReceiptOfFundsRow
    flow = Flow.EXPORT

    def _key(self, document: ReceiptOfFunds) -> ColumnElement[bool]:
        return (col(ReceiptOfFundsRow.order_no) == document.order_no) & (
            col(ReceiptOfFundsRow.ebc_code) == document.ebc_code
        )

    def _party(self) -> Any:
        return ReceiptOfFundsRow.ebc_code

    def _fixed(self, document: ReceiptOfFunds) -> dict[str, Any]:
        return {
            "document_id": document.document_id,
            "order_no": document.order_no,
            "ebc_code": document.ebc_code,
        }

    def _changing(self, document: ReceiptOfFunds) -> dict[str, Any]:
        return {
            "ebp_code": document.ebp_code,
            "pay_code": document.pay_code,
            "pay_no": document.pay_no,
            "charge": document.charge,
            "currency": document.currency,
            "accounting_date": from_customs_time(document.accounting_date),
            "accounting_day": document.accounting_day,
        }

    def _document(self, row: ReceiptOfFundsRow) -> ReceiptOfFunds:
        return ReceiptOfFunds.model_validate(loads(row.content))

    def _filed(self, row: ReceiptOfFundsRow) -> FiledDocument[ReceiptOfFunds]:
        document = self._document(row)
        return FiledDocument(
            document, row.filed_by, row.split_id, row.split_total, row.settlement_id
        )

    async def unsettled_through(self, day: date) -> list[ReceiptOfFunds]:
        """Receipts credited on or before ``day`` that no settlement covers yet."""
        query = select(ReceiptOfFundsRow).where(
            col(ReceiptOfFundsRow.settlement_id).is_(None),
            ReceiptOfFundsRow.accounting_day <= day,
        )
        rows = (await self.session.exec(query)).all()
        self._rows.update((row.document_id, row) for row in rows)
        return [self._document(row) for row in rows]

    def mark_settled(self, document_ids: Iterable[str], settlement_id: str) -> None:
        """Note the settlement on receipts loaded by :meth:`unsettled_through`."""
        for document_id in document_ids:
            row = self._rows[document_id]
            row.settlement_id = settlement_id
            self.session.add(row)

    async def settled_count(self) -> tuple[int, int]:
        """How many receipts are on file, and how many of them are settled."""
        query = select(func.count(), func.count(col(ReceiptOfFundsRow.settlement_id)))
        total, settled = (await self.session.exec(query.select_from(ReceiptOfFundsRow))).one()
        return total, settled
