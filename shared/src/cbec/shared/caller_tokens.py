"""Caller tokens: the short-lived JWTs (Ed25519) that vouch for who calls a service, their
keys from the settings, and the signer and verifier (see :mod:`cbec.shared.callers`).

    signer = signer_from_settings(settings)                  # the gateway (or a calling service)
    headers = signer.authorization("declaration", subject="3301963K69", roles={"ecommerce"})

    verifier = TokenVerifier("declaration", {"gateway": gateway_public_key})
    caller = verifier.verify(request.headers.get("Authorization"))    # or TokenRefused (401)
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from cbec.shared import keys
from cbec.shared.errors import CbecError, Violation

GATEWAY = "gateway"
"""The issuer name of the gateway's tokens."""
AUTHORIZATION = "Authorization"
ALGORITHM = "EdDSA"
OPEN_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
"""The only paths of a service answered without a caller token (probes and scraping)."""
PLATFORM = ("gateway", "declaration", "logistics", "payments", "tax-refund")
"""The processes of the platform, whose development keys production refuses."""
_REQUIRED_CLAIMS = ("iss", "aud", "sub", "iat", "exp", "jti")
_PROBLEM_JSON = "application/problem+json"


def token_key_name(issuer: str) -> str:
    """The development key name of the caller tokens ``issuer`` signs (``tokens:declaration``);
    the gateway's is :data:`cbec.shared.keys.GATEWAY_TOKEN_KEY`."""
    return keys.GATEWAY_TOKEN_KEY if issuer == GATEWAY else f"tokens:{issuer}"


@dataclass(frozen=True, slots=True)
class Caller:
    """Who calls, as a verified token says.

    ``party`` is the enterprise code the gateway vouches for; ``None`` for a call between
    services (``issuer`` is then the calling service)."""

    party: str | None
    roles: frozenset[str]
    issuer: str = GATEWAY


class TokenRefused(CbecError):
    """No valid caller token: 401, naming the header and the rule that failed."""

    status_code = 401
    code = "unauthorized"

    def __init__(self, rule: str, *, error: str = "invalid_token") -> None:
        super().__init__(
            f"{AUTHORIZATION}: {rule}",
            [Violation(field=AUTHORIZATION, rule=rule)],
        )
        self.error = error
        """The RFC 6750 error code of the WWW-Authenticate header."""


# -- keys from settings ------------------------------------------------------------------------


class _TokenSettings(Protocol):
    service_name: str
    service_token_private_key: str | None
    service_token_public_key: str | None
    service_token_ttl_seconds: int
    service_token_leeway_seconds: int

    @property
    def is_production(self) -> bool: ...


def signing_key(
    text: str | None, *, issuer: str, variable: str, production: bool
) -> Ed25519PrivateKey:
    """The private key an issuer signs its tokens with: ``text`` (PEM or base64url), else the
    development key of ``issuer``; ValueError naming ``variable`` for a bad key, and in
    production for a missing or development key."""
    if not text or not text.strip():
        if production:
            raise ValueError(
                f"{variable} is not set: with CBEC_ENV=production the {issuer} signs its caller "
                "tokens with a key of its own (make one with: cbec keys generate)"
            )
        return keys.development_private_key(token_key_name(issuer))
    try:
        key = keys.load_private_key(text)
    except ValueError as error:
        raise ValueError(f"{variable}: {error}") from None
    if production and keys.is_development_key(key, _development_names(issuer)):
        raise ValueError(
            f"{variable} is a public development key: with CBEC_ENV=production set a key of "
            "your own (make one with: cbec keys generate)"
        )
    return key


def verifying_key(
    text: str | None, *, issuer: str, variable: str, production: bool
) -> Ed25519PublicKey:
    """The public key of ``issuer``'s tokens: ``text``, else its development key; ValueError
    naming ``variable`` for a bad key, and in production for a missing or development key."""
    if not text or not text.strip():
        if production:
            raise ValueError(
                f"{variable} is not set: with CBEC_ENV=production give the public key of the "
                f"{issuer}'s caller tokens (cbec keys generate prints it beside the private key)"
            )
        return keys.development_private_key(token_key_name(issuer)).public_key()
    try:
        key = keys.load_public_key(text)
    except ValueError as error:
        raise ValueError(f"{variable}: {error}") from None
    if production and keys.is_development_key(key, _development_names(issuer)):
        raise ValueError(
            f"{variable} is a public development key: with CBEC_ENV=production give the public "
            f"key of the {issuer}'s own private key"
        )
    return key


def _development_names(issuer: str) -> tuple[str, ...]:
    """Every public development key name of the platform's processes (and of ``issuer``)."""
    names = {issuer, *PLATFORM}
    return tuple(
        sorted({token_key_name(n) for n in names} | {keys.event_key_name(n) for n in names})
    )


def signer_from_settings(settings: _TokenSettings) -> TokenSigner:
    """The signer of this process (issuer: its service name), from SERVICE_TOKEN_PRIVATE_KEY."""
    key = signing_key(
        settings.service_token_private_key,
        issuer=settings.service_name,
        variable="SERVICE_TOKEN_PRIVATE_KEY",
        production=settings.is_production,
    )
    return TokenSigner(settings.service_name, key, ttl_seconds=settings.service_token_ttl_seconds)


