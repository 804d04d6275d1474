"""Pure tax rules of the single window (DOMAIN.md §6): no I/O, no framework.

- exports without purchase invoices: VAT and consumption-tax exemption (财税〔2018〕103号);
- deemed corporate income tax of exempt exports (国家税务总局公告2019年第36号);
- export refund with invoices, FOB × refund rate at the month's customs exchange rate;
- import CBEC retail tax, its limits, the buyer's annual quota and the electronic tax bill
  (财关税〔2018〕49号).

Tables (rates, exchange rates, HS lists) come from data files: see ``tables``,
``table_files`` and ``cbec.tax_refund.data``.
"""

from cbec.tax_refund.domain.errors import (
    RETURN_STATUS_OVER_ANNUAL_LIMIT,
    RETURN_STATUS_OVER_SINGLE_LIMIT,
    RETURN_STATUS_REJECTED,
    DataFileError,
    ImportTaxRefused,
    ListNotClosed,
    NotTheConsignor,
    QuotaError,
    RefundNotClaimable,
    TaxError,
    UnknownQuotaEntry,
)
from cbec.tax_refund.domain.exemption import ExemptionDecision, ExemptionPolicy, decide_exemption
from cbec.tax_refund.domain.exports import ExportList, ExportListLine
from cbec.tax_refund.domain.import_tax import (
    ImportList,
    ImportListLine,
    ImportTaxAssessment,
    LineTax,
    assess_import_tax,
    buyer_key,
    dutiable_values,
)
from cbec.tax_refund.domain.income_tax import (
    DeemedIncomeTax,
    IncomeTaxPolicy,
    annual_exempt_revenue,
    deemed_income_tax,
    deemed_income_taxes,
)
from cbec.tax_refund.domain.limits import ImportTaxPolicy, LimitCheck, TaxMode, check_limits
from cbec.tax_refund.domain.quota import QuotaEntry, QuotaLedger, QuotaState, ReturnOutcome
from cbec.tax_refund.domain.refund import (
    RefundClaim,
    RefundLine,
    RefundPolicy,
    compute_export_refund,
)
from cbec.tax_refund.domain.tables import (
    ExchangeRates,
    HsList,
    HsRates,
    IncomeTaxRelief,
    RateTable,
    TaxTables,
    ZoneEnterprise,
    ZoneEnterprises,
)
from cbec.tax_refund.domain.tax_bill import (
    TaxBill,
    TaxBillStatus,
    event_mode,
    issue_tax_bill,
    tax_no_for,
)

__all__ = [
    "RETURN_STATUS_OVER_ANNUAL_LIMIT",
    "RETURN_STATUS_OVER_SINGLE_LIMIT",
    "RETURN_STATUS_REJECTED",
    "DataFileError",
    "DeemedIncomeTax",
    "ExchangeRates",
    "ExemptionDecision",
    "ExemptionPolicy",
    "ExportList",
    "ExportListLine",
    "HsList",
    "HsRates",
    "ImportList",
    "ImportListLine",
    "ImportTaxAssessment",
    "ImportTaxPolicy",
    "ImportTaxRefused",
    "IncomeTaxPolicy",
    "IncomeTaxRelief",
    "LimitCheck",
    "LineTax",
    "ListNotClosed",
    "NotTheConsignor",
    "QuotaEntry",
    "QuotaError",
    "QuotaLedger",
    "QuotaState",
    "RateTable",
    "RefundClaim",
    "RefundLine",
    "RefundNotClaimable",
    "RefundPolicy",
    "ReturnOutcome",
    "TaxBill",
    "TaxBillStatus",
    "TaxError",
    "TaxMode",
    "TaxTables",
    "UnknownQuotaEntry",
    "ZoneEnterprise",
    "ZoneEnterprises",
    "annual_exempt_revenue",
    "assess_import_tax",
    "buyer_key",
    "check_limits",
    "compute_export_refund",
    "decide_exemption",
    "deemed_income_tax",
    "deemed_income_taxes",
    "dutiable_values",
    "event_mode",
    "issue_tax_bill",
    "tax_no_for",
]
