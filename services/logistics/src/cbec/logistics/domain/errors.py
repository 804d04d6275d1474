"""The logistics service's errors: each names the field, the rule and the values compared.

Every error is a :class:`cbec.shared.errors.CbecError`, so the service's one error handler turns
it into a 4xx answer (or a customs receipt) that lists the violations::

    raise MovementRefused("CEB509", [Violation(field="DepartureList[1].logisticsNo", ...)])
"""

from __future__ import annotations

from collections.abc import Sequence

from cbec.shared.errors import CbecError, Violation

__all__ = [
    "DuplicateWaybill",
    "IllegalTransition",
    "InvalidMessage",
    "LogisticsError",
    "MovementRefused",
    "ReturnRefused",
    "ReturnWindowClosed",
    "SplitMessageConflict",
    "SplitMessageIncomplete",
    "StockRefused",
    "Violation",
    "WarehouseError",
    "WaybillInUse",
    "WaybillNotFound",
]


def _summary(title: str, violations: Sequence[Violation]) -> str:
    return f"{title}: " + "; ".join(str(v) for v in violations)


class LogisticsError(CbecError):
    """Base of every rule the logistics service enforces."""

    code = "logistics-error"


class InvalidMessage(LogisticsError):
    """A message breaks field rules of the customs standard (all violations listed)."""

    status_code = 422
    code = "invalid-message"

    def __init__(self, document: str, violations: Sequence[Violation]) -> None:
        super().__init__(_summary(f"{document} is invalid", violations), list(violations))
        self.document = document


class DuplicateWaybill(LogisticsError):
    """A new waybill (appType 1) whose (logisticsCode, logisticsNo) is already on file."""

    status_code = 409
    code = "duplicate-waybill"

    def __init__(self, logistics_code: str, logistics_no: str) -> None:
        violation = Violation(
            field="logisticsNo",
            rule="a waybill number is unique per logistics enterprise (logisticsCode)",
            value=logistics_no,
        )
        super().__init__(
            f"waybill {logistics_no} of logistics enterprise {logistics_code} is already on file",
            [violation],
        )
        self.logistics_code = logistics_code
        self.logistics_no = logistics_no


class WaybillNotFound(LogisticsError):
    """A change or delete (appType 2/3) of a waybill that is not on file."""

    status_code = 404
    code = "waybill-not-found"

    def __init__(self, logistics_code: str, logistics_no: str, app_type: str) -> None:
        violation = Violation(
            field="logisticsNo",
            rule=f"appType {app_type} needs a waybill on file with this number",
            value=logistics_no,
        )
        super().__init__(
            f"no waybill {logistics_no} of logistics enterprise {logistics_code} to change",
            [violation],
        )


class WaybillInUse(LogisticsError):
    """A waybill that an inventory list already quotes can no longer be changed or deleted."""

    status_code = 409
    code = "waybill-in-use"

    def __init__(self, logistics_no: str, list_ref: str, action: str) -> None:
        violation = Violation(
            field="appType",
            rule=f"a waybill can be {action} only until an inventory list uses it",
            value=logistics_no,
            expected=f"not used by a list (used by {list_ref})",
        )
        super().__init__(
            f"waybill {logistics_no} is used by inventory list {list_ref} and cannot be {action}",
            [violation],
        )
        self.list_ref = list_ref


class IllegalTransition(LogisticsError):
    """A parcel movement that its timeline does not allow from the parcel's current state."""

    status_code = 409
    code = "illegal-transition"

    def __init__(
        self,
        parcel: str,
        movement: str,
        from_state: str,
        to_state: str,
        allowed_from: Sequence[str],
    ) -> None:
        allowed = ", ".join(allowed_from) or "no state"
        violation = Violation(
            field="state",
            rule=f"{movement} is allowed only from: {allowed}",
            value=from_state,
            expected=allowed,
        )
        super().__init__(
            f"parcel {parcel} cannot go from {from_state} to {to_state} ({movement})",
            [violation],
        )
        self.parcel = parcel
        self.movement = movement
        self.from_state = from_state
        self.to_state = to_state


class MovementRefused(LogisticsError):
    """A goods movement message that does not fit the parcels it names; nothing was moved."""

    status_code = 409
    code = "movement-refused"

    def __init__(self, document: str, violations: Sequence[Violation]) -> None:
        super().__init__(_summary(f"{document} refused", violations), list(violations))
        self.document = document


class SplitMessageConflict(LogisticsError):
    """A part of a split message that contradicts the parts already received."""

    status_code = 409
    code = "split-message-conflict"

    def __init__(self, key: str, violation: Violation) -> None:
        super().__init__(f"split message {key}: {violation}", [violation])
        self.key = key


class SplitMessageIncomplete(LogisticsError):
    """A split message assembled before all of its parts 1..msgCount arrived."""

    status_code = 409
    code = "split-message-incomplete"

    def __init__(self, key: str, missing: Sequence[int]) -> None:
        violation = Violation(
            field="msgSeqNo",
            rule="every part 1..msgCount must arrive before the message is complete",
            value=", ".join(str(n) for n in missing),
        )
        super().__init__(f"split message {key} lacks parts {violation.value}", [violation])
        self.key = key
        self.missing = tuple(missing)


class ReturnRefused(LogisticsError):
    """A return application that breaks the return rules (window, lines, quantities)."""

    status_code = 422
    code = "return-refused"

    def __init__(self, document: str, violations: Sequence[Violation]) -> None:
        super().__init__(_summary(f"{document} refused", violations), list(violations))
        self.document = document


class ReturnWindowClosed(ReturnRefused):
    """Returned goods that came back after the return window closed."""

    code = "return-window-closed"


class WarehouseError(LogisticsError):
    """Base of the overseas warehouse (9810) rules."""

    code = "warehouse-error"


class StockRefused(WarehouseError):
    """An inbound or outbound movement that the warehouse's stock or bookings cannot cover."""

    status_code = 409
    code = "stock-refused"

    def __init__(self, action: str, violations: Sequence[Violation]) -> None:
        super().__init__(_summary(f"{action} refused", violations), list(violations))
        self.action = action
