"""Reading and writing the customs CEB XML messages, hardened against hostile input.

    from cbec.shared.ceb import parse_message, to_xml, validate_xml

    message = parse_message(body, expected="CEB303Message")   # CebParseError / CebSchemaError
    for order in message.Order:
        print(order.OrderHead.orderNo)
    data = to_xml(message)                                     # UTF-8 bytes, ceb: namespace

Parsing never resolves entities, never loads a DTD or anything from the network, refuses any
DOCTYPE (so an entity-expansion bomb is rejected before it can expand) and documents larger than
``max_bytes``. Every message is validated against the schema of its direction (the export or the
import XSD of the 202205 edition) before it becomes a model.

Signatures: ``ds:Signature`` is accepted and ignored on input and never written. The import
schema requires one on CEB621/623/625/711; the platform signs when it transmits, so validation
treats the signature as optional unless ``require_signature=True``.
"""

from __future__ import annotations

import copy
import functools
import re
import threading
from decimal import Decimal
from pathlib import Path
from typing import Any

from lxml import etree
from pydantic import ValidationError

from cbec.shared.ceb import export_models, import_models
from cbec.shared.ceb.errors import CebParseError, CebSchemaError, Problem
from cbec.shared.ceb.types import (
    CEB_NAMESPACE,
    DSIG_NAMESPACE,
    CebMessage,
    CebModel,
    collapse_whitespace,
    format_decimal,
)

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
"""Largest document accepted by default: 100 lists of 99 lines stay far below it."""

XSD_DIR = Path(__file__).parent / "xsd"
SCHEMA_FILES = {"export": "ceb-export-202205.xsd", "import": "ceb-import-202205.xsd"}

MESSAGES: dict[str, type[CebMessage]] = {**export_models.MESSAGES, **import_models.MESSAGES}
"""Every business message of the standard by its root element name."""

DIRECTIONS: dict[str, str] = {
    **dict.fromkeys(export_models.MESSAGES, "export"),
    **dict.fromkeys(import_models.MESSAGES, "import"),
}

_XS = "http://www.w3.org/2001/XMLSchema"
# Looked for in UTF-8 and both UTF-16 byte orders before the parser sees the document.
_FORBIDDEN_MARKUP = [
    (name, name.encode(encoding))
    for name in ("<!DOCTYPE", "<!ENTITY")
    for encoding in ("utf-8", "utf-16-le", "utf-16-be")
]
_POSITION_SUFFIX = re.compile(r",? line \d+, column \d+$")
_PREFIXED_STEP = re.compile(r"(?<=/)[A-Za-z_][\w.-]*:([A-Za-z_][\w.-]*)")
_QUOTED_VALUE = re.compile(r"[Tt]he value '([^']*)'|'([^']*)' is not a valid value")


def message_model(message_type: str) -> type[CebMessage]:
    """The model class of a message type (``CEB303Message``); for the JSON API."""
    try:
        return MESSAGES[message_type]
    except KeyError:
        raise CebSchemaError(
            [Problem(f"/{message_type}", "unknown message type", value=message_type)]
        ) from None


