"""Logistics waybills: export (CEB505) and import (CEB511), and how a filing changes the file.

A waybill is checked field by field against the message standard (every violation listed),
then filed under its key (``logisticsCode``, ``logisticsNo``)::

    waybill = parse_export_waybill(raw)
    record = file_waybill(waybill, existing=None, at=now)   # appType 1: a new WaybillRecord

A change (appType 2) or delete (appType 3) is accepted only until an inventory list quotes the
waybill (:func:`mark_used_by_list`); after that the list has to be revoked first.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Any, NamedTuple

from cbec.logistics.domain.errors import (
    DuplicateWaybill,
    LogisticsError,
    Violation,
    WaybillInUse,
    WaybillNotFound,
)
from cbec.logistics.domain.fields import (
    COMMON_HEAD_RULES,
    AppType,
    CebTime,
    FieldRule,
    IeFlag,
    amount,
    count,
    fixed,
    one_of,
    party_code,
    require_aware,
    text,
)
from cbec.logistics.domain.parsing import parse_record
from cbec.shared.ceb.base import CebDocument

# Waybill numbers: ≤ 32 characters on an export waybill (CEB505), ≤ 60 on an import waybill
# (CEB511), per the message standard 202205.
EXPORT_LOGISTICS_NO_MAX = 32
IMPORT_LOGISTICS_NO_MAX = 60
# CEB511: "限定为人民币，填写142" and "单个运单下包裹数，限定为1" (CBEC retail import).
IMPORT_CURRENCY = "142"
IMPORT_PACK_NO = 1


class ParcelKey(NamedTuple):
    """A parcel is known by its waybill: unique per logistics enterprise."""

    logistics_code: str
    logistics_no: str

    def __str__(self) -> str:
        return f"{self.logistics_code}/{self.logistics_no}"


class ExportWaybill(CebDocument):
    """CEB505 ``Logistics``: the export waybill of one parcel."""

    guid: str
    app_type: AppType
    app_time: CebTime
    app_status: str
    logistics_code: str
    logistics_name: str
    logistics_no: str
    freight: Decimal
    insured_fee: Decimal
    currency: str
    gross_weight: Decimal
    pack_no: int
    goods_info: str
    ebc_code: str | None = None
    ebc_name: str | None = None
    ebc_telephone: str | None = None
    note: str | None = None

    @property
    def key(self) -> ParcelKey:
        return ParcelKey(self.logistics_code, self.logistics_no)

    @property
    def ie_flag(self) -> IeFlag:
        return "E"


class ImportWaybill(CebDocument):
    """CEB511 ``LogisticsHead``: the import waybill of one parcel, carrying its order."""

    guid: str
    app_type: AppType
    app_time: CebTime
    app_status: str
    logistics_code: str
    logistics_name: str
    logistics_no: str
    bill_no: str | None = None
    order_no: str
    freight: Decimal = Decimal(0)
    insured_fee: Decimal = Decimal(0)
    currency: str
    weight: Decimal
    pack_no: int
    goods_info: str | None = None
    consignee: str
    consignee_address: str
    consignee_telephone: str
    note: str | None = None

    @property
    def key(self) -> ParcelKey:
        return ParcelKey(self.logistics_code, self.logistics_no)

    @property
    def ie_flag(self) -> IeFlag:
        return "I"


Waybill = ExportWaybill | ImportWaybill

EXPORT_WAYBILL_RULES: tuple[FieldRule, ...] = (
    *COMMON_HEAD_RULES,
    party_code("logisticsCode"),
    text("logisticsName", 100),
    text("logisticsNo", EXPORT_LOGISTICS_NO_MAX),
    amount("freight"),
    amount("insuredFee"),
    fixed("currency", 3, digits=True),
    amount("grossWeight", exclusive=True),
    count("packNo"),
    text("goodsInfo", 200),
    party_code("ebcCode", required=False),
    text("ebcName", 100, required=False),
    text("ebcTelephone", 50, required=False),
    text("note", 1000, required=False),
)

IMPORT_WAYBILL_RULES: tuple[FieldRule, ...] = (
    *COMMON_HEAD_RULES,
    party_code("logisticsCode"),
    text("logisticsName", 100),
    text("logisticsNo", IMPORT_LOGISTICS_NO_MAX),
    text("billNo", 37, required=False),
    text("orderNo", 60),
    amount("freight", required=False),
    amount("insuredFee", required=False),
    one_of("currency", IMPORT_CURRENCY, rule="currency of an import waybill must be 142 (CNY)"),
    amount("weight", exclusive=True),
    count(
        "packNo",
        equals=IMPORT_PACK_NO,
        rule="packNo of a CBEC retail import waybill must be 1",
    ),
    text("goodsInfo", 200, required=False),
    text("consignee", 100),
    text("consigneeAddress", 200),
    text("consigneeTelephone", 50),
    text("note", 1000, required=False),
)


def parse_export_waybill(raw: Any) -> ExportWaybill:
    """A CEB505 ``Logistics`` record, checked field by field (InvalidMessage lists all)."""
    return parse_record(ExportWaybill, raw, EXPORT_WAYBILL_RULES, "CEB505")


def parse_import_waybill(raw: Any) -> ImportWaybill:
    """A CEB511 ``LogisticsHead`` record, checked field by field (InvalidMessage lists all)."""
    return parse_record(ImportWaybill, raw, IMPORT_WAYBILL_RULES, "CEB511")


@dataclass(frozen=True, slots=True)
class WaybillRecord:
    """A waybill on file: its latest accepted version and whether a list quotes it."""

    waybill: Waybill
    filed_at: datetime
    changed_at: datetime | None = None
    used_by_list: str | None = None
    deleted: bool = False

    @property
    def key(self) -> ParcelKey:
        return self.waybill.key


def file_waybill(incoming: Waybill, existing: WaybillRecord | None, at: datetime) -> WaybillRecord:
    """Apply a waybill filing to what is on file under its key and return the new record.

    - appType 1 needs the key free (never filed, or deleted): DuplicateWaybill otherwise;
    - appType 2 / 3 need a live waybill of the same direction that no list uses yet:
      WaybillNotFound / WaybillInUse otherwise. A delete returns the record marked deleted.
    """
    require_aware(at)
    live = existing if existing is not None and not existing.deleted else None
    if live is not None and live.key != incoming.key:
        raise ValueError(f"record {live.key} does not belong to waybill {incoming.key}")
    if incoming.app_type is AppType.NEW:
        if live is not None:
            raise DuplicateWaybill(incoming.logistics_code, incoming.logistics_no)
        return WaybillRecord(waybill=incoming, filed_at=at)
    if live is None:
        raise WaybillNotFound(incoming.logistics_code, incoming.logistics_no, incoming.app_type)
    if type(live.waybill) is not type(incoming):
        raise LogisticsError(
            "a waybill cannot change direction",
            [
                Violation(
                    field="logisticsNo",
                    rule="a change or delete must be of the same kind as the waybill on file",
                    value=incoming.ie_flag,
                    expected=live.waybill.ie_flag,
                )
            ],
        )
    action = "changed" if incoming.app_type is AppType.CHANGE else "deleted"
    if live.used_by_list is not None:
        raise WaybillInUse(incoming.logistics_no, live.used_by_list, action)
    if incoming.app_type is AppType.CHANGE:
        return replace(live, waybill=incoming, changed_at=at)
    return replace(live, changed_at=at, deleted=True)


def mark_used_by_list(record: WaybillRecord, list_ref: str) -> WaybillRecord:
    """An inventory list now quotes the waybill: from here on it cannot change or go away."""
    if record.deleted:
        raise WaybillNotFound(record.key.logistics_code, record.key.logistics_no, "list")
    if record.used_by_list is not None and record.used_by_list != list_ref:
        raise LogisticsError(
            f"waybill {record.key.logistics_no} is already used by list {record.used_by_list}",
            [
                Violation(
                    field="logisticsNo",
                    rule="a waybill is quoted by one inventory list at a time",
                    value=list_ref,
                    expected=record.used_by_list,
                )
            ],
        )
    return replace(record, used_by_list=list_ref)


def release_from_list(record: WaybillRecord, list_ref: str) -> WaybillRecord:
    """The list that quoted the waybill was revoked or deleted: the waybill is free again."""
    if record.used_by_list != list_ref:
        raise LogisticsError(
            f"waybill {record.key.logistics_no} is not used by list {list_ref}",
            [
                Violation(
                    field="invtNo",
                    rule="only the list that uses a waybill can release it",
                    value=list_ref,
                    expected=record.used_by_list,
                )
            ],
        )
    return replace(record, used_by_list=None)
