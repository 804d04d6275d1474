"""The lifecycle of a list: transitions, receipts, amendments, revocations, officer decisions
(DOMAIN.md §3)."""

from __future__ import annotations

from datetime import datetime

import pytest

from cbec.declaration.domain import (
    ALLOWED_TRANSITIONS,
    AppType,
    DocumentNotAmendable,
    DocumentNotFound,
    DuplicateDocument,
    ExportRevocation,
    IllegalTransition,
    ImportRevocation,
    InvalidDecision,
    ListStatus,
    OfficerAction,
    OfficerDecision,
    Receipt,
    RevocationRefused,
    apply_officer_decision,
    check_app_type,
    revoke_export,
    revoke_import,
    transition,
)
from cbec.declaration.domain.lifecycle import MAX_RETURN_INFO, clip_return_info, walk
from tests.unit.declaration.decl_builders import AGENT, BUYER_ID, export_list, import_list

S = ListStatus
AT = datetime(2026, 3, 5, 14, 7, 9, 123456)

ALLOWED = sorted(
    ((src, dst) for src, targets in ALLOWED_TRANSITIONS.items() for dst in targets),
    key=lambda pair: (pair[0].value, pair[1].value),
)
ILLEGAL = [(src, dst) for src in S for dst in S if (src, dst) not in set(ALLOWED)]


def test_the_table_covers_every_status() -> None:
    assert set(ALLOWED_TRANSITIONS) == set(S)


def test_the_normal_path_of_a_list() -> None:
    path = (S.STORED, S.MANUAL_REVIEW, S.REVIEW_CONCLUDED, S.RELEASED, S.CLOSED)
    steps = walk(S.DECLARING, path, at=AT)
    assert [step.receipt.return_status for step in steps] == ["120", "300", "399", "800", "899"]


@pytest.mark.parametrize(("src", "dst"), ALLOWED, ids=[f"{s.value}->{d.value}" for s, d in ALLOWED])
def test_every_allowed_transition_yields_a_receipt(src: ListStatus, dst: ListStatus) -> None:
    step = transition(src, dst, at=AT, info="why")
    assert (step.from_status, step.to_status) == (src, dst)
    assert step.receipt == Receipt(dst.value, "20260305140709123", "why")


@pytest.mark.parametrize(("src", "dst"), ILLEGAL, ids=[f"{s.value}->{d.value}" for s, d in ILLEGAL])
def test_every_other_transition_is_refused_naming_both_states(
    src: ListStatus, dst: ListStatus
) -> None:
    with pytest.raises(IllegalTransition) as raised:
        transition(src, dst, at=AT)
    error = raised.value
    assert (error.from_status, error.to_status) == (src.value, dst.value)
    assert f"from status {src.value} to {dst.value}" in str(error)
    assert error.status_code == 409


@pytest.mark.parametrize(
    ("src", "dst", "hint"),
    [
        (S.RELEASED, S.DELETED, "allowed from 800: 899, revoked"),
        (S.CLOSED, S.REVOKED, "final state"),
        (S.STORED, S.RELEASED, "allowed from 120: 100, 300, 399, 500"),
    ],
)
def test_a_refused_transition_says_what_is_allowed(
    src: ListStatus, dst: ListStatus, hint: str
) -> None:
    with pytest.raises(IllegalTransition, match=hint):
        transition(src, dst, at=AT)


def test_receipt_time_is_written_to_the_millisecond() -> None:
    assert Receipt.of(S.STORED, datetime(2026, 1, 2, 3, 4, 5, 6789)).return_time == (
        "20260102030405006"
    )


@pytest.mark.parametrize(("length", "clipped"), [(1000, False), (1001, True), (5000, True)])
def test_return_info_never_exceeds_a_thousand_characters(length: int, clipped: bool) -> None:
    info = clip_return_info("x" * length)
    assert len(info) == min(length, MAX_RETURN_INFO)
    assert info.endswith("(truncated)") is clipped


# appType: new, change, delete


