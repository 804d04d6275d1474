"""The customs CEB messages (202205 standard): models, hardened XML codec, schema validation,
receipts.

    from cbec.shared.ceb import parse_message, to_xml, receipt_for

    message = parse_message(body)                  # CEB303Message, CEB621Message, ...
    receipt = receipt_for(message, return_status="2", return_time=now, return_info="accepted")
    answer = to_xml(receipt)                       # CEB304Message as UTF-8 bytes

For JSON, the same models validate a document directly:
``message_model("CEB303Message").model_validate_json(body)`` raises a pydantic
``ValidationError`` whose ``loc`` names the field.
"""

from cbec.shared.ceb.codec import (
    DEFAULT_MAX_BYTES,
    DIRECTIONS,
    MESSAGES,
    message_model,
    message_type,
    parse_message,
    parse_tree,
    problems_from_validation,
    to_xml,
    validate_xml,
)
from cbec.shared.ceb.errors import CebError, CebParseError, CebSchemaError, Problem
from cbec.shared.ceb.receipts import (
    RECEIPT_TYPES,
    build_receipt,
    document_keys,
    format_return_time,
    receipt_for,
    receipt_type,
)
from cbec.shared.ceb.types import CEB_NAMESPACE, CebMessage, CebModel

__all__ = [
    "CEB_NAMESPACE",
    "DEFAULT_MAX_BYTES",
    "DIRECTIONS",
    "MESSAGES",
    "RECEIPT_TYPES",
    "CebError",
    "CebMessage",
    "CebModel",
    "CebParseError",
    "CebSchemaError",
    "Problem",
    "build_receipt",
    "document_keys",
    "format_return_time",
    "message_model",
    "message_type",
    "parse_message",
    "parse_tree",
    "problems_from_validation",
    "receipt_for",
    "receipt_type",
    "to_xml",
    "validate_xml",
]
