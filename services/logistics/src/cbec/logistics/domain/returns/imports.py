"""Import returns (财关税〔2018〕49号): applied for (CEB625) within 30 days of release, the goods
back within 45 days: the tax is not collected and the buyer's annual amount restored."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from cbec.logistics.domain.errors import ReturnRefused, ReturnWindowClosed, Violation
from cbec.logistics.domain.fields import (
    AppType,
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
from cbec.logistics.domain.returns.messages import ImportReturnApplication
from cbec.logistics.domain.timeline import Movement, ParcelTimeline


@dataclass(frozen=True, slots=True)
class ImportReturnPolicy:
    """Time limits of CBEC retail import returns (财关税〔2018〕49号)."""

    apply_within_days: int = 30
    goods_back_within_days: int = 45


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


@dataclass(slots=True)
class ImportReturnBook(ReturnBook):
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
        late = window_violation(
            "InvtRefundHead.appTime",
            f"an import return is applied for within {self.policy.apply_within_days} days "
            "of the list's release",
            at,
            last_day,
        )
        if late is not None:
            out.append(late)
        out.extend(self._check_lines(application))
        return out

    def _check_lines(self, application: ImportReturnApplication) -> list[Violation]:
        """Every line against the original list line it returns."""
        released = self.released
        out: list[Violation] = []
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
        late = window_violation(
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
