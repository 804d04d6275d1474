"""The tax service's repositories: they load and save typed domain objects in the unit of
work's transaction, a buyer's whole year or a list's whole set of lines at a time; the unit of
work (:class:`cbec.tax_refund.unit_of_work.TaxWork`) holds one of each.
"""

from cbec.tax_refund.repository.bills import TaxBillRepository
from cbec.tax_refund.repository.exports import ExportRepository
from cbec.tax_refund.repository.quota import BuyerYear, QuotaRepository, quota_entry
from cbec.tax_refund.repository.register import IncomeStatementRepository, ZoneRegisterRepository

__all__ = [
    "BuyerYear",
    "ExportRepository",
    "IncomeStatementRepository",
    "QuotaRepository",
    "TaxBillRepository",
    "ZoneRegisterRepository",
    "quota_entry",
]
