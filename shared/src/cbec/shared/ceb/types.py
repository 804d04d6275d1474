"""Building blocks of the generated CEB message models: base classes and XSD-shaped types.

The modules ``export_models`` and ``import_models`` are generated from the customs XSDs by
:mod:`cbec.shared.ceb.codegen`; they declare every field with the types made here, so that a
pydantic model enforces what the schema enforces (lengths, total and fraction digits, fixed
values, whitespace collapsing) and a JSON document is validated with the same rules as XML::

    Str_max60 = Annotated[str, Field(max_length=60), XML_CHARS]
    Dec_t19_f5 = Annotated[Decimal, xs_decimal(total_digits=19, fraction_digits=5)]

Each model class carries an :class:`XmlSpec` telling the codec how it maps to XML (element
name, attributes, nested elements, repeated elements, XSD default values).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Annotated, Any, ClassVar

from lxml import etree
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

CEB_NAMESPACE = "http://www.chinaport.gov.cn/ceb"
DSIG_NAMESPACE = "http://www.w3.org/2000/09/xmldsig#"

# Characters allowed in an XML 1.0 document (https://www.w3.org/TR/xml/#charsets): a value
# holding anything else could not be written to the customs XML at all.
_NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_WHITESPACE_RUN = re.compile("[\t\n\r ]+")


@dataclass(frozen=True, slots=True)
class XmlSpec:
    """How one model maps to one XML element of the customs standard.

    ``children`` maps a field to the model of a nested element, ``repeated`` names the fields
    that hold a list of elements, ``collapse`` the simple fields whose whitespace the schema
    collapses (numbers and ``whiteSpace="collapse"`` strings), ``defaults`` the XSD default
    value that an empty element takes, ``fragments`` the fields holding raw XML (``xs:any``).
    """

    name: str
    attributes: tuple[str, ...] = ()
    children: dict[str, type[CebModel]] = field(default_factory=dict)
    repeated: frozenset[str] = frozenset()
    collapse: frozenset[str] = frozenset()
    defaults: dict[str, str] = field(default_factory=dict)
    fragments: frozenset[str] = frozenset()


class CebModel(BaseModel):
    """Base of every element model: field names are the standard's element names."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, populate_by_name=True)

    xml_spec: ClassVar[XmlSpec]


class CebMessage(CebModel):
    """Base of the root element of a business message (``CEB303Message`` ...)."""

    guid: str
    version: str

    @classmethod
    def message_type(cls) -> str:
        """The root element name, e.g. ``CEB303Message``."""
        return cls.xml_spec.name


def _xml_chars(value: str) -> str:
    bad = _NOT_XML_CHAR.search(value)
    if bad is not None:
        raise PydanticCustomError(
            "xml_char",
            "character {character} at position {position} is not allowed in XML",
            {"character": f"U+{ord(bad.group()):04X}", "position": bad.start()},
        )
    return value


def collapse_whitespace(value: Any) -> Any:
    """XSD ``whiteSpace="collapse"``: runs of whitespace become one space, ends are trimmed."""
    if isinstance(value, str):
        return _WHITESPACE_RUN.sub(" ", value).strip(" ")
    return value


XML_CHARS = AfterValidator(_xml_chars)
"""Refuses characters that XML 1.0 cannot carry."""

COLLAPSE = BeforeValidator(collapse_whitespace)
"""Applies ``whiteSpace="collapse"`` before the length facets are checked."""


def _xml_fragment(value: str) -> str:
    if value == "":
        return value
    if "<!DOCTYPE" in value or "<!ENTITY" in value:
        raise PydanticCustomError(
            "xml_fragment", "DOCTYPE and ENTITY declarations are not accepted"
        )
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False
    )
    try:
        etree.fromstring(value.encode("utf-8"), parser)
    except etree.XMLSyntaxError as error:
        raise PydanticCustomError(
            "xml_fragment", "must be one well-formed XML element: {reason}", {"reason": error.msg}
        ) from None
    return value


XmlFragment = Annotated[str, AfterValidator(_xml_chars), AfterValidator(_xml_fragment)]
"""Raw XML of an ``xs:any`` element (``ExtendMessage/Message``): one element, or empty."""


def _decimal_digits(value: Decimal) -> tuple[int, int]:
    """(total digits, fraction digits) of a decimal as XSD counts them: without leading zeros
    and without trailing zeros of the fraction (so ``20.00`` has 2 total, 0 fraction digits)."""
    if value.is_zero():
        return 1, 0
    _, digits, exponent = value.normalize().as_tuple()
    assert isinstance(exponent, int)
    if exponent >= 0:
        return len(digits) + exponent, 0
    return max(len(digits), -exponent), -exponent


def xs_decimal(*, total_digits: int | None = None, fraction_digits: int | None = None) -> Any:
    """Validator for an ``xs:decimal`` restriction with ``totalDigits``/``fractionDigits``.

    pydantic's own ``max_digits``/``decimal_places`` also limit the digits before the point to
    their difference, which the XSD does not: a ``totalDigits=6, fractionDigits=2`` value
    ``12345.1`` is valid in the schema, so the XSD rule is checked here instead.
    """

    def check(value: Decimal) -> Decimal:
        if not value.is_finite():
            raise PydanticCustomError("finite_number", "Input should be a finite number")
        total, fraction = _decimal_digits(value)
        if total_digits is not None and total > total_digits:
            raise PydanticCustomError(
                "decimal_max_digits",
                "Decimal input should have no more than {max_digits} digits in total",
                {"max_digits": total_digits},
            )
        if fraction_digits is not None and fraction > fraction_digits:
            raise PydanticCustomError(
                "decimal_max_places",
                "Decimal input should have no more than {decimal_places} decimal places",
                {"decimal_places": fraction_digits},
            )
        return value

    return AfterValidator(check)


_INT32_MIN, _INT32_MAX = -(2**31), 2**31 - 1


def xs_int(*, total_digits: int | None = None) -> Any:
    """Bounds of an ``xs:int``, narrowed by ``totalDigits`` when the schema gives one."""
    low, high = _INT32_MIN, _INT32_MAX
    if total_digits is not None:
        low, high = max(low, -(10**total_digits - 1)), min(high, 10**total_digits - 1)
    return Field(ge=low, le=high)


def format_decimal(value: Decimal) -> str:
    """A decimal in the plain notation ``xs:decimal`` requires (never ``1E+2``)."""
    return format(value, "f")