def _parser() -> etree.XMLParser:
    # A new parser per call: lxml parsers must not be shared between threads.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        attribute_defaults=False,
        collect_ids=False,
    )


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def parse_tree(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> etree._Element:
    """The root element of a well-formed document, or :class:`CebParseError`."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError(f"CEB XML must be bytes, not {type(data).__name__}")
    data = bytes(data)
    if len(data) > max_bytes:
        raise CebParseError(
            [Problem("/", f"document must not be larger than {max_bytes} bytes", str(len(data)))]
        )
    for name, marker in _FORBIDDEN_MARKUP:
        offset = data.find(marker)
        if offset >= 0:
            line = _line_of(data, offset)
            rule = f"{name[2:]} declarations are not accepted"
            raise CebParseError([Problem(f"line {line}", rule, line=line)])
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as error:
        line, column = error.position
        rule = f"malformed XML: {_POSITION_SUFFIX.sub('', error.msg)}"
        problem = Problem(f"line {line}, column {column}", rule, line=line)
        raise CebParseError([problem]) from None
    if root.getroottree().docinfo.doctype:
        raise CebParseError([Problem("line 1", "DOCTYPE declarations are not accepted", line=1)])
    return root


def message_type(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """The root element's local name (``CEB303Message``), read with the hardened parser."""
    return str(etree.QName(parse_tree(data, max_bytes=max_bytes)).localname)


@functools.cache
def _schema(direction: str, require_signature: bool) -> tuple[etree.XMLSchema, threading.Lock]:
    document = etree.parse(str(XSD_DIR / SCHEMA_FILES[direction]), _parser())
    if not require_signature:
        for element in document.iter(f"{{{_XS}}}element"):
            if element.get("ref") == "ds:Signature":
                element.set("minOccurs", "0")
    # Validation fills the schema's error log, so one validation at a time per schema.
    return etree.XMLSchema(document), threading.Lock()


def _element_path(element: etree._Element) -> str:
    steps = []
    current: etree._Element | None = element
    while current is not None:
        name = etree.QName(current).localname
        parent = current.getparent()
        if parent is not None:
            same = [c for c in parent if isinstance(c.tag, str) and c.tag == current.tag]
            if len(same) > 1:
                name += f"[{same.index(current) + 1}]"
        steps.append(name)
        current = parent
    return "/" + "/".join(reversed(steps))


def _schema_problem(root: etree._Element, error: Any) -> Problem:
    path = str(error.path or "/")
    value: str | None = None
    try:
        found = root.getroottree().xpath(_PREFIXED_STEP.sub(r"*[local-name()='\1']", path))
    except etree.XPathError:
        found = None
    if found and isinstance(found[0], etree._Element):
        path = _element_path(found[0])
        if not len(found[0]):
            value = found[0].text or ""
    rule = str(error.message).replace(f"{{{CEB_NAMESPACE}}}", "ceb:")
    rule = rule.replace(f"{{{DSIG_NAMESPACE}}}", "ds:")
    match = _QUOTED_VALUE.search(rule)
    if value is None and match:
        value = next((g for g in match.groups() if g is not None), None)
    return Problem(path, rule, value=value, line=error.line or None)


def _validate_root(root: etree._Element, require_signature: bool) -> type[CebMessage]:
    name = etree.QName(root)
    if name.namespace != CEB_NAMESPACE:
        rule = f"the root element must be in the namespace {CEB_NAMESPACE}"
        raise CebSchemaError([Problem(f"/{name.localname}", rule, value=name.namespace or "")])
    if name.localname not in MESSAGES:
        rule = "unknown message type: the root element must be a CEBnnnMessage of the standard"
        raise CebSchemaError([Problem(f"/{name.localname}", rule, value=name.localname)])
    schema, lock = _schema(DIRECTIONS[name.localname], require_signature)
    with lock:
        valid = schema.validate(root)
        errors = list(schema.error_log)
    if not valid:
        raise CebSchemaError([_schema_problem(root, e) for e in errors])
    return MESSAGES[name.localname]


def validate_xml(
    data: bytes, *, require_signature: bool = False, max_bytes: int = DEFAULT_MAX_BYTES
) -> None:
    """Check a document against the schema of its message type; :class:`CebSchemaError` lists
    every problem with its element path, or :class:`CebParseError` if it is not acceptable XML."""
    _validate_root(parse_tree(data, max_bytes=max_bytes), require_signature)


def _strip_blank(element: etree._Element) -> etree._Element:
    # Whitespace between elements is layout, not content: dropping it makes a fragment read
    # the same whether or not it was pretty-printed.
    for node in element.iter():
        if node.text is not None and not node.text.strip() and len(node):
            node.text = None
        if node.tail is not None and not node.tail.strip():
            node.tail = None
    return element


def _read_fragment(element: etree._Element) -> str:
    children = [c for c in element if isinstance(c.tag, str)]
    if not children:
        return ""
    fragment = _strip_blank(copy.deepcopy(children[0]))
    return str(etree.tostring(fragment, encoding="unicode"))


def _read(
    element: etree._Element, model: type[CebModel], path: str, problems: list[Problem]
) -> dict[str, Any]:
    spec = model.xml_spec
    fields = model.model_fields
    out: dict[str, Any] = {a: element.get(a) for a in spec.attributes if element.get(a) is not None}
    for child in element:
        if not isinstance(child.tag, str):
            continue
        qname = etree.QName(child)
        if qname.namespace == DSIG_NAMESPACE and qname.localname == "Signature":
            continue
        name = qname.localname
        child_path = f"{path}/{name}"
        if qname.namespace != CEB_NAMESPACE or name not in fields or name in spec.attributes:
            rule = "element is not allowed here"
            problems.append(Problem(child_path, rule, line=child.sourceline))
            continue
        if name in spec.repeated:
            child_path += f"[{len(out.get(name, [])) + 1}]"
        value: Any
        if name in spec.children:
            value = _read(child, spec.children[name], child_path, problems)
        elif name in spec.fragments:
            value = _read_fragment(child)
        else:
            if len(child):
                rule = "a simple element must not contain elements"
                problems.append(Problem(child_path, rule, line=child.sourceline))
            text = child.text or ""
            if name in spec.collapse:
                text = collapse_whitespace(text)
            if text == "" and name in spec.defaults:
                text = spec.defaults[name]
            value = text
        if name in spec.repeated:
            out.setdefault(name, []).append(value)
        elif name in out:
            rule = "element must occur at most once"
            problems.append(Problem(child_path, rule, line=child.sourceline))
        else:
            out[name] = value
    return out


def problems_from_validation(error: ValidationError, root: str = "") -> list[Problem]:
    """One :class:`Problem` per pydantic error, its path built from ``loc`` the XML way
    (``/CEB303Message/Order[1]/OrderHead/orderNo``; list indexes count from 1)."""
    problems = []
    for item in error.errors():
        path = f"/{root}" if root else ""
        for part in item["loc"]:
            path += f"[{part + 1}]" if isinstance(part, int) else f"/{part}"
        raw = item.get("input")
        value = str(raw) if isinstance(raw, str | int | Decimal) else None
        problems.append(Problem(path or "/", item["msg"], value=value))
    return problems


def parse_message(
    data: bytes,
    expected: str | None = None,
    *,
    require_signature: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> CebMessage:
    """The model of a CEB message; its type comes from the root element (``CEB303Message``).

    With ``expected``, any other message type is refused. Raises :class:`CebParseError` for
    unacceptable XML and :class:`CebSchemaError` for a document that breaks the schema.
    """
    root = parse_tree(data, max_bytes=max_bytes)
    name = str(etree.QName(root).localname)
    if expected is not None and name != expected:
        raise CebSchemaError([Problem(f"/{name}", f"expected a {expected}", value=name)])
    model = _validate_root(root, require_signature)
    problems: list[Problem] = []
    values = _read(root, model, f"/{name}", problems)
    if problems:
        raise CebSchemaError(problems)
    try:
        return model.model_validate(values)
    except ValidationError as error:
        raise CebSchemaError(problems_from_validation(error, name)) from None


def _text(value: Any) -> str:
    if isinstance(value, Decimal):
        return format_decimal(value)
    return str(value)


def _write(model: CebModel, element: etree._Element) -> None:
    spec = type(model).xml_spec
    for name in spec.attributes:
        element.set(name, _text(getattr(model, name)))
    for name in type(model).model_fields:
        value = getattr(model, name)
        if value is None or name in spec.attributes:
            continue
        for item in value if name in spec.repeated else [value]:
            child = etree.SubElement(element, f"{{{CEB_NAMESPACE}}}{name}")
            if name in spec.children:
                _write(item, child)
            elif name in spec.fragments:
                if item:
                    child.append(_strip_blank(parse_tree(item.encode("utf-8"))))
            else:
                child.text = _text(item)


def to_xml(message: CebMessage, *, pretty: bool = True, validate: bool = True) -> bytes:
    """The message as UTF-8 XML with the ``ceb`` namespace prefix and the ``guid`` and
    ``version`` attributes, as the samples of the standard are written.

    With ``validate`` (the default) the result is checked against the schema first, so what
    leaves here is valid (a model changed in place after validation is caught too).
    """
    root = etree.Element(
        f"{{{CEB_NAMESPACE}}}{message.xml_spec.name}", nsmap={"ceb": CEB_NAMESPACE}
    )
    _write(message, root)
    if validate:
        _validate_root(root, require_signature=False)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=pretty))
