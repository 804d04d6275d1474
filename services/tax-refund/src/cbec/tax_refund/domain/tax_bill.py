"""The electronic tax bill of an import list (CEB816: TaxHeadRd + TaxListRd)::

bill = issue_tax_bill(assessment, import_list, tax_no=tax_no_for(import_list.invt_no))
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Literal

from pydantic import Field, model_validator
from pydantic.alias_generators import to_camel

from cbec.tax_refund.domain.errors import TaxError, Violation
from cbec.tax_refund.domain.import_tax import ImportList, ImportTaxAssessment, LineTax
from cbec.tax_refund.domain.limits import TaxMode
from cbec.tax_refund.domain.models import CebModel
from cbec.tax_refund.domain.money import ZERO


class TaxBillStatus(StrEnum):
    """CEB816/CEB818 ``status``: 1 issued, 2 summarised (paid in a summary), 3 void."""

    ISSUED = "1"
    SUMMARISED = "2"
    VOID = "3"


class TaxBill(CebModel):
    """The electronic tax bill of one import list (CEB816: TaxHeadRd + TaxListRd).

    The head's amounts are the sums of its lines.
    """

    tax_no: str = Field(min_length=1, max_length=50)
    invt_no: str = Field(min_length=1, max_length=18)
    customs_tax: Decimal
    value_added_tax: Decimal
    consumption_tax: Decimal
    status: TaxBillStatus = TaxBillStatus.ISSUED
    ent_duty_no: str | None = None
    note: str | None = Field(default=None, max_length=1000)
    assure_code: str | None = None
    ebc_code: str | None = None
    logistics_code: str | None = None
    agent_code: str | None = None
    customs_code: str | None = None
    lines: tuple[LineTax, ...] = Field(min_length=1, max_length=99)

    @model_validator(mode="after")
    def _head_is_the_sum_of_the_lines(self) -> TaxBill:
        for name in ("customs_tax", "value_added_tax", "consumption_tax"):
            lines = sum((getattr(line, name) for line in self.lines), ZERO)
            if getattr(self, name) != lines:
                raise ValueError(f"{to_camel(name)} {getattr(self, name)} != sum of lines {lines}")
        return self

    @property
    def total_tax(self) -> Decimal:
        return self.customs_tax + self.value_added_tax + self.consumption_tax

    def void(self) -> TaxBill:
        """The same bill, void: the tax of a return within the window is not collected."""
        return self.model_copy(update={"status": TaxBillStatus.VOID})


def issue_tax_bill(
    assessment: ImportTaxAssessment,
    import_list: ImportList,
    *,
    tax_no: str,
) -> TaxBill:
    """The tax bill of an assessed list; the list must have its customs number (invtNo)."""
    if not import_list.invt_no:
        raise TaxError(
            [Violation(field="invtNo", rule="a tax bill is issued for a list customs has numbered")]
        )
    return TaxBill(
        tax_no=tax_no,
        invt_no=import_list.invt_no,
        customs_tax=assessment.customs_tax,
        value_added_tax=assessment.value_added_tax,
        consumption_tax=assessment.consumption_tax,
        assure_code=import_list.assure_code,
        ebc_code=import_list.ebc_code,
        logistics_code=import_list.logistics_code,
        agent_code=import_list.agent_code,
        customs_code=import_list.customs_code,
        lines=assessment.lines,
    )


def tax_no_for(invt_no: str) -> str:
    """The tax bill's number: the list's number with T for I (customs code + year + serial)."""
    if len(invt_no) == 18 and invt_no[8] == "I":
        return f"{invt_no[:8]}T{invt_no[9:]}"
    return f"T{invt_no}"


def event_mode(mode: TaxMode) -> Literal["retail", "general"]:
    """How an ImportTaxAssessed event names the mode of a bill."""
    return "general" if mode is TaxMode.GENERAL_TRADE else "retail"
