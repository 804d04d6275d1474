"""Idempotency-Keys: the first answer to a write, kept and answered again for the same key.

stored = await claim_idempotency_key(session, party=code, key=key, request_hash=digest,
                                     now=now, ttl=timedelta(hours=24))
...   # None: this request claimed the key; answer it, then
await record_answer(session, party=code, key=key, answer=StoredAnswer(200, ctype, body))
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from cbec.gateway.errors import IdempotencyKeyReused, RequestInFlight
from cbec.gateway.models import IdempotencyRow, RequestNonceRow

IN_FLIGHT = "in-flight"


DONE = "done"


@dataclass(frozen=True, slots=True)
class StoredAnswer:
    status_code: int
    content_type: str | None
    body: bytes


IN_FLIGHT_LEASE = timedelta(seconds=60)
"""How long a claimed key is held for the request that claimed it (see the setting
``idempotency_in_flight_seconds``)."""


async def claim_idempotency_key(
    session: AsyncSession,
    *,
    party: str,
    key: str,
    request_hash: str,
    now: datetime,
    ttl: timedelta,
    in_flight: timedelta = IN_FLIGHT_LEASE,
) -> StoredAnswer | None:
    """The first answer given to this key, or None after claiming the key for this request.

    The same key with another request is refused (422), and so is a request whose first
    sending is still being answered (409). A claim older than ``in_flight`` was abandoned: the
    gateway that took it stopped before it could answer or release it (a crash, a kill), and
    the client's next sending takes the key over, as after a 503 (the services are idempotent on
    business keys, so a request that did reach its service is answered the same again)."""
    record = await session.get(IdempotencyRow, (party, key))
    if record is not None and record.expires_at <= now:
        await session.delete(record)
        await session.flush()
        record = None
    if record is not None:
        if record.request_hash != request_hash:
            raise IdempotencyKeyReused(
                "this Idempotency-Key was used with another request; use a new key"
            )
        if record.state == DONE and record.status_code is not None:
            return StoredAnswer(record.status_code, record.content_type, record.body or b"")
        if not await _take_over_abandoned_claim(session, record, now=now, in_flight=in_flight):
            raise RequestInFlight("the first request with this Idempotency-Key is still running")
        return None
    session.add(
        IdempotencyRow(
            party=party,
            key=key,
            request_hash=request_hash,
            state=IN_FLIGHT,
            expires_at=now + ttl,
        )
    )
    try:
        await session.flush()
    except IntegrityError:
        raise RequestInFlight(
            "the first request with this Idempotency-Key is still running"
        ) from None
    return None


async def _take_over_abandoned_claim(
    session: AsyncSession, record: IdempotencyRow, *, now: datetime, in_flight: timedelta
) -> bool:
    """Claim again a key whose claim is older than ``in_flight``; False while it is younger
    (or when a concurrent sending took it over first)."""
    taken = await session.exec(
        update(IdempotencyRow)
        .where(
            col(IdempotencyRow.party) == record.party,
            col(IdempotencyRow.key) == record.key,
            col(IdempotencyRow.state) == IN_FLIGHT,
            col(IdempotencyRow.created_at) <= now - in_flight,
        )
        .values(created_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(taken.rowcount)


async def record_answer(
    session: AsyncSession, *, party: str, key: str, answer: StoredAnswer
) -> None:
    record = await session.get(IdempotencyRow, (party, key))
    if record is None:
        return
    record.state = DONE
    record.status_code = answer.status_code
    record.content_type = answer.content_type
    record.body = answer.body
    session.add(record)


async def release_idempotency_key(session: AsyncSession, *, party: str, key: str) -> None:
    """Forget a claimed key whose request had no effect, so that it can be sent again."""
    await session.exec(
        delete(IdempotencyRow).where(
            col(IdempotencyRow.party) == party, col(IdempotencyRow.key) == key
        )
    )


async def purge_expired(session: AsyncSession, *, now: datetime) -> dict[str, int]:
    """Delete nonces and idempotency records past their expiry."""
    nonces = await session.exec(
        delete(RequestNonceRow).where(col(RequestNonceRow.expires_at) < now)
    )
    answers = await session.exec(delete(IdempotencyRow).where(col(IdempotencyRow.expires_at) < now))
    return {"nonces": nonces.rowcount or 0, "idempotencyRecords": answers.rowcount or 0}
