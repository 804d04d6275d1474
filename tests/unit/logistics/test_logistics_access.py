"""Who files each logistics document: the enterprise it names in a field of the caller's role."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from cbec.logistics.domain.access import (
    NOT_THE_FILER,
    NotTheFiler,
    filing_violations,
    may_read,
    refuse_unless_filer,
)

CARRIER, SELLER, AGENT = "3702980002", "3702960001", "3702910001"


@dataclass(frozen=True)
class Who:
    party: str | None
    roles: frozenset[str]


def who(party: str | None, *roles: str) -> Who:
    return Who(party, frozenset(roles))


WAYBILL = {"logisticsCode": CARRIER, "ebcCode": SELLER}
MASTER_BILL = {"WayBillHead": {"logisticsCode": CARRIER, "agentCode": AGENT}}
RETURN = {"InvtRefundHead": {"ebcCode": SELLER, "ebpCode": SELLER, "agentCode": AGENT}}

RETURN_FIELDS = tuple(f"InvtRefundHead.{f}" for f in ("ebcCode", "ebpCode", "agentCode"))

# (caller, document kind, document, the fields its refusal names; () when it may file it)
CASES: list[tuple[Who, str, dict[str, Any], tuple[str, ...]]] = [
    (who(CARRIER, "logistics"), "CEB505", WAYBILL, ()),
    (who("3702989999", "logistics"), "CEB505", WAYBILL, ("logisticsCode",)),
    (who(SELLER, "ecommerce"), "CEB505", WAYBILL, ("logisticsCode",)),
    (who(SELLER, "ecommerce"), "CEB505", {**WAYBILL, "logisticsCode": SELLER}, ("logisticsCode",)),
    (who(None, "logistics"), "CEB505", WAYBILL, ("logisticsCode",)),
    (who(CARRIER, "logistics"), "CEB511", {"LogisticsHead": WAYBILL}, ()),
    (who(CARRIER, "logistics"), "CEB513", WAYBILL, ()),
    (who(AGENT, "agent"), "CEB607", MASTER_BILL, ()),
    (who(CARRIER, "logistics"), "CEB607", MASTER_BILL, ()),
    (who(AGENT, "logistics"), "CEB607", MASTER_BILL, ("WayBillHead.logisticsCode",)),
    (who(AGENT, "agent"), "CEB509", {"DepartureHead": WAYBILL}, ("DepartureHead.logisticsCode",)),
    (who(SELLER, "ecommerce"), "CEB213", RETURN, ()),
    (who(AGENT, "agent"), "CEB625", RETURN, ()),
    (who(CARRIER, "logistics"), "CEB213", RETURN, RETURN_FIELDS),
    (who(SELLER, "ecommerce"), "SALE", {"ebcCode": SELLER}, ()),
    (who(CARRIER, "logistics"), "SALE", {"ebcCode": SELLER}, ("ebcCode",)),
]  # fmt: skip


@pytest.mark.parametrize(("caller", "code", "document", "fields"), CASES)
def test_a_document_is_filed_by_an_enterprise_it_names_in_a_field_of_its_role(
    caller: Who, code: str, document: dict[str, Any], fields: tuple[str, ...]
) -> None:
    assert tuple(v.field for v in filing_violations(caller, code, document)) == fields


def test_what_is_on_file_is_changed_by_its_filer_only() -> None:
    refuse_unless_filer("CEB505", CARRIER, CARRIER, "logisticsNo", "SF1")
    for party in ("3702989999", None):
        with pytest.raises(NotTheFiler) as refused:
            refuse_unless_filer("CEB505", CARRIER, party, "logisticsNo", "SF1")
        assert refused.value.return_status == NOT_THE_FILER
        assert [v.field for v in refused.value.violations] == ["logisticsNo"]


def test_a_document_is_read_by_the_codes_it_names_and_by_customs_and_operators() -> None:
    assert may_read(who(SELLER, "ecommerce"), [CARRIER, SELLER])
    assert may_read(who("4300", "customs-officer"), [CARRIER])
    assert may_read(who(None, "operator"), [])
    assert not may_read(who("3702989999", "logistics"), [CARRIER, SELLER, None])
    assert not may_read(who(None, "logistics"), [None])
