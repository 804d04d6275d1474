"""Who may file, change and read the logistics documents (DESIGN.md "Security").

Decided on the object, here, whatever the gateway already checked:

- a document is filed by an enterprise it names in a party field of a role the enterprise has
  (DOMAIN.md §1, §2): waybills and the movements of their parcels by the logistics enterprise
  (``logisticsCode``; a master bill also by the agent it names), returns by the seller, its
  platform or its agent, warehouse sales by the seller (:data:`FILERS`);
- a document on file is changed or deleted only by the enterprise that filed it; anything
  else under its key from another enterprise is refused with :data:`NOT_THE_FILER` and changes
  nothing;
- a parcel's timeline is read by its logistics enterprise and the sellers its waybill and
  list name, a warehouse's stock by its seller, both also by customs officers and operators;
  to anyone else they do not exist (404, not 403).

    filing_violations(who, "CEB505", {"logisticsCode": "3702980002", ...})   # [] or the fields
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

from cbec.logistics.domain.errors import LogisticsError
from cbec.shared.errors import Violation

ECOMMERCE, LOGISTICS, AGENT = "ecommerce", "logistics", "agent"
OFFICERS = frozenset({"customs-officer", "operator", "officer"})
"""Roles that read every parcel and warehouse: customs (the goods flow is customs' feed) and the
platform's operators (``officer`` is the role the operations endpoints took before)."""

NOT_THE_FILER = "-501010"
"""The receipt of a document sent under the key of one another enterprise filed. The standard
answers such processing errors with a negative ``returnStatus`` (DOMAIN.md §3 names -301010 for
an order already on file and -401007 for a payment); this is the waybill family's (CEB5xx)."""

FILERS: Mapping[str, tuple[str | None, Mapping[str, tuple[str, ...]]]] = {
    "CEB505": (None, {LOGISTICS: ("logisticsCode",)}),
    "CEB511": ("LogisticsHead", {LOGISTICS: ("logisticsCode",)}),
    "CEB507": ("ArrivalHead", {LOGISTICS: ("logisticsCode",)}),
    "CEB607": ("WayBillHead", {LOGISTICS: ("logisticsCode",), AGENT: ("agentCode",)}),
    "CEB509": ("DepartureHead", {LOGISTICS: ("logisticsCode",)}),
    "CEB711": ("DeliveryHead", {LOGISTICS: ("logisticsCode",)}),
    "CEB513": (None, {LOGISTICS: ("logisticsCode",)}),
    "CEB215": (None, {LOGISTICS: ("logisticsCode",)}),
    "CEB213": ("InvtRefundHead", {ECOMMERCE: ("ebcCode", "ebpCode"), AGENT: ("agentCode",)}),
    "CEB625": ("InvtRefundHead", {ECOMMERCE: ("ebcCode", "ebpCode"), AGENT: ("agentCode",)}),
    "SALE": (None, {ECOMMERCE: ("ebcCode",)}),
    "BOOKING": (None, {ECOMMERCE: ("ebcCode",)}),
}
"""Per document: its head (None: the fields are on the record) and the fields, per role, that
name an enterprise which may file it. The import return receipt names no party: it is checked
against the list's logistics enterprise by its use case."""


class Who(Protocol):
    """The caller as the service's API hands it to a use case."""

    @property
    def party(self) -> str | None: ...

    @property
    def roles(self) -> frozenset[str]: ...


class NotTheFiler(LogisticsError):
    """A document under the key of one another enterprise filed (or moving its parcels)."""

    status_code = 409
    code = "not-the-filer"
    return_status = NOT_THE_FILER

    def __init__(self, document: str, violations: Sequence[Violation]) -> None:
        summary = "; ".join(str(v) for v in violations)
        super().__init__(f"{document} refused: {summary}", list(violations))
        self.document = document


def reads_everything(who: Who) -> bool:
    return bool(who.roles & OFFICERS)


def may_read(who: Who, named: Iterable[str | None]) -> bool:
    """Officers and operators, or an enterprise among the codes a document names."""
    return reads_everything(who) or (who.party is not None and who.party in set(named))


def filing_violations(who: Who, code: str, document: Mapping[str, Any]) -> list[Violation]:
    """Nothing when ``who`` is named by ``document`` (of kind ``code``) in a field of one of
    its roles; otherwise the fields that would have to carry its code."""
    if code not in FILERS:
        return [] if who.party else [Violation("X-Cbec-Party", "must name the enterprise")]
    head_name, fields = FILERS[code]
    head = document.get(head_name, {}) if head_name else document
    head = head if isinstance(head, Mapping) else {}
    acting = [f for role, names in fields.items() if role in who.roles for f in names]
    if who.party and any(head.get(f) == who.party for f in acting):
        return []
    wanted = acting or [f for names in fields.values() for f in names]
    roles = ", ".join(sorted(fields))
    prefix = f"{head_name}." if head_name else ""
    return [
        Violation(
            f"{prefix}{f}",
            f"must be the code of the filing enterprise, with the role {roles}",
            head.get(f),
            who.party,
        )
        for f in wanted
    ]


def refuse_unless_filer(code: str, filed_by: str, party: str | None, field: str, key: str) -> None:
    """:class:`NotTheFiler` unless ``party`` filed what is on file under ``key``."""
    if party is None or party != filed_by:
        raise NotTheFiler(
            code,
            [
                Violation(
                    field,
                    "a document on file is changed or deleted only by the enterprise that filed "
                    "it, and its parcels moved only by it",
                    key,
                )
            ],
        )
