"""Where each public path goes, who may use it, and whose code a submitted document must carry.

    route = route_for("/v1/export/orders")          # Route(service="declaration", ...)
    check_role(route, roles)                        # Forbidden unless one role may use it
    check_parties(route, "EBC0000001", roles, documents)   # Forbidden naming the party field
    check_path_party(route, "/v1/warehouses/EBC0000001/W1/stock", "EBC0000001", roles)

Roles and party fields follow DOMAIN.md §1 (who files which document) and §2 (the documents):
an e-commerce enterprise or platform files orders, lists, revocations, returns and summaries
with its code in ``ebcCode``/``ebpCode``; a logistics enterprise its waybills and movements
with ``logisticsCode``; a payment institution payments and receipts of funds with ``payCode``;
a declaring agent lists, revocations, master bills, returns and summaries with ``agentCode``.
Some paths name the enterprise they are about (``/v1/warehouses/{ebcCode}/...``,
``/v1/export/income-tax/{ebcCode}/{year}``): an e-commerce enterprise may use them only with its
own code there. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from cbec.gateway.errors import Forbidden
from cbec.shared.ceb import MESSAGES, RECEIPT_TYPES
from cbec.shared.errors import Violation


class Role(StrEnum):
    ECOMMERCE = "ecommerce"
    LOGISTICS = "logistics"
    PAYMENT = "payment"
    AGENT = "agent"
    CUSTOMS_OFFICER = "customs-officer"
    TAX_OFFICER = "tax-officer"
    OPERATOR = "operator"


ROLES: frozenset[str] = frozenset(r.value for r in Role)
OFFICER_ROLES = frozenset({Role.CUSTOMS_OFFICER, Role.TAX_OFFICER})

PARTY_FIELDS: Mapping[Role, tuple[str, ...]] = {
    Role.ECOMMERCE: ("ebcCode", "ebpCode"),
    Role.LOGISTICS: ("logisticsCode",),
    Role.PAYMENT: ("payCode",),
    Role.AGENT: ("agentCode",),
}
"""The document fields that name the submitting party, per role (DOMAIN.md §1)."""

_ENVELOPE_FIELDS = frozenset({"BaseTransfer", "BaseSubscribe", "ExtendMessage"})


@dataclass(frozen=True, slots=True)
class Route:
    """A public path (``prefix`` routes cover everything below it) and its owning service."""

    path: str
    service: str
    roles: frozenset[Role]
    message: str | None = None
    """The CEB business message whose documents this path takes (``CEB303Message``)."""
    prefix: bool = False
    path_party: frozenset[Role] = frozenset()
    """Roles that may use the paths below this one only for their own enterprise: the first
    segment below the path is the code of the enterprise a request is about. A caller with
    another role the route admits (an officer, a warehouse's logistics operator) may name any."""

    def matches(self, path: str) -> bool:
        """The path itself and everything below it (``/v1/export/orders/EO1``)."""
        return path == self.path or path.startswith(self.path + "/")

    def is_collection(self, path: str) -> bool:
        """True for the path that takes new documents (POST /v1/export/orders)."""
        return not self.prefix and path.rstrip("/") == self.path


_E, _L, _P, _A = Role.ECOMMERCE, Role.LOGISTICS, Role.PAYMENT, Role.AGENT


def _r(path: str, service: str, roles: Iterable[Role], message: str | None = None) -> Route:
    return Route(path, service, frozenset(roles), message)


ROUTES: tuple[Route, ...] = (
    # declaration: the information flow
    _r("/v1/export/orders", "declaration", [_E], "CEB303Message"),
    _r("/v1/import/orders", "declaration", [_E], "CEB311Message"),
    _r("/v1/export/inventories", "declaration", [_E, _A], "CEB603Message"),
    _r("/v1/import/inventories", "declaration", [_E, _A], "CEB621Message"),
    _r("/v1/export/revocations", "declaration", [_E, _A], "CEB605Message"),
    _r("/v1/import/revocations", "declaration", [_E, _A], "CEB623Message"),
    _r("/v1/export/summaries", "declaration", [_E, _A], "CEB701Message"),
    Route("/v1/officer", "declaration", frozenset(OFFICER_ROLES), prefix=True),
    # logistics: the goods flow
    _r("/v1/export/waybills", "logistics", [_L], "CEB505Message"),
    _r("/v1/import/waybills", "logistics", [_L], "CEB511Message"),
    _r("/v1/export/arrivals", "logistics", [_L], "CEB507Message"),
    _r("/v1/export/master-bills", "logistics", [_L, _A], "CEB607Message"),
    _r("/v1/export/departures", "logistics", [_L], "CEB509Message"),
    _r("/v1/import/site-entries", "logistics", [_L], "CEB711Message"),
    _r("/v1/import/waybill-statuses", "logistics", [_L], "CEB513Message"),
    _r("/v1/export/returns", "logistics", [_E, _A], "CEB213Message"),
    _r("/v1/export/return-tallies", "logistics", [_L], "CEB215Message"),
    _r("/v1/import/returns", "logistics", [_E, _A], "CEB625Message"),
    _r("/v1/import/return-receipts", "logistics", [_L]),
    Route(
        "/v1/warehouses", "logistics", frozenset({_L, _E}), prefix=True, path_party=frozenset({_E})
    ),
    # payments: the funds flow
    _r("/v1/import/payments", "payments", [_P], "CEB411Message"),
    _r("/v1/export/receipts", "payments", [_E, _P], "CEB403Message"),
    # tax
    _r("/v1/export/invoices", "tax-refund", [_E]),
    Route(
        "/v1/export/income-tax",
        "tax-refund",
        frozenset({_E, Role.TAX_OFFICER}),
        prefix=True,
        path_party=frozenset({_E}),
    ),
)

MESSAGE_ROUTES: Mapping[str, Route] = {r.message: r for r in ROUTES if r.message}
"""The route taking the documents of each CEB business message (for POST /v1/messages)."""

assert set(MESSAGE_ROUTES) == set(RECEIPT_TYPES), "every business message has a route"


def route_for(path: str) -> Route | None:
    return next((r for r in ROUTES if r.matches(path)), None)


def document_field(message_type: str) -> str:
    """The field of a message holding its documents (``Order`` of ``CEB303Message``)."""
    model = MESSAGES[message_type]
    return next(name for name in model.xml_spec.children if name not in _ENVELOPE_FIELDS)


def head_field(message_type: str) -> str | None:
    """The head of one document (``OrderHead``), or None when the document is flat."""
    document = MESSAGES[message_type].xml_spec.children[document_field(message_type)]
    return next((name for name in document.xml_spec.children if name.endswith("Head")), None)


def parse_roles(value: str | Iterable[str]) -> list[Role]:
    """Roles from ``"ecommerce,agent"``; unknown ones raise ValueError naming them."""
    items = value.split(",") if isinstance(value, str) else list(value)
    names = [i.strip().lower() for i in items if i.strip()]
    unknown = [n for n in names if n not in ROLES]
    if unknown:
        raise ValueError(f"unknown roles {unknown}; known: {sorted(ROLES)}")
    return sorted({Role(n) for n in names}, key=list(Role).index)


def check_role(route: Route, roles: Iterable[str]) -> None:
    """Forbidden unless one of the caller's roles may use the route."""
    if not route.roles & set(roles):
        wanted = ", ".join(sorted(route.roles))
        raise Forbidden(
            f"{route.path} is for the roles {wanted}",
            [Violation(field="X-Cbec-Roles", rule=f"one of the roles {wanted} is required")],
        )


def check_path_party(route: Route, path: str, code: str, roles: Iterable[str]) -> None:
    """Forbidden when the caller may use the route only for its own enterprise and the path
    names another one (``/v1/warehouses/{ebcCode}/...`` of another seller)."""
    if not route.path_party:
        return
    usable = route.roles & set(roles)
    if not usable or usable - route.path_party:
        return
    below = path[len(route.path) :].strip("/")
    named = below.split("/", 1)[0]
    if named == code:
        return
    raise Forbidden(
        f"{route.path}/{{code}} is open to an enterprise for its own code only",
        [
            Violation(
                field="path",
                rule="must name the code of the calling enterprise",
                value=named or None,
                expected=code,
            )
        ],
    )


def check_parties(route: Route, code: str, roles: Iterable[str], documents: Sequence[Any]) -> None:
    """Forbidden unless each document carries the caller's code in a party field of a role the
    caller has and the route admits. Documents of a path without a CEB message (tax invoices,
    warehouse documents) are checked on the party fields they carry."""
    acting = [r for r in route.roles if r in set(roles) and r in PARTY_FIELDS]
    if not acting:
        return
    head = head_field(route.message) if route.message else None
    strict = route.message is not None
    violations: list[Violation] = []
    for index, document in enumerate(documents):
        prefix = f"[{index}]." if len(documents) > 1 else ""
        where, values = _party_values(document, head)
        fields = [f for r in acting for f in PARTY_FIELDS[r]]
        if any(values.get(f) == code for f in fields):
            continue
        if not strict and not any(f in values for f in fields):
            continue
        for name in fields:
            if name in values or strict:
                violations.append(
                    Violation(
                        field=f"{prefix}{where}{name}",
                        rule="must be the code of the submitting enterprise",
                        value=values.get(name),
                        expected=code,
                    )
                )
    if violations:
        raise Forbidden(
            "a document names another enterprise as its party: "
            + "; ".join(str(v) for v in violations[:10]),
            violations,
        )


def _party_values(document: Any, head: str | None) -> tuple[str, dict[str, Any]]:
    if not isinstance(document, Mapping):
        return "", {}
    if head is not None:
        inner = document.get(head)
        return f"{head}.", dict(inner) if isinstance(inner, Mapping) else {}
    values = dict(document)
    for name, inner in document.items():
        if isinstance(name, str) and name.endswith("Head") and isinstance(inner, Mapping):
            values.update(inner)
            return f"{name}.", values
    return "", values
