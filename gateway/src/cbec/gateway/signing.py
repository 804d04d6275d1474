"""The request signature of the gateway: HMAC-SHA256 over the request, checked in constant time.

    string_to_sign = METHOD + "\\n" + path-with-query + "\\n" + timestamp + "\\n" + nonce + "\\n"
                     + hex(sha256(body))
    X-Cbec-Signature = hex(HMAC-SHA256(secret, string_to_sign))

    headers = signed_headers("K1", "s3cret", "POST", "/v1/export/orders", body)

``gateway/README.md`` has a worked example. Pure functions: no I/O, no clock unless given one.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

KEY_HEADER = "X-Cbec-Key"
TIMESTAMP_HEADER = "X-Cbec-Timestamp"
NONCE_HEADER = "X-Cbec-Nonce"
SIGNATURE_HEADER = "X-Cbec-Signature"
MAX_NONCE_LENGTH = 64


def body_digest(body: bytes) -> str:
    """Lower-case hex SHA-256 of the body (of ``b""`` when there is none)."""
    return hashlib.sha256(body).hexdigest()


def string_to_sign(
    method: str, path_with_query: str, timestamp: str, nonce: str, body: bytes
) -> str:
    return "\n".join((method.upper(), path_with_query, timestamp, nonce, body_digest(body)))


def sign(
    secret: str, method: str, path_with_query: str, timestamp: str, nonce: str, body: bytes
) -> str:
    """The lower-case hex HMAC-SHA256 signature of a request."""
    message = string_to_sign(method, path_with_query, timestamp, nonce, body)
    return hmac.new(secret.encode("utf-8"), message.encode("utf-8"), hashlib.sha256).hexdigest()


def signature_matches(expected: str, given: str) -> bool:
    """Constant-time comparison (the time taken does not tell how much of ``given`` is right)."""
    return hmac.compare_digest(
        expected.encode("ascii"), given.strip().lower().encode("ascii", "replace")
    )


def new_nonce() -> str:
    return secrets.token_hex(16)


def signed_headers(
    key_id: str,
    secret: str,
    method: str,
    path_with_query: str,
    body: bytes,
    *,
    timestamp: int | None = None,
    nonce: str | None = None,
) -> dict[str, str]:
    """The four authentication headers of one request."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    once = nonce or new_nonce()
    return {
        KEY_HEADER: key_id,
        TIMESTAMP_HEADER: ts,
        NONCE_HEADER: once,
        SIGNATURE_HEADER: sign(secret, method, path_with_query, ts, once, body),
    }
