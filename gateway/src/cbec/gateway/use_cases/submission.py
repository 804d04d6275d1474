"""Submitting documents: a JSON batch checked against the standard, and answered once per key.

    documents = parse_documents(route, body)          # 422 naming every field that breaks it
    response = await answer_once(runtime, gateway, caller.code, key, request_hash, answer)

Writes may carry an ``Idempotency-Key`` (DESIGN.md, idempotent API): the same key with the same
request answers the first answer again; the same key with another request is refused (422);
a request still being answered is 409.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

from fastapi import Response
from pydantic import ValidationError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from cbec.gateway.edge import Gateway
from cbec.gateway.routing import Route, document_field
from cbec.gateway.use_cases import idempotency
from cbec.gateway.use_cases.idempotency import StoredAnswer
from cbec.shared.ceb import MESSAGES
from cbec.shared.clock import utcnow
from cbec.shared.db import unavailable
from cbec.shared.errors import InvalidInput, Violation
from cbec.shared.inputs import json_depth_violation
from cbec.shared.service import Runtime
from cbec.shared.telemetry import BUSINESS_KEYS, tag_span

log = logging.getLogger(__name__)


MAX_DOCUMENTS = 100
"""A message carries up to 100 documents (DOMAIN.md §2); so does a JSON batch."""


KEY_SETTLING_ATTEMPTS = 10


async def answer_once(
    runtime: Runtime,
    gateway: Gateway,
    party: str,
    key: str,
    request_hash: str,
    answer: Callable[[], Awaitable[Response]],
) -> Response:
    """The first answer again for a repeated Idempotency-Key (DESIGN.md, idempotent API);
    else ``answer()``, kept for the key (or the key freed when ``answer`` raises)."""
    async with runtime.transaction() as session:
        stored = await idempotency.claim_idempotency_key(
            session,
            party=party,
            key=key,
            request_hash=request_hash,
            now=utcnow(),
            ttl=timedelta(hours=gateway.settings.idempotency_ttl_hours),
            in_flight=timedelta(seconds=gateway.settings.idempotency_in_flight_seconds),
        )
    if stored is not None:
        return Response(
            stored.body,
            status_code=stored.status_code,
            media_type=stored.content_type,
            headers={"Idempotent-Replayed": "true"},
        )
    try:
        response = await answer()
    except Exception:
        # Refused before it took effect: the same key may be sent again.
        await _settle_key(runtime, gateway, party, key, None)
        raise
    stored_answer = StoredAnswer(
        response.status_code, response.headers.get("content-type"), bytes(response.body)
    )
    await _settle_key(runtime, gateway, party, key, stored_answer)
    return response


async def _settle_key(
    runtime: Runtime, gateway: Gateway, party: str, key: str, answer: StoredAnswer | None
) -> None:
    """Keep the answer of a claimed key, or free the key of a request that took no effect.

    When the database stays busy beyond the pool's timeout, or cannot be reached (it restarts),
    the request is not failed for it: its effect upstream (or its refusal) stands, so the client
    gets that answer now, and the key is settled in the background once the database is back.
    Failing here would tell the client to resend, and the resend would meet the key still
    claimed (409) until the claim is taken over."""

    async def settle() -> None:
        async with runtime.transaction() as session:
            if answer is None:
                await idempotency.release_idempotency_key(session, party=party, key=key)
            else:
                await idempotency.record_answer(session, party=party, key=key, answer=answer)

    try:
        await settle()
    except Exception as exc:
        if not _database_busy_or_gone(exc):
            raise
        log.warning("database busy: Idempotency-Key %r of %s is settled later", key, party)
        gateway.in_background(_again(settle, f"Idempotency-Key {key!r} of {party}"))


def _database_busy_or_gone(error: BaseException) -> bool:
    return isinstance(error, PoolTimeout) or unavailable(error)


async def _again(work: Callable[[], Awaitable[None]], what: str) -> None:
    for attempt in range(KEY_SETTLING_ATTEMPTS):
        await asyncio.sleep(min(0.5 * 2**attempt, 30.0))
        try:
            await work()
            return
        except Exception as exc:
            if not _database_busy_or_gone(exc):
                raise
    log.error("%s was not settled: the database stayed busy; it expires with its TTL", what)


def parse_documents(route: Route, body: bytes) -> list[Any]:
    """The documents of a JSON body: one document or an array of up to 100, each checked with
    the standard's model of the route's message (422 naming every field that breaks it)."""
    too_deep = json_depth_violation(body)
    if too_deep is not None:
        raise InvalidInput([too_deep])
    try:
        value = json.loads(body, parse_float=Decimal)
    except (ValueError, UnicodeDecodeError, RecursionError) as error:
        raise InvalidInput([Violation(field="<body>", rule=f"must be JSON: {error}")]) from None
    batch = isinstance(value, list)
    documents = value if batch else [value]
    if not documents or len(documents) > MAX_DOCUMENTS:
        raise InvalidInput(
            [
                Violation(
                    field="<body>",
                    rule=f"one document or an array of 1 to {MAX_DOCUMENTS} documents",
                    value=len(documents),
                )
            ]
        )
    if route.message is None:
        return documents
    model = MESSAGES[route.message].xml_spec.children[document_field(route.message)]
    violations: list[Violation] = []
    for index, document in enumerate(documents):
        try:
            model.model_validate(document)
        except ValidationError as error:
            for item in error.errors():
                loc = ".".join(str(p) for p in item["loc"])
                where = f"[{index}].{loc}" if batch else loc
                violations.append(Violation(field=where or "<document>", rule=item["msg"]))
    if violations:
        raise InvalidInput(violations)
    return documents


def tag_documents(documents: list[Any]) -> None:
    if len(documents) != 1 or not isinstance(documents[0], dict):
        tag_span(documents=len(documents))
        return
    document = documents[0]
    head = next((v for k, v in document.items() if k.endswith("Head") and isinstance(v, dict)), {})
    keys = {k: v for k, v in {**document, **head}.items() if k in BUSINESS_KEYS}
    tag_span(**keys)


async def run_housekeeping(runtime: Runtime, gateway: Gateway) -> dict[str, int]:
    """Delete expired nonces and idempotency records, and forget idle rate buckets."""
    async with runtime.transaction() as session:
        counts = await idempotency.purge_expired(session, now=utcnow())
    counts["rateBuckets"] = gateway.limiter.forget_idle()
    return counts