@pytest.mark.parametrize(
    ("app_type", "on_file", "status", "error"),
    [
        (AppType.NEW, False, None, None),
        (AppType.NEW, True, None, DuplicateDocument),
        (AppType.NEW, True, S.STAGED, DuplicateDocument),
        (AppType.CHANGE, False, None, DocumentNotFound),
        (AppType.DELETE, False, None, DocumentNotFound),
        (AppType.CHANGE, True, None, None),  # an order no list uses yet
        (AppType.DELETE, True, None, None),
        (AppType.CHANGE, True, S.STAGED, None),
        (AppType.DELETE, True, S.STAGED, None),
        (AppType.CHANGE, True, S.REJECTED, None),  # corrected after a rejection
        (AppType.DELETE, True, S.REJECTED, None),
        *(
            (app_type, True, status, DocumentNotAmendable)
            for app_type in (AppType.CHANGE, AppType.DELETE)
            for status in (
                S.DECLARING,
                S.STORED,
                S.MANUAL_REVIEW,
                S.INSPECTION,
                S.REVIEW_CONCLUDED,
                S.RELEASED,
                S.CLOSED,
            )
        ),
    ],
)
def test_change_or_delete_only_before_the_list_is_declared(
    app_type: AppType, on_file: bool, status: ListStatus | None, error: type[Exception] | None
) -> None:
    if error is None:
        check_app_type(app_type, on_file=on_file, list_status=status)
    else:
        with pytest.raises(error) as raised:
            check_app_type(app_type, on_file=on_file, list_status=status)
        assert raised.value.violations[0].field == "appType"  # type: ignore[attr-defined]


def test_a_late_change_points_to_the_revocation() -> None:
    with pytest.raises(DocumentNotAmendable, match="withdrawn with a revocation") as raised:
        check_app_type(AppType.CHANGE, on_file=True, list_status=S.RELEASED)
    violation = raised.value.violations[0]
    assert (violation.value, violation.expected) == ("800", "1 or 100")


# Revocations (CEB605 / CEB623)


def export_revocation(**overrides: str) -> ExportRevocation:
    values = {
        "customsCode": "4300",
        "copNo": "COP0001",
        "invtNo": "43002026E000000001",
        "reason": "buyer cancelled",
        "agentCode": AGENT,
        "ebcCode": "3701960002",
    }
    values.update(overrides)
    return ExportRevocation.model_validate(values)


def import_revocation(**overrides: str) -> ImportRevocation:
    values = {
        "customsCode": "4300",
        "orderNo": "IO0001",
        "ebpCode": "4403169999",
        "ebcCode": "4403160001",
        "logisticsCode": "4403970002",
        "logisticsNo": "IL0001",
        "invtNo": "43002026I00000001",
        "buyerIdNumber": BUYER_ID,
        "buyerName": "张三",
        "agentCode": AGENT,
        "reason": "buyer cancelled",
    }
    values.update(overrides)
    return ImportRevocation.model_validate(values)


def test_a_released_export_list_is_withdrawn_by_a_revocation() -> None:
    step = revoke_export(export_list(), S.RELEASED, export_revocation(), at=AT)
    assert step.to_status is S.REVOKED
    assert step.receipt.return_info == "revoked: buyer cancelled"


def test_a_released_import_list_is_withdrawn_by_a_revocation() -> None:
    step = revoke_import(import_list(), S.RELEASED, import_revocation(), at=AT)
    assert (step.from_status, step.to_status) == (S.RELEASED, S.REVOKED)


@pytest.mark.parametrize(
    "status",
    [S.STAGED, S.DECLARING, S.STORED, S.MANUAL_REVIEW, S.REVIEW_CONCLUDED, S.CLOSED, S.REVOKED],
)
def test_only_a_released_list_can_be_revoked(status: ListStatus) -> None:
    with pytest.raises(RevocationRefused) as raised:
        revoke_export(export_list(), status, export_revocation(), at=AT)
    [violation] = raised.value.violations
    assert (violation.field, violation.value, violation.expected) == ("invtNo", status.value, "800")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"invtNo": "43002026E000000002"}, "invtNo"),
        ({"reason": "  "}, "reason"),
        ({"ebcCode": "3701960009"}, "ebcCode"),
        ({"agentCode": "3701980009"}, "agentCode"),
    ],
)
def test_an_export_revocation_must_match_its_list(overrides: dict[str, str], field: str) -> None:
    with pytest.raises(RevocationRefused) as raised:
        revoke_export(export_list(), S.RELEASED, export_revocation(**overrides), at=AT)
    assert [v.field for v in raised.value.violations] == [field]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"invtNo": "43002026I00000002"}, "invtNo"),
        ({"orderNo": "IO0002"}, "orderNo"),
        ({"buyerIdNumber": "370102199202022222"}, "buyerIdNumber"),
    ],
)
def test_an_import_revocation_must_match_its_list(overrides: dict[str, str], field: str) -> None:
    with pytest.raises(RevocationRefused) as raised:
        revoke_import(import_list(), S.RELEASED, import_revocation(**overrides), at=AT)
    assert [v.field for v in raised.value.violations] == [field]


