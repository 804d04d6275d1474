"""Signed events: only a topic's owner can publish on it.

Every event is signed by the service that publishes it, with its own Ed25519 key, and carries
the signature in two CloudEvents extension attributes (Kafka headers in binary mode):

- ``ce_signaturekeyid``: which key signed, the first 16 hex digits of the SHA-256 of the raw
  32-byte public key (:func:`key_id`);
- ``ce_signature``: the Ed25519 signature, url-safe base64 without padding (64 bytes).

The signature covers this byte string, UTF-8, its lines joined by a single LF (no final LF)::

    cbec-event-v1
    <ce_signaturekeyid>
    <ce_specversion>
    <ce_id>
    <ce_source>
    <ce_type>
    <ce_subject>             (empty when absent)
    <ce_time>                (the header exactly as sent)
    <topic>
    <message key>            (UTF-8; empty when absent)
    <content-type>           (empty when absent)
    <SHA-256 of the body, lower-case hex>

So a consumer acts only on what the owner signed: the attributes, the topic (an event replayed
onto another topic does not verify) and the key it was partitioned by, and the body. A line
break in any of them, an attribute header that appears twice, or a ``ce_*`` attribute the
signature does not cover is refused. Other headers (``traceparent``) are not signed.

A consumer (:class:`EventVerifier`) knows which service owns each topic and that service's
public key(s); an event is applied only when its signature verifies with a key of the topic's
owner and its ``ce_source`` is the owner's (``/cbec/<service>``). Anything else raises
:class:`UnverifiedEvent`, and the consumer dead-letters the message at once.

    signer = EventSigner("declaration", load_private_key(text))
    headers = signer.sign(topic, key, headers, body)
    owner = verifier.verify(topic, key, headers, body)   # or UnverifiedEvent
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Iterable, Mapping, Sequence

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pydantic import SecretStr

from cbec.shared import keys
from cbec.shared.settings import ServiceSettings
from cbec.shared.topics import TOPIC_OWNERS

SCHEME = "cbec-event-v1"
SIGNATURE_HEADER = "ce_signature"
KEY_ID_HEADER = "ce_signaturekeyid"
CONTENT_TYPE_HEADER = "content-type"
SIGNED_ATTRIBUTES = (
    "ce_specversion",
    "ce_id",
    "ce_source",
    "ce_type",
    "ce_subject",
    "ce_time",
)
"""The CloudEvents attribute headers a signature covers, in the order of the signed string."""
_SIGNATURE_HEADERS = frozenset({SIGNATURE_HEADER, KEY_ID_HEADER})
_KNOWN = frozenset(SIGNED_ATTRIBUTES) | _SIGNATURE_HEADERS
_SIGNATURE_BYTES = 64


class UnverifiedEvent(ValueError):
    """A message no consumer may apply: its producer cannot be attributed to the topic's owner."""


