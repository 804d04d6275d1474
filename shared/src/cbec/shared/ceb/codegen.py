"""Generates the pydantic models of the CEB messages from the customs XSDs.

One module per schema, because the export and the import schema declare elements of the same
name with different content (``OrderHead``, ``InventoryHead`` ...)::

    uv run --frozen --no-sync python -m cbec.shared.ceb.codegen

rewrites ``export_models.py`` and ``import_models.py`` beside this file from ``xsd/``;
``generate(schema_path, module_doc)`` returns the source text without writing it (the unit tests
compare it with the committed modules).

Mapping: every business message (a global ``CEB...Message`` element) becomes a
:class:`~cbec.shared.ceb.types.CebMessage` with its ``guid`` and ``version`` attributes as fields;
every element with element content becomes a :class:`~cbec.shared.ceb.types.CebModel`, its
simple child elements fields named as the standard names them, with the schema's facets
(``length``, ``minLength``, ``maxLength``, ``totalDigits``, ``fractionDigits``, ``whiteSpace``,
``fixed``) as pydantic constraints; ``minOccurs="0"`` makes a field optional, ``maxOccurs`` a
list bounded like the schema. ``ds:Signature`` is left out (signing is not the codec's job), and
``ExtendMessage/Message`` (``xs:any``) is kept as a string of raw XML.
"""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import xmlschema
from xmlschema.validators import XsdAnyElement, XsdAtomicBuiltin, XsdElement

XS = "{http://www.w3.org/2001/XMLSchema}"
CEB = "{http://www.chinaport.gov.cn/ceb}"
DSIG = "{http://www.w3.org/2000/09/xmldsig#}"
_MESSAGE = re.compile(r"^CEB\d{3}Message$")

HERE = Path(__file__).parent
SCHEMAS = {
    "export_models.py": (
        HERE / "xsd" / "ceb-export-202205.xsd",
        "Models of the export messages of the customs CBEC standard (202205 edition).",
    ),
    "import_models.py": (
        HERE / "xsd" / "ceb-import-202205.xsd",
        "Models of the import messages of the customs CBEC standard (202205 edition).",
    ),
}


@dataclass
class _Field:
    name: str
    annotation: str
    required: bool
    repeated: bool
    min_occurs: int
    max_occurs: int | None
    doc: str


@dataclass
class _Class:
    name: str
    xml_name: str
    doc: str
    is_message: bool
    fields: list[_Field] = field(default_factory=list)
    attributes: list[str] = field(default_factory=list)
    children: dict[str, str] = field(default_factory=dict)
    collapse: list[str] = field(default_factory=list)
    defaults: dict[str, str] = field(default_factory=dict)
    fragments: list[str] = field(default_factory=list)


def _doc(component: Any) -> str:
    if component is None or component.annotation is None:
        return ""
    texts = [d.text or "" for d in component.annotation.documentation]
    return " ".join(" ".join(t.split()) for t in texts if t.strip())


# xmlschema's components are typed as unions of simple and complex types; the schema walk
# below knows which one it holds, so it treats them as Any.
def _children(element: Any) -> list[Any]:
    """The particles of an element with element content, in schema order."""
    return list(element.type.content.iter_elements())


def _facets(simple_type: Any) -> dict[str, Any]:
    return {k.removeprefix(XS): f.value for k, f in simple_type.facets.items() if k}


def _builtin(simple_type: Any) -> str:
    current = simple_type
    while not isinstance(current, XsdAtomicBuiltin):
        current = current.base_type
    return str(current.local_name)


def _is_fragment(element: Any) -> bool:
    return all(isinstance(p, XsdAnyElement) for p in _children(element))


