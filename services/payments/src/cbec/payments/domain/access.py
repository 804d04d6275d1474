"""Who may file, change and read the funds documents (DESIGN.md "Security").

Decided on the object, here, whatever the gateway already checked:

- a document is filed by an enterprise it names in a party field of a role the enterprise
  has (DOMAIN.md §1): a payment voucher by its payment institution (``payCode``), a receipt of
  funds by its e-commerce enterprise or platform (``ebcCode``/``ebpCode``) or its payment
  institution (``payCode``);
- what is on file under a document's key is changed (``appType`` 2) or deleted (3) only by
  the enterprise that filed it; anything else under that key from another enterprise is
  refused and changes nothing;
- a document, settlement, ledger or flag is read by the enterprises it names, and by the
  officers and operators; to anyone else it does not exist (404, not 403).

    who = Caller(party="4403169D3W", roles=frozenset({"payment"}))
    filing_violations(who, receipt)        # [] when who may file it
    reads_everything(who)                  # False: reads are narrowed to who.party
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Protocol

from cbec.payments.domain.documents import FundsDocument, PaymentVoucher
from cbec.shared.errors import Violation

ECOMMERCE = "ecommerce"
PAYMENT = "payment"
OFFICERS = frozenset({"customs-officer", "tax-officer", "operator"})
"""Roles that read every funds document: customs (the three-document check), tax (the funds
feed) and the platform's operators."""


class Who(Protocol):
    """The caller as the service's API hands it to a use case."""

    @property
    def party(self) -> str | None: ...

    @property
    def roles(self) -> frozenset[str]: ...


def reads_everything(who: Who) -> bool:
    return bool(who.roles & OFFICERS)


def filer_fields(document: FundsDocument) -> Mapping[str, Iterable[str]]:
    """The fields naming an enterprise that may file ``document``, per role."""
    if isinstance(document, PaymentVoucher):
        return {PAYMENT: ("payCode",)}
    return {ECOMMERCE: ("ebcCode", "ebpCode"), PAYMENT: ("payCode",)}


def _value(document: FundsDocument, field: str) -> str | None:
    return {
        "payCode": document.pay_code,
        "ebcCode": getattr(document, "ebc_code", None),
        "ebpCode": document.ebp_code,
    }[field]


def filing_violations(who: Who, document: FundsDocument) -> list[Violation]:
    """Nothing when ``who`` is named by ``document`` in a field of one of its roles; otherwise
    the fields that would have to carry its code."""
    fields = filer_fields(document)
    acting = [field for role, names in fields.items() if role in who.roles for field in names]
    if who.party and any(_value(document, field) == who.party for field in acting):
        return []
    wanted = acting or [field for names in fields.values() for field in names]
    roles = ", ".join(sorted(fields))
    return [
        Violation(
            field,
            f"must be the code of the filing enterprise, with the role {roles}",
            _value(document, field),
            who.party,
        )
        for field in wanted
    ]


def filer_of(who: Who) -> str:
    """The code a document ``who`` may file is recorded under (see :func:`filing_violations`)."""
    if not who.party:
        raise ValueError("a document is filed by an enterprise: the caller names none")
    return who.party


def may_change(who: Who, filed_by: str) -> bool:
    """Only the enterprise that filed a document sends anything else under its key."""
    return who.party is not None and who.party == filed_by
