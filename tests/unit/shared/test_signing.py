"""Signed events: only the owner of a topic can write an event its consumers apply."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from cbec.shared import keys
from cbec.shared.envelope import Envelope
from cbec.shared.registry import services
from cbec.shared.settings import ServiceSettings
from cbec.shared.signing import (
    EventSigner,
    EventVerifier,
    UnverifiedEvent,
    development_signer,
    key_id,
    public_keys,
    signer_from_settings,
    verifier_from_settings,
)
from cbec.shared.topics import TOPIC_OWNERS, owners_of

DECLARATION = "cbec.declaration.v1"
LOGISTICS = "cbec.logistics.v1"
Headers = list[tuple[str, bytes]]


def _released() -> Envelope:
    return Envelope(
        id="evt-1",
        source="/cbec/declaration",
        type="cbec.declaration.list.released.v1",
        subject="O1",
        data={"orderNo": "O1", "invtNo": "I1"},
        time=datetime(2026, 12, 3, 8, 0, tzinfo=UTC),
    )


def _signed(
    envelope: Envelope | None = None, *, service: str = "declaration", topic: str = DECLARATION
) -> tuple[Headers, bytes]:
    envelope = envelope or _released()
    body = envelope.body()
    headers = development_signer(service).sign(topic, b"O1", envelope.to_kafka_headers(), body)
    return headers, body


@pytest.fixture
def verifier() -> EventVerifier:
    return verifier_from_settings(ServiceSettings(service_name="gateway"), dict(TOPIC_OWNERS))


def _replaced(headers: Headers, name: str, value: bytes) -> Headers:
    return [(n, value if n == name else v) for n, v in headers]


def test_a_genuine_event_verifies_as_its_topics_owner(verifier: EventVerifier) -> None:
    headers, body = _signed()

    assert verifier.verify(DECLARATION, b"O1", headers, body) == "declaration"
    names = [n for n, _ in headers]
    assert names[-2:] == ["ce_signaturekeyid", "ce_signature"]
    signer = development_signer("declaration")
    assert dict(headers)["ce_signaturekeyid"] == signer.key_id.encode()
    assert len(base64.urlsafe_b64decode(dict(headers)["ce_signature"] + b"==")) == 64


def test_the_signed_string_is_the_documented_one() -> None:
    """What a consumer outside the platform rebuilds to check an event with the public key."""
    envelope = _released()
    headers, body = _signed(envelope)
    attributes = dict(headers)
    signer = development_signer("declaration")
    expected = "\n".join(
        [
            "cbec-event-v1",
            signer.key_id,
            "1.0",
            "evt-1",
            "/cbec/declaration",
            "cbec.declaration.list.released.v1",
            "O1",
            "2026-12-03T08:00:00.000000Z",
            DECLARATION,
            "O1",
            "application/json",
            hashlib.sha256(body).hexdigest(),
        ]
    ).encode()
    signature = base64.urlsafe_b64decode(attributes["ce_signature"] + b"==")

    signer.public.verify(signature, expected)  # raises InvalidSignature otherwise


def test_signing_again_gives_the_same_headers_so_a_replayed_outbox_row_verifies() -> None:
    first, body = _signed()
    again = development_signer("declaration").sign(DECLARATION, b"O1", first, body)

    assert again == first


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda h, b: (h, b.replace(b'"I1"', b'"I2"')), id="body"),
        pytest.param(
            lambda h, b: (_replaced(h, "ce_type", b"cbec.declaration.list.rejected.v1"), b),
            id="type",
        ),
        pytest.param(lambda h, b: (_replaced(h, "ce_subject", b"O2"), b), id="subject"),
        pytest.param(
            lambda h, b: (_replaced(h, "ce_time", b"2026-12-04T08:00:00.000000Z"), b), id="time"
        ),
        pytest.param(lambda h, b: (_replaced(h, "ce_id", b"evt-2"), b), id="id"),
        pytest.param(
            lambda h, b: (_replaced(h, "content-type", b"application/json; x=1"), b),
            id="content-type",
        ),
        pytest.param(lambda h, b: ([x for x in h if x[0] != "ce_subject"], b), id="no-subject"),
    ],
)
def test_a_changed_attribute_or_body_does_not_verify(
    verifier: EventVerifier, tamper: Callable[[Headers, bytes], tuple[Headers, bytes]]
) -> None:
    headers, body = tamper(*_signed())

    with pytest.raises(UnverifiedEvent, match="does not match the message"):
        verifier.verify(DECLARATION, b"O1", headers, body)


def test_another_key_does_not_verify(verifier: EventVerifier) -> None:
    headers, body = _signed()

    with pytest.raises(UnverifiedEvent, match="does not match"):
        verifier.verify(DECLARATION, b"O2", headers, body)


def test_an_event_replayed_onto_another_topic_does_not_verify() -> None:
    """Logistics' consumer of its own topic, say, is handed a declaration event copied there."""
    both = verifier_from_settings(
        ServiceSettings(service_name="gateway"),
        {DECLARATION: "declaration", LOGISTICS: "declaration"},
    )
    headers, body = _signed()

    with pytest.raises(UnverifiedEvent, match=r"signed for another topic than cbec\.logistics\.v1"):
        both.verify(LOGISTICS, b"O1", headers, body)


