"""Canonical JSON and the fingerprint that tells a document resent unchanged from a new one."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def canonical_json(value: Any) -> str:
    """Sorted keys, no spaces, non-ASCII kept, decimals and times as text (never floats)."""
    return json.dumps(
        value, default=_json_default, ensure_ascii=False, sort_keys=True, separators=(",", ":")
    )


def loads(text: str) -> Any:
    """JSON with decimals kept exact."""
    return json.loads(text, parse_float=Decimal)


def fingerprint(document: Any) -> str:
    """SHA-256 of the canonical JSON: equal for a document resent unchanged."""
    return hashlib.sha256(canonical_json(document).encode()).hexdigest()
