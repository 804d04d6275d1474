"""Schemathesis over the gateway's whole OpenAPI schema, every request validly signed, against
the real platform: the four services and the gateway as processes (``uvicorn --factory``), each
with its own SQLite file, on the embedded broker. No answer may be a 5xx (a 503 of a service
that is down counts) and every answer must be what the schema says: a documented status code,
a documented content type, a body and headers that fit the documented schema.

What runs: every operation of the schema (51 when this was written: 46 that take input, 5 that
take none; the operations follow the routes, and a test below fails when one got fewer than
``EXAMPLES`` requests), each with at least 100 examples, positive and negative data mixed
(hypothesis draws from both). An operation that takes input gets 100 generated requests (plus
the schema's own examples); one without any (``GET /v1/enterprises/me``,
``POST /v1/gateway/housekeeping``, ``GET``/``DELETE /v1/webhooks``, ``POST /v1/webhooks/deliver``)
is sent 100 times, each request signed anew: about 5,200 requests in all. Time: 5 minutes
measured on a 2-core machine busy with other work (load average 8); the run's CPU time, about
90 s in the test process (mostly drawing the standard's documents from the CEB JSON Schemas of
the submission paths), 50 s in the gateway and 20 s in the services, plus the start of five
processes, puts it near 3 minutes on a quiet one.

How:

- Signing: ``Signer`` is a ``requests`` auth registered as the schema's auth provider
  (``SCHEMA.auth.set_from_requests``): schemathesis hands it each request when it is prepared,
  just before it is sent, so it signs the method, the path and query as they go on the wire and
  the SHA-256 of the body bytes as serialised, with a fresh nonce and timestamp (the gateway
  refuses a nonce used twice). The enterprise holds every role, so that no operation is refused
  for its role alone.
- Parties: the ``map_body`` hook puts the enterprise's code into the party fields of a generated
  document (``ebcCode``, ``logisticsCode``, ...), so that documents pass the gateway's party check
  and reach the services, where the standard's rules decide; without it nearly every document
  stops at 403.
- Feeds: ``/v1/feeds/customs`` and ``/tax`` are Server-Sent Event streams that follow for
  FEED_STREAM_SECONDS; here that is 0.01 s, so a following feed ends after the events already
  there, and nothing is excluded.
- Rate limits (of requests and of failed authentications: the explicit cases below fail some
  on purpose) are raised far above the run's rate; webhooks are never delivered in the
  background, and a fuzzed webhook URL gets 0.5 s when deliveries are asked for.

Explicit cases beside the generated ones (the generator draws neither): bodies nested 10,000
deep, NUL and control characters, invalid UTF-8 and wrong content types on every kind of
operation, unusual signature and other headers (Unicode digits, numbers of 5,000 digits,
non-ASCII), and paths that are not canonical; to the gateway and straight to each service. Each
is answered a documented 4xx as problem+json naming a field, never a 5xx.

Checks: not_a_server_error, status_code_conformance, content_type_conformance,
response_headers_conformance, response_schema_conformance; none is excluded.
"""

from __future__ import annotations

import asyncio
import collections
import copy
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from cbec.gateway.app import create_app
from cbec.gateway.cli import add_enterprise
from cbec.gateway.routing import PARTY_FIELDS, ROLES, head_field, route_for
from cbec.gateway.schemas import IssuedCredentials
from cbec.gateway.settings import Settings
from cbec.gateway.signing import signed_headers
from cbec.shared.bus import ensure_topics
from cbec.shared.embedded import free_port
from cbec.shared.registry import all_topics, services
from cbec.shared.service import PROBLEM_JSON
from tests.support.procs import ServiceProcess

pytestmark = pytest.mark.integration

EXAMPLES = 100
CODE = "3301963K69"


class Signer(requests.auth.AuthBase):
    """Signs a prepared request as the gateway checks it (cbec.gateway.signing)."""

    def __init__(self) -> None:
        self.credentials: IssuedCredentials | None = None

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        assert self.credentials is not None, "the platform fixture registers the enterprise"
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode("utf-8")
        assert isinstance(body, bytes), "a streamed body cannot be signed"
        request.headers.update(
            signed_headers(
                self.credentials.keyId,
                self.credentials.secret,
                request.method or "GET",
                request.path_url,
                body,
            )
        )
        return request


