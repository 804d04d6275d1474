"""The platform's base error and the shape of a rule violation.

Every 4xx answer names the field and the rule that failed::

    raise InvalidInput([Violation(field="grossWeight", rule="must be greater than 0", value="0")])
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Violation:
    """One failed rule: which field, which rule, and the offending value(s)."""

    field: str
    rule: str
    value: Any = None
    expected: Any = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"field": self.field, "rule": self.rule}
        if self.value is not None:
            out["value"] = str(self.value)
        if self.expected is not None:
            out["expected"] = str(self.expected)
        return out

    def __str__(self) -> str:
        text = f"{self.field}: {self.rule}"
        if self.value is not None:
            text += f" (got {self.value}"
            text += f", expected {self.expected})" if self.expected is not None else ")"
        return text


class CbecError(Exception):
    """Base of every domain error the platform raises on purpose."""

    status_code: int = 400
    code: str = "invalid"

    def __init__(self, message: str, violations: list[Violation] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.violations: list[Violation] = list(violations or [])


class InvalidInput(CbecError):
    """Input that breaks one or more rules; nothing was changed."""

    status_code = 422
    code = "invalid-input"

    def __init__(self, violations: list[Violation], message: str | None = None) -> None:
        super().__init__(message or "; ".join(str(v) for v in violations), violations)


class NotFound(CbecError):
    status_code = 404
    code = "not-found"


class Conflict(CbecError):
    status_code = 409
    code = "conflict"


class Unavailable(CbecError):
    """The service cannot take the request now (overloaded); the client sends it again after
    ``retry_after`` seconds (a Retry-After header): the services are idempotent on business
    keys, so a resend is safe."""

    status_code = 503
    code = "service-unavailable"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = max(1, retry_after)


@dataclass(slots=True)
class ErrorReport:
    """A problem+json body (RFC 9457) built from a :class:`CbecError`."""

    title: str
    status: int
    type: str
    detail: str
    violations: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def from_error(cls, error: CbecError) -> ErrorReport:
        return cls(
            title=error.code,
            status=error.status_code,
            type=f"https://cbec.example/problems/{error.code}",
            detail=error.message,
            violations=[v.as_dict() for v in error.violations],
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "violations": self.violations,
        }
