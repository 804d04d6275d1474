"""Export refund of goods with input VAT invoices (DOMAIN.md §6.3).

refund = FOB value in CNY × the HS code's refund rate, per list line:

- the FOB value is the line's total price (an export list's line values exclude freight, which
  the head carries), converted at the customs exchange rate of the month of the export date
  (``ieDate``), rounded half up to the fen; the refund is rounded half up to the fen;
- the list must be consolidated into declaration forms (``statisticsFlag`` B: a simplified list
  is for goods without export refund) and the goods must have departed (CEB509);
- 9810 overseas-warehouse goods claim on departure from 2025-01-27 ("离境即退税"); goods that
  left before that claim once sold out of the overseas warehouse.

    claim = compute_export_refund(export_list, rates=tables.rates,
                                  exchange_rates=tables.exchange_rates)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from cbec.tax_refund.domain.errors import RefundNotClaimable, Violation
from cbec.tax_refund.domain.exports import OVERSEAS_WAREHOUSE, ExportList
from cbec.tax_refund.domain.money import ZERO, to_fen
from cbec.tax_refund.domain.tables import ExchangeRates, RateTable


@dataclass(frozen=True, slots=True)
class RefundPolicy:
    # 9810 goods may claim the refund on departure from this date (离境即退税).
    overseas_warehouse_on_departure_from: date = date(2025, 1, 27)


DEFAULT_REFUND_POLICY = RefundPolicy()


@dataclass(frozen=True, slots=True)
class RefundLine:
    gnum: int
    gcode: str
    fob_value: Decimal
    currency: str
    exchange_rate: Decimal
    fob_value_cny: Decimal
    refund_rate: Decimal
    refund: Decimal


@dataclass(frozen=True, slots=True)
class RefundClaim:
    invt_no: str
    ebc_code: str
    departed_on: date
    lines: tuple[RefundLine, ...]

    @property
    def fob_value_cny(self) -> Decimal:
        return sum((line.fob_value_cny for line in self.lines), ZERO)

    @property
    def refund(self) -> Decimal:
        return sum((line.refund for line in self.lines), ZERO)


def compute_export_refund(
    export_list: ExportList,
    *,
    rates: RateTable,
    exchange_rates: ExchangeRates,
    policy: RefundPolicy = DEFAULT_REFUND_POLICY,
) -> RefundClaim:
    """The refund of every line, or :class:`RefundNotClaimable` with every failed rule."""
    violations = claim_violations(export_list, policy)
    lines: list[RefundLine] = []
    month = export_list.ie_date.strftime("%Y-%m")
    for line in export_list.lines:
        field = f"InventoryList[{line.gnum}]"
        rate = exchange_rates.rate(line.currency, export_list.ie_date)
        if rate is None:
            violations.append(
                Violation(
                    field=f"{field}.currency",
                    rule=f"no customs exchange rate for this currency in {month}",
                    value=line.currency,
                )
            )
        found = rates.find(line.gcode)
        if found is None:
            violations.append(
                Violation(
                    field=f"{field}.gcode", rule="no refund rate for this HS code", value=line.gcode
                )
            )
        if rate is None or found is None:
            continue
        fob_cny = to_fen(line.total_price * rate)
        lines.append(
            RefundLine(
                gnum=line.gnum,
                gcode=line.gcode,
                fob_value=line.total_price,
                currency=line.currency,
                exchange_rate=rate,
                fob_value_cny=fob_cny,
                refund_rate=found.refund_rate,
                refund=to_fen(fob_cny * found.refund_rate),
            )
        )
    departed_on = export_list.departed_on
    if violations or departed_on is None:
        raise RefundNotClaimable(violations)
    return RefundClaim(
        invt_no=export_list.invt_no,
        ebc_code=export_list.ebc_code,
        departed_on=departed_on,
        lines=tuple(lines),
    )


def claim_violations(export_list: ExportList, policy: RefundPolicy) -> list[Violation]:
    """The list-level conditions of a refund claim that ``export_list`` fails."""
    found: list[Violation] = []
    if export_list.statistics_flag != "B":
        found.append(
            Violation(
                field="statisticsFlag",
                rule="an export refund needs a consolidated declaration",
                value=export_list.statistics_flag,
                expected="B",
            )
        )
    departed_on = export_list.departed_on
    if departed_on is None:
        found.append(Violation(field="leaveTime", rule="an export refund needs the goods departed"))
    elif (
        export_list.trade_mode == OVERSEAS_WAREHOUSE
        and departed_on < policy.overseas_warehouse_on_departure_from
        and export_list.sold_on is None
    ):
        found.append(
            Violation(
                field="soldOn",
                rule=(
                    "9810 goods that departed before "
                    f"{policy.overseas_warehouse_on_departure_from} claim once sold out of the "
                    "overseas warehouse"
                ),
                value=departed_on,
            )
        )
    return found
