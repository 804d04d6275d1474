"""The gateway's answers at the edge, each a problem+json with its HTTP status.

raise Unauthorized("the signature does not match the request")
raise RetryLater("the declaration service is not reachable", retry_after=5)
"""

from __future__ import annotations

from cbec.shared.errors import CbecError, Violation


class GatewayError(CbecError):
    """Base of the gateway's own refusals."""


class Unauthorized(GatewayError):
    status_code = 401
    code = "unauthenticated"


class MalformedHeader(GatewayError):
    """A header outside its format (the violations name each header and its rule)."""

    status_code = 400
    code = "malformed-header"

    def __init__(self, violations: list[Violation]) -> None:
        super().__init__("; ".join(str(v) for v in violations), violations)


class Forbidden(GatewayError):
    status_code = 403
    code = "forbidden"


class UnsupportedMediaType(GatewayError):
    status_code = 415
    code = "unsupported-media-type"


class PayloadTooLarge(GatewayError):
    status_code = 413
    code = "payload-too-large"


class IdempotencyKeyReused(GatewayError):
    """The same Idempotency-Key came with another request."""

    status_code = 422
    code = "idempotency-key-reused"


class RequestInFlight(GatewayError):
    """The first request with this Idempotency-Key has not been answered yet."""

    status_code = 409
    code = "request-in-flight"


class RetryLater(GatewayError):
    """Refusals that a client retries after ``retry_after`` seconds (a Retry-After header)."""

    def __init__(
        self, message: str, *, retry_after: int, violations: list[Violation] | None = None
    ) -> None:
        super().__init__(message, violations)
        self.retry_after = max(1, retry_after)


class TooManyRequests(RetryLater):
    status_code = 429
    code = "rate-limited"


class ServiceUnavailable(RetryLater):
    status_code = 503
    code = "service-unavailable"


class BadGateway(GatewayError):
    status_code = 502
    code = "bad-gateway"
