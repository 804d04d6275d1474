"""Routes of an enterprise's webhook: receipts pushed to its ERP, signed.

PUT    /v1/webhooks {"url": ...}     set it (a public address, checked again at delivery)
GET    /v1/webhooks                  it and its deliveries not yet acknowledged
DELETE /v1/webhooks                  stop pushing (polling still works)
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from cbec.gateway import webhooks
from cbec.gateway.api.deps import CallerDep, GatewayDep, OperatorDep, RuntimeDep
from cbec.gateway.openapi import FORBIDDEN, NOT_FOUND, SIGNED
from cbec.gateway.schemas import WebhookIn
from cbec.gateway.use_cases import webhooks as hooks
from cbec.shared.clock import utcnow

router = APIRouter(responses=SIGNED)


@router.put("/v1/webhooks", tags=["receipts"])
async def put_webhook(
    data: WebhookIn, runtime: RuntimeDep, gateway: GatewayDep, caller: CallerDep
) -> dict[str, Any]:
    """Set the URL the caller's new receipts are POSTed to, signed with its secret."""
    url = webhooks.check_url(data.url, gateway.settings)
    async with runtime.transaction() as session:
        row = await hooks.set_webhook(session, caller.code, url)
        return {"url": row.url, "updatedAt": row.updated_at.isoformat()}


@router.get("/v1/webhooks", tags=["receipts"], responses={404: NOT_FOUND})
async def get_webhook(runtime: RuntimeDep, caller: CallerDep) -> dict[str, Any]:
    """The caller's webhook and its deliveries not yet acknowledged."""
    async with runtime.reading() as session:
        return await hooks.webhook_status(session, caller.code)


@router.delete("/v1/webhooks", status_code=204, tags=["receipts"], responses={404: NOT_FOUND})
async def delete_webhook(runtime: RuntimeDep, caller: CallerDep) -> Response:
    """Stop pushing receipts (polling still works)."""
    async with runtime.transaction() as session:
        await hooks.delete_webhook(session, caller.code)
    return Response(status_code=204)


@router.post("/v1/webhooks/deliver", tags=["operations"], responses={403: FORBIDDEN})
async def deliver_now(
    runtime: RuntimeDep, gateway: GatewayDep, _operator: OperatorDep
) -> dict[str, int]:
    """Post every due webhook delivery now (the worker also runs every few seconds)."""
    return await gateway.deliverer.run(runtime, now=utcnow())