class _Generator:
    def __init__(self, schema: xmlschema.XMLSchema) -> None:
        self.schema = schema
        self.aliases: dict[str, str] = {}
        self.classes: dict[str, _Class] = {}
        self.local_names = self._local_class_names()

    def _local_class_names(self) -> dict[tuple[str, str], str]:
        """Class names of local complex elements: their own name unless it is taken."""
        global_names = {e.local_name for e in self.schema.elements.values()}
        found: dict[str, list[tuple[str, str]]] = {}
        for message in self._messages():
            for element in _children(message):
                if (
                    isinstance(element, XsdElement)
                    and element.ref is None
                    and element.type.is_complex()
                    and not _is_fragment(element)
                ):
                    key = (message.local_name, element.local_name)
                    found.setdefault(element.local_name, []).append(key)
        names: dict[tuple[str, str], str] = {}
        for name, keys in found.items():
            for parent, local in keys:
                unique = name not in global_names and len(keys) == 1
                names[(parent, local)] = local if unique else f"{parent}{local}"
        return names

    def _messages(self) -> list[Any]:
        return [e for n, e in self.schema.elements.items() if _MESSAGE.match(n)]

    def simple_alias(self, element: Any) -> tuple[str, bool]:
        """The module-level type alias of a simple element; True when whitespace collapses."""
        simple_type = element.type
        base = _builtin(simple_type)
        facets = _facets(simple_type)
        if element.fixed is not None:
            return f'Literal["{element.fixed}"]', simple_type.white_space == "collapse"
        if base == "string":
            collapse = simple_type.white_space == "collapse"
            low = facets.get("length", facets.get("minLength"))
            high = facets.get("length", facets.get("maxLength"))
            if "length" in facets:
                name = f"Str_len{high}"
            else:
                name = "Str" + (f"_min{low}" if low else "") + (f"_max{high}" if high else "")
            name += "_c" if collapse else ""
            args = []
            if low:
                args.append(f"min_length={low}")
            if high:
                args.append(f"max_length={high}")
            parts = ["str"] + (["COLLAPSE"] if collapse else [])
            parts += ([f"Field({', '.join(args)})"] if args else []) + ["XML_CHARS"]
            self.aliases[name] = f"Annotated[{', '.join(parts)}]"
            return name, collapse
        if base == "decimal":
            total, fraction = facets.get("totalDigits"), facets.get("fractionDigits")
            name = "Dec" + (f"_t{total}" if total else "") + (f"_f{fraction}" if fraction else "")
            self.aliases[name] = (
                f"Annotated[Decimal, xs_decimal(total_digits={total}, fraction_digits={fraction})]"
            )
            return name, True
        if base == "int":
            total = facets.get("totalDigits")
            name = "Int" + (f"_t{total}" if total else "")
            self.aliases[name] = f"Annotated[int, xs_int(total_digits={total})]"
            return name, True
        raise ValueError(f"{element.local_name}: unsupported XSD type {base}")

    def visit(self, element: Any, class_name: str, is_message: bool) -> None:
        if class_name in self.classes:
            return
        declaration = element.ref if element.ref is not None else element
        cls = _Class(class_name, element.local_name, _doc(declaration), is_message)
        self.classes[class_name] = cls
        if is_message:
            cls.attributes = [str(name) for name in element.attributes]
        for child in _children(element):
            if isinstance(child, XsdAnyElement) or not isinstance(child, XsdElement):
                raise ValueError(f"{element.local_name}: wildcard content is not supported")
            if child.name is not None and child.name.startswith(DSIG):
                continue
            name = child.local_name
            child_declaration = child.ref if child.ref is not None else child
            doc = _doc(child_declaration)
            if child.type.is_simple():
                annotation, collapse = self.simple_alias(child)
                if collapse:
                    cls.collapse.append(name)
                if child.default is not None:
                    cls.defaults[name] = child.default
            elif _is_fragment(child):
                annotation = "XmlFragment"
                cls.fragments.append(name)
            else:
                if child.ref is not None:
                    sub_name = name
                else:
                    sub_name = self.local_names.get(
                        (element.local_name, name), f"{class_name}{name}"
                    )
                self.visit(child, sub_name, False)
                annotation = f"_{sub_name}"
                cls.children[name] = sub_name
            cls.fields.append(
                _Field(
                    name=name,
                    annotation=annotation,
                    required=child.min_occurs > 0,
                    repeated=child.max_occurs is None or child.max_occurs > 1,
                    min_occurs=child.min_occurs,
                    max_occurs=child.max_occurs,
                    doc=doc,
                )
            )
        # Children are emitted before their parent: move this class after its dependencies.
        self.classes.pop(class_name)
        self.classes[class_name] = cls

    def run(self) -> None:
        for message in self._messages():
            self.visit(message, message.local_name, True)


def _field_line(f: _Field) -> str:
    doc = f", description={f.doc!r}" if f.doc else ""
    if f.repeated:
        bounds = f"min_length={f.min_occurs}" if f.min_occurs else "default_factory=list"
        if f.max_occurs is not None:
            bounds += f", max_length={f.max_occurs}"
        return f"    {f.name}: list[{f.annotation}] = Field({bounds}{doc})"
    if f.required:
        return f"    {f.name}: {f.annotation} = Field({doc.removeprefix(', ')})"
    return f"    {f.name}: {f.annotation} | None = Field(default=None{doc})"


def _set(names: list[str]) -> str:
    return "frozenset({" + ", ".join(repr(n) for n in names) + "})"


def _spec(cls: _Class) -> str:
    parts = [f"name={cls.xml_name!r}"]
    if cls.attributes:
        parts.append("attributes=(" + ", ".join(repr(a) for a in cls.attributes) + ")")
    if cls.children:
        items = ", ".join(f"{k!r}: _{v}" for k, v in cls.children.items())
        parts.append(f"children={{{items}}}")
    repeated = [f.name for f in cls.fields if f.repeated]
    if repeated:
        parts.append(f"repeated={_set(repeated)}")
    if cls.collapse:
        parts.append(f"collapse={_set(cls.collapse)}")
    if cls.defaults:
        parts.append(f"defaults={cls.defaults!r}")
    if cls.fragments:
        parts.append(f"fragments={_set(cls.fragments)}")
    return "XmlSpec(" + ", ".join(parts) + ")"


