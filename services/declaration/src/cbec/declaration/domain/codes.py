"""Codes of the customs CBEC message standard (202205 edition) that the rules use."""

from __future__ import annotations

from enum import StrEnum


class AppType(StrEnum):
    """`appType`: what a message does to the document it carries."""

    NEW = "1"
    CHANGE = "2"
    DELETE = "3"


class ExportOrderType(StrEnum):
    """`orderType` of an export order (CEB303)."""

    B2C = "E"
    B2B = "B"
    OVERSEAS_WAREHOUSE = "W"


class StatisticsFlag(StrEnum):
    """`statisticsFlag` of an export list: simplified (A) or consolidated (B) declaration."""

    SIMPLIFIED = "A"
    CONSOLIDATED = "B"


class SummaryFlag(StrEnum):
    """`summaryFlag` of a summary application (CEB701)."""

    BY_CONSIGNOR = "1"
    BY_CONSIGNOR_AND_OWNER = "2"


class ListStatus(StrEnum):
    """The states of an inventory list.

    The numeric values are the customs receipt codes (`returnStatus`, DOMAIN.md §3). The
    customs codes have no state for a list that the enterprise deleted before declaring it,
    nor for a released list withdrawn by an accepted revocation; the platform keeps those
    two as its own states, whose receipts carry the revocation's or deletion's outcome.
    """

    STAGED = "1"
    DECLARING = "2"
    REJECTED = "100"
    STORED = "120"
    MANUAL_REVIEW = "300"
    REVIEW_CONCLUDED = "399"
    INSPECTION = "500"
    RELEASED = "800"
    CLOSED = "899"
    DELETED = "deleted"
    REVOKED = "revoked"


CNY = "142"
"""Currency code of the renminbi (and, in the country table, of China)."""