def test_a_refused_revocation_names_every_problem() -> None:
    revocation = export_revocation(invtNo="X", reason="")
    with pytest.raises(RevocationRefused) as raised:
        revoke_export(export_list(), S.CLOSED, revocation, at=AT)
    assert {v.field for v in raised.value.violations} == {"invtNo", "reason"}
    assert len(raised.value.violations) == 3


# Officer decisions on manual review (300) and inspection (500)


def decision(action: OfficerAction, reason: str = "documents checked") -> OfficerDecision:
    return OfficerDecision(action=action, reason=reason, officer="officer-7")


@pytest.mark.parametrize(
    ("current", "action", "statuses"),
    [
        (S.MANUAL_REVIEW, OfficerAction.RELEASE, ["399", "800"]),
        (S.INSPECTION, OfficerAction.RELEASE, ["399", "800"]),
        (S.MANUAL_REVIEW, OfficerAction.REJECT, ["100"]),
        (S.INSPECTION, OfficerAction.REJECT, ["100"]),
        (S.MANUAL_REVIEW, OfficerAction.INSPECT, ["500"]),
    ],
)
def test_officer_decisions_on_review_and_inspection(
    current: ListStatus, action: OfficerAction, statuses: list[str]
) -> None:
    steps = apply_officer_decision(current, decision(action), at=AT)
    assert [step.receipt.return_status for step in steps] == statuses
    # The officer's note and code are customs' own: the declarant's receipts say the status.
    told = {
        "399": "review concluded",
        "800": "released",
        "100": "rejected after customs review",
        "500": "selected for inspection",
    }
    assert [step.receipt.return_info for step in steps] == [told[s] for s in statuses]
    assert not any("documents checked" in step.receipt.return_info for step in steps)
    assert not any("officer-7" in step.receipt.return_info for step in steps)


def test_an_officers_rejection_tells_the_declarant_the_reason_given_for_it_not_the_note() -> None:
    told = "inventoryList[1].gname: the goods inspected are wool, not cotton"
    steps = apply_officer_decision(
        S.INSPECTION,
        OfficerDecision(OfficerAction.REJECT, "sender known from case 2026-17", "officer-7", told),
        at=AT,
    )
    assert [step.receipt.return_info for step in steps] == [f"rejected: {told}"]
    assert "case 2026-17" not in steps[0].receipt.return_info


@pytest.mark.parametrize(
    ("action", "told", "rule"),
    [
        (OfficerAction.RELEASE, "you may go", "only a rejection tells the declarant a reason"),
        (OfficerAction.INSPECT, "we will look", "only a rejection tells the declarant a reason"),
        (OfficerAction.REJECT, "  ", "a rejection's reason for the declarant is not blank"),
    ],
)
def test_only_a_rejection_tells_the_declarant_a_reason_and_not_a_blank_one(
    action: OfficerAction, told: str, rule: str
) -> None:
    with pytest.raises(InvalidDecision) as raised:
        apply_officer_decision(
            S.MANUAL_REVIEW, OfficerDecision(action, "checked", "officer-7", told), at=AT
        )
    [violation] = raised.value.violations
    assert violation.field == "returnInfo"
    assert violation.rule.startswith(rule)


@pytest.mark.parametrize(
    ("current", "action"),
    [
        (S.STORED, OfficerAction.RELEASE),
        (S.RELEASED, OfficerAction.REJECT),
        (S.CLOSED, OfficerAction.RELEASE),
        (S.INSPECTION, OfficerAction.INSPECT),
    ],
)
def test_officers_decide_only_on_lists_in_review_or_inspection(
    current: ListStatus, action: OfficerAction
) -> None:
    with pytest.raises(IllegalTransition) as raised:
        apply_officer_decision(current, decision(action), at=AT)
    assert raised.value.from_status == current.value


@pytest.mark.parametrize("action", list(OfficerAction))
def test_an_officer_decision_needs_a_reason(action: OfficerAction) -> None:
    with pytest.raises(InvalidDecision) as raised:
        apply_officer_decision(S.MANUAL_REVIEW, decision(action, reason=" "), at=AT)
    assert raised.value.violations[0].field == "reason"