SIGNER = Signer()
SCHEMA = schemathesis.openapi.from_dict(create_app().openapi())
SCHEMA.config.generation.update(
    max_examples=EXAMPLES, modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
)
SCHEMA.config.phases.update(phases=["examples", "fuzzing"])
SCHEMA.auth.set_from_requests(SIGNER)


@SCHEMA.hook
def map_body(context: Any, body: Any) -> Any:
    """The caller's code in the party fields of a generated document of a submission path."""
    operation = context.operation
    route = route_for(operation.path) if operation is not None else None
    if route is None or route.message is None or not route.is_collection(operation.path):
        return body
    head = head_field(route.message)
    fields = {name for role in route.roles for name in PARTY_FIELDS.get(role, ())}
    body = copy.deepcopy(body)
    for document in body if isinstance(body, list) else [body]:
        target = document.get(head) if head and isinstance(document, dict) else document
        if isinstance(target, dict):
            for name in fields & set(target):
                target[name] = CODE
    return body


def _takes_input(ctx: Any) -> bool:
    raw = ctx.operation.definition.raw
    return bool(raw.get("parameters") or raw.get("requestBody"))


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
FUZZ = settings(
    max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None
)
SENT: collections.Counter[str] = collections.Counter()
"""Requests sent per operation by this run."""


@dataclass
class Platform:
    gateway: ServiceProcess
    services: list[ServiceProcess]
    session: requests.Session


@pytest.fixture(scope="module")
def platform(kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    folder = tmp_path_factory.mktemp("fuzz")
    asyncio.run(ensure_topics(kafka_bootstrap, all_topics(), partitions=2))
    common = {
        "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "CONSUMER_GROUP_PREFIX": f"fuzz{uuid.uuid4().hex[:8]}",
        "CONSUMER_OFFSET_RESET": "latest",
        "LOG_LEVEL": "WARNING",
        "LOG_JSON": "false",
        "CUSTOMS_OUTBOX_DIR": str(folder / "customs" / "outbox"),
        "CUSTOMS_INBOX_DIR": str(folder / "customs" / "inbox"),
    }
    procs: list[ServiceProcess] = []
    urls: dict[str, str] = {}
    for descriptor in services():
        if descriptor.name == "gateway":
            continue
        proc = ServiceProcess(
            descriptor.app,
            free_port(),
            {**common, "DATABASE_URL": f"sqlite+aiosqlite:///{folder / descriptor.name}.db"},
            folder / f"{descriptor.name}.log",
        )
        procs.append(proc)
        urls[f"{descriptor.name.upper().replace('-', '_')}_URL"] = proc.url
    gateway_env = {
        **common,
        **urls,
        "DATABASE_URL": f"sqlite+aiosqlite:///{folder / 'gateway'}.db",
        "RATE_LIMIT_PER_SECOND": "100000",
        "RATE_LIMIT_BURST": "100000",
        "AUTH_FAILURE_LIMIT_PER_SECOND": "100000",
        "AUTH_FAILURE_LIMIT_BURST": "100000",
        "FEED_STREAM_SECONDS": "0.01",
        "FEED_POLL_INTERVAL_SECONDS": "0.01",
        "WEBHOOK_INTERVAL_SECONDS": "3600",
        "WEBHOOK_TIMEOUT_SECONDS": "0.5",
    }
    settings = Settings(
        **{k.lower(): v for k, v in gateway_env.items() if k.lower() in Settings.model_fields}
    )
    SIGNER.credentials = asyncio.run(
        add_enterprise(settings, code=CODE, name="Fuzzing enterprise", roles=sorted(ROLES))
    )
    gateway = ServiceProcess(
        "cbec.gateway.app:create_app", free_port(), gateway_env, folder / "gateway.log"
    )
    everything = [*procs, gateway]
    try:
        for proc in everything:
            proc.start()
        for proc in everything:
            proc.wait_ready()
        with requests.Session() as session:
            yield Platform(gateway, procs, session)
    finally:
        for proc in reversed(everything):
            proc.stop()


def _send_and_check(case: schemathesis.Case, platform: Platform) -> None:
    SENT[case.operation.label] += 1
    case.call_and_validate(
        base_url=platform.gateway.url, session=platform.session, checks=CHECKS, timeout=30
    )


@SCHEMA.include(_takes_input).parametrize()
@FUZZ
def test_the_gateway_answers_as_documented(case: schemathesis.Case, platform: Platform) -> None:
    _send_and_check(case, platform)


@SCHEMA.exclude(_takes_input).parametrize()
@SCHEMA.given(again=st.integers(0, 10 * EXAMPLES))
@FUZZ
def test_an_operation_without_input_answers_as_documented_every_time(
    case: schemathesis.Case, again: int, platform: Platform
) -> None:
    """Nothing to generate: the same request ``EXAMPLES`` times, each signed anew."""
    _send_and_check(case, platform)


def test_the_schema_fuzzed_is_the_one_the_gateway_serves(platform: Platform) -> None:
    served = platform.session.get(platform.gateway.url + "/openapi.json", timeout=30)

    assert served.status_code == 200
    assert served.json() == json.loads(json.dumps(create_app().openapi()))


def test_every_operation_got_at_least_the_examples() -> None:
    operations = {r.ok().label for r in SCHEMA.get_all_operations()}
    if set(SENT) != operations:
        pytest.skip("only some operations were fuzzed in this session (-k or a failure)")
    short = {label: n for label, n in SENT.items() if n < EXAMPLES}
    assert not short, f"fewer than {EXAMPLES} requests: {short}"


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/v1/feeds/customs?follow=false", {"Last-Event-ID": "\u00b2"}),
        ("/v1/feeds/tax?follow=false&lastEventId=%C2%B2", {}),
        ("/v1/feeds/customs?follow=false&lastEventId=" + "9" * 30, {}),
        ("/v1/orders?cursor=b3JkZXJzOjk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OQ", {}),
        ("/v1/orders?since=9999-12-31T23:59:59-23:00", {}),
        ("/v1/officer/cases/", {}),
    ],
)
def test_inputs_that_answered_500_or_a_redirect_are_refused(
    platform: Platform, path: str, headers: dict[str, str]
) -> None:
    sent = {name: value.encode("latin-1") for name, value in headers.items()}
    answer = platform.session.get(
        platform.gateway.url + path, headers=sent, auth=SIGNER, timeout=30
    )

    assert answer.status_code in (404, 422), answer.text
    assert answer.headers["content-type"] == PROBLEM_JSON


