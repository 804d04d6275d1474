"""Checking a raw message against its table of field rules, then building its typed model.

:func:`parse_record` checks a flat record (e.g. CEB505 ``Logistics``), :func:`parse_document` a
head + lines message (e.g. ``ArrivalHead`` + ``ArrivalList``); both list every violation (field
+ rule + value) before anything is built::

    waybill = parse_record(ExportWaybill, raw, EXPORT_WAYBILL_RULES, "CEB505")
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from cbec.logistics.domain.errors import InvalidMessage, Violation
from cbec.logistics.domain.fields import AppType, FieldRule


def check_fields(
    record: Mapping[str, Any], rules: Iterable[FieldRule], prefix: str = ""
) -> list[Violation]:
    """Every violation of ``rules`` in ``record`` (field names prefixed with ``prefix``)."""
    return [violation for rule in rules for violation in rule.check(record, prefix)]


M = TypeVar("M", bound=BaseModel)


def parse_record(model: type[M], raw: Any, rules: Sequence[FieldRule], document: str) -> M:
    """Check one flat record against its rule table, then build its model."""
    if not isinstance(raw, Mapping):
        raise InvalidMessage(document, [Violation(field=document, rule="must be an object")])
    violations = check_fields(raw, rules)
    if violations:
        raise InvalidMessage(document, violations)
    return _build(model, raw, document)


def parse_document(
    model: type[M],
    raw: Any,
    document: str,
    *,
    head: tuple[str, Sequence[FieldRule]],
    lines: tuple[str, Sequence[FieldRule]],
    max_lines: int | None = None,
    lines_optional_on_delete: bool = False,
) -> M:
    """Check a head + lines message (e.g. ``ArrivalHead`` + ``ArrivalList``), then build it.

    Lines are named by their position in the message, counting from 1:
    ``ArrivalList[2].logisticsNo``.
    """
    head_name, head_rules = head
    lines_name, line_rules = lines
    if not isinstance(raw, Mapping):
        raise InvalidMessage(document, [Violation(field=document, rule="must be an object")])
    violations: list[Violation] = []
    head_raw = raw.get(head_name)
    if not isinstance(head_raw, Mapping):
        violations.append(Violation(field=head_name, rule=f"{head_name} is required"))
        head_raw = {}
    else:
        violations.extend(check_fields(head_raw, head_rules, f"{head_name}."))
    lines_raw = raw.get(lines_name)
    lines_raw = [] if lines_raw is None else lines_raw
    deleting = head_raw.get("appType") == AppType.DELETE
    if not isinstance(lines_raw, list):
        violations.append(Violation(field=lines_name, rule=f"{lines_name} must be a list"))
    else:
        if not lines_raw and not (lines_optional_on_delete and deleting):
            violations.append(
                Violation(field=lines_name, rule=f"{lines_name} needs at least one line")
            )
        if max_lines is not None and len(lines_raw) > max_lines:
            violations.append(
                Violation(
                    field=lines_name,
                    rule=f"{lines_name} has at most {max_lines} lines",
                    value=len(lines_raw),
                )
            )
        for position, line in enumerate(lines_raw, start=1):
            where = f"{lines_name}[{position}]"
            if not isinstance(line, Mapping):
                violations.append(Violation(field=where, rule="each line must be an object"))
                continue
            violations.extend(check_fields(line, line_rules, f"{where}."))
    if violations:
        raise InvalidMessage(document, violations)
    return _build(model, raw, document)


def _build(model: type[M], raw: Mapping[str, Any], document: str) -> M:
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        violations = [
            Violation(
                field=".".join(str(part) for part in item["loc"]),
                rule=item["msg"],
                value=item.get("input"),
            )
            for item in error.errors()
        ]
        raise InvalidMessage(document, violations) from error
