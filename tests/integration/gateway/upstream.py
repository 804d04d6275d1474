"""A stand-in for a service behind the gateway: it records what it is sent, with the caller its
caller token names (verified as a service verifies it: the gateway's development key, the
service's name as the audience), and answers one receipt per document, as the services'
submission paths do."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from cbec.shared.callers import GATEWAY, Caller, TokenRefused, TokenVerifier, verifying_key


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    caller: Caller | None
    """Who the caller token names; None when it had none or a bad one."""

    def documents(self) -> list[Any]:
        value = json.loads(self.body, parse_float=Decimal)
        return value if isinstance(value, list) else [value]


@dataclass
class Upstream:
    service: str
    app: FastAPI = field(init=False)
    received: list[Received] = field(default_factory=list)

    def __post_init__(self) -> None:
        gateway = verifying_key(None, issuer=GATEWAY, variable="-", production=False)
        self.verifier = TokenVerifier(self.service, {GATEWAY: gateway})
        self.app = FastAPI()
        self.app.add_api_route(
            "/{path:path}", self._answer, methods=["GET", "POST", "PUT", "PATCH", "DELETE"]
        )

    def to(self, path: str) -> list[Received]:
        return [r for r in self.received if r.path == path]

    async def _answer(self, request: Request) -> JSONResponse:
        body = await request.body()
        try:
            caller: Caller | None = self.verifier.verify(request.headers.get("authorization"))
        except TokenRefused:
            caller = None
        received = Received(request.method, request.url.path, dict(request.headers), body, caller)
        self.received.append(received)
        if request.method != "POST":
            return JSONResponse({"path": request.url.path})
        receipts = []
        for document in received.documents():
            head = next((v for k, v in document.items() if k.endswith("Head")), document)
            receipts.append(
                {
                    "orderNo": head.get("orderNo"),
                    "ebcCode": head.get("ebcCode"),
                    "logisticsNo": head.get("logisticsNo"),
                    "returnStatus": "2",
                    "returnTime": "20240507153001123",
                    "returnInfo": f"accepted from {caller.party if caller else None}",
                }
            )
        return JSONResponse({"receipts": receipts})
