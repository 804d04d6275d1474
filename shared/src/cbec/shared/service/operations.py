"""The operations routes of every service: liveness, readiness and Prometheus metrics.

    add_operations_routes(app, "declaration")

They are left out of the OpenAPI document and answered without a caller token
(:data:`cbec.shared.callers.OPEN_PATHS`).
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from cbec.shared import metrics
from cbec.shared.service.runtime import get_runtime


def add_operations_routes(app: FastAPI, service: str) -> None:
    """Add ``/healthz``, ``/readyz`` and ``/metrics`` of the service named ``service``."""

    @app.get("/healthz", tags=["operations"], include_in_schema=False)
    async def healthz() -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "ok", "service": service}

    @app.get("/readyz", tags=["operations"], include_in_schema=False)
    async def readyz(request: Request) -> JSONResponse:
        """Readiness: database and broker reachable, relay and consumers running."""
        checks = await get_runtime(request).readiness()
        ready = all(value == "ok" for value in checks.values())
        return JSONResponse(
            {"status": "ready" if ready else "not ready", "checks": checks},
            status_code=200 if ready else 503,
        )

    @app.get("/metrics", tags=["operations"], include_in_schema=False)
    async def prometheus() -> Response:
        """Prometheus metrics."""
        body, content_type = metrics.render()
        return Response(body, media_type=content_type)
