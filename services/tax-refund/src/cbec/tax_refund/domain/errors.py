"""The tax service's errors: one base, a few kinds, each carrying every violated rule.

Each error subclasses :class:`cbec.shared.errors.CbecError`, so the service's single error
handler turns it into a 4xx answer (or a customs receipt) that names the field and the rule::

    raise ImportTaxRefused(
        [Violation(field="taxPrice", rule="single transaction limit", value="5000.01")],
        return_status=RETURN_STATUS_OVER_SINGLE_LIMIT,
    )
"""

from __future__ import annotations

from cbec.shared.errors import CbecError, Violation

# Receipt codes of the customs standard (DOMAIN.md §3): a rejection, and the two processing
# errors of the CBEC import limits (财关税〔2018〕49号).
RETURN_STATUS_REJECTED = 100
RETURN_STATUS_OVER_SINGLE_LIMIT = -621005
RETURN_STATUS_OVER_ANNUAL_LIMIT = -621018


class TaxError(CbecError):
    """Base of every error the tax service raises on purpose."""

    status_code = 422
    code = "tax-error"

    def __init__(self, violations: list[Violation], message: str | None = None) -> None:
        super().__init__(message or "; ".join(str(v) for v in violations), violations)


class DataFileError(TaxError):
    """A data file (rate table, exchange rates, HS list) that cannot be loaded.

    It is a deployment fault, not bad input: the service refuses to start with it. ``line``
    is the 1-based line of the file, or 0 when the whole file is at fault (unreadable).
    """

    status_code = 500
    code = "data-file"

    def __init__(self, source: str, line: int, reason: str) -> None:
        self.source = source
        self.line = line
        self.reason = reason
        super().__init__(
            [Violation(field=f"{source}:{line}", rule=reason)],
            message=f"{source}, line {line}: {reason}",
        )


class ListNotClosed(TaxError):
    """An export list that has not closed (899) cannot be registered for exemption."""

    code = "list-not-closed"


class RefundNotClaimable(TaxError):
    """An export refund claim that does not meet the conditions of DOMAIN.md §6.3."""

    code = "refund-not-claimable"


class ImportTaxRefused(TaxError):
    """An import list refused from the retail channel, with its receipt code.

    ``return_status`` is -621005 when the single transaction limit is exceeded, -621018 when
    the buyer's annual limit is exceeded (and not the single one), else 100 (rejected).
    ``return_info`` is the reason to send back, with every rule and its amounts.
    """

    code = "import-tax-refused"

    def __init__(
        self,
        violations: list[Violation],
        return_status: int = RETURN_STATUS_REJECTED,
    ) -> None:
        super().__init__(violations)
        self.return_status = return_status

    @property
    def return_info(self) -> str:
        return self.message


class NotTheConsignor(CbecError):
    """Purchase invoices of a list registered by an enterprise that is not its consignor."""

    status_code = 403
    code = "forbidden"


class QuotaError(TaxError):
    """A quota ledger operation that contradicts what the ledger already holds."""

    status_code = 409
    code = "quota-conflict"


class UnknownQuotaEntry(QuotaError):
    """No reservation or use is recorded for that list."""

    status_code = 404
    code = "quota-entry-not-found"


__all__ = [
    "RETURN_STATUS_OVER_ANNUAL_LIMIT",
    "RETURN_STATUS_OVER_SINGLE_LIMIT",
    "RETURN_STATUS_REJECTED",
    "DataFileError",
    "ImportTaxRefused",
    "ListNotClosed",
    "NotTheConsignor",
    "QuotaError",
    "RefundNotClaimable",
    "TaxError",
    "UnknownQuotaEntry",
    "Violation",
]