def _class_source(cls: _Class, used_as_child: bool) -> str:
    base = "CebMessage" if cls.is_message else "CebModel"
    lines = [f"class {cls.name}({base}):"]
    doc = (cls.doc or cls.xml_name).replace("\\", "/").replace('"', "'")
    lines.append(f'    """{doc}"""')
    lines.append("")
    lines.append(f"    xml_spec: ClassVar[XmlSpec] = {_spec(cls)}")
    lines.append("")
    if cls.is_message:
        lines.append("    guid: Str_len36 = Field(description='报文的36位系统唯一序号')")
        lines.append("    version: Str_min1_max10 = Field(description='报文版本号 默认1.0')")
    lines.extend(_field_line(f) for f in cls.fields)
    if used_as_child:
        # A field is named like its element's class (``OrderHead: OrderHead``); the alias keeps
        # the class reachable in annotations once the class body has bound the field name.
        lines.extend(["", "", f"_{cls.name} = {cls.name}"])
    return "\n".join(lines)


_TYPES_NAMES = (
    "COLLAPSE",
    "XML_CHARS",
    "CebMessage",
    "CebModel",
    "XmlFragment",
    "XmlSpec",
    "xs_decimal",
    "xs_int",
)


def _used(text: str, names: tuple[str, ...]) -> list[str]:
    return [n for n in names if re.search(rf"\b{n}\b", text)]


def _check_message_attributes(generator: _Generator) -> None:
    """Every message has exactly the guid and version attributes the aliases above describe."""
    for message in generator._messages():
        for name, attribute in message.attributes.items():
            facets = _facets(attribute.type)
            expected = {"guid": {"length": 36}, "version": {"maxLength": 10, "minLength": 1}}
            if name not in expected or facets != expected[name] or attribute.use != "required":
                raise ValueError(f"{message.local_name}/@{name}: unexpected attribute {facets}")


def _module_header(
    schema_path: Path, module_doc: str, text: str, class_names: list[str]
) -> list[str]:
    """The generated module's banner, docstring, imports and ``__all__``."""
    typing_names = ["Annotated", "ClassVar"] + (["Literal"] if "Literal[" in text else [])
    return [
        f"# Generated from {schema_path.name} by cbec.shared.ceb.codegen; do not edit.",
        "# Regenerate: uv run --frozen --no-sync python -m cbec.shared.ceb.codegen",
        "# ruff: noqa: E501",
        "# fmt: off",
        f'"""{module_doc}',
        "",
        "Field names, nesting, optionality and facets follow the schema element by element; see",
        ":mod:`cbec.shared.ceb.codegen` for the mapping. Usage::",
        "",
        "    from cbec.shared.ceb import parse_message",
        "",
        "    message = parse_message(xml_bytes)",
        '"""',
        "",
        *(["from decimal import Decimal"] if "Decimal" in text else []),
        f"from typing import {', '.join(typing_names)}",
        "",
        "from pydantic import Field",
        "",
        "from cbec.shared.ceb.types import (",
        *(f"    {name}," for name in _used(text, _TYPES_NAMES)),
        ")",
        "",
        "__all__ = [",
        '    "MESSAGES",',
        *(f'    "{name}",' for name in class_names),
        "]",
        "",
    ]


def generate(schema_path: Path, module_doc: str) -> str:
    """The source of the models module for one schema file."""
    schema = xmlschema.XMLSchema(str(schema_path))
    generator = _Generator(schema)
    # The guid and version attributes of every message (checked below against the schema).
    generator.aliases["Str_len36"] = (
        "Annotated[str, Field(min_length=36, max_length=36), XML_CHARS]"
    )
    generator.aliases["Str_min1_max10"] = (
        "Annotated[str, Field(min_length=1, max_length=10), XML_CHARS]"
    )
    generator.run()
    _check_message_attributes(generator)
    messages = [c for c in generator.classes.values() if c.is_message]
    body: list[str] = [f"{name} = {value}" for name, value in sorted(generator.aliases.items())]
    body.extend(["", ""])
    child_classes = {n for c in generator.classes.values() for n in c.children.values()}
    for cls in generator.classes.values():
        body.append(_class_source(cls, cls.name in child_classes))
        body.extend(["", ""])
    body.append("MESSAGES: dict[str, type[CebMessage]] = {")
    body.extend(f'    "{c.xml_name}": {c.name},' for c in messages)
    body.append("}")
    text = "\n".join(body)
    class_names = sorted(c.name for c in generator.classes.values())
    header = _module_header(schema_path, module_doc, text, class_names)
    return "\n".join(header) + "\n" + text + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if a module is out of date")
    args = parser.parse_args(argv)
    stale = []
    for module, (schema_path, doc) in SCHEMAS.items():
        source = generate(schema_path, doc)
        target = HERE / module
        if args.check:
            if not target.exists() or target.read_text(encoding="utf-8") != source:
                stale.append(module)
        else:
            target.write_text(source, encoding="utf-8")
    if stale:
        raise SystemExit(f"out of date: {', '.join(stale)}")


if __name__ == "__main__":
    main()
