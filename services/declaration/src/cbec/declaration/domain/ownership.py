"""Who may change, delete, revoke and read a document: decided on the document itself.

An enterprise is trusted with its own documents only (DESIGN.md, "Security"). Every stored
document records the enterprise that filed it (the caller the gateway vouched for); a later
document under the same business key, a revocation or a read is judged against it::

    check_filer(filed_by="3701960002", caller="3701969999", what="order EO1", field="...")
    # raises KeyTaken: the document is another enterprise's
    check_revoker(filed_by=..., agent_code=..., caller=..., what="list ...")
    may_read(caller, officer=False, parties=(ebc, ebp, agent, logistics))

The business keys name parties (an export order's key is ``orderNo`` + ``ebcCode``), but the
party fields of a document are what its sender writes: a seller can put another seller's code in
``ebcCode`` and its own in ``ebpCode``. Naming a party is therefore never enough to change or
delete a document; having filed it is.
"""

from __future__ import annotations

from collections.abc import Iterable

from cbec.declaration.domain.errors import DeclarationError, Violation


class KeyTaken(DeclarationError):
    """A document under a business key that another enterprise filed: only the filer changes,
    deletes or revokes what is filed under it. Nothing is changed."""

    status_code = 409
    code = "key-taken"


def filer_of(caller: str | None, key_party: str) -> str:
    """The enterprise filing a document: the caller the gateway names, else (a call from inside
    the platform, which names no caller) the party of the document's own key."""
    return caller or key_party


def check_filer(*, filed_by: str, caller: str, what: str, field: str) -> None:
    """A document under the key of ``what`` comes from its filer, or raises :class:`KeyTaken`
    naming ``field`` (the key's party field) and the rule."""
    if caller == filed_by:
        return
    rule = (
        f"{what} was filed by another enterprise: only the enterprise that filed a document "
        "sends a change (appType 2) or deletion (appType 3) of it, or another document under "
        "its key"
    )
    raise KeyTaken(f"{field}: {rule}", [Violation(field, rule, caller)])


def check_revoker(*, filed_by: str, agent_code: str, caller: str, what: str, field: str) -> None:
    """A revocation (CEB605 / CEB623) comes from the list's filer or the agent the list names,
    or raises :class:`KeyTaken`."""
    if caller in (filed_by, agent_code):
        return
    rule = f"{what} is revoked only by the enterprise that filed it or the agent it names"
    raise KeyTaken(f"{field}: {rule}", [Violation(field, rule, caller)])


def may_read(caller: str | None, *, sees_all: bool, parties: Iterable[str | None]) -> bool:
    """Officers and operators read every document on their routes; an enterprise only the
    documents that name it as a party."""
    if sees_all:
        return True
    return caller is not None and caller in {p for p in parties if p}
