"""Rules every request meets before any route reads it: one canonical path, bounded JSON.

    violation = path_violation(b"/v1/export/orders/../../lists/C1", b"")
    # Violation(field="path", rule="no dot segments ('.' or '..')", value="..")
    violation = json_depth_violation(b"[" * 10_000)
    # Violation(field="<body>", rule="JSON nested at most 64 levels deep")

**The canonical path.** A request's path is authorised, routed and forwarded as one string,
the bytes the client sent. Anything an HTTP stack could read or rewrite as another path is
refused, so that no two layers can disagree on what was asked for:

- dot segments (``.``, ``..``), and dots, slashes, backslashes or percent signs written
  percent-encoded (``%2e``, ``%2f``, ``%5c``, ``%25`` in any case, so double encoding such as
  ``%252e`` too);
- raw backslashes, empty segments (``//``), control characters raw or encoded (``%00`` ...);
- characters RFC 3986 does not allow in a path or query (space, ``"``, ``<``, ``>``, ``{``,
  ``|``, non-ASCII bytes ...), a ``%`` not followed by two hex digits, and unreserved characters
  written percent-encoded (``%41`` for ``A``): a path has one spelling only.

The query keeps its percent-encoded values (``?q=%2F`` is a value, not a path), but takes only
characters RFC 3986 allows there, no control characters, and well-formed escapes, so that an
HTTP client sends it unchanged.

**Bounded JSON.** A body that starts as JSON (``[`` or ``{``) may nest at most
``MAX_JSON_DEPTH`` levels: Python's parser recurses once per level, and 10,000 levels end in a
RecursionError. The depth is measured without parsing, in linear time.

:class:`CanonicalPath` (400) and :class:`BoundedJson` (422) are ASGI middleware; every service
app has both (``cbec.shared.service.create_service_app``), the gateway at its very edge.
"""

from __future__ import annotations

import itertools
import json
import re
import string

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cbec.shared.errors import Violation

PROBLEM_JSON = "application/problem+json"
MAX_JSON_DEPTH = 64
"""Deepest nesting of arrays and objects a JSON body may have."""

_UNRESERVED = frozenset((string.ascii_letters + string.digits + "-._~").encode())
_SUB_DELIMS = frozenset(b"!$&'()*+,;=")
_PCHAR = _UNRESERVED | _SUB_DELIMS | frozenset(b":@")
_QUERY_CHARS = _PCHAR | frozenset(b"/?")
_HEX = frozenset(b"0123456789abcdefABCDEF")
_ENCODED_NEVER = {
    ord("."): "no percent-encoded dots ('%2e')",
    ord("/"): "no percent-encoded slashes ('%2f')",
    ord("\\"): "no percent-encoded backslashes ('%5c')",
    ord("%"): "no percent-encoded percent signs ('%25', double encoding)",
}


def _is_control(byte: int) -> bool:
    return byte < 0x20 or byte == 0x7F


def _char(byte: int) -> str:
    return f"U+{byte:04X}" if _is_control(byte) or byte > 0x7E else chr(byte)


def path_violation(raw_path: bytes, query: bytes = b"") -> Violation | None:
    """The first rule the path (or the query) breaks, or None when the request's target is
    canonical. ``raw_path`` is the path as sent, before any percent-decoding."""
    if not raw_path.startswith(b"/"):
        return Violation(field="path", rule="must start with '/'", value=_shown(raw_path))
    found = _escapes_violation(raw_path, _PCHAR | {ord("/")}, "path", in_path=True)
    if found is not None:
        return found
    segments = raw_path[1:].split(b"/")
    for index, segment in enumerate(segments):
        if segment in (b".", b".."):
            return Violation(
                field="path", rule="no dot segments ('.' or '..')", value=segment.decode()
            )
        if segment == b"" and 0 < len(segments) - 1 != index:
            return Violation(field="path", rule="no empty segments ('//')")
    return _escapes_violation(query, _QUERY_CHARS, "query", in_path=False)


def _escapes_violation(
    text: bytes, allowed: frozenset[int], where: str, *, in_path: bool
) -> Violation | None:
    index = 0
    while index < len(text):
        byte = text[index]
        if byte == ord("%"):
            escape = text[index + 1 : index + 3]
            if len(escape) != 2 or not set(escape) <= _HEX:
                return Violation(
                    field=where, rule="'%' must start an escape of two hex digits ('%2F')"
                )
            decoded = int(escape, 16)
            if _is_control(decoded):
                return Violation(
                    field=where, rule="no control characters", value=f"U+{decoded:04X}"
                )
            if in_path and decoded in _ENCODED_NEVER:
                return Violation(
                    field=where, rule=_ENCODED_NEVER[decoded], value="%" + escape.decode()
                )
            if in_path and decoded in _UNRESERVED:
                return Violation(
                    field=where,
                    rule="letters, digits and '-', '.', '_', '~' are written as they are, "
                    "not percent-encoded",
                    value="%" + escape.decode(),
                )
            index += 3
            continue
        if byte not in allowed:
            if _is_control(byte):
                rule = "no control characters"
            elif byte == ord("\\"):
                rule = "no backslashes"
            else:
                rule = "only characters RFC 3986 allows here; others percent-encoded"
            return Violation(field=where, rule=rule, value=_char(byte))
        index += 1
    return None


