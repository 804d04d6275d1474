"""Who may change, delete, revoke and read a document (DESIGN.md, "Security")."""

from __future__ import annotations

from importlib.resources import files

import pytest

from cbec.declaration.domain import (
    KeyTaken,
    check_filer,
    check_revoker,
    filer_of,
    load_rules,
    may_read,
)
from cbec.declaration.domain.config import KEY_TAKEN_DEFAULTS

EXAMPLE = (files("cbec.declaration.domain") / "rules.example.toml").read_text(encoding="utf-8")

FILER, AGENT, SELLER, STRANGER = "3701960002", "3701980003", "3701960009", "3701969999"


@pytest.mark.parametrize(
    ("caller", "allowed"),
    [(FILER, True), (STRANGER, False), (AGENT, False), (SELLER, False), ("", False)],
)
def test_only_the_filer_sends_another_document_under_its_key(caller: str, allowed: bool) -> None:
    if allowed:
        check_filer(filed_by=FILER, caller=caller, what="the order EO1", field="OrderHead.ebcCode")
        return
    with pytest.raises(KeyTaken) as refused:
        check_filer(filed_by=FILER, caller=caller, what="the order EO1", field="OrderHead.ebcCode")
    assert refused.value.message.startswith("OrderHead.ebcCode: the order EO1 was filed by another")
    assert refused.value.violations[0].field == "OrderHead.ebcCode"


@pytest.mark.parametrize(
    ("caller", "allowed"),
    [(FILER, True), (AGENT, True), (SELLER, False), (STRANGER, False)],
)
def test_a_list_is_revoked_by_its_filer_or_the_agent_it_names(caller: str, allowed: bool) -> None:
    def revoke() -> None:
        check_revoker(
            filed_by=FILER, agent_code=AGENT, caller=caller, what="the list L1", field="invtNo"
        )

    if allowed:
        revoke()
    else:
        with pytest.raises(KeyTaken, match="invtNo: the list L1 is revoked only by"):
            revoke()


@pytest.mark.parametrize(
    ("caller", "sees_all", "readable"),
    [
        (SELLER, False, True),
        (AGENT, False, True),
        (STRANGER, False, False),
        (None, False, False),
        (STRANGER, True, True),
        (None, True, True),
    ],
)
def test_a_document_is_read_by_the_parties_it_names_and_officers(
    caller: str | None, sees_all: bool, readable: bool
) -> None:
    assert may_read(caller, sees_all=sees_all, parties=(SELLER, AGENT, None)) is readable


def test_a_call_naming_no_caller_files_as_the_party_of_the_key() -> None:
    assert filer_of(None, SELLER) == SELLER
    assert filer_of(AGENT, SELLER) == AGENT


def test_the_refusal_codes_come_from_the_rules_file_with_one_for_each_message() -> None:
    assert load_rules(EXAMPLE).receipts.key_taken == KEY_TAKEN_DEFAULTS
    without = EXAMPLE[: EXAMPLE.index("[receipts]")]
    assert load_rules(without).receipts.key_taken == KEY_TAKEN_DEFAULTS
    with pytest.raises(ValueError, match="a code for each of CEB311"):
        load_rules(without + '[receipts]\nkey_taken = { CEB303 = "-301099" }\n')


def test_a_refusal_code_is_a_minus_and_six_digits() -> None:
    assert 'CEB603 = "-603010"' in EXAMPLE
    with pytest.raises(ValueError, match="a minus and 6 digits for CEB603"):
        load_rules(EXAMPLE.replace('CEB603 = "-603010"', 'CEB603 = "603010"'))
