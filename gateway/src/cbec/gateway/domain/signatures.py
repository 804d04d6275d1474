"""A signed request as the gateway checks it before any I/O, and who it turns out to be.

    request = SignedRequest(method, path_with_query, key_id, timestamp, nonce, signature, body)
    check_headers(request, now=utcnow(), tolerance_seconds=300)   # 401 / 400 naming the header

The signature scheme itself is :mod:`cbec.gateway.signing`. Pure: no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from cbec.gateway import signing
from cbec.gateway.errors import MalformedHeader, Unauthorized
from cbec.shared.errors import Violation


@dataclass(frozen=True, slots=True)
class Caller:
    """An authenticated enterprise."""

    code: str
    roles: frozenset[str]
    key_id: str


@dataclass(frozen=True, slots=True)
class SignedRequest:
    method: str
    path_with_query: str
    key_id: str | None
    timestamp: str | None
    nonce: str | None
    signature: str | None
    body: bytes


KEY_ID_FORMAT = re.compile(r"[A-Za-z0-9_-]{1,40}")


TIMESTAMP_FORMAT = re.compile(r"[0-9]{1,12}")


NONCE_FORMAT = re.compile(r"[!-~]{1,64}")


SIGNATURE_FORMAT = re.compile(r"[0-9a-fA-F]{64}")


_HEADER_RULES = (
    (signing.KEY_HEADER, KEY_ID_FORMAT, "1 to 40 ASCII letters, digits, '_' or '-'"),
    (signing.TIMESTAMP_HEADER, TIMESTAMP_FORMAT, "unix seconds: 1 to 12 ASCII digits"),
    (signing.NONCE_HEADER, NONCE_FORMAT, "1 to 64 visible ASCII characters"),
    (signing.SIGNATURE_HEADER, SIGNATURE_FORMAT, "64 hex digits (HMAC-SHA256)"),
)


def check_headers(request: SignedRequest, *, now: datetime, tolerance_seconds: int) -> None:
    """The four signature headers present (401), each in its format (400 naming the header and
    its rule: ``int()`` would take Unicode digits and numbers of any length), and the timestamp
    within ``tolerance_seconds`` of ``now`` (401). No I/O."""
    values = {
        signing.KEY_HEADER: request.key_id,
        signing.TIMESTAMP_HEADER: request.timestamp,
        signing.NONCE_HEADER: request.nonce,
        signing.SIGNATURE_HEADER: request.signature,
    }
    missing = [header for header, value in values.items() if not value]
    if missing:
        raise Unauthorized("the request is not signed: missing " + ", ".join(missing))
    violations = [
        Violation(field=header, rule=rule)
        for header, pattern, rule in _HEADER_RULES
        if not pattern.fullmatch(values[header] or "")
    ]
    if violations:
        raise MalformedHeader(violations)
    skew = abs(now.timestamp() - int(request.timestamp or "0"))
    if skew > tolerance_seconds:
        raise Unauthorized(
            f"{signing.TIMESTAMP_HEADER} is {int(min(skew, 10**12))} s away from the gateway's "
            f"clock (at most {tolerance_seconds} s)"
        )


@dataclass(frozen=True, slots=True)
class Signer:
    """What a key id stands for: its secret, its enterprise and the enterprise's roles."""

    key_id: str
    secret: str
    code: str
    roles: frozenset[str]
    until: float = 0.0
