"""Returns of released goods, checked against the original inventory list.

Export (海关总署公告2020年第44号): all or part of a list's goods may be returned within 1 year of
its release: CEB213 is the application (lines = the original list's ``gnum``), CEB215 the tally
of the returned parcels at the supervised site. Returned quantities, counted over every return
of the list, never exceed the declared ones.

Import (财关税〔2018〕49号): a return applied for (CEB625) within 30 days of release, with the goods
back within 45 days, means the tax is not collected and the buyer's annual amount is restored.

A :class:`ReturnBook` per original list holds its returns::

    book = ExportReturnBook(released_list)
    accepted = book.apply(parse_export_return(raw), at=now, parcel=timeline)
    outcome = book.receive(parse_return_tally(raw_tally), at=later, parcel=timeline)

The outcome values say what the tax and declaration services must do with the return.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

from pydantic import Field

from cbec.logistics.domain.errors import ReturnRefused, ReturnWindowClosed, Violation
from cbec.logistics.domain.fields import (
    COMMON_HEAD_RULES,
    AppType,
    CebModel,
    CebTime,
    FieldRule,
    add_months,
    add_years,
    amount,
    china_date,
    count,
    fixed,
    one_of,
    parse_document,
    parse_record,
    party_code,
    require_aware,
    text,
)
from cbec.logistics.domain.timeline import Movement, ParcelTimeline

CENT = Decimal("0.01")


# --- the original list, as the declaration service released it -----------------------------


@dataclass(frozen=True, slots=True)
class ListLine:
    """A line of a released inventory list: what a return is measured against."""

    gnum: int
    gcode: str
    gname: str
    unit: str
    qty: Decimal
    total_price: Decimal
    unit1: str | None = None
    qty1: Decimal | None = None
    unit2: str | None = None
    qty2: Decimal | None = None


@dataclass(frozen=True, slots=True)
class ReleasedList:
    """The released inventory list a return refers to (from the list-released event)."""

    invt_no: str
    ie_flag: str
    trade_mode: str
    released_at: datetime
    lines: tuple[ListLine, ...]
    order_no: str | None = None
    ebc_code: str | None = None
    logistics_code: str | None = None
    logistics_no: str | None = None
    buyer_id_number: str | None = None

    def line(self, gnum: int) -> ListLine | None:
        return next((line for line in self.lines if line.gnum == gnum), None)


# --- policies -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ExportReturnPolicy:
    """Time limits of export returns; the defaults are the published ones."""

    # 海关总署公告2020年第44号: returns within 1 year of the list's release.
    window_years: int = 1
    # CBEC export returns 2026-2027: goods exported 2026-01-01 to 2027-12-31 under these trade
    # modes and returned unchanged within 6 months re-enter free of import duty, VAT and
    # consumption tax, and the export duty paid is refunded.
    duty_free_exported_from: date = date(2026, 1, 1)
    duty_free_exported_to: date = date(2027, 12, 31)
    duty_free_months: int = 6
    duty_free_trade_modes: frozenset[str] = frozenset({"1210", "9610", "9710", "9810"})


@dataclass(frozen=True, slots=True)
class ImportReturnPolicy:
    """Time limits of CBEC retail import returns (财关税〔2018〕49号)."""

    apply_within_days: int = 30
    goods_back_within_days: int = 45


# --- messages -------------------------------------------------------------------------------


class ExportReturnHead(CebModel):
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


class ExportReturnLine(CebModel):
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


class ExportReturnApplication(CebModel):
    """CEB213 ``InvtRefund``: return of all or part of an export list's goods."""

    head: ExportReturnHead = Field(alias="InvtRefundHead")
    lines: tuple[ExportReturnLine, ...] = Field(alias="InvtRefundList")


class ReturnTally(CebModel):
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


class ImportReturnHead(CebModel):
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


class ImportReturnLine(CebModel):
    gnum: int
    gcode: str
    gname: str
    qty: Decimal
    unit: str
    note: str | None = None