DEEP = b"[" * 10_000 + b"]" * 10_000
DEEP_OBJECT = b'{"a":' * 10_000 + b"1" + b"}" * 10_000
NUL_ORDER = json.dumps({"OrderHead": {"orderNo": "EO\u0000", "ebcCode": CODE}}).encode()
BODY_CASES: list[tuple[str, str, bytes, str | None]] = [
    (method, path, body, content_type)
    for method, path in (
        ("POST", "/v1/export/orders"),
        ("POST", "/v1/import/payments"),
        ("POST", "/v1/export/invoices"),
        ("PUT", "/v1/webhooks"),
        ("POST", "/v1/enterprises/applications"),
        ("POST", "/v1/officer/cases/C1/notes"),
        ("POST", "/v1/warehouses/3301963K69/W1/bookings"),
        ("POST", "/v1/messages"),
    )
    for body, content_type in (
        (DEEP, "application/json"),
        (DEEP_OBJECT, None),
        (DEEP, "text/plain"),
        (NUL_ORDER, "application/json"),
        (b'{"a": "\xff\xfe\x00"}', "application/json"),
        (b"\x00\x01\x02", "application/json"),
        (b"<a>\x00</a>", "application/xml"),
        (b'{"OrderHead": {}}', "application/x-www-form-urlencoded"),
    )
]


def _problem_not_5xx(answer: requests.Response) -> None:
    assert answer.status_code < 500, (answer.status_code, answer.text[:500])
    if answer.status_code >= 400:
        assert answer.headers["content-type"] == PROBLEM_JSON, answer.text[:200]
        assert answer.json()["detail"], answer.text[:200]


