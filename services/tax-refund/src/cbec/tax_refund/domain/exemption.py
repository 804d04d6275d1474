"""VAT and consumption-tax exemption of exports without purchase invoices (DOMAIN.md §6.1).

财税〔2018〕103号, from 2018-10-01: goods exported by an e-commerce enterprise of a comprehensive
pilot zone without valid purchase invoices are exempt (not refunded) when all three hold:

1. the enterprise is registered in the zone and records the export on the zone's online
   comprehensive service platform (this platform; the list's line is that record);
2. the goods were declared as e-commerce exports at a customs office of the zone;
3. the goods are not in a category whose export refund or exemption was cancelled.

Every line of a closed list gets a decision: exempt, or not with each failed condition::

    decisions = decide_exemption(export_list, policy)
    [d.gnum for d in decisions if d.exempt]
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from cbec.tax_refund.domain.errors import ListNotClosed, Violation
from cbec.tax_refund.domain.exports import LIST_CLOSED, ExportList, ExportListLine
from cbec.tax_refund.domain.tables import HsList

NOTICE = "财税〔2018〕103号"


@dataclass(frozen=True, slots=True)
class ExemptionPolicy:
    """What the three conditions are checked against.

    ``registered_enterprises``: codes (ebcCode) of the enterprises registered in the zone;
    ``zone_customs``: the zone's customs offices (a data file, see ``tables``);
    ``excluded_hs``: goods whose export refund or exemption was cancelled (a data file).
    """

    registered_enterprises: frozenset[str]
    zone_customs: frozenset[str]
    excluded_hs: HsList
    effective_from: date = date(2018, 10, 1)


@dataclass(frozen=True, slots=True)
class ExemptionDecision:
    """The decision on one list line; ``reasons`` names every failed condition."""

    invt_no: str
    gnum: int
    gcode: str
    ebc_code: str
    ie_date: date
    currency: str
    total_price: Decimal
    exempt: bool
    reasons: tuple[Violation, ...] = ()


def decide_exemption(
    export_list: ExportList, policy: ExemptionPolicy
) -> tuple[ExemptionDecision, ...]:
    """One decision per line of a closed list; a list not yet closed (899) is refused."""
    if not export_list.closed:
        raise ListNotClosed(
            [
                Violation(
                    field="returnStatus",
                    rule="only a closed list is registered for the export exemption",
                    value=export_list.return_status,
                    expected=LIST_CLOSED,
                )
            ]
        )
    head = _head_violations(export_list, policy)
    return tuple(
        _decide(export_list, line, head + _line_violations(line, policy))
        for line in export_list.lines
    )


def _head_violations(export_list: ExportList, policy: ExemptionPolicy) -> tuple[Violation, ...]:
    found: list[Violation] = []
    if export_list.ie_date < policy.effective_from:
        found.append(
            Violation(
                field="ieDate",
                rule=f"{NOTICE} applies to goods exported from {policy.effective_from}",
                value=export_list.ie_date,
                expected=f">= {policy.effective_from}",
            )
        )
    if export_list.ebc_code not in policy.registered_enterprises:
        found.append(
            Violation(
                field="ebcCode",
                rule=f"condition 1 of {NOTICE}: the enterprise must be registered in the zone",
                value=export_list.ebc_code,
            )
        )
    if export_list.customs_code not in policy.zone_customs:
        found.append(
            Violation(
                field="customsCode",
                rule=f"condition 2 of {NOTICE}: declared at a customs office of the zone",
                value=export_list.customs_code,
                expected=" or ".join(sorted(policy.zone_customs)),
            )
        )
    return tuple(found)


def _line_violations(line: ExportListLine, policy: ExemptionPolicy) -> tuple[Violation, ...]:
    entry = policy.excluded_hs.entry_for(line.gcode)
    if entry is None:
        return ()
    return (
        Violation(
            field=f"InventoryList[{line.gnum}].gcode",
            rule=(
                f"condition 3 of {NOTICE}: the goods are in a category whose export refund or "
                f"exemption was cancelled (listed as {entry})"
            ),
            value=line.gcode,
        ),
    )


def _decide(
    export_list: ExportList, line: ExportListLine, reasons: tuple[Violation, ...]
) -> ExemptionDecision:
    return ExemptionDecision(
        invt_no=export_list.invt_no,
        gnum=line.gnum,
        gcode=line.gcode,
        ebc_code=export_list.ebc_code,
        ie_date=export_list.ie_date,
        currency=line.currency,
        total_price=line.total_price,
        exempt=not reasons,
        reasons=reasons,
    )