class ImportReturnApplication(CebModel):
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


# --- outcomes -------------------------------------------------------------------------------


class ReturnScope(StrEnum):
    """Whether the list's goods are now returned in full (over all its returns) or in part."""

    WHOLE = "whole"
    PARTIAL = "partial"


@dataclass(frozen=True, slots=True)
class ReturnedLine:
    """Quantities returned of one original list line (``gnum``)."""

    gnum: int
    gcode: str
    unit: str
    qty: Decimal
    qty1: Decimal | None = None
    qty2: Decimal | None = None


@dataclass(frozen=True, slots=True)
class ReturnAccepted:
    """A return application accepted: the goods are expected back (by ``goods_due_by``)."""

    invt_no: str
    return_no: str
    applied_at: datetime
    lines: tuple[ReturnedLine, ...]
    scope: ReturnScope
    goods_due_by: date | None


@dataclass(frozen=True, slots=True)
class ExportReturnOutcome:
    """Export goods are back. The tax service reverses the VAT / consumption-tax exemption or
    export refund of exactly ``lines``; the declaration service takes ``lines`` out of the
    list's declared quantities (summary declaration); ``duty_free_reimport`` and
    ``refund_export_duty`` say whether the 2026-2027 re-import relief applies (time and trade
    mode conditions; customs still checks the goods are unchanged)."""

    invt_no: str
    return_no: str
    received_at: datetime
    scope: ReturnScope
    lines: tuple[ReturnedLine, ...]
    duty_free_reimport: bool
    refund_export_duty: bool


@dataclass(frozen=True, slots=True)
class ImportReturnOutcome:
    """Import goods are back in time: the tax service does not collect the tax of ``lines``
    and restores ``quota_to_restore`` (the returned goods' share of the lines' value) to the
    buyer's annual amount; the declaration service records ``lines`` as returned."""

    invt_no: str
    return_no: str
    received_at: datetime
    buyer_id_number: str
    scope: ReturnScope
    lines: tuple[ReturnedLine, ...]
    quota_to_restore: Decimal
    within_window: bool = True


# --- books ----------------------------------------------------------------------------------


@dataclass(slots=True)
class ReturnRecord:
    """One accepted return of a list, and when its goods came back."""

    return_no: str
    applied_at: datetime
    logistics_no: str
    lines: tuple[ReturnedLine, ...]
    buyer_id_number: str | None = None
    received_at: datetime | None = None


def _window_violation(field_name: str, rule: str, at: datetime, last_day: date) -> Violation | None:
    if china_date(at) <= last_day:
        return None
    return Violation(
        field=field_name,
        rule=rule,
        value=china_date(at).isoformat(),
        expected=f"on or before {last_day.isoformat()}",
    )


