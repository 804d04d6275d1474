"""The request signature: the worked example of gateway/README.md, and what it covers."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from cbec.gateway import signing
from cbec.gateway.client import SignatureAuth
from cbec.gateway.domain.signatures import SignedRequest, check_headers
from cbec.gateway.errors import MalformedHeader, Unauthorized

SECRET = "4f6Vd3-example-secret-9kQ"
BODY = b'[{"OrderHead":{"orderNo":"EO20240425001"}}]'
PATH = "/v1/export/orders?dryRun=1"
TIMESTAMP = "1714000000"
NONCE = "5f2b9c0e4a7d4e1f9b3c2a1d0e8f7a6b"
README_SIGNATURE = "c0163134f700b56960bd80ded1b618824999f2940babe1dc2aee73104f6dcdba"


def test_the_worked_example_of_the_readme_gives_its_signature() -> None:
    assert signing.body_digest(BODY) == (
        "8007daf9bf7b5add5b9fd9a7fb438d62a788a40c9f967f67ab7dc56d9b88d9c6"
    )
    assert signing.string_to_sign("post", PATH, TIMESTAMP, NONCE, BODY) == (
        "POST\n/v1/export/orders?dryRun=1\n1714000000\n5f2b9c0e4a7d4e1f9b3c2a1d0e8f7a6b\n"
        "8007daf9bf7b5add5b9fd9a7fb438d62a788a40c9f967f67ab7dc56d9b88d9c6"
    )
    assert signing.sign(SECRET, "POST", PATH, TIMESTAMP, NONCE, BODY) == README_SIGNATURE


def test_an_empty_body_is_signed_with_the_digest_of_nothing() -> None:
    assert signing.body_digest(b"") == (
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )


@pytest.mark.parametrize(
    ("method", "path", "timestamp", "nonce", "body", "secret"),
    [
        ("PUT", PATH, TIMESTAMP, NONCE, BODY, SECRET),
        ("POST", "/v1/export/orders", TIMESTAMP, NONCE, BODY, SECRET),
        ("POST", "/v1/export/orders?dryRun=0", TIMESTAMP, NONCE, BODY, SECRET),
        ("POST", PATH, "1714000001", NONCE, BODY, SECRET),
        ("POST", PATH, TIMESTAMP, NONCE[:-1] + "c", BODY, SECRET),
        ("POST", PATH, TIMESTAMP, NONCE, BODY.replace(b"001", b"002"), SECRET),
        ("POST", PATH, TIMESTAMP, NONCE, BODY, SECRET + "x"),
    ],
    ids=["method", "path", "query", "timestamp", "nonce", "body", "secret"],
)
def test_every_part_of_the_request_changes_the_signature(
    method: str, path: str, timestamp: str, nonce: str, body: bytes, secret: str
) -> None:
    assert signing.sign(secret, method, path, timestamp, nonce, body) != README_SIGNATURE


def test_signatures_compare_case_insensitively_and_refuse_others() -> None:
    assert signing.signature_matches(README_SIGNATURE, README_SIGNATURE.upper())
    assert not signing.signature_matches(README_SIGNATURE, README_SIGNATURE[:-1] + "0")
    assert not signing.signature_matches(README_SIGNATURE, "")
    assert not signing.signature_matches(README_SIGNATURE, "é" * 64)


def test_the_client_signs_the_path_with_query_and_body_it_sends() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200)

    with httpx.Client(
        base_url="http://gateway.test",
        transport=httpx.MockTransport(handler),
        auth=SignatureAuth("ck_1", SECRET),
    ) as client:
        client.post("/v1/export/orders", params={"dryRun": "1"}, content=BODY)
        client.post("/v1/export/orders", params={"dryRun": "1"}, content=BODY)
    first, second = seen
    headers = first.headers
    assert headers[signing.KEY_HEADER] == "ck_1"
    expected = signing.sign(
        SECRET,
        "POST",
        "/v1/export/orders?dryRun=1",
        headers[signing.TIMESTAMP_HEADER],
        headers[signing.NONCE_HEADER],
        BODY,
    )
    assert headers[signing.SIGNATURE_HEADER] == expected
    assert second.headers[signing.NONCE_HEADER] != headers[signing.NONCE_HEADER]


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("X-Cbec-Timestamp", "\u0661\u0667\u0661\u0664\u0660\u0660\u0660\u0660\u0660\u0660"),
        ("X-Cbec-Timestamp", "\u00b9\u00b2\u00b3"),
        ("X-Cbec-Timestamp", "9" * 13),
        ("X-Cbec-Timestamp", "9" * 5000),
        ("X-Cbec-Timestamp", " 1714000000"),
        ("X-Cbec-Key", "ck_é"),
        ("X-Cbec-Key", "k" * 41),
        ("X-Cbec-Nonce", "n" * 65),
        ("X-Cbec-Nonce", "a nonce"),
        ("X-Cbec-Signature", "zz" * 32),
        ("X-Cbec-Signature", "ab"),
    ],
)
def test_a_signature_header_outside_its_format_is_400_naming_it(header: str, value: str) -> None:
    headers = {
        "X-Cbec-Key": "ck_0123",
        "X-Cbec-Timestamp": TIMESTAMP,
        "X-Cbec-Nonce": NONCE,
        "X-Cbec-Signature": README_SIGNATURE,
        header: value,
    }
    request = SignedRequest(
        method="POST",
        path_with_query=PATH,
        key_id=headers["X-Cbec-Key"],
        timestamp=headers["X-Cbec-Timestamp"],
        nonce=headers["X-Cbec-Nonce"],
        signature=headers["X-Cbec-Signature"],
        body=BODY,
    )
    with pytest.raises(MalformedHeader) as refused:
        check_headers(request, now=datetime.fromtimestamp(1714000000, UTC), tolerance_seconds=300)

    assert [v.field for v in refused.value.violations] == [header]
    assert refused.value.status_code == 400


def test_a_timestamp_far_from_now_is_401_and_a_good_one_passes() -> None:
    request = SignedRequest("POST", PATH, "ck_0123", TIMESTAMP, NONCE, README_SIGNATURE, BODY)
    check_headers(request, now=datetime.fromtimestamp(1714000300, UTC), tolerance_seconds=300)
    with pytest.raises(Unauthorized, match="301 s away"):
        check_headers(request, now=datetime.fromtimestamp(1714000301, UTC), tolerance_seconds=300)