def test_another_services_key_is_refused_naming_both(verifier: EventVerifier) -> None:
    headers, body = _signed(service="logistics")

    with pytest.raises(UnverifiedEvent) as refused:
        verifier.verify(DECLARATION, b"O1", headers, body)

    assert "signed with the key of logistics" in str(refused.value)
    assert "topic cbec.declaration.v1 belongs to declaration" in str(refused.value)


def test_an_unknown_key_is_refused(verifier: EventVerifier) -> None:
    stranger = EventSigner("declaration", keys.generate_private_key())
    envelope = _released()
    headers = stranger.sign(DECLARATION, b"O1", envelope.to_kafka_headers(), envelope.body())

    with pytest.raises(UnverifiedEvent, match=f"unknown key \\(key id {stranger.key_id}\\)"):
        verifier.verify(DECLARATION, b"O1", headers, envelope.body())


def test_a_message_without_signature_is_refused(verifier: EventVerifier) -> None:
    envelope = _released()

    with pytest.raises(UnverifiedEvent, match="not signed: no ce_signature header"):
        verifier.verify(DECLARATION, b"O1", envelope.to_kafka_headers(), envelope.body())
    with pytest.raises(UnverifiedEvent, match="not signed"):
        verifier.verify(DECLARATION, None, None, b"random bytes")
    headers, body = _signed()
    without_key_id = [h for h in headers if h[0] != "ce_signaturekeyid"]
    with pytest.raises(UnverifiedEvent, match="no ce_signaturekeyid header"):
        verifier.verify(DECLARATION, b"O1", without_key_id, body)
    garbled = _replaced(headers, "ce_signature", b"not base64 of 64 bytes")
    with pytest.raises(UnverifiedEvent, match="not url-safe base64 of 64 bytes"):
        verifier.verify(DECLARATION, b"O1", garbled, body)


def test_a_second_header_of_a_signed_attribute_is_refused(verifier: EventVerifier) -> None:
    """The envelope reads the last of two headers; the signature covers one: never apply."""
    headers, body = _signed()
    headers.append(("ce_type", b"cbec.declaration.list.released.v1"))

    with pytest.raises(UnverifiedEvent, match="header ce_type appears more than once"):
        verifier.verify(DECLARATION, b"O1", headers, body)


def test_an_attribute_the_signature_does_not_cover_is_refused(verifier: EventVerifier) -> None:
    headers, body = _signed()
    headers.append(("ce_partitionkey", b"O9"))

    with pytest.raises(UnverifiedEvent, match="ce_partitionkey is not covered"):
        verifier.verify(DECLARATION, b"O1", headers, body)


def test_a_source_that_is_not_the_owners_is_refused(verifier: EventVerifier) -> None:
    forged = dataclasses.replace(_released(), source="/cbec/logistics")
    headers, body = _signed(forged)

    with pytest.raises(UnverifiedEvent, match="ce_source '/cbec/logistics' is not declaration's"):
        verifier.verify(DECLARATION, b"O1", headers, body)


