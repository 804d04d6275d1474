"""What the gateway's OpenAPI says beyond its routes' signatures: the refusals every signed
request may meet, what a forwarded path answers, and the documents each submission path takes.

    router.add_api_route(path, endpoint, responses={**SIGNED, 404: problem_response("...")})
    create_service_app(..., openapi_schemas=document_schemas())   # CEB303Message.Order ...

Every refusal is problem+json (``#/components/schemas/Problem``); a forwarded path answers what
the owning service answers, so its 4xx are documented as a range.
"""

from __future__ import annotations

from typing import Any

from cbec.gateway.routing import MESSAGE_ROUTES, Route, document_field
from cbec.shared.ceb import MESSAGES
from cbec.shared.service import INVALID_INPUT_RESPONSE, problem_response

Responses = dict[int | str, dict[str, Any]]

MAX_DOCUMENTS = 100
COMPONENTS = "#/components/schemas/"

SIGNED: Responses = {
    401: problem_response(
        "no valid signature: a signature header missing, an unknown or revoked key, a timestamp "
        "too far from now, a nonce used before, or a signature that does not match the request"
    ),
    413: problem_response("the body is larger than the gateway takes (MAX_BODY_BYTES)"),
    429: problem_response(
        "over the enterprise's request rate; send it again after Retry-After", retry_after=True
    ),
}
"""What any signed request may be answered before it reaches its route."""

FORBIDDEN = problem_response("the caller's roles do not allow this")
NOT_FOUND = problem_response("no such resource, or none the caller may see")
INVALID = INVALID_INPUT_RESPONSE

UPSTREAM: Responses = {
    502: problem_response("the owning service failed to answer the request"),
    503: problem_response(
        "the owning service is not reachable or unavailable: the request did not take effect, "
        "send it again after Retry-After",
        retry_after=True,
    ),
}
"""A request the gateway hands to a service: the service may be down or fail."""

IDEMPOTENT: Responses = {
    409: problem_response(
        "the first request with this Idempotency-Key has not been answered yet; send it again later"
    ),
    422: problem_response(
        "the request breaks the schema or a rule (every field and rule is named), or its "
        "Idempotency-Key came before with another request"
    ),
}
"""A write with an Idempotency-Key: in flight (409) or reused for another request (422)."""

SERVICE_REFUSAL: Responses = {
    "4XX": problem_response("refused by the owning service (its answer, passed on as it came)")
}

IDEMPOTENCY_KEY_PARAMETER: dict[str, Any] = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "the same key with the same request answers the first answer again "
    "(`Idempotent-Replayed: true`) for 24 hours",
    "schema": {"type": "string", "maxLength": 255},
}

RECEIPTS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["receipts"],
    "properties": {
        "receipts": {
            "type": "array",
            "description": "one receipt per document, in the order sent",
            "items": {"type": "object"},
        }
    },
}

INVOICES_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "purchase invoices of an export list's lines (the tax-refund service)",
    "required": ["invtNo", "lines"],
    "properties": {
        "invtNo": {"type": "string", "minLength": 1, "maxLength": 20},
        "lines": {
            "type": "array",
            "minItems": 1,
            "maxItems": MAX_DOCUMENTS,
            "items": {
                "type": "object",
                "required": ["gnum", "invoiceNo"],
                "properties": {
                    "gnum": {"type": "integer", "minimum": 1, "maximum": 100},
                    "invoiceNo": {"type": "string", "minLength": 1, "maxLength": 60},
                    "amount": {"type": ["string", "null"]},
                },
            },
        },
    },
    "examples": [
        {
            "invtNo": "43002026E000000003",
            "lines": [{"gnum": 1, "invoiceNo": "37001234567890", "amount": "900.00"}],
        }
    ],
}


BODIES: dict[str, dict[str, Any]] = {"/v1/export/invoices": INVOICES_SCHEMA}
"""The body of a submission path that takes no CEB message, by path."""
STATUSES: dict[str, int] = {"/v1/export/invoices": 201}
"""The status of an accepted submission where it is not 200, by path."""
ANY_DOCUMENTS: dict[str, Any] = {
    "oneOf": [
        {"type": "object"},
        {"type": "array", "items": {"type": "object"}, "minItems": 1, "maxItems": MAX_DOCUMENTS},
    ]
}


