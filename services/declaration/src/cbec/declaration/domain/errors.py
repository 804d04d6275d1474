"""Violations and the declaration service's exception hierarchy.

A rule that fails produces a :class:`Violation` naming the field (the customs standard's
camelCase name), the rule, and the value(s) compared. Validation functions return every
violation they find; the errors below carry them to the entry points, which turn them into
4xx answers or customs receipts::

    violations = validate_export_inventory(invt)
    if violations:
        raise InvalidDocument(violations)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from cbec.shared.errors import Violation as SharedViolation


@dataclass(frozen=True, slots=True)
class Violation(SharedViolation):
    """One failed rule: the field, the rule, the value found and, when comparing, the other;
    written in a receipt's returnInfo as ``field: rule (value vs expected)``."""

    def __str__(self) -> str:
        text = f"{self.field}: {self.rule}"
        if self.value is not None and self.expected is not None:
            return f"{text} ({self.value} vs {self.expected})"
        if self.value is not None:
            return f"{text} ({self.value})"
        return text


class DeclarationError(Exception):
    """Base of every error the declaration domain raises on purpose."""

    status_code: int = 400
    code: str = "declaration-error"

    def __init__(self, message: str, violations: Iterable[Violation] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.violations: tuple[Violation, ...] = tuple(violations)


class InvalidDocument(DeclarationError):
    """A document breaks one or more rules of its own; nothing was changed."""

    status_code = 422
    code = "invalid-document"

    def __init__(self, violations: Iterable[Violation]) -> None:
        found = tuple(violations)
        super().__init__("; ".join(str(v) for v in found), found)


class ThreeDocumentMismatch(DeclarationError):
    """The list disagrees with its order, funds document or waybill."""

    status_code = 422
    code = "three-document-mismatch"

    def __init__(self, violations: Iterable[Violation]) -> None:
        found = tuple(violations)
        super().__init__("; ".join(str(v) for v in found), found)


class IllegalTransition(DeclarationError):
    """A list was asked to move between two states the lifecycle does not connect."""

    status_code = 409
    code = "illegal-transition"

    def __init__(self, from_status: str, to_status: str, reason: str = "") -> None:
        message = f"a list cannot go from status {from_status} to {to_status}"
        if reason:
            message += f": {reason}"
        super().__init__(
            message,
            [Violation(field="returnStatus", rule=message, value=to_status, expected=from_status)],
        )
        self.from_status = from_status
        self.to_status = to_status


class DocumentNotAmendable(DeclarationError):
    """A change or delete (appType 2/3) arrived after the list was declared."""

    status_code = 409
    code = "not-amendable"


class DuplicateDocument(DeclarationError):
    """A new document (appType 1) whose key is already on file."""

    status_code = 409
    code = "duplicate-document"


class DocumentNotFound(DeclarationError):
    """A change, delete or revocation names a document that is not on file."""

    status_code = 404
    code = "document-not-found"


class RevocationRefused(DeclarationError):
    """A revocation that cannot be accepted for the list it names."""

    status_code = 409
    code = "revocation-refused"


class InvalidDecision(DeclarationError):
    """An officer's decision that lacks what it must carry (a reason)."""

    status_code = 422
    code = "invalid-decision"
