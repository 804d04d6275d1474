"""Receipts pushed to the ERP: the delivery worker (the webhook itself: ``use_cases/webhooks.py``).

    counts = await deliverer.run(runtime, now=utcnow())   # POST every due delivery once

Each receipt of an enterprise with a webhook is POSTed to it as JSON (one receipt per request),
signed with the enterprise's secret (see :func:`signature`). A 2xx answer acknowledges it; any
other answer, or none, is retried with exponential backoff (``WEBHOOK_RETRY_BASE_SECONDS``
doubling up to ``WEBHOOK_RETRY_MAX_SECONDS``) until acknowledged. Delivery is at least once: the
ERP deduplicates on ``receiptId`` (also in the ``X-Cbec-Delivery`` header). The database is not
held while the requests are in flight (DESIGN.md: on SQLite a process has one connection).

Before every attempt the URL is checked again and its host resolved; the request goes to an
address that passed (:mod:`cbec.gateway.outbound`), without following redirects. A delivery
records only the class of its outcome (:data:`OUTCOMES`), never what the receiver answered, and
an error of one delivery is recorded and retried like a refusal: it never stops the others.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from cbec.gateway import repository
from cbec.gateway.keyring import Keyring
from cbec.gateway.models import EventRow, ReceiptRow, WebhookDeliveryRow, WebhookRow
from cbec.gateway.outbound import (
    AddressPolicy,
    RefusedAddress,
    Resolver,
    checked_addresses,
    outbound_client,
    parse_target,
    post_pinned,
    system_resolver,
)
from cbec.gateway.settings import Settings
from cbec.gateway.signing import KEY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, body_digest
from cbec.gateway.use_cases.reads import receipt_document
from cbec.shared.clock import utcnow
from cbec.shared.errors import InvalidInput
from cbec.shared.service import Runtime

log = logging.getLogger(__name__)

DELIVERY_HEADER = "X-Cbec-Delivery"

OUTCOMES = (
    "2xx",
    "3xx",
    "4xx",
    "5xx",
    "timeout",
    "refused-address",
    "invalid-url",
    "connection-failed",
)
"""What a delivery records and ``GET /v1/webhooks`` shows as ``lastError``: the class of the
receiver's status (a redirect is not followed: ``3xx``), no answer in time, a host resolved to
an address no webhook may reach, a URL that breaks today's rules (stored before them), or no
connection (no address, refused, TLS). Never the receiver's body or the error's text."""


def string_to_sign(timestamp: str, delivery_id: str, body: bytes) -> str:
    """``timestamp + "\\n" + receiptId + "\\n" + hex(sha256(body))``: the request scheme of
    the gateway with the delivery's receipt id in place of the nonce and no method or path
    (a proxy in front of the ERP may rewrite the path)."""
    return "\n".join((timestamp, delivery_id, body_digest(body)))


def signature(secret: str, timestamp: str, delivery_id: str, body: bytes) -> str:
    """Lower-case hex HMAC-SHA256 of :func:`string_to_sign` with the enterprise's secret."""
    message = string_to_sign(timestamp, delivery_id, body).encode("utf-8")
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def backoff(attempts: int, *, base: float, cap: float) -> timedelta:
    """Wait before the next attempt after ``attempts`` failed ones: base, 2×base, 4×base..."""
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), cap))


def check_url(url: str, settings: Settings) -> str:
    """A webhook URL the gateway may call (see :mod:`cbec.gateway.outbound`): http(s), https
    in production; no user name; no whitespace or control characters; a public host, never
    one of the platform's. Surrounding spaces are dropped."""
    url = url.strip()
    parse_target(url, AddressPolicy.of(settings))
    return url


@dataclass(frozen=True, slots=True)
class _Due:
    receipt_seq: int
    party: str
    attempts: int
    url: str
    key_id: str
    secret: str
    receipt_id: str
    body: bytes


@dataclass(frozen=True, slots=True)
class _Outcome:
    receipt_seq: int
    status: int | None
    error: str | None
    """One of :data:`OUTCOMES` but ``2xx``; None when acknowledged."""


