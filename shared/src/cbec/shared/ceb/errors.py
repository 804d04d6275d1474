"""Errors of the CEB codec: each carries the list of problems found, each naming where and why.

    try:
        message = parse_message(data)
    except CebError as error:
        for problem in error.problems:
            log.warning("%s: %s", problem.path, problem.rule)

They are :class:`~cbec.shared.errors.CbecError` (4xx answers), with one
:class:`~cbec.shared.errors.Violation` per problem, so the gateway's single error handler
reports them like any other invalid input.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from cbec.shared.errors import CbecError, Violation


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a document: the element path (``/ceb:CEB303Message/...``, or the
    JSON location of a model field), the rule it breaks, the offending value when known, and
    the line of the XML document when known."""

    path: str
    rule: str
    value: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path} (line {self.line})" if self.line is not None else self.path
        text = f"{where}: {self.rule}"
        return f"{text} (got {self.value!r})" if self.value is not None else text


class CebError(CbecError):
    """Base of the codec's errors."""

    code = "invalid-ceb-message"
    status_code = 422

    def __init__(self, problems: Iterable[Problem], message: str | None = None) -> None:
        self.problems: list[Problem] = list(problems)
        text = message or "; ".join(str(p) for p in self.problems[:20])
        if len(self.problems) > 20:
            text += f"; and {len(self.problems) - 20} more"
        violations = [Violation(field=p.path, rule=p.rule, value=p.value) for p in self.problems]
        super().__init__(text, violations)


class CebParseError(CebError):
    """Not a well-formed, acceptable XML document (syntax, size, DOCTYPE or entities)."""

    code = "malformed-ceb-message"
    status_code = 400


class CebSchemaError(CebError):
    """Well-formed XML that breaks the standard's schema or the message model."""

    code = "invalid-ceb-message"
    status_code = 422