def key_id(public: Ed25519PublicKey) -> str:
    """The key id of a public key: 16 hex digits of the SHA-256 of its 32 raw bytes."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def source_of(service: str) -> str:
    """The ``ce_source`` of the events a service publishes."""
    return f"/cbec/{service}"


def _attributes(headers: Iterable[tuple[str, bytes | None]] | None) -> dict[str, str]:
    """The signed and signature headers, decoded; UnverifiedEvent for a duplicate, an
    attribute the signature does not cover, or bytes that are not UTF-8."""
    found: dict[str, str] = {}
    for name, raw in headers or ():
        lowered = name.lower()
        if lowered == CONTENT_TYPE_HEADER:
            name = CONTENT_TYPE_HEADER
        elif not name.startswith("ce_"):
            continue
        elif name not in _KNOWN:
            raise UnverifiedEvent(f"attribute header {name} is not covered by the signature")
        if name in found:
            raise UnverifiedEvent(f"header {name} appears more than once")
        try:
            found[name] = raw.decode() if raw is not None else ""
        except UnicodeDecodeError:
            raise UnverifiedEvent(f"header {name} is not UTF-8") from None
    return found


def signed_bytes(
    topic: str, key: bytes | None, attributes: Mapping[str, str], value: bytes | None
) -> bytes:
    """The byte string a signature covers (see the module doc); UnverifiedEvent when a field
    holds a line break or the key is not UTF-8."""
    try:
        key_text = key.decode() if key is not None else ""
    except UnicodeDecodeError:
        raise UnverifiedEvent("the message key is not UTF-8") from None
    fields = [
        (KEY_ID_HEADER, attributes.get(KEY_ID_HEADER, "")),
        *((name, attributes.get(name, "")) for name in SIGNED_ATTRIBUTES),
        ("topic", topic),
        ("key", key_text),
        (CONTENT_TYPE_HEADER, attributes.get(CONTENT_TYPE_HEADER, "")),
    ]
    for name, text in fields:
        if "\n" in text or "\r" in text:
            raise UnverifiedEvent(f"{name} contains a line break")
    digest = hashlib.sha256(value or b"").hexdigest()
    return "\n".join([SCHEME, *(text for _, text in fields), digest]).encode()


class EventSigner:
    """Signs the events one service publishes, with its private key."""

    def __init__(self, service: str, private: Ed25519PrivateKey) -> None:
        self.service = service
        self._private = private
        self.public = private.public_key()
        self.key_id = key_id(self.public)
        self._key_id_bytes = self.key_id.encode()

    def sign(
        self,
        topic: str,
        key: bytes | None,
        headers: Sequence[tuple[str, bytes]],
        value: bytes | None,
    ) -> list[tuple[str, bytes]]:
        """``headers`` without any signature they had, plus this key's id and signature (a
        new list: the instrumentation adds ``traceparent`` to it)."""
        kept = [(n, v) for n, v in headers if n not in _SIGNATURE_HEADERS]
        kept.append((KEY_ID_HEADER, self._key_id_bytes))
        attributes = _attributes(kept)
        signature = self._private.sign(signed_bytes(topic, key, attributes, value))
        kept.append((SIGNATURE_HEADER, base64.urlsafe_b64encode(signature).rstrip(b"=")))
        return kept


class EventVerifier:
    """Checks that each message was published by the owner of its topic.

    ``owners`` maps each topic to the service that owns it; ``public_keys`` maps each service
    to its public key(s) (more than one while a key is being replaced).
    """

    def __init__(
        self,
        owners: Mapping[str, str],
        public_keys: Mapping[str, Sequence[Ed25519PublicKey]],
        *,
        other_keys: Mapping[str, Sequence[Ed25519PublicKey]] | None = None,
    ) -> None:
        """``other_keys``: keys of services that own none of these topics, only to say whose
        key a refused event was signed with."""
        self.owners = dict(owners)
        self._keys: dict[str, dict[str, Ed25519PublicKey]] = {
            service: {key_id(k): k for k in found} for service, found in public_keys.items()
        }
        self._holder = {
            key_id(k): service
            for keyring in (other_keys or {}, public_keys)
            for service, found in keyring.items()
            for k in found
        }
        missing = sorted({s for s in self.owners.values() if not self._keys.get(s)})
        if missing:
            raise ValueError(f"no public event key of {', '.join(missing)}")

    def verify(
        self,
        topic: str,
        key: bytes | None,
        headers: Iterable[tuple[str, bytes | None]] | None,
        value: bytes | None,
    ) -> str:
        """The owner of ``topic`` when the owner signed this message for it; else
        UnverifiedEvent saying why. ``ce_source``, when present, must be the owner's; the
        presence of the other required attributes is the envelope's check."""
        owner = self.owners.get(topic)
        if owner is None:
            raise UnverifiedEvent(f"topic {topic} has no known owner")
        attributes = _attributes(headers)
        signature_text = attributes.get(SIGNATURE_HEADER)
        kid = attributes.get(KEY_ID_HEADER)
        if not signature_text:
            raise UnverifiedEvent(f"not signed: no {SIGNATURE_HEADER} header")
        if not kid:
            raise UnverifiedEvent(f"no {KEY_ID_HEADER} header beside {SIGNATURE_HEADER}")
        public = self._keys[owner].get(kid)
        if public is None:
            holder = self._holder.get(kid)
            if holder is not None:
                raise UnverifiedEvent(
                    f"signed with the key of {holder} (key id {kid}); "
                    f"topic {topic} belongs to {owner}"
                )
            raise UnverifiedEvent(f"signed with an unknown key (key id {kid}), not {owner}'s")
        try:
            signature = base64.urlsafe_b64decode(signature_text + "=" * (-len(signature_text) % 4))
        except (binascii.Error, ValueError):
            signature = b""
        if len(signature) != _SIGNATURE_BYTES:
            raise UnverifiedEvent(f"{SIGNATURE_HEADER} is not url-safe base64 of 64 bytes")
        try:
            public.verify(signature, signed_bytes(topic, key, attributes, value))
        except InvalidSignature:
            raise UnverifiedEvent(
                f"the signature of {owner} does not match the message: its attributes, key "
                f"or body were changed, or it was signed for another topic than {topic}"
            ) from None
        source = attributes.get("ce_source")
        if source and source != source_of(owner):
            raise UnverifiedEvent(
                f"ce_source {source!r} is not {owner}'s ({source_of(owner)}), "
                f"which owns topic {topic}"
            )
        return owner


