"""The payments service's errors: one base, one subclass per kind of failure.

Every error carries the violations that caused it, each naming the field and the rule::

    raise InvalidFundsDocument([Violation(field="amountPaid", rule="must be > 0", value="0")])
"""

from __future__ import annotations

from cbec.shared.errors import CbecError, Violation


class PaymentsError(CbecError):
    """Base of every error the payments domain raises on purpose."""

    code = "payments-error"


class InvalidFundsDocument(PaymentsError):
    """A payment voucher or receipt of funds that breaks one or more field rules."""

    status_code = 422
    code = "invalid-funds-document"

    def __init__(self, violations: list[Violation], message: str | None = None) -> None:
        super().__init__(message or "; ".join(str(v) for v in violations), violations)


class MalformedDataFile(PaymentsError):
    """A rate or fee table with lines that cannot be read; each violation names its line.

    This is a deployment fault, not bad client input, hence a 5xx status.
    """

    status_code = 500
    code = "malformed-data-file"

    def __init__(self, source: str, violations: list[Violation]) -> None:
        detail = "; ".join(str(v) for v in violations)
        super().__init__(f"{source}: {detail}", violations)
        self.source = source


class InconsistentInput(PaymentsError):
    """Settlement or reconciliation was given the same document or order twice."""

    status_code = 500
    code = "inconsistent-input"
