"""Field rules of the customs messages, checked all at once.

A message arrives as a mapping of the standard's camelCase names to text (XML) or JSON values.
:func:`check_fields` applies one :class:`FieldRule` per field, as the XSD of the 202205 edition
states it (required, lengths, decimal digits), plus the business rules the platform adds
(positive amounts, upper-case GUID), and returns every violation, never stopping at the first.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any

from cbec.payments.domain.money import fraction_digits, total_digits
from cbec.shared.errors import Violation

# Customs decimals (xs:decimal, totalDigits 19, fractionDigits 5): DOMAIN.md §1, ceb/xsd.
MAX_FRACTION_DIGITS = 5
MAX_TOTAL_DIGITS = 19
TIMESTAMP_FORMAT = "%Y%m%d%H%M%S"  # appTime, payTime, accountingDate: yyyyMMddHHmmss

_DECIMAL_TEXT = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_CURRENCY_CODE = re.compile(r"\d{3}")
_TIMESTAMP = re.compile(r"\d{14}")
# guid: "企业系统生成36位唯一序号（英文字母大写）" (ceb/xsd, every message head).
_GUID = re.compile(r"[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}")
_TRUE = frozenset({"1", "true", "Y"})
_FALSE = frozenset({"0", "false", "N"})


class Kind(Enum):
    TEXT = "text"
    CHOICE = "choice"
    GUID = "guid"
    DECIMAL = "decimal"
    TIMESTAMP = "timestamp"
    CURRENCY = "currency"
    FLAG = "flag"


@dataclass(frozen=True, slots=True)
class FieldRule:
    """What one field of a message must look like."""

    name: str
    kind: Kind = Kind.TEXT
    required: bool = True
    max_length: int | None = None
    exact_length: int | None = None
    choices: tuple[str, ...] = ()
    fixed: str | None = None
    positive: bool = False
    fixed_reason: str = ""


def _is_absent(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def _as_text(value: Any) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    return None


def _check_text(rule: FieldRule, value: Any, out: list[Violation]) -> str | None:
    text = _as_text(value)
    if text is None:
        out.append(Violation(rule.name, "must be text", value))
        return None
    if rule.exact_length is not None and len(text) != rule.exact_length:
        out.append(
            Violation(
                rule.name,
                f"must be exactly {rule.exact_length} characters",
                text,
                rule.exact_length,
            )
        )
        return None
    if rule.max_length is not None and len(text) > rule.max_length:
        out.append(
            Violation(
                rule.name, f"must be at most {rule.max_length} characters", text, rule.max_length
            )
        )
        return None
    return text


def _check_decimal(rule: FieldRule, value: Any, out: list[Violation]) -> Decimal | None:
    if isinstance(value, float):
        out.append(Violation(rule.name, "must be a decimal (text or integer), not a float", value))
        return None
    if isinstance(value, Decimal):
        amount = value
    elif isinstance(value, int) and not isinstance(value, bool):
        amount = Decimal(value)
    elif isinstance(value, str) and _DECIMAL_TEXT.fullmatch(value.strip()):
        try:
            amount = Decimal(value.strip())
        except InvalidOperation:
            out.append(Violation(rule.name, "must be a decimal number", value))
            return None
    else:
        out.append(Violation(rule.name, "must be a decimal number", value))
        return None
    if not amount.is_finite():
        out.append(Violation(rule.name, "must be a finite decimal number", value))
        return None
    ok = True
    if fraction_digits(amount) > MAX_FRACTION_DIGITS:
        out.append(
            Violation(
                rule.name,
                f"must have at most {MAX_FRACTION_DIGITS} fraction digits",
                value,
                MAX_FRACTION_DIGITS,
            )
        )
        ok = False
    if total_digits(amount) > MAX_TOTAL_DIGITS:
        out.append(
            Violation(
                rule.name, f"must have at most {MAX_TOTAL_DIGITS} digits", value, MAX_TOTAL_DIGITS
            )
        )
        ok = False
    if rule.positive and amount <= 0:
        out.append(Violation(rule.name, "must be > 0", value, 0))
        ok = False
    return amount if ok else None


def _check_timestamp(rule: FieldRule, value: Any, out: list[Violation]) -> datetime | None:
    text = _as_text(value)
    if text is None or not _TIMESTAMP.fullmatch(text):
        out.append(Violation(rule.name, "must be a time as yyyyMMddHHmmss (14 digits)", value))
        return None
    try:
        return datetime.strptime(text, TIMESTAMP_FORMAT)  # customs times are local (UTC+8), naive
    except ValueError:
        out.append(Violation(rule.name, "must be a real calendar date and time", value))
        return None


def _check_currency(
    rule: FieldRule, value: Any, currencies: Collection[str] | None, out: list[Violation]
) -> str | None:
    text = _as_text(value)
    if text is None or not _CURRENCY_CODE.fullmatch(text):
        out.append(Violation(rule.name, "must be a 3-digit customs currency code", value))
        return None
    if rule.fixed is not None and text != rule.fixed:
        out.append(
            Violation(rule.name, rule.fixed_reason or f"must be {rule.fixed}", text, rule.fixed)
        )
        return None
    if currencies is not None and text not in currencies:
        out.append(Violation(rule.name, "must be a code of the customs currency table", text))
        return None
    return text


def _check_flag(rule: FieldRule, value: Any, out: list[Violation]) -> bool | None:
    if isinstance(value, bool):
        return value
    text = _as_text(value)
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    out.append(Violation(rule.name, "must be true or false (1 or 0)", value))
    return None


def _check_one(
    rule: FieldRule, value: Any, currencies: Collection[str] | None, out: list[Violation]
) -> Any:
    if rule.kind is Kind.DECIMAL:
        return _check_decimal(rule, value, out)
    if rule.kind is Kind.TIMESTAMP:
        return _check_timestamp(rule, value, out)
    if rule.kind is Kind.CURRENCY:
        return _check_currency(rule, value, currencies, out)
    if rule.kind is Kind.FLAG:
        return _check_flag(rule, value, out)
    text = _check_text(rule, value, out)
    if text is None:
        return None
    if rule.kind is Kind.CHOICE and text not in rule.choices:
        out.append(Violation(rule.name, f"must be one of {', '.join(rule.choices)}", text))
        return None
    if rule.kind is Kind.GUID and not _GUID.fullmatch(text):
        out.append(Violation(rule.name, "must be a 36-character upper-case UUID", text))
        return None
    return text


def check_fields(
    raw: Mapping[str, Any],
    rules: tuple[FieldRule, ...],
    *,
    currencies: Collection[str] | None = None,
) -> tuple[dict[str, Any], list[Violation]]:
    """Check every rule against ``raw``; return the converted values and all violations.

    Absent optional fields (missing, ``None`` or blank, as an empty XML element) come back as
    ``None``. ``currencies``, when given, is the customs currency table the code must be in.
    """
    values: dict[str, Any] = {}
    violations: list[Violation] = []
    for rule in rules:
        value = raw.get(rule.name)
        if _is_absent(value):
            if rule.required:
                violations.append(Violation(rule.name, "is required"))
            values[rule.name] = None
            continue
        values[rule.name] = _check_one(rule, value, currencies, violations)
    return values, violations
