"""Import CBEC retail tax (DOMAIN.md §6.4, 财关税〔2018〕49号, in force from 2019-01-01).

An import list (CEB621) is assessed line by line::

    assessment = assess_import_tax(
        import_list, annual_used=ledger.counted(buyer, year), rates=tables.rates,
        positive_list=tables.positive_list,
    )
    bill = issue_tax_bill(assessment, import_list, tax_no=tax_no_for(invt_no))  # tax_bill

- The dutiable value of a line is its total price plus its share of the list's freight and
  insurance, spread by value, the rounding remainder on the last line (``money.spread``).
- Within the limits (5,000.00 CNY per transaction, 26,000.00 per buyer and calendar year, both
  inclusive) the tariff is 0 and VAT and consumption tax are 70% of the statutory amount:
  consumption tax = DV / (1 − c) × c × 0.7, VAT = DV / (1 − c) × v × 0.7.
- A single indivisible item whose dutiable value is above 5,000 but within the buyer's annual
  room passes, taxed in full as general trade: tariff = DV × t, consumption tax =
  (DV + tariff) / (1 − c) × c, VAT = (DV + tariff) / (1 − c) × v; it counts in the year's total.
- Anything else over a limit is refused (-621005 / -621018), as is a good not on the positive
  list of CBEC retail import goods, with every failed rule and its amounts in the reason.

Each tax is rounded half up to 0.01 CNY per line (``money.to_fen``), from the unrounded
dutiable value; this is why the worked example's total is 25.37 where the combined rate applied
to the whole gives 25.36.
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field, field_validator

from cbec.tax_refund.domain.errors import RETURN_STATUS_REJECTED, ImportTaxRefused, Violation
from cbec.tax_refund.domain.limits import (
    DEFAULT_POLICY,
    NOTICE,
    ImportTaxPolicy,
    TaxMode,
    check_limits,
)
from cbec.tax_refund.domain.models import CebModel
from cbec.tax_refund.domain.money import ZERO, spread, to_fen
from cbec.tax_refund.domain.tables import CNY, HsList, HsRates, RateTable


class ImportListLine(CebModel):
    """The line fields of an import list (CEB621 InventoryList) that the tax reads."""

    gnum: int = Field(ge=1)
    gcode: str = Field(min_length=4, max_length=10, pattern=r"^\d+$")
    gname: str | None = None
    qty: Decimal = Field(gt=0)
    unit: str | None = None
    price: Decimal = Field(gt=0)
    total_price: Decimal = Field(gt=0)


class ImportList(CebModel):
    """The head fields of an import list (CEB621 InventoryHead) that the tax reads."""

    invt_no: str | None = Field(default=None, max_length=18)
    cop_no: str | None = None
    order_no: str | None = None
    buyer_id_type: str = "1"
    buyer_id_number: str = Field(min_length=1, max_length=60)
    buyer_name: str | None = None
    customs_code: str | None = None
    ebc_code: str | None = None
    logistics_code: str | None = None
    agent_code: str | None = None
    assure_code: str | None = None
    currency: str = CNY
    freight: Decimal = Field(default=ZERO, ge=0)
    insured_fee: Decimal = Field(default=ZERO, ge=0)
    lines: tuple[ImportListLine, ...] = Field(min_length=1, max_length=99)

    @field_validator("lines")
    @classmethod
    def _gnums_are_unique(cls, lines: tuple[ImportListLine, ...]) -> tuple[ImportListLine, ...]:
        gnums = [line.gnum for line in lines]
        if len(set(gnums)) != len(gnums):
            raise ValueError("gnum must be unique within a list")
        return lines

    @property
    def buyer(self) -> str:
        return buyer_key(self.buyer_id_number)

    @property
    def is_single_item(self) -> bool:
        """One line of quantity 1: the single indivisible item of 财关税〔2018〕49号."""
        return len(self.lines) == 1 and self.lines[0].qty == 1


def buyer_key(buyer_id_number: str) -> str:
    """The key of a buyer's annual quota: the ID number, trimmed, letters upper-cased (an ID
    card's check character may be written x or X)."""
    return buyer_id_number.strip().upper()


class LineTax(CebModel):
    """The tax of one line (CEB816 TaxListRd)."""

    gnum: int
    gcode: str
    tax_price: Decimal
    customs_tax: Decimal
    value_added_tax: Decimal
    consumption_tax: Decimal

    @property
    def total(self) -> Decimal:
        return self.customs_tax + self.value_added_tax + self.consumption_tax