@dataclass(slots=True)
class _Book:
    released: ReleasedList
    returns: list[ReturnRecord] = field(default_factory=list)

    def returned(self, gnum: int) -> tuple[Decimal, Decimal, Decimal]:
        """(qty, qty1, qty2) of line ``gnum`` already claimed by accepted returns."""
        qty = qty1 = qty2 = Decimal(0)
        for record in self.returns:
            for line in record.lines:
                if line.gnum == gnum:
                    qty += line.qty
                    qty1 += line.qty1 or 0
                    qty2 += line.qty2 or 0
        return qty, qty1, qty2

    def _scope_after(self, lines: Sequence[ReturnedLine]) -> ReturnScope:
        adding: dict[int, Decimal] = {}
        for line in lines:
            adding[line.gnum] = adding.get(line.gnum, Decimal(0)) + line.qty
        for original in self.released.lines:
            if self.returned(original.gnum)[0] + adding.get(original.gnum, Decimal(0)) < (
                original.qty
            ):
                return ReturnScope.PARTIAL
        return ReturnScope.WHOLE

    def value_of(self, lines: Sequence[ReturnedLine]) -> Decimal:
        """The returned share of the lines' value: totalPrice × returned qty / qty, in cents."""
        total = Decimal(0)
        for line in lines:
            original = self.released.line(line.gnum)
            if original is not None and original.qty > 0:
                total += original.total_price * line.qty / original.qty
        return total.quantize(CENT, rounding=ROUND_HALF_UP)

    def _check_parcel(
        self, parcel: ParcelTimeline | None, movement: Movement, rule: str
    ) -> list[Violation]:
        if parcel is None or parcel.allows(movement):
            return []
        return [
            Violation(
                field="logisticsNo", rule=rule, value=parcel.state.value, expected=movement.value
            )
        ]

    def _check_line(
        self,
        where: str,
        gnum: int,
        gcode: str,
        gname: str,
        units: Mapping[str, tuple[str | None, str | None]],
        quantities: Mapping[str, tuple[Decimal | None, Decimal | None, Decimal]],
        seen: set[int],
    ) -> list[Violation]:
        """``units``: name -> (returned, original); ``quantities``: name -> (returned,
        original, already returned)."""
        original = self.released.line(gnum)
        if gnum in seen:
            return [Violation(field=f"{where}.gnum", rule="a line is returned once per return")]
        seen.add(gnum)
        if original is None:
            return [
                Violation(
                    field=f"{where}.gnum",
                    rule=f"gnum must be a line of the original list {self.released.invt_no}",
                    value=gnum,
                )
            ]
        out: list[Violation] = []
        for name, mine, theirs in (
            ("gcode", gcode, original.gcode),
            ("gname", gname, original.gname),
        ):
            if mine != theirs:
                out.append(
                    Violation(
                        field=f"{where}.{name}",
                        rule=f"{name} must be the same as on the original list line",
                        value=mine,
                        expected=theirs,
                    )
                )
        for name, (mine_unit, their_unit) in units.items():
            if mine_unit is not None and mine_unit != their_unit:
                out.append(
                    Violation(
                        field=f"{where}.{name}",
                        rule=f"{name} must be the same as on the original list line",
                        value=mine_unit,
                        expected=their_unit,
                    )
                )
        for name, (mine_qty, their_qty, before) in quantities.items():
            if mine_qty is None:
                continue
            if their_qty is None:
                out.append(
                    Violation(
                        field=f"{where}.{name}",
                        rule=f"the original list line has no {name} to return",
                        value=mine_qty,
                    )
                )
            elif before + mine_qty > their_qty:
                out.append(
                    Violation(
                        field=f"{where}.{name}",
                        rule=(
                            f"returned {name} over all returns must not exceed the original "
                            f"{name} (already returned {before})"
                        ),
                        value=before + mine_qty,
                        expected=f"<= {their_qty}",
                    )
                )
        return out


