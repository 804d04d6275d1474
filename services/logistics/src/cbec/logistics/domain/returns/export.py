"""Export returns (海关总署公告2020年第44号): all or part of a list's goods within 1 year of its
release, CEB213 the application, CEB215 the tally of the returned parcel at the supervised site."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from cbec.logistics.domain.errors import ReturnRefused, Violation
from cbec.logistics.domain.fields import (
    AppType,
    add_months,
    add_years,
    china_date,
    require_aware,
)
from cbec.logistics.domain.returns.books import (
    ReturnAccepted,
    ReturnBook,
    ReturnedLine,
    ReturnRecord,
    ReturnScope,
    window_violation,
)
from cbec.logistics.domain.returns.messages import ExportReturnApplication, ReturnTally
from cbec.logistics.domain.timeline import Movement, ParcelTimeline


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


@dataclass(slots=True)
class ExportReturnBook(ReturnBook):
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
        late = window_violation(
            "InvtRefundHead.appTime",
            f"an export return is applied for within {self.policy.window_years} year(s) "
            "of the list's release",
            at,
            last_day,
        )
        if late is not None:
            out.append(late)
        out.extend(self._check_lines(application))
        return out

    def _check_lines(self, application: ExportReturnApplication) -> list[Violation]:
        """Every line against the original list line it returns."""
        released = self.released
        out: list[Violation] = []
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
