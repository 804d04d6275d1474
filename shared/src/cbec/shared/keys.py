"""Ed25519 keys of the platform: the gateway's key for the caller tokens it gives the services,
and each service's key for the events it publishes.

    private = load_private_key(settings.service_token_private_key)   # PEM or base64url, 32 bytes
    public = load_public_key(text)                                    # PEM or base64url, 32 bytes
    text = private_text(generate_private_key())                       # a new key, for a Secret

A signer holds the private key; whoever verifies holds only the public one, so a service that
can check the gateway's tokens cannot make one, and a consumer that can check an event's
producer cannot publish as it.

Outside production a process that is given no key uses a *development key* derived from a
public name (``development_private_key("gateway-token")``), so that ``cbec up`` and the tests
work without set-up. Anybody can derive those keys: a process with ``CBEC_ENV=production``
refuses them (``is_development_key``).
"""

from __future__ import annotations

import base64
import hashlib
from functools import cache

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

_DEVELOPMENT_PREFIX = b"cbec-public-development-key:"

GATEWAY_TOKEN_KEY = "gateway-token"  # noqa: S105 (a name, not a secret)
"""The development key name of the gateway's caller tokens."""


def event_key_name(service: str) -> str:
    """The development key name of the events a service publishes (``events:declaration``)."""
    return f"events:{service}"


@cache
def development_private_key(name: str) -> Ed25519PrivateKey:
    """The public development key of ``name``: derived, never secret, refused in production."""
    seed = hashlib.sha256(_DEVELOPMENT_PREFIX + name.encode()).digest()
    return Ed25519PrivateKey.from_private_bytes(seed)


def development_public_text(name: str) -> str:
    return public_text(development_private_key(name).public_key())


def is_development_key(key: Ed25519PrivateKey | Ed25519PublicKey, names: tuple[str, ...]) -> bool:
    """True when ``key`` is the development key of one of ``names``."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    raw = _raw_public(public)
    return any(_raw_public(development_private_key(n).public_key()) == raw for n in names)


def generate_private_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def private_text(key: Ed25519PrivateKey) -> str:
    """The key as url-safe base64 of its 32 raw bytes (what the settings take)."""
    raw = key.private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )
    return base64.urlsafe_b64encode(raw).decode("ascii")


def public_text(key: Ed25519PublicKey) -> str:
    """The public key as url-safe base64 of its 32 raw bytes."""
    return base64.urlsafe_b64encode(_raw_public(key)).decode("ascii")


def load_private_key(text: str) -> Ed25519PrivateKey:
    """An Ed25519 private key from PEM (PKCS#8) or url-safe base64 of its 32 raw bytes;
    ValueError saying which form was expected."""
    text = text.strip()
    if text.startswith("-----BEGIN"):
        key = serialization.load_pem_private_key(text.encode("ascii"), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError("the PEM key is not an Ed25519 private key")
        return key
    return Ed25519PrivateKey.from_private_bytes(_raw32(text, "private"))


def load_public_key(text: str) -> Ed25519PublicKey:
    """An Ed25519 public key from PEM (SubjectPublicKeyInfo) or url-safe base64 of 32 bytes."""
    text = text.strip()
    if text.startswith("-----BEGIN"):
        key = serialization.load_pem_public_key(text.encode("ascii"))
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError("the PEM key is not an Ed25519 public key")
        return key
    return Ed25519PublicKey.from_public_bytes(_raw32(text, "public"))


def _raw32(text: str, kind: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError):
        raw = b""
    if len(raw) != 32:
        raise ValueError(
            f"an Ed25519 {kind} key is PEM or url-safe base64 of 32 bytes "
            "(make one with: cbec keys generate)"
        )
    return raw


def _raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
