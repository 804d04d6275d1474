"""Webhook signatures, retry waits and URLs; cursors and the Server-Sent Events format."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

import pytest

from cbec.gateway.api.cursors import decode_cursor, encode_cursor
from cbec.gateway.api.feeds import sse_message
from cbec.gateway.settings import Settings
from cbec.gateway.webhooks import backoff, check_url, signature, string_to_sign
from cbec.shared.errors import InvalidInput


def test_the_webhook_signature_is_hmac_sha256_of_timestamp_receipt_id_and_body_digest() -> None:
    body = b'{"receiptId":"r1"}'
    digest = hashlib.sha256(body).hexdigest()

    assert string_to_sign("1714000000", "r1", body) == f"1714000000\nr1\n{digest}"
    expected = hmac.new(b"s3cret", f"1714000000\nr1\n{digest}".encode(), hashlib.sha256)
    assert signature("s3cret", "1714000000", "r1", body) == expected.hexdigest()
    assert signature("s3cret", "1714000000", "r1", body + b" ") != expected.hexdigest()


@pytest.mark.parametrize(
    ("attempts", "seconds"), [(1, 5), (2, 10), (3, 20), (4, 40), (10, 600), (30, 600)]
)
def test_a_failed_delivery_waits_twice_as_long_each_time_up_to_the_cap(
    attempts: int, seconds: float
) -> None:
    assert backoff(attempts, base=5, cap=600) == timedelta(seconds=seconds)


def test_a_webhook_url_is_http_or_https_and_never_a_service_of_the_platform() -> None:
    settings = Settings(
        declaration_url="http://declaration:8001", webhook_allowed_networks="127.0.0.1/32"
    )

    assert check_url(" https://erp.example.com/hook ", settings) == "https://erp.example.com/hook"
    assert check_url("http://127.0.0.1:9000/hook", settings) == "http://127.0.0.1:9000/hook"
    with pytest.raises(InvalidInput):
        check_url("http://127.0.0.1:9000/hook", Settings())
    for bad in ("ftp://erp.example.com/x", "erp.example.com/hook", "http://declaration:8001/v1"):
        with pytest.raises(InvalidInput):
            check_url(bad, settings)


def test_production_webhooks_must_be_https() -> None:
    settings = Settings(
        cbec_env="production", gateway_secret_key="J0d1b3Bfkv0x4Cq0uQqvmRjv9mWnDLTqPZBuVd9b2Uc="
    )
    with pytest.raises(InvalidInput):
        check_url("http://erp.example.com/hook", settings)
    assert check_url("https://erp.example.com/hook", settings)


def test_a_cursor_is_opaque_and_belongs_to_its_listing() -> None:
    cursor = encode_cursor("receipts", 42)

    assert "42" not in cursor
    assert decode_cursor("receipts", cursor) == 42
    assert decode_cursor("receipts", None) == 0
    for wrong in (encode_cursor("orders", 42), "not a cursor!", "cmVjZWlwdHM6eA"):
        with pytest.raises(InvalidInput):
            decode_cursor("receipts", wrong)


def test_a_feed_message_has_the_sequence_the_type_and_one_line_of_json() -> None:
    message = sse_message(7, "cbec.tax.import.assessed.v1", {"data": {"note": "a\nb"}})

    assert message == (
        'id: 7\nevent: cbec.tax.import.assessed.v1\ndata: {"data":{"note":"a\\nb"}}\n\n'
    )
