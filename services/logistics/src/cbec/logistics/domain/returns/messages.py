"""The return messages: CEB213 and CEB625 applications and the CEB215 tally, with their
field rules and parsing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import Field

from cbec.logistics.domain.fields import (
    COMMON_HEAD_RULES,
    AppType,
    CebTime,
    FieldRule,
    amount,
    count,
    fixed,
    one_of,
    party_code,
    text,
)
from cbec.logistics.domain.parsing import parse_document, parse_record
from cbec.shared.ceb.base import CebDocument

# --- messages -------------------------------------------------------------------------------


class ExportReturnHead(CebDocument):
    guid: str
    app_type: AppType
    app_time: CebTime
    app_status: str
    customs_code: str
    loct_no: str | None = None
    ebp_code: str
    ebp_name: str
    ebc_code: str
    ebc_name: str
    logistics_no: str
    logistics_code: str
    logistics_name: str
    co_el_no: str
    pre_no: str | None = None
    invt_no: str
    trade_mode: str | None = None
    agent_code: str
    agent_name: str
    bill_no: str
    ie_flag: str
    traf_mode: str
    traf_name: str
    port_code: str
    reason: str
    country: str
    voyage_no: str
    note: str | None = None


class ExportReturnLine(CebDocument):
    gnum: int
    gcode: str
    gname: str
    gmodel: str
    qty: Decimal
    qty1: Decimal
    unit: str
    unit1: str
    qty2: Decimal | None = None
    unit2: str | None = None
    note: str | None = None


class ExportReturnApplication(CebDocument):
    """CEB213 ``InvtRefund``: return of all or part of an export list's goods."""

    head: ExportReturnHead = Field(alias="InvtRefundHead")
    lines: tuple[ExportReturnLine, ...] = Field(alias="InvtRefundList")


class ReturnTally(CebDocument):
    """CEB215 ``InvtRefundDetail``: the returned parcel counted in at the supervised site."""

    guid: str
    app_type: AppType
    app_time: CebTime
    app_status: str
    customs_code: str
    operator_code: str
    operator_name: str
    logistics_code: str
    logistics_name: str
    logistics_no: str
    invt_no: str | None = None
    co_el_no: str
    pre_no: str | None = None
    bill_no: str
    ie_flag: str
    traf_mode: str
    traf_name: str
    voyage_no: str
    location: str | None = None
    note: str | None = None


class ImportReturnHead(CebDocument):
    guid: str
    app_type: AppType
    app_time: CebTime
    app_status: str
    customs_code: str
    order_no: str
    ebp_code: str
    ebp_name: str
    ebc_code: str
    ebc_name: str
    logistics_no: str
    logistics_code: str
    logistics_name: str
    cop_no: str | None = None
    pre_no: str | None = None
    invt_no: str
    buyer_id_type: str
    buyer_id_number: str
    buyer_name: str
    buyer_telephone: str
    agent_code: str
    agent_name: str
    reason: str
    note: str | None = None

    @property
    def return_no(self) -> str:
        return self.cop_no or self.guid


class ImportReturnLine(CebDocument):
    gnum: int
    gcode: str
    gname: str
    qty: Decimal
    unit: str
    note: str | None = None


class ImportReturnApplication(CebDocument):
    """CEB625 ``InvtRefund``: return of all or part of an import list's goods."""

    head: ImportReturnHead = Field(alias="InvtRefundHead")
    lines: tuple[ImportReturnLine, ...] = Field(alias="InvtRefundList")


