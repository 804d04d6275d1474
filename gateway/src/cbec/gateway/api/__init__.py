"""The gateway's HTTP API, one router per family, in the order the app mounts them.

    create_service_app(settings, SERVICE, routers=list(ROUTERS), ...)

Routes parse, call a use case and return; the checks every signed request meets are in
:mod:`cbec.gateway.api.deps`.
"""

from __future__ import annotations

from fastapi import APIRouter

from cbec.gateway.api import documents, enterprises, feeds, views, webhooks

ROUTERS: tuple[APIRouter, ...] = (
    enterprises.router,
    documents.router,
    views.router,
    webhooks.router,
    feeds.router,
)
"""Registration and keys first, then submissions and forwarding (their catch-all paths after
the gateway's own), then the one-stop views, receipts, webhooks and feeds."""
