"""Routes of registration and keys: apply, approve, and an enterprise's keys' lifecycle.

POST   /v1/enterprises/applications             apply (no credentials needed)
POST   /v1/enterprises/applications/{id}/approve   an operator approves: credentials, once
GET    /v1/enterprises/me/keys                  list; POST rotates; DELETE .../{keyId} revokes
GET    /v1/enterprises/{code}/keys              the same for operators
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request

from cbec.gateway.api.deps import (
    CallerDep,
    GatewayDep,
    OperatorDep,
    RuntimeDep,
    client_address,
    take_token,
)
from cbec.gateway.edge import Gateway
from cbec.gateway.openapi import FORBIDDEN, INVALID, NOT_FOUND, SIGNED
from cbec.gateway.schemas import (
    ApplicationIn,
    ApplicationOut,
    IssuedCredentials,
    KeyOut,
    RotatedKey,
)
from cbec.gateway.use_cases import keys, registration
from cbec.gateway.use_cases.submission import run_housekeeping
from cbec.shared.clock import utcnow
from cbec.shared.service import Runtime, problem_response

router = APIRouter()


@router.post(
    "/v1/enterprises/applications",
    status_code=201,
    response_model=ApplicationOut,
    tags=["registration"],
    responses={
        409: problem_response("already registered, or another application pending"),
        413: SIGNED[413],
        422: INVALID,
        429: problem_response(
            "too many applications from this address; send it again after Retry-After",
            retry_after=True,
        ),
    },
)
async def apply(
    data: ApplicationIn, request: Request, runtime: RuntimeDep, gateway: GatewayDep
) -> ApplicationOut:
    """Apply for registration (no credentials needed): the application waits for an operator."""
    take_token(gateway, f"ip:{client_address(request)}")
    async with runtime.transaction() as session:
        return await registration.submit_application(session, data)


@router.get(
    "/v1/enterprises/applications/{application_id}",
    response_model=ApplicationOut,
    tags=["registration"],
    responses={**SIGNED, 403: FORBIDDEN, 404: NOT_FOUND},
)
async def application(
    application_id: str, runtime: RuntimeDep, _operator: OperatorDep
) -> ApplicationOut:
    """An application and its status (operators only)."""
    async with runtime.transaction() as session:
        return await registration.get_application(session, application_id)


@router.post(
    "/v1/enterprises/applications/{application_id}/approve",
    status_code=201,
    response_model=IssuedCredentials,
    tags=["registration"],
    responses={
        201: {"description": "the credentials; the secret is shown only in this answer"},
        **SIGNED,
        403: problem_response("the caller is not an operator"),
        404: NOT_FOUND,
        409: problem_response("the application is not pending, or the enterprise registered"),
    },
)
async def approve(
    application_id: str, runtime: RuntimeDep, gateway: GatewayDep, caller: OperatorDep
) -> IssuedCredentials:
    """Approve an application: registers the enterprise and issues its credentials (once)."""
    async with runtime.transaction() as session:
        return await registration.approve_application(
            session, gateway.keyring, application_id, operator=caller.code
        )


@router.get("/v1/enterprises/me", tags=["registration"], responses=SIGNED)
async def me(caller: CallerDep) -> dict[str, Any]:
    """The enterprise the signature belongs to: a way to check a client's signing."""
    return {"code": caller.code, "roles": sorted(caller.roles), "keyId": caller.key_id}


ENTERPRISE_CODE = Path(pattern=r"^[0-9A-Z]{10,18}$", description="the enterprise's code")


KEY_ID = Path(pattern=r"^[A-Za-z0-9_-]{1,40}$", description="a key id (ck_...)")


KEYS_RESPONSES: dict[int | str, dict[str, Any]] = {**SIGNED, 404: NOT_FOUND}


ROTATED = {
    201: {"description": "the new key; its secret is shown only in this answer"},
    **SIGNED,
    404: NOT_FOUND,
}


async def _list_keys(runtime: Runtime, code: str) -> list[KeyOut]:
    async with runtime.reading() as session:
        return await keys.list_keys(session, code, now=utcnow())


