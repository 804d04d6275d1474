"""The gateway's OpenAPI says what the gateway answers: the refusals of a signed request, the
path below a forwarded prefix, and the documents each submission path takes."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest

from cbec.gateway.app import create_app
from cbec.gateway.routing import ROUTES
from cbec.shared.service import PROBLEM_JSON
from tests.unit.gateway.documents import export_order, export_waybill

UNSIGNED = {("post", "/v1/enterprises/applications")}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return create_app().openapi()


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
    ]


def test_every_signed_operation_documents_the_refusals_at_the_edge(
    document: dict[str, Any],
) -> None:
    for method, path, operation in _operations(document):
        responses = operation["responses"]
        assert {"413", "429"} <= set(responses), (method, path)
        assert ("401" in responses) == ((method, path) not in UNSIGNED), (method, path)
        assert "Retry-After" in responses["429"]["headers"]
        for status, response in responses.items():
            if status.startswith("4") and "content" in response:
                assert PROBLEM_JSON in response["content"], (method, path, status)


def test_every_reference_resolves(document: dict[str, Any]) -> None:
    text = json.dumps(document)
    schemas = document["components"]["schemas"]
    for part in text.split('"$ref": "#/components/schemas/')[1:]:
        assert part.split('"', 1)[0] in schemas


def test_a_forwarded_prefix_documents_the_path_below_it(document: dict[str, Any]) -> None:
    prefixes = [r.path for r in ROUTES if r.prefix]
    assert prefixes
    for prefix in prefixes:
        for method, operation in document["paths"][prefix + "/{rest}"].items():
            names = {(p["name"], p["in"]) for p in operation["parameters"]}
            assert ("rest", "path") in names, method
            assert (("Idempotency-Key", "header") in names) == (method != "get"), method


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/export/orders", export_order("EO1", "3301963K69")),
        ("/v1/export/orders", [export_order("EO1", "3301963K69"), export_order("EO2", "X")]),
        ("/v1/export/waybills", export_waybill("SF1", "3301980B01")),
    ],
)
def test_a_submission_path_documents_the_documents_of_the_standard(
    document: dict[str, Any], path: str, body: Any
) -> None:
    content = document["paths"][path]["post"]["requestBody"]["content"]
    schema = {**content["application/json"]["schema"], "components": document["components"]}
    jsonschema.validate(body, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"OrderHead": {}, "unknown": 1}, schema)
