"""The canonical path rule and the JSON depth bound (cbec.shared.inputs), as a table of every
form, and as middleware in front of an app that records what reached it."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from cbec.shared.inputs import (
    MAX_JSON_DEPTH,
    BoundedJson,
    CanonicalPath,
    json_depth,
    json_depth_violation,
    path_violation,
)

REFUSED: list[tuple[bytes, bytes, str, str]] = [
    # raw path, query, field, words of the rule
    (b"/v1/export/orders/../../lists/C1", b"", "path", "dot segments"),
    (b"/v1/export/orders/..", b"", "path", "dot segments"),
    (b"/v1/export/./orders", b"", "path", "dot segments"),
    (b"/v1/export/orders/.", b"", "path", "dot segments"),
    (b"/..", b"", "path", "dot segments"),
    (b"/v1/export/orders/%2e%2e/%2e%2e/lists/C1", b"", "path", "encoded dots"),
    (b"/v1/export/orders/%2E%2E/lists", b"", "path", "encoded dots"),
    (b"/v1/export/orders/.%2e/lists", b"", "path", "encoded dots"),
    (b"/v1/export/orders/%2e", b"", "path", "encoded dots"),
    (b"/v1/export/orders%2f..%2flists", b"", "path", "encoded slashes"),
    (b"/v1/export/orders%2F..%2Flists", b"", "path", "encoded slashes"),
    (b"/v1/export/orders/%5c..%5clists", b"", "path", "encoded backslashes"),
    (b"/v1/export/orders/%5C..%5Clists", b"", "path", "encoded backslashes"),
    (b"/v1/export/orders/%252e%252e/lists", b"", "path", "double encoding"),
    (b"/v1/export/orders/%252F", b"", "path", "double encoding"),
    (b"/v1/export/orders/%25", b"", "path", "double encoding"),
    (b"/v1/export/orders\\..\\lists", b"", "path", "backslashes"),
    (b"/v1/export/orders/\\", b"", "path", "backslashes"),
    (b"/v1//export/orders", b"", "path", "empty segments"),
    (b"//v1/export/orders", b"", "path", "empty segments"),
    (b"/v1/export/orders//", b"", "path", "empty segments"),
    (b"/v1/export/orders/EO\x00", b"", "path", "control characters"),
    (b"/v1/export/orders/EO\x1f", b"", "path", "control characters"),
    (b"/v1/export/orders/EO\x7f", b"", "path", "control characters"),
    (b"/v1/export/orders/EO%00", b"", "path", "control characters"),
    (b"/v1/export/orders/EO%0a", b"", "path", "control characters"),
    (b"/v1/export/orders/EO%7F", b"", "path", "control characters"),
    (b"/v1/export/orders/EO%", b"", "path", "two hex digits"),
    (b"/v1/export/orders/EO%2", b"", "path", "two hex digits"),
    (b"/v1/export/orders/EO%zz", b"", "path", "two hex digits"),
    (b"/v1/export/%6frders", b"", "path", "not percent-encoded"),
    (b"/v1/export/orders/EO%41", b"", "path", "not percent-encoded"),
    (b"/v1/export/orders/E O", b"", "path", "RFC 3986"),
    (b'/v1/export/orders/"EO"', b"", "path", "RFC 3986"),
    (b"/v1/export/orders/\xc3\xa9", b"", "path", "RFC 3986"),
    (b"/v1/export/orders/<EO>", b"", "path", "RFC 3986"),
    (b"/v1/export/orders/{EO}", b"", "path", "RFC 3986"),
    (b"/v1/export/orders/EO|1", b"", "path", "RFC 3986"),
    (b"v1/export/orders", b"", "path", "start with '/'"),
    (b"", b"", "path", "start with '/'"),
    (b"/v1/export/orders", b"q=%00", "query", "control characters"),
    (b"/v1/export/orders", b"q=\x01", "query", "control characters"),
    (b"/v1/export/orders", b"q=%", "query", "two hex digits"),
    (b"/v1/export/orders", b'q="x"', "query", "RFC 3986"),
    (b"/v1/export/orders", b"q=a b", "query", "RFC 3986"),
    (b"/v1/export/orders", b"q=\\", "query", "backslashes"),
    (b"/v1/export/orders", b"q=\xff", "query", "RFC 3986"),
]

ACCEPTED: list[tuple[bytes, bytes]] = [
    (b"/", b""),
    (b"/v1/export/orders", b""),
    (b"/v1/officer/cases/", b""),
    (b"/v1/export/orders/EO2024.1", b""),
    (b"/v1/export/orders/...", b""),
    (b"/v1/export/orders/a..b", b""),
    (b"/v1/export/orders/.hidden", b""),
    (b"/v1/export/orders/EO%20X", b""),
    (b"/v1/export/orders/%E6%9D%AD", b""),
    (b"/v1/export/orders/EO-1_2~3", b""),
    (b"/v1/export/orders/a:b@c!$&'()*+,;=", b""),
    (b"/v1/export/orders", b"view=full&q=%2F..%2F&r=.."),
    (b"/v1/export/orders", b"a=/b?c=d"),
    (b"/v1/export/orders", b"q=%2e%2e%5c%25"),
]


@pytest.mark.parametrize(("raw", "query", "field", "rule"), REFUSED)
def test_a_path_that_is_not_canonical_is_refused_naming_the_rule(
    raw: bytes, query: bytes, field: str, rule: str
) -> None:
    violation = path_violation(raw, query)

    assert violation is not None
    assert violation.field == field
    assert rule in violation.rule


@pytest.mark.parametrize(("raw", "query"), ACCEPTED)
def test_a_canonical_path_passes_and_httpx_sends_it_unchanged(raw: bytes, query: bytes) -> None:
    assert path_violation(raw, query) is None
    target = raw + (b"?" + query if query else b"")
    url = httpx.URL("http://service.test:8001").copy_with(raw_path=target)
    assert url.raw_path == target


@pytest.mark.parametrize(("raw", "query", "field", "rule"), REFUSED)
def test_what_httpx_would_rewrite_is_among_the_refused(
    raw: bytes, query: bytes, field: str, rule: str
) -> None:
    """The other way round: every target httpx would send otherwise than given is refused
    (here, of the refused forms that httpx takes at all)."""
    target = raw + (b"?" + query if query else b"")
    try:
        url = httpx.URL("http://service.test").copy_with(raw_path=target)
    except (httpx.InvalidURL, UnicodeDecodeError):
        return
    if url.raw_path != target:
        assert path_violation(raw, query) is not None


def test_the_rule_of_a_control_character_shows_its_code_point() -> None:
    violation = path_violation(b"/v1/export/orders/EO\x00")

    assert violation is not None
    assert violation.value == "U+0000"
    assert "U+0000" in str(violation)


@pytest.mark.parametrize(
    ("body", "depth"),
    [
        (b"{}", 1),
        (b'[{"a": [1, 2, {"b": []}]}]', 5),
        (b'{"a": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}', 1),
        (b'{"a": "\\"[[["}', 1),
        (b"[" * 64 + b"]" * 64, 64),
        (b"[" * 65 + b"]" * 65, 65),
        (b"[" * 10_000 + b"]" * 10_000, MAX_JSON_DEPTH + 1),
        (b"[" * 10_000, MAX_JSON_DEPTH + 1),
        (b"[[]" * 100, MAX_JSON_DEPTH + 1),
        (b"[]]", None),
        (b"[[]", None),
        (b"[}", 1),  # the kinds of brackets are left to the parser
        (b"]", None),
    ],
)
def test_the_depth_of_json_is_measured_without_parsing(body: bytes, depth: int | None) -> None:
    assert json_depth(body) == depth


def test_json_deeper_than_the_bound_is_named_with_its_rule() -> None:
    too_deep = json_depth_violation(b"[" * 10_000 + b"]" * 10_000)
    unpaired = json_depth_violation(b"  " + b"[" * 30 + b"]" * 40 + b"[" * 40)

    assert too_deep is not None
    assert too_deep.field == "<body>"
    assert too_deep.rule == f"JSON nested at most {MAX_JSON_DEPTH} levels deep"
    assert unpaired is not None
    assert "pair" in unpaired.rule
    assert json_depth_violation(b"[" * 64 + b"]" * 64) is None
    assert json_depth_violation(b"<xml>" + b"[" * 10_000) is None
    assert json_depth_violation(json.dumps([{"a": [1]}] * 1000).encode()) is None


class Recorder:
    """An ASGI app that records the scope and body of each request it is handed."""

    def __init__(self) -> None:
        self.seen: list[tuple[bytes, bytes]] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        self.seen.append((scope["raw_path"], body))
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


async def _call(app: Any, raw_path: bytes, body: bytes = b"") -> tuple[int, dict[str, Any]]:
    scope = {
        "type": "http",
        "method": "POST",
        "path": raw_path.decode("latin-1"),
        "raw_path": raw_path,
        "query_string": b"",
        "headers": [],
    }
    chunks = [body[:10], body[10:]]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        chunk = chunks.pop(0) if chunks else b""
        return {"type": "http.request", "body": chunk, "more_body": bool(chunks)}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    status = sent[0]["status"]
    content = b"".join(m.get("body", b"") for m in sent[1:])
    return status, json.loads(content) if status != 200 else {}


async def test_the_middleware_refuses_before_the_app_and_hands_on_the_body() -> None:
    recorder = Recorder()
    app = CanonicalPath(BoundedJson(recorder))

    status, problem = await _call(app, b"/v1/export/orders/../../lists/C1", b"[]")
    assert status == 400
    assert problem["title"] == "non-canonical-path"
    assert problem["violations"] == [
        {"field": "path", "rule": "no dot segments ('.' or '..')", "value": ".."}
    ]

    status, problem = await _call(app, b"/v1/export/orders", b"[" * 10_000 + b"]" * 10_000)
    assert status == 422
    assert problem["violations"][0]["rule"] == "JSON nested at most 64 levels deep"
    assert recorder.seen == []

    body = json.dumps([{"OrderHead": {"orderNo": "EO1"}}]).encode()
    status, _ = await _call(app, b"/v1/export/orders", body)
    assert status == 200
    assert recorder.seen == [(b"/v1/export/orders", body)]