@dataclass(slots=True)
class ExportReturnBook(_Book):
    """The returns of one released export list (CEB213 / CEB215)."""

    policy: ExportReturnPolicy = field(default_factory=ExportReturnPolicy)

    def check(self, application: ExportReturnApplication, at: datetime) -> list[Violation]:
        """Every reason why the application cannot be accepted (empty when it can)."""
        require_aware(at)
        head = application.head
        released = self.released
        out: list[Violation] = []
        if head.app_type is not AppType.NEW:
            out.append(
                Violation(
                    field="InvtRefundHead.appType",
                    rule="only a new return application (appType 1) is accepted here",
                    value=head.app_type.value,
                )
            )
        if head.invt_no != released.invt_no:
            out.append(
                Violation(
                    field="InvtRefundHead.invtNo",
                    rule="invtNo must be the original export list",
                    value=head.invt_no,
                    expected=released.invt_no,
                )
            )
        if released.ie_flag != "E":
            out.append(
                Violation(
                    field="InvtRefundHead.invtNo",
                    rule="CEB213 returns an export list",
                    value=released.ie_flag,
                    expected="E",
                )
            )
        if released.ebc_code is not None and head.ebc_code != released.ebc_code:
            out.append(
                Violation(
                    field="InvtRefundHead.ebcCode",
                    rule="ebcCode must be the e-commerce enterprise of the original list",
                    value=head.ebc_code,
                    expected=released.ebc_code,
                )
            )
        if any(r.return_no == head.co_el_no for r in self.returns):
            out.append(
                Violation(
                    field="InvtRefundHead.coElNo",
                    rule="a return application is filed once",
                    value=head.co_el_no,
                )
            )
        # 海关总署公告2020年第44号: within 1 year of release.
        last_day = add_years(china_date(released.released_at), self.policy.window_years)
        late = _window_violation(
            "InvtRefundHead.appTime",
            f"an export return is applied for within {self.policy.window_years} year(s) "
            "of the list's release",
            at,
            last_day,
        )
        if late is not None:
            out.append(late)
        seen: set[int] = set()
        for position, line in enumerate(application.lines, start=1):
            original = released.line(line.gnum)
            before = self.returned(line.gnum)
            units: dict[str, tuple[str | None, str | None]] = {
                "unit": (line.unit, original.unit if original else None),
                "unit2": (line.unit2, original.unit2 if original else None),
            }
            quantities: dict[str, tuple[Decimal | None, Decimal | None, Decimal]] = {
                "qty": (line.qty, original.qty if original else None, before[0]),
                "qty2": (line.qty2, original.qty2 if original else None, before[2]),
            }
            # unit1 / qty1 (the legal unit) are mandatory on an export list line, so an original
            # line without them is one whose legal quantities were not passed on: the declared
            # quantity (qty) still bounds the return, the legal one cannot be compared.
            if original is None or original.unit1 is not None:
                units["unit1"] = (line.unit1, original.unit1 if original else None)
                quantities["qty1"] = (line.qty1, original.qty1 if original else None, before[1])
            out.extend(
                self._check_line(
                    f"InvtRefundList[{position}]",
                    line.gnum,
                    line.gcode,
                    line.gname,
                    units,
                    quantities,
                    seen,
                )
            )
        return out

    def apply(
        self,
        application: ExportReturnApplication,
        at: datetime,
        parcel: ParcelTimeline | None = None,
    ) -> ReturnAccepted:
        """Accept the application, or raise ReturnRefused listing every violation.

        When the original parcel's timeline is given it must have departed; it then moves to
        ``return_applied``.
        """
        violations = self.check(application, at)
        violations += self._check_parcel(
            parcel, Movement.RETURN_APPLIED, "only goods that departed can be returned"
        )
        if violations:
            raise ReturnRefused("CEB213", violations)
        lines = tuple(
            ReturnedLine(
                gnum=line.gnum,
                gcode=line.gcode,
                unit=line.unit,
                qty=line.qty,
                qty1=line.qty1,
                qty2=line.qty2,
            )
            for line in application.lines
        )
        scope = self._scope_after(lines)
        head = application.head
        self.returns.append(
            ReturnRecord(
                return_no=head.co_el_no, applied_at=at, logistics_no=head.logistics_no, lines=lines
            )
        )
        if parcel is not None:
            parcel.apply(Movement.RETURN_APPLIED, at, head.co_el_no)
        return ReturnAccepted(
            invt_no=self.released.invt_no,
            return_no=head.co_el_no,
            applied_at=at,
            lines=lines,
            scope=scope,
            goods_due_by=None,
        )

    def receive(
        self, tally: ReturnTally, at: datetime, parcel: ParcelTimeline | None = None
    ) -> ExportReturnOutcome:
        """The returned parcel was tallied in (CEB215): the return takes effect."""
        require_aware(at)
        violations: list[Violation] = []
        if tally.invt_no is not None and tally.invt_no != self.released.invt_no:
            violations.append(
                Violation(
                    field="invtNo",
                    rule="invtNo must be the original export list",
                    value=tally.invt_no,
                    expected=self.released.invt_no,
                )
            )
        record = next(
            (
                r
                for r in self.returns
                if r.logistics_no == tally.logistics_no and r.received_at is None
            ),
            None,
        )
        if record is None:
            violations.append(
                Violation(
                    field="logisticsNo",
                    rule="a tally needs an accepted return application for this return waybill",
                    value=tally.logistics_no,
                )
            )
        violations += self._check_parcel(
            parcel, Movement.RETURN_RECEIVED, "the parcel has no return application pending"
        )
        if violations or record is None:
            raise ReturnRefused("CEB215", violations)
        record.received_at = at
        if parcel is not None:
            parcel.apply(Movement.RETURN_RECEIVED, at, tally.co_el_no)
        duty_free = self._duty_free_reimport(at)
        return ExportReturnOutcome(
            invt_no=self.released.invt_no,
            return_no=record.return_no,
            received_at=at,
            scope=self._scope_after(()),
            lines=record.lines,
            duty_free_reimport=duty_free,
            refund_export_duty=duty_free,
        )

    def _duty_free_reimport(self, received_at: datetime) -> bool:
        policy = self.policy
        exported_on = china_date(self.released.released_at)
        return (
            self.released.trade_mode in policy.duty_free_trade_modes
            and policy.duty_free_exported_from <= exported_on <= policy.duty_free_exported_to
            and china_date(received_at) <= add_months(exported_on, policy.duty_free_months)
        )