EXPORT_RETURN_HEAD_RULES: tuple[FieldRule, ...] = (
    *COMMON_HEAD_RULES,
    fixed("customsCode", 4, digits=True),
    text("loctNo", 10, required=False),
    text("ebpCode", 18),
    text("ebpName", 100),
    party_code("ebcCode"),
    text("ebcName", 100),
    text("logisticsNo", 80),
    party_code("logisticsCode"),
    text("logisticsName", 100),
    text("coElNo", 30),
    text("preNo", 18, required=False),
    text("invtNo", 20),
    fixed("tradeMode", 4, required=False, digits=True),
    party_code("agentCode"),
    text("agentName", 100),
    text("billNo", 37),
    # CEB213: "出口退货填写I" – the returned goods enter the country.
    one_of("ieFlag", "I", rule="an export return brings goods in: ieFlag must be I"),
    fixed("trafMode", 1),
    text("trafName", 100),
    text("portCode", 4),
    text("reason", 500),
    FieldRule(
        "country",
        max_length=3,
        excluded=("142",),
        choice_rule="country of an export return cannot be China (142)",
    ),
    text("voyageNo", 32),
    text("note", 500, required=False),
)

EXPORT_RETURN_LINE_RULES: tuple[FieldRule, ...] = (
    count("gnum"),
    text("gcode", 10),
    text("gname", 250),
    text("gmodel", 250),
    amount("qty", exclusive=True),
    amount("qty1", exclusive=True),
    fixed("unit", 3),
    fixed("unit1", 3),
    amount("qty2", required=False, exclusive=True),
    fixed("unit2", 3, required=False),
    text("note", 500, required=False),
)

RETURN_TALLY_RULES: tuple[FieldRule, ...] = (
    *COMMON_HEAD_RULES,
    fixed("customsCode", 4, digits=True),
    party_code("operatorCode"),
    text("operatorName", 100),
    party_code("logisticsCode"),
    text("logisticsName", 100),
    text("logisticsNo", 80),
    text("invtNo", 20, required=False),
    text("coElNo", 20),
    text("preNo", 18, required=False),
    text("billNo", 37),
    one_of("ieFlag", "I", rule="a return tally counts goods coming in: ieFlag must be I"),
    fixed("trafMode", 1),
    text("trafName", 100),
    text("voyageNo", 32),
    text("location", 250, required=False),
    text("note", 250, required=False),
)

IMPORT_RETURN_HEAD_RULES: tuple[FieldRule, ...] = (
    *COMMON_HEAD_RULES,
    fixed("customsCode", 4, digits=True),
    text("orderNo", 60),
    text("ebpCode", 18),
    text("ebpName", 100),
    party_code("ebcCode"),
    text("ebcName", 100),
    text("logisticsNo", 60),
    party_code("logisticsCode"),
    text("logisticsName", 100),
    text("copNo", 20, required=False),
    text("preNo", 18, required=False),
    text("invtNo", 18),
    fixed("buyerIdType", 1),
    text("buyerIdNumber", 60),
    text("buyerName", 60),
    text("buyerTelephone", 30),
    party_code("agentCode"),
    text("agentName", 100),
    text("reason", 1000),
    text("note", 1000, required=False),
)

IMPORT_RETURN_LINE_RULES: tuple[FieldRule, ...] = (
    count("gnum"),
    fixed("gcode", 10, digits=True),
    text("gname", 250),
    amount("qty", exclusive=True),
    fixed("unit", 3),
    text("note", 1000, required=False),
)

# A return lists at most 100 lines (message standard 202205, InvtRefundList maxOccurs 100).
MAX_RETURN_LINES = 100


def parse_export_return(raw: Any) -> ExportReturnApplication:
    return parse_document(
        ExportReturnApplication,
        raw,
        "CEB213",
        head=("InvtRefundHead", EXPORT_RETURN_HEAD_RULES),
        lines=("InvtRefundList", EXPORT_RETURN_LINE_RULES),
        max_lines=MAX_RETURN_LINES,
    )


def parse_return_tally(raw: Any) -> ReturnTally:
    return parse_record(ReturnTally, raw, RETURN_TALLY_RULES, "CEB215")


def parse_import_return(raw: Any) -> ImportReturnApplication:
    return parse_document(
        ImportReturnApplication,
        raw,
        "CEB625",
        head=("InvtRefundHead", IMPORT_RETURN_HEAD_RULES),
        lines=("InvtRefundList", IMPORT_RETURN_LINE_RULES),
        max_lines=MAX_RETURN_LINES,
    )