def document_ref(message: str) -> str:
    """The component of one document of a CEB message (``CEB303Message.Order``)."""
    return f"{message}.{document_field(message)}"


def document_schemas() -> dict[str, Any]:
    """The JSON Schema of each submission path's document, and of its parts, as components
    named after the message (``CEB303Message.Order``, ``CEB303Message.OrderHead`` ...): the
    export and import messages have models of the same name that differ."""
    components: dict[str, Any] = {}
    for message in sorted(MESSAGE_ROUTES):
        model = MESSAGES[message].xml_spec.children[document_field(message)]
        schema = model.model_json_schema(ref_template=f"{COMPONENTS}{message}.{{model}}")
        for name, part in schema.pop("$defs", {}).items():
            components[f"{message}.{name}"] = part
        components[document_ref(message)] = schema
    return components


def submission_body(route: Route) -> dict[str, Any]:
    """The request body of a submission path: one document or an array of up to 100."""
    if route.message is None:
        schema: dict[str, Any] = BODIES.get(route.path, ANY_DOCUMENTS)
        description = f"the documents of the {route.service} service"
    else:
        document = {"$ref": COMPONENTS + document_ref(route.message)}
        schema = {
            "oneOf": [
                document,
                {"type": "array", "items": document, "minItems": 1, "maxItems": MAX_DOCUMENTS},
            ]
        }
        description = (
            f"one {document_field(route.message)} document of {route.message} in JSON, or an "
            f"array of 1 to {MAX_DOCUMENTS}"
        )
    return {
        "requestBody": {
            "required": True,
            "description": description,
            "content": {"application/json": {"schema": schema}},
        },
        "parameters": [IDEMPOTENCY_KEY_PARAMETER],
    }


def submission_status(route: Route) -> int:
    """The status of an accepted submission: 200 with receipts (the tax service's: 201)."""
    return STATUSES.get(route.path, 200)


def submission_responses(route: Route) -> Responses:
    """A submission path of a CEB message answers one receipt per document; one of another
    service's documents answers what the service answers."""
    accepted: Responses = (
        {
            submission_status(route): {
                "description": f"the {route.service} service's answer",
                "content": {"application/json": {}},
            }
        }
        if route.message is None
        else {
            200: {
                "description": "one receipt per document",
                "content": {"application/json": {"schema": RECEIPTS_SCHEMA}},
            }
        }
    )
    return {
        **accepted,
        **SIGNED,
        **UPSTREAM,
        **SERVICE_REFUSAL,
        403: problem_response(
            "a role that may not submit here, or a document naming another enterprise as its "
            "party (every such field is named)"
        ),
        **IDEMPOTENT,
    }


def forwarded_extra(method: str) -> dict[str, Any]:
    """The ``rest`` of a forwarded prefix path (``/v1/officer/{rest}``), and for a write the
    Idempotency-Key."""
    parameters: list[dict[str, Any]] = [
        {
            "name": "rest",
            "in": "path",
            "required": True,
            "description": "the path below the prefix, as the owning service has it",
            "schema": {"type": "string"},
        }
    ]
    if method != "GET":
        parameters.append(IDEMPOTENCY_KEY_PARAMETER)
    return {"parameters": parameters}


def forwarded_responses(method: str) -> Responses:
    """What a forwarded prefix path answers: the owning service's answer, or the gateway's."""
    answer = {"description": "the owning service's answer", "content": {"application/json": {}}}
    responses: Responses = {
        200: answer,
        "2XX": answer,
        204: {"description": "the owning service's answer, without content"},
        **SIGNED,
        **UPSTREAM,
        **SERVICE_REFUSAL,
        403: FORBIDDEN,
    }
    if method != "GET":
        responses.update(IDEMPOTENT)
    return responses