def _shown(raw: bytes) -> str:
    return raw[:80].decode("ascii", "backslashreplace")


_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_RUNS = re.compile(rb"\[+|\]+")
_PAIR_PASSES = 4
_RUNS_FOLLOWED = 50_000
_STEPS = bytes.maketrans(b"[]", b"\x01\xff")
_ONE_KIND = bytes.maketrans(b"{}", b"[]")
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def json_depth(body: bytes, limit: int = MAX_JSON_DEPTH) -> int | None:
    """How deep the arrays and objects of a JSON text nest, counted up to ``limit + 1`` (a
    deeper text gives ``limit + 1``); None when its brackets do not pair up (then it is no
    JSON, as the parser will say). Brackets inside strings do not count.

    Linear, and in C for the most part (a 5 MiB body of brackets takes well under a second):
    strings go, every bracket becomes ``[`` or ``]`` and everything else goes; a few passes
    remove the innermost pairs (each pass one level of every branch) while looking for a run
    of openers too deep already; the depth of what is left is followed run by run when the
    runs are few, else bracket by bracket."""
    brackets = _STRING.sub(b"", body).translate(_ONE_KIND, _NOT_BRACKETS)
    paired = brackets.count(b"[") == brackets.count(b"]")
    passes = 0
    while brackets and passes < _PAIR_PASSES:
        if b"[" * (limit + 1 - passes) in brackets:
            return limit + 1
        if brackets.count(b"][") <= _RUNS_FOLLOWED:
            break
        shorter = brackets.replace(b"[]", b"")
        if len(shorter) == len(brackets):
            break
        brackets = shorter
        passes += 1
    deepest = passes
    if brackets.count(b"][") > _RUNS_FOLLOWED:
        steps = memoryview(brackets.translate(_STEPS)).cast("b")
        deepest += max(itertools.accumulate(steps))
    else:
        depth = passes
        for run in _RUNS.finditer(brackets):
            length = run.end() - run.start()
            if brackets[run.start()] == ord("["):
                depth += length
                deepest = max(deepest, depth)
                if deepest > limit:
                    break
            else:
                depth -= length
                if depth < passes:
                    break  # a bracket closes what was never opened: the parser stops here
    if deepest > limit:
        return limit + 1
    return deepest if paired else None


def json_depth_violation(body: bytes, limit: int = MAX_JSON_DEPTH) -> Violation | None:
    """A violation when a body that starts as JSON nests deeper than ``limit`` levels (or
    its brackets do not pair up), else None."""
    if body.lstrip()[:1] not in (b"[", b"{"):
        return None
    if body.count(b"[") + body.count(b"{") <= limit:
        return None  # too few brackets to nest deeper; the parser judges the rest
    depth = json_depth(body, limit)
    if depth is None:
        return Violation(field="<body>", rule="must be JSON: its brackets do not pair up")
    if depth > limit:
        return Violation(field="<body>", rule=f"JSON nested at most {limit} levels deep")
    return None


async def _refuse(send: Send, status: int, title: str, violation: Violation) -> None:
    body = json.dumps(
        {
            "type": f"https://cbec.example/problems/{title}",
            "title": title,
            "status": status,
            "detail": str(violation),
            "violations": [violation.as_dict()],
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", PROBLEM_JSON.encode()),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class CanonicalPath:
    """Refuses (400, problem+json naming ``path`` or ``query`` and the rule) a request whose
    target is not canonical, before anything else looks at it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw_path = scope.get("raw_path") or scope["path"].encode("utf-8")
        violation = path_violation(raw_path, scope.get("query_string") or b"")
        if violation is not None:
            await _refuse(send, 400, "non-canonical-path", violation)
            return
        await self.app(scope, receive, send)


class BoundedJson:
    """Refuses (422 naming ``<body>`` and the rule) a body that starts as JSON and nests deeper
    than ``max_depth`` levels, before any route parses it; the body read is handed on."""

    def __init__(self, app: ASGIApp, max_depth: int = MAX_JSON_DEPTH) -> None:
        self.app = app
        self.max_depth = max_depth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, replay(b"".join(chunks), message, receive), send)
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        violation = json_depth_violation(body, self.max_depth)
        if violation is not None:
            await _refuse(send, 422, "invalid-input", violation)
            return
        await self.app(scope, replay(body, None, receive), send)


def replay(body: bytes, pending: Message | None, receive: Receive) -> Receive:
    """The ``receive`` of an app behind a middleware that read the body: ``pending`` (a message
    it read but did not take) or the whole ``body`` once, then the client's own messages."""
    delivered = False

    async def _receive() -> Message:
        nonlocal delivered
        if not delivered:
            delivered = True
            if pending is not None:
                return pending
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return _receive