class Deliverer:
    """Posts due deliveries; one run at a time in a process (the worker and the endpoint).
    ``resolver`` answers a host's addresses (the system's; tests hand in their own)."""

    def __init__(
        self,
        settings: Settings,
        keyring: Keyring,
        *,
        resolver: Resolver = system_resolver,
    ) -> None:
        self.settings = settings
        self.keyring = keyring
        self.policy = AddressPolicy.of(settings)
        self.resolver = resolver
        self._lock = asyncio.Lock()

    async def run(self, runtime: Runtime, *, now: datetime) -> dict[str, int]:
        async with self._lock:
            async with runtime.transaction() as session:
                due = await self._due(session, now)
            if not due:
                return {"attempted": 0, "delivered": 0, "failed": 0}
            timeout = self.settings.webhook_timeout_seconds
            async with outbound_client(timeout=timeout) as client:
                outcomes = await asyncio.gather(*(self._post(client, d) for d in due))
            async with runtime.transaction() as session:
                await self._record(session, due, outcomes, now=utcnow())
        delivered = sum(1 for o in outcomes if o.error is None)
        return {"attempted": len(due), "delivered": delivered, "failed": len(due) - delivered}

    async def _due(self, session: AsyncSession, now: datetime) -> list[_Due]:
        rows = await session.exec(
            select(WebhookDeliveryRow, ReceiptRow, EventRow, WebhookRow)
            .join(ReceiptRow, col(ReceiptRow.seq) == col(WebhookDeliveryRow.receipt_seq))
            .join(EventRow, col(EventRow.seq) == col(ReceiptRow.event_seq))
            .join(WebhookRow, col(WebhookRow.party) == col(WebhookDeliveryRow.party))
            .where(
                col(WebhookDeliveryRow.delivered_at).is_(None),
                col(WebhookDeliveryRow.next_attempt_at) <= now,
            )
            .order_by(col(WebhookDeliveryRow.receipt_seq))
            .limit(self.settings.webhook_batch_size)
        )
        secrets: dict[str, tuple[str, str] | None] = {}
        due: list[_Due] = []
        for delivery, receipt, event, hook in rows.all():
            if delivery.party not in secrets:
                secrets[delivery.party] = await self._secret(session, delivery.party)
            key = secrets[delivery.party]
            if key is None:
                continue  # no usable credential: kept until the enterprise has one
            body = json.dumps(
                receipt_document(receipt, event), ensure_ascii=False, separators=(",", ":")
            ).encode()
            due.append(
                _Due(
                    receipt_seq=delivery.receipt_seq,
                    party=delivery.party,
                    attempts=delivery.attempts,
                    url=hook.url,
                    key_id=key[0],
                    secret=key[1],
                    receipt_id=receipt.receipt_id,
                    body=body,
                )
            )
        return due

    async def _secret(self, session: AsyncSession, party: str) -> tuple[str, str] | None:
        """The enterprise's newest credential that is not revoked (its key id names it)."""
        for credential in await repository.usable_credentials(session, party):
            secret = self.keyring.decrypt(credential.secret_encrypted)
            if secret is not None:
                return credential.key_id, secret
        return None

    async def _post(self, client: httpx.AsyncClient, due: _Due) -> _Outcome:
        """One attempt, whatever happens in it: its outcome, never an exception."""
        try:
            async with asyncio.timeout(self.settings.webhook_timeout_seconds):
                status = await self._send(client, due)
        except InvalidInput as refused:
            log.warning("webhook of %s not posted: its URL %s", due.party, refused.message)
            return _Outcome(due.receipt_seq, None, "invalid-url")
        except RefusedAddress as refused:
            log.warning("webhook of %s not posted: %s", due.party, refused)
            return _Outcome(due.receipt_seq, None, "refused-address")
        except (TimeoutError, httpx.TimeoutException):
            return _Outcome(due.receipt_seq, None, "timeout")
        except (OSError, httpx.HTTPError) as error:
            log.info("webhook of %s not posted: %s", due.party, type(error).__name__)
            return _Outcome(due.receipt_seq, None, "connection-failed")
        except Exception:
            log.exception("webhook of %s not posted", due.party)
            return _Outcome(due.receipt_seq, None, "connection-failed")
        if 200 <= status < 300:
            return _Outcome(due.receipt_seq, status, None)
        return _Outcome(due.receipt_seq, status, f"{status // 100}xx")

    async def _send(self, client: httpx.AsyncClient, due: _Due) -> int:
        target = parse_target(due.url, self.policy)
        addresses = await checked_addresses(target, self.policy, self.resolver)
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            KEY_HEADER: due.key_id,
            TIMESTAMP_HEADER: timestamp,
            DELIVERY_HEADER: due.receipt_id,
            SIGNATURE_HEADER: signature(due.secret, timestamp, due.receipt_id, due.body),
        }
        return await post_pinned(client, target, addresses, content=due.body, headers=headers)

    async def _record(
        self,
        session: AsyncSession,
        due: list[_Due],
        outcomes: list[_Outcome],
        *,
        now: datetime,
    ) -> None:
        for item, outcome in zip(due, outcomes, strict=True):
            delivery = await session.get(WebhookDeliveryRow, item.receipt_seq)
            if delivery is None or delivery.delivered_at is not None:
                continue
            delivery.attempts += 1
            delivery.last_status = outcome.status
            delivery.last_error = outcome.error
            if outcome.error is None:
                delivery.delivered_at = now
            else:
                delivery.next_attempt_at = now + backoff(
                    delivery.attempts,
                    base=self.settings.webhook_retry_base_seconds,
                    cap=self.settings.webhook_retry_max_seconds,
                )
            session.add(delivery)