async def _rotate_key(runtime: Runtime, gateway: Gateway, code: str) -> RotatedKey:
    grace = timedelta(seconds=gateway.settings.key_rotation_grace_seconds)
    async with runtime.transaction() as session:
        return await keys.rotate_key(session, gateway.keyring, code, now=utcnow(), grace=grace)


async def _revoke_key(runtime: Runtime, gateway: Gateway, code: str, key_id: str) -> KeyOut:
    async with runtime.transaction() as session:
        revoked = await keys.revoke_key(session, code, key_id, now=utcnow())
    gateway.credentials.forget(key_id)
    return revoked


@router.get(
    "/v1/enterprises/me/keys",
    response_model=list[KeyOut],
    tags=["registration"],
    responses=KEYS_RESPONSES,
)
async def my_keys(runtime: RuntimeDep, caller: CallerDep) -> list[KeyOut]:
    """The calling enterprise's keys and their status (never a secret)."""
    return await _list_keys(runtime, caller.code)


@router.post(
    "/v1/enterprises/me/keys",
    status_code=201,
    response_model=RotatedKey,
    tags=["registration"],
    responses=ROTATED,
)
async def rotate_my_key(runtime: RuntimeDep, gateway: GatewayDep, caller: CallerDep) -> RotatedKey:
    """Rotate: a new key for the calling enterprise; its other keys keep working for
    KEY_ROTATION_GRACE_SECONDS, or until revoked."""
    return await _rotate_key(runtime, gateway, caller.code)


@router.delete(
    "/v1/enterprises/me/keys/{key_id}",
    response_model=KeyOut,
    tags=["registration"],
    responses=KEYS_RESPONSES,
)
async def revoke_my_key(
    runtime: RuntimeDep,
    gateway: GatewayDep,
    caller: CallerDep,
    key_id: Annotated[str, KEY_ID],
) -> KeyOut:
    """Revoke one of the calling enterprise's keys: refused from the next request on, by
    every gateway (another enterprise's key is 404)."""
    return await _revoke_key(runtime, gateway, caller.code, key_id)


@router.get(
    "/v1/enterprises/{code}/keys",
    response_model=list[KeyOut],
    tags=["registration"],
    responses={**KEYS_RESPONSES, 403: FORBIDDEN},
)
async def enterprise_keys(
    runtime: RuntimeDep, _operator: OperatorDep, code: Annotated[str, ENTERPRISE_CODE]
) -> list[KeyOut]:
    """An enterprise's keys and their status (operators only)."""
    return await _list_keys(runtime, code)


@router.post(
    "/v1/enterprises/{code}/keys",
    status_code=201,
    response_model=RotatedKey,
    tags=["registration"],
    responses={**ROTATED, 403: FORBIDDEN},
)
async def rotate_enterprise_key(
    runtime: RuntimeDep,
    gateway: GatewayDep,
    _operator: OperatorDep,
    code: Annotated[str, ENTERPRISE_CODE],
) -> RotatedKey:
    """Rotate an enterprise's key (operators only); the secret is shown once, to the operator."""
    return await _rotate_key(runtime, gateway, code)


@router.delete(
    "/v1/enterprises/{code}/keys/{key_id}",
    response_model=KeyOut,
    tags=["registration"],
    responses={**KEYS_RESPONSES, 403: FORBIDDEN},
)
async def revoke_enterprise_key(
    runtime: RuntimeDep,
    gateway: GatewayDep,
    _operator: OperatorDep,
    code: Annotated[str, ENTERPRISE_CODE],
    key_id: Annotated[str, KEY_ID],
) -> KeyOut:
    """Revoke an enterprise's key (operators only)."""
    return await _revoke_key(runtime, gateway, code, key_id)


@router.post("/v1/gateway/housekeeping", tags=["operations"], responses={**SIGNED, 403: FORBIDDEN})
async def housekeeping(
    runtime: RuntimeDep, gateway: GatewayDep, _operator: OperatorDep
) -> dict[str, int]:
    """Delete expired nonces and idempotency records now (it also runs periodically)."""
    return await run_housekeeping(runtime, gateway)