def gateway_key_from_settings(settings: _TokenSettings) -> Ed25519PublicKey:
    """The gateway's public key a service verifies with, from SERVICE_TOKEN_PUBLIC_KEY."""
    return verifying_key(
        settings.service_token_public_key,
        issuer=GATEWAY,
        variable="SERVICE_TOKEN_PUBLIC_KEY",
        production=settings.is_production,
    )


# -- signing and verifying ---------------------------------------------------------------------


class TokenSigner:
    """Mints caller tokens as ``issuer``, each valid for ``ttl_seconds``."""

    def __init__(
        self,
        issuer: str,
        key: Ed25519PrivateKey,
        *,
        ttl_seconds: int = 60,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if ttl_seconds < 1:
            raise ValueError("a caller token lives at least one second")
        self.issuer = issuer
        self._key = key
        self.ttl_seconds = ttl_seconds
        self._clock = clock

    def mint(self, audience: str, *, subject: str, roles: Iterable[str] = ()) -> str:
        """A token for ``audience`` (the service called) naming ``subject`` and its roles."""
        if not subject:
            raise ValueError("a caller token names its subject")
        issued = int(self._clock())
        claims = {
            "iss": self.issuer,
            "aud": audience,
            "sub": subject,
            "roles": sorted(set(roles)),
            "iat": issued,
            "exp": issued + self.ttl_seconds,
            "jti": uuid.uuid4().hex,
        }
        return jwt.encode(claims, self._key, algorithm=ALGORITHM, headers={"typ": "JWT"})

    def authorization(
        self, audience: str, *, subject: str, roles: Iterable[str] = ()
    ) -> dict[str, str]:
        """``{"Authorization": "Bearer <token>"}`` for a request to ``audience``."""
        token = self.mint(audience, subject=subject, roles=roles)
        return {AUTHORIZATION: f"Bearer {token}"}


class TokenVerifier:
    """Verifies the caller tokens of the service ``audience`` against the trusted issuers."""

    def __init__(
        self,
        audience: str,
        trusted: Mapping[str, Ed25519PublicKey],
        *,
        leeway_seconds: int = 5,
    ) -> None:
        self.audience = audience
        self.trusted = dict(trusted)
        self.leeway_seconds = leeway_seconds

    def verify(self, authorization: str | None) -> Caller:
        """The caller the token names, or TokenRefused saying which rule failed."""
        if not authorization:
            raise TokenRefused(
                "missing: every request carries a caller token (Bearer) from the gateway",
                error="invalid_request",
            )
        scheme, _, token = authorization.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token or " " in token:
            raise TokenRefused("must be 'Bearer <token>'", error="invalid_request")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.DecodeError:
            raise TokenRefused("malformed: not a JWS compact token") from None
        if header.get("alg") != ALGORITHM:
            raise TokenRefused(f"algorithm {header.get('alg')!r} is not accepted (only EdDSA)")
        issuer = self._issuer(token)
        key = self.trusted.get(issuer)
        if key is None:
            raise TokenRefused(f"issuer {issuer!r} is not trusted by the {self.audience} service")
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[ALGORITHM],
                audience=self.audience,
                issuer=issuer,
                leeway=self.leeway_seconds,
                options={"require": list(_REQUIRED_CLAIMS)},
            )
        except jwt.ExpiredSignatureError:
            raise TokenRefused("expired (exp is past)") from None
        except jwt.ImmatureSignatureError:
            raise TokenRefused("not valid yet (iat is in the future)") from None
        except jwt.InvalidAudienceError:
            raise TokenRefused(f"wrong audience: the token is not for {self.audience}") from None
        except jwt.InvalidSignatureError:
            raise TokenRefused(f"bad signature: not signed by the {issuer}'s key") from None
        except jwt.MissingRequiredClaimError as error:
            raise TokenRefused(f"the claim {error.claim!r} is missing") from None
        except jwt.InvalidTokenError as error:
            raise TokenRefused(f"invalid: {error}") from None
        return _caller(claims, issuer)

    @staticmethod
    def _issuer(token: str) -> str:
        # Read before the signature is checked, only to pick the key it must verify with.
        try:
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.DecodeError:
            raise TokenRefused("malformed: the claims are not JSON") from None
        issuer = unverified.get("iss")
        if not isinstance(issuer, str) or not issuer:
            raise TokenRefused("the claim 'iss' is missing")
        return issuer


def _caller(claims: Mapping[str, Any], issuer: str) -> Caller:
    subject = claims["sub"]
    roles = claims.get("roles", [])
    if not isinstance(subject, str) or not subject.strip():
        raise TokenRefused("the claim 'sub' must be a non-empty string")
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        raise TokenRefused("the claim 'roles' must be a list of strings")
    if issuer == GATEWAY:
        return Caller(party=subject, roles=frozenset(roles), issuer=issuer)
    return Caller(party=None, roles=frozenset(roles), issuer=issuer)