def test_a_topic_without_an_owner_is_refused(verifier: EventVerifier) -> None:
    headers, body = _signed(topic="cbec.declaration.v2")

    with pytest.raises(UnverifiedEvent, match=r"topic cbec\.declaration\.v2 has no known owner"):
        verifier.verify("cbec.declaration.v2", b"O1", headers, body)
    with pytest.raises(ValueError, match="no owner known of topic"):
        owners_of(["cbec.declaration.v2"])
    with pytest.raises(ValueError, match="belongs to declaration, not logistics"):
        owners_of([DECLARATION], {DECLARATION: "logistics"})


def test_a_line_break_in_an_attribute_cannot_be_signed() -> None:
    envelope = _released()
    headers = _replaced(envelope.to_kafka_headers(), "ce_subject", b"O1\nO2")

    with pytest.raises(UnverifiedEvent, match="ce_subject contains a line break"):
        development_signer("declaration").sign(DECLARATION, b"O1", headers, envelope.body())


def test_the_topic_owners_are_the_service_descriptors() -> None:
    described = {t: d.name for d in services() for t in d.topics}

    assert described == dict(TOPIC_OWNERS)


def test_keys_come_from_the_settings_and_development_keys_only_outside_production() -> None:
    private = keys.generate_private_key()
    public = keys.public_text(private.public_key())

    def production(**values: str) -> ServiceSettings:
        values.setdefault("event_signing_key", keys.private_text(private))
        return ServiceSettings(service_name="logistics", cbec_env="production", **values)

    given = production(event_public_keys=f"declaration={public}, declaration={public}")

    assert signer_from_settings(given).key_id == key_id(private.public_key())
    found = public_keys(given, ["declaration", "logistics"])
    assert [key_id(k) for k in found["declaration"]] == [key_id(private.public_key())] * 2
    assert [key_id(k) for k in found["logistics"]] == [key_id(private.public_key())]

    with pytest.raises(ValueError, match="EVENT_SIGNING_KEY must be set in production"):
        signer_from_settings(ServiceSettings(service_name="logistics", cbec_env="production"))
    development = keys.private_text(keys.development_private_key("events:logistics"))
    with pytest.raises(ValueError, match="EVENT_SIGNING_KEY is a public development key"):
        signer_from_settings(production(event_signing_key=development))
    with pytest.raises(ValueError, match="EVENT_PUBLIC_KEYS has no key of payments"):
        public_keys(given, ["payments"])
    dev_public = keys.development_public_text("events:declaration")
    with pytest.raises(ValueError, match="the key of declaration is a public development key"):
        public_keys(
            production(event_public_keys=f"declaration={dev_public}"),
            ["declaration"],
        )
    with pytest.raises(ValueError, match="entry 'declaration' is not <service>=<public key>"):
        public_keys(production(event_public_keys="declaration"), ["declaration"])
    with pytest.raises(ValueError, match="EVENT_PUBLIC_KEYS entry of payments: an Ed25519"):
        public_keys(production(event_public_keys="payments=abc"), ["payments"])

    outside = public_keys(ServiceSettings(service_name="gateway"), ["payments"])
    assert keys.is_development_key(outside["payments"][0], ("events:payments",))


def test_keys_are_loaded_once_not_per_event(
    verifier: EventVerifier, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Verification is Ed25519 and a hash, nothing more: no key is parsed or derived per event
    (README: about 50 µs to sign and 140 µs to verify an event, most of it Ed25519)."""
    signer = development_signer("declaration")
    envelope = _released()

    def refuse(*_args: object) -> None:
        raise AssertionError("a key loaded per event")

    for name in ("load_public_key", "load_private_key", "development_private_key"):
        monkeypatch.setattr(keys, name, refuse)
    headers = signer.sign(DECLARATION, b"O1", envelope.to_kafka_headers(), envelope.body())

    assert verifier.verify(DECLARATION, b"O1", headers, envelope.body()) == "declaration"