class ImportTaxAssessment(CebModel):
    """The outcome of assessing one import list that passed."""

    invt_no: str | None
    buyer: str
    mode: TaxMode
    lines: tuple[LineTax, ...]

    @property
    def dutiable_value(self) -> Decimal:
        """The transaction's dutiable value: what counts towards the buyer's annual total."""
        return sum((line.tax_price for line in self.lines), ZERO)

    @property
    def customs_tax(self) -> Decimal:
        return sum((line.customs_tax for line in self.lines), ZERO)

    @property
    def value_added_tax(self) -> Decimal:
        return sum((line.value_added_tax for line in self.lines), ZERO)

    @property
    def consumption_tax(self) -> Decimal:
        return sum((line.consumption_tax for line in self.lines), ZERO)

    @property
    def total_tax(self) -> Decimal:
        return self.customs_tax + self.value_added_tax + self.consumption_tax


def dutiable_values(import_list: ImportList) -> list[Decimal]:
    """Each line's dutiable value: total price plus its share of freight and insurance."""
    prices = [line.total_price for line in import_list.lines]
    extras = spread(import_list.freight + import_list.insured_fee, prices)
    return [price + extra for price, extra in zip(prices, extras, strict=True)]


def retail_line_tax(
    dutiable_value: Decimal, rates: HsRates, policy: ImportTaxPolicy = DEFAULT_POLICY
) -> tuple[Decimal, Decimal, Decimal]:
    """(tariff, VAT, consumption tax) within the limits: tariff 0, the rest at 70%."""
    base = dutiable_value / (1 - rates.consumption_tax_rate)
    consumption = to_fen(base * rates.consumption_tax_rate * policy.retail_share)
    vat = to_fen(base * rates.vat_rate * policy.retail_share)
    return ZERO, vat, consumption


def general_trade_line_tax(
    dutiable_value: Decimal, rates: HsRates
) -> tuple[Decimal, Decimal, Decimal]:
    """(tariff, VAT, consumption tax) at full rates; consumption tax and VAT are levied on the
    value plus the (rounded) tariff, grossed up by the consumption tax."""
    tariff = to_fen(dutiable_value * rates.tariff_rate)
    base = (dutiable_value + tariff) / (1 - rates.consumption_tax_rate)
    consumption = to_fen(base * rates.consumption_tax_rate)
    vat = to_fen(base * rates.vat_rate)
    return tariff, vat, consumption


def assess_import_tax(
    import_list: ImportList,
    *,
    annual_used: Decimal,
    rates: RateTable,
    positive_list: HsList,
    policy: ImportTaxPolicy = DEFAULT_POLICY,
) -> ImportTaxAssessment:
    """Tax one import list, or refuse it with every failed rule (:class:`ImportTaxRefused`).

    ``annual_used`` is what the buyer's calendar year already counts (used and reserved,
    without this list): ``QuotaLedger.counted``.
    """
    violations, line_rates = _goods_violations(import_list, rates, positive_list)
    values = dutiable_values(import_list)
    limits = check_limits(
        sum(values, ZERO),
        annual_used=annual_used,
        single_item=import_list.is_single_item,
        policy=policy,
    )
    violations.extend(limits.violations)
    status = limits.return_status if limits.violations else RETURN_STATUS_REJECTED
    resolved = [found for found in line_rates if found is not None]
    if violations or len(resolved) != len(import_list.lines):
        raise ImportTaxRefused(violations, return_status=status)

    mode = limits.mode
    taxed: list[LineTax] = []
    for line, value, found in zip(import_list.lines, values, resolved, strict=True):
        tariff, vat, consumption = (
            general_trade_line_tax(value, found)
            if mode is TaxMode.GENERAL_TRADE
            else retail_line_tax(value, found, policy)
        )
        taxed.append(
            LineTax(
                gnum=line.gnum,
                gcode=line.gcode,
                tax_price=value,
                customs_tax=tariff,
                value_added_tax=vat,
                consumption_tax=consumption,
            )
        )
    return ImportTaxAssessment(
        invt_no=import_list.invt_no, buyer=import_list.buyer, mode=mode, lines=tuple(taxed)
    )


def _goods_violations(
    import_list: ImportList, rates: RateTable, positive_list: HsList
) -> tuple[list[Violation], list[HsRates | None]]:
    """What the list's currency and goods break, and each line's rates (None: no rates)."""
    violations: list[Violation] = []
    line_rates: list[HsRates | None] = []
    if import_list.currency != CNY:
        violations.append(
            Violation(
                field="currency",
                rule="an import list is declared in CNY",
                value=import_list.currency,
                expected=CNY,
            )
        )
    for line in import_list.lines:
        field = f"InventoryList[{line.gnum}].gcode"
        if line.gcode not in positive_list:
            violations.append(
                Violation(
                    field=field,
                    rule=f"goods must be on the positive list of CBEC retail imports ({NOTICE})",
                    value=line.gcode,
                )
            )
        found = rates.find(line.gcode)
        if found is None:
            violations.append(
                Violation(field=field, rule="no tax rates for this HS code", value=line.gcode)
            )
        line_rates.append(found)
    return violations, line_rates