def _secret(value: SecretStr | None) -> str | None:
    return value.get_secret_value() if value is not None else None


def signing_key(settings: ServiceSettings) -> Ed25519PrivateKey:
    """The process's own event key: EVENT_SIGNING_KEY, else (never in production) the public
    development key of its service; ValueError naming the setting otherwise."""
    text = _secret(settings.event_signing_key)
    name = keys.event_key_name(settings.service_name)
    if not text:
        if settings.is_production:
            raise ValueError(
                "EVENT_SIGNING_KEY must be set in production: the service's Ed25519 key"
            )
        return keys.development_private_key(name)
    try:
        private = keys.load_private_key(text)
    except ValueError as exc:
        raise ValueError(f"EVENT_SIGNING_KEY: {exc}") from None
    if settings.is_production and keys.is_development_key(private, (name,)):
        raise ValueError("EVENT_SIGNING_KEY is a public development key; refused in production")
    return private


def signer_from_settings(settings: ServiceSettings) -> EventSigner:
    return EventSigner(settings.service_name, signing_key(settings))


def parse_public_keys(text: str) -> dict[str, list[Ed25519PublicKey]]:
    """``declaration=<key>,logistics=<key>`` (a service may be named twice while its key is
    replaced); ValueError naming the entry that is wrong."""
    found: dict[str, list[Ed25519PublicKey]] = {}
    for entry in text.split(","):
        entry = entry.strip()
        if not entry:
            continue
        service, sep, value = entry.partition("=")
        service = service.strip()
        if not sep or not service or not value.strip():
            raise ValueError(
                f"EVENT_PUBLIC_KEYS entry {entry[:40]!r} is not <service>=<public key>"
            )
        try:
            found.setdefault(service, []).append(keys.load_public_key(value))
        except ValueError as exc:
            raise ValueError(f"EVENT_PUBLIC_KEYS entry of {service}: {exc}") from None
    return found


def public_keys(
    settings: ServiceSettings, services: Iterable[str]
) -> dict[str, list[Ed25519PublicKey]]:
    """The public keys of ``services``: EVENT_PUBLIC_KEYS, the process's own key for its own
    service, else (never in production) the development keys. ValueError when a service has no
    key in production, or a development key is given in production."""
    configured = parse_public_keys(settings.event_public_keys)
    found: dict[str, list[Ed25519PublicKey]] = {}
    for service in dict.fromkeys(services):
        given = list(configured.get(service, ()))
        if service == settings.service_name:
            given.append(signing_key(settings).public_key())
        if settings.is_production:
            name = keys.event_key_name(service)
            if any(keys.is_development_key(k, (name,)) for k in given):
                raise ValueError(
                    f"EVENT_PUBLIC_KEYS: the key of {service} is a public development key; "
                    "refused in production"
                )
            if not given:
                raise ValueError(f"EVENT_PUBLIC_KEYS has no key of {service} (production)")
        elif not given:
            given.append(keys.development_private_key(keys.event_key_name(service)).public_key())
        found[service] = given
    return found


def verifier_from_settings(settings: ServiceSettings, owners: Mapping[str, str]) -> EventVerifier:
    """A verifier of ``owners``' topics with the keys the settings give (see public_keys). The
    other keys it knows (EVENT_PUBLIC_KEYS; outside production the development keys of the
    platform's services) only name the holder of a key that signed an event it refuses."""
    others: dict[str, list[Ed25519PublicKey]] = parse_public_keys(settings.event_public_keys)
    if not settings.is_production:
        for service in TOPIC_OWNERS.values():
            name = keys.event_key_name(service)
            others.setdefault(service, []).append(keys.development_private_key(name).public_key())
    return EventVerifier(owners, public_keys(settings, owners.values()), other_keys=others)


def development_signer(service: str) -> EventSigner:
    """The signer of ``service`` with its public development key (tests, the embedded mode)."""
    return EventSigner(service, keys.development_private_key(keys.event_key_name(service)))