@pytest.mark.parametrize(("method", "path", "body", "content_type"), BODY_CASES)
def test_hostile_bodies_are_refused_with_a_4xx_by_the_gateway_and_the_services(
    platform: Platform, method: str, path: str, body: bytes, content_type: str | None
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    answer = platform.session.request(
        method, platform.gateway.url + path, data=body, headers=headers, auth=SIGNER, timeout=30
    )
    _problem_not_5xx(answer)
    assert answer.status_code in (400, 403, 404, 405, 413, 415, 422), answer.text[:300]
    if body in (DEEP, DEEP_OBJECT) and answer.status_code == 422:
        assert "64 levels" in answer.text
    for service in platform.services:
        direct = platform.session.request(
            method,
            service.url + path,
            data=body,
            headers={**headers, "X-Cbec-Party": CODE, "X-Cbec-Roles": ",".join(sorted(ROLES))},
            timeout=30,
        )
        _problem_not_5xx(direct)


UNUSUAL_HEADERS: list[dict[str, str]] = [
    {"X-Cbec-Timestamp": "\u0661\u0667\u0661\u0664\u0660\u0660\u0660\u0660\u0660\u0660"},
    {"X-Cbec-Timestamp": "\u00b9\u00b2\u00b3"},
    {"X-Cbec-Timestamp": "9" * 5000},
    {"X-Cbec-Timestamp": "-1"},
    {"X-Cbec-Nonce": "\u00e9" * 10},
    {"X-Cbec-Nonce": "n" * 5000},
    {"X-Cbec-Key": "ck_\u00e9"},
    {"X-Cbec-Key": "k" * 5000},
    {"X-Cbec-Signature": "\u00ff" * 64},
    {"X-Cbec-Signature": ""},
    {"Idempotency-Key": "\u00e9\u00ff" * 10},
    {"Idempotency-Key": "k" * 5000},
    {"Last-Event-ID": "\u00b2"},
    {"Last-Event-ID": "9" * 5000},
    {"Content-Type": "application/json; charset=\u00ff"},
]


@pytest.mark.parametrize("extra", UNUSUAL_HEADERS)
@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/v1/enterprises/me"), ("POST", "/v1/export/orders"), ("GET", "/v1/feeds/tax")],
)
def test_unusual_headers_are_refused_with_a_4xx_naming_them(
    platform: Platform, method: str, path: str, extra: dict[str, str]
) -> None:
    body = json.dumps({"OrderHead": {"ebcCode": CODE}}).encode() if method == "POST" else b""
    prepared = requests.Request(
        method,
        platform.gateway.url + path + ("?follow=false" if "feeds" in path else ""),
        data=body,
        headers={"Content-Type": "application/json"} if body else {},
    ).prepare()
    prepared = SIGNER(prepared)
    for name, value in extra.items():
        prepared.headers[name] = value.encode("latin-1", "replace")  # type: ignore[assignment]
    answer = platform.session.send(prepared, timeout=30)
    _problem_not_5xx(answer)
    harmless = {"Idempotency-Key", "Last-Event-ID"} | ({"Content-Type"} if not body else set())
    assert answer.status_code >= 400 or set(extra) <= harmless


NOT_CANONICAL = [
    "/v1/export/orders/../../v1/enterprises/me",
    "/v1/export/orders/%2e%2e/%2e%2e/v1/enterprises/me",
    "/v1/export/orders%2f..%2f..%2fv1%2fenterprises%2fme",
    "/v1/export/orders/%5c..%5cx",
    "/v1/export/orders/%252e%252e/x",
    "/v1//enterprises/me",
    "/v1/enterprises/me%00",
    "/v1/officer/cases/%0d%0aX-Injected:%201",
]


@pytest.mark.parametrize("path", NOT_CANONICAL)
def test_paths_that_are_not_canonical_are_400_at_the_gateway_and_the_services(
    platform: Platform, path: str
) -> None:
    for url in (platform.gateway.url, *(s.url for s in platform.services)):
        prepared = requests.Request("GET", url + "/").prepare()
        prepared.url = url + path  # as written: requests would not normalise it, but be sure
        answer = platform.session.send(SIGNER(prepared), timeout=30)
        assert answer.status_code == 400, (url, path, answer.text)
        assert answer.json()["violations"][0]["field"] == "path"
