"""Every refusal of a service app is problem+json, and its OpenAPI says so: the answers the
gateway fuzz run found undocumented or off the platform's shape."""

from __future__ import annotations

import httpx
from fastapi import APIRouter
from pydantic import BaseModel

from cbec.shared.service import PROBLEM_JSON, ServiceDescriptor, create_service_app
from cbec.shared.settings import ServiceSettings
from tests.support.tokens import CallerAuth

router = APIRouter()


class Thing(BaseModel):
    name: str


@router.post("/v1/things")
async def add_thing(thing: Thing, limit: int = 10) -> dict[str, str]:
    return {"name": thing.name}


def _client() -> httpx.AsyncClient:
    app = create_service_app(
        ServiceSettings(service_name="things"),
        ServiceDescriptor(name="things", port=0, app="unused"),
        routers=[router],
        openapi_schemas={"Extra": {"type": "string"}},
    )
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t", auth=CallerAuth("things")
    )


async def test_no_such_path_and_a_method_not_allowed_are_problems() -> None:
    async with _client() as client:
        missing = await client.get("/v1/nothing")
        wrong = await client.get("/v1/things")

    assert missing.status_code == 404
    assert missing.headers["content-type"] == PROBLEM_JSON
    assert missing.json()["title"] == "not-found"
    assert wrong.status_code == 405
    assert wrong.headers["content-type"] == PROBLEM_JSON
    assert wrong.json()["title"] == "method-not-allowed"
    assert wrong.headers["allow"] == "POST"


async def test_a_trailing_slash_is_no_path_rather_than_a_redirect() -> None:
    async with _client() as client:
        answer = await client.post("/v1/things/", json={"name": "x"})

    assert answer.status_code == 404
    assert answer.headers["content-type"] == PROBLEM_JSON
    assert "location" not in answer.headers


async def test_a_body_that_is_not_utf8_is_invalid_input_as_a_body_that_is_not_json() -> None:
    async with _client() as client:
        not_utf8 = await client.post(
            "/v1/things", content=b'"\xff"', headers={"content-type": "application/json"}
        )
        not_json = await client.post(
            "/v1/things", content=b"{", headers={"content-type": "application/json"}
        )

    for answer in (not_utf8, not_json):
        assert answer.status_code == 422
        assert answer.headers["content-type"] == PROBLEM_JSON
        assert answer.json()["title"] == "invalid-input"
    assert not_utf8.json()["violations"][0]["field"] == "<body>"


async def test_the_openapi_documents_the_problem_answers() -> None:
    async with _client() as client:
        document = (await client.get("/openapi.json")).json()

    schemas = document["components"]["schemas"]
    assert "Problem" in schemas
    assert schemas["Extra"] == {"type": "string"}
    assert "HTTPValidationError" not in schemas
    assert "ValidationError" not in schemas
    invalid = document["paths"]["/v1/things"]["post"]["responses"]["422"]
    assert invalid["content"] == {
        PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}
    }