@dataclass(slots=True)
class ImportReturnBook(_Book):
    """The returns of one released import list (CEB625)."""

    policy: ImportReturnPolicy = field(default_factory=ImportReturnPolicy)

    @property
    def goods_due_by(self) -> date:
        """The last day the returned goods may come back (release + 45 days)."""
        released_on = china_date(self.released.released_at)
        return released_on + timedelta(days=self.policy.goods_back_within_days)

    def check(self, application: ImportReturnApplication, at: datetime) -> list[Violation]:
        """Every reason why the application cannot be accepted (empty when it can)."""
        require_aware(at)
        head = application.head
        released = self.released
        out: list[Violation] = []
        if head.app_type is not AppType.NEW:
            out.append(
                Violation(
                    field="InvtRefundHead.appType",
                    rule="only a new return application (appType 1) is accepted here",
                    value=head.app_type.value,
                )
            )
        if released.ie_flag != "I":
            out.append(
                Violation(
                    field="InvtRefundHead.invtNo",
                    rule="CEB625 returns an import list",
                    value=released.ie_flag,
                    expected="I",
                )
            )
        for name, mine, theirs in (
            ("invtNo", head.invt_no, released.invt_no),
            ("orderNo", head.order_no, released.order_no),
            ("logisticsCode", head.logistics_code, released.logistics_code),
            ("logisticsNo", head.logistics_no, released.logistics_no),
            ("buyerIdNumber", head.buyer_id_number, released.buyer_id_number),
        ):
            if theirs is not None and mine != theirs:
                # The buyer's identity number is personal data: a mismatch is named, the number
                # on file is never shown (the sender may not be the list's party at all).
                personal = name == "buyerIdNumber"
                out.append(
                    Violation(
                        field=f"InvtRefundHead.{name}",
                        rule=f"{name} must be the same as on the original import list",
                        value=mine,
                        expected=None if personal else theirs,
                    )
                )
        if any(r.return_no == head.return_no for r in self.returns):
            out.append(
                Violation(
                    field="InvtRefundHead.copNo",
                    rule="a return application is filed once",
                    value=head.return_no,
                )
            )
        # 财关税〔2018〕49号: applied for within 30 days of release.
        last_day = china_date(released.released_at) + timedelta(days=self.policy.apply_within_days)
        late = _window_violation(
            "InvtRefundHead.appTime",
            f"an import return is applied for within {self.policy.apply_within_days} days "
            "of the list's release",
            at,
            last_day,
        )
        if late is not None:
            out.append(late)
        seen: set[int] = set()
        for position, line in enumerate(application.lines, start=1):
            original = released.line(line.gnum)
            out.extend(
                self._check_line(
                    f"InvtRefundList[{position}]",
                    line.gnum,
                    line.gcode,
                    line.gname,
                    {"unit": (line.unit, original.unit if original else None)},
                    {
                        "qty": (
                            line.qty,
                            original.qty if original else None,
                            self.returned(line.gnum)[0],
                        )
                    },
                    seen,
                )
            )
        return out

    def apply(
        self,
        application: ImportReturnApplication,
        at: datetime,
        parcel: ParcelTimeline | None = None,
    ) -> ReturnAccepted:
        """Accept the application, or raise ReturnRefused listing every violation.

        When the parcel's timeline is given it must be released (or delivered); it then moves
        to ``return_applied``.
        """
        violations = self.check(application, at)
        violations += self._check_parcel(
            parcel, Movement.RETURN_APPLIED, "only released goods can be returned"
        )
        if violations:
            raise ReturnRefused("CEB625", violations)
        lines = tuple(
            ReturnedLine(gnum=line.gnum, gcode=line.gcode, unit=line.unit, qty=line.qty)
            for line in application.lines
        )
        scope = self._scope_after(lines)
        head = application.head
        self.returns.append(
            ReturnRecord(
                return_no=head.return_no,
                applied_at=at,
                logistics_no=head.logistics_no,
                lines=lines,
                buyer_id_number=head.buyer_id_number,
            )
        )
        if parcel is not None:
            parcel.apply(Movement.RETURN_APPLIED, at, head.return_no)
        return ReturnAccepted(
            invt_no=self.released.invt_no,
            return_no=head.return_no,
            applied_at=at,
            lines=lines,
            scope=scope,
            goods_due_by=self.goods_due_by,
        )

    def receive(
        self,
        return_no: str,
        at: datetime,
        parcel: ParcelTimeline | None = None,
        *,
        accept_late: bool = False,
    ) -> ImportReturnOutcome:
        """The returned goods are back at the site. Within 45 days of release the tax is not
        collected and the quota restored; later, ReturnWindowClosed (the tax stands), unless
        ``accept_late``: then the goods are recorded as back, outside the window, with nothing
        to restore (``within_window`` False)."""
        require_aware(at)
        record = next((r for r in self.returns if r.return_no == return_no), None)
        if record is None:
            raise ReturnRefused(
                "import return",
                [
                    Violation(
                        field="copNo",
                        rule=f"no accepted return {return_no} of list {self.released.invt_no}",
                        value=return_no,
                    )
                ],
            )
        if record.received_at is not None:
            raise ReturnRefused(
                "import return",
                [
                    Violation(
                        field="copNo",
                        rule="the goods of this return were already received",
                        value=record.received_at.isoformat(),
                    )
                ],
            )
        late = _window_violation(
            "receivedAt",
            f"returned goods are back within {self.policy.goods_back_within_days} days "
            "of the list's release",
            at,
            self.goods_due_by,
        )
        if late is not None and not accept_late:
            raise ReturnWindowClosed("import return", [late])
        parcel_violations = self._check_parcel(
            parcel, Movement.RETURN_RECEIVED, "the parcel has no return application pending"
        )
        if parcel_violations:
            raise ReturnRefused("import return", parcel_violations)
        record.received_at = at
        if parcel is not None:
            parcel.apply(Movement.RETURN_RECEIVED, at, return_no)
        return ImportReturnOutcome(
            invt_no=self.released.invt_no,
            return_no=return_no,
            received_at=at,
            buyer_id_number=record.buyer_id_number or "",
            scope=self._scope_after(()),
            lines=record.lines,
            quota_to_restore=self.value_of(record.lines) if late is None else Decimal(0),
            within_window=late is None,
        )
