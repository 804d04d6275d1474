"""An enterprise's webhook: set, read with its pending deliveries, deleted.

    row = await set_webhook(session, "3301963K69", "https://erp.example.com/cbec/receipts")
    status = await webhook_status(session, "3301963K69")   # url, pending, lastError ...

The deliveries themselves are :mod:`cbec.gateway.webhooks`.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from cbec.gateway.models import WebhookDeliveryRow, WebhookRow
from cbec.gateway.webhooks import OUTCOMES
from cbec.shared.clock import utcnow
from cbec.shared.errors import NotFound


async def set_webhook(session: AsyncSession, party: str, url: str) -> WebhookRow:
    row = await session.get(WebhookRow, party)
    now = utcnow()
    if row is None:
        row = WebhookRow(party=party, url=url, created_at=now, updated_at=now)
    else:
        row.url, row.updated_at = url, now
    session.add(row)
    return row


async def webhook_status(session: AsyncSession, party: str) -> dict[str, Any]:
    row = await session.get(WebhookRow, party)
    if row is None:
        raise NotFound(f"{party} has no webhook")
    pending = await session.exec(
        select(WebhookDeliveryRow)
        .where(
            col(WebhookDeliveryRow.party) == party, col(WebhookDeliveryRow.delivered_at).is_(None)
        )
        .order_by(col(WebhookDeliveryRow.receipt_seq))
    )
    waiting = list(pending.all())
    status: dict[str, Any] = {"url": row.url, "pending": len(waiting)}
    if waiting:
        if waiting[0].last_error in OUTCOMES:
            status["lastError"] = waiting[0].last_error
        status["nextAttemptAt"] = waiting[0].next_attempt_at.isoformat()
    return status


async def delete_webhook(session: AsyncSession, party: str) -> None:
    row = await session.get(WebhookRow, party)
    if row is None:
        raise NotFound(f"{party} has no webhook")
    await session.delete(row)
