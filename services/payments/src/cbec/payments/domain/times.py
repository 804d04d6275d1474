"""Customs times: the messages write China Standard Time without a zone (DOMAIN.md §1: appTime).

``payTime``, ``accountingDate`` and ``appTime`` are parsed as naive datetimes; these helpers turn
them into moments and back, and name the China day a moment falls on::

    customs_time(utcnow())          # naive, UTC+8, as a customs message writes it
    from_customs_time(voucher.pay_time)
"""

from __future__ import annotations

from datetime import date, datetime

from cbec.shared.clock import CHINA_TZ, china


def customs_time(moment: datetime) -> datetime:
    """A moment as the naive China Standard Time the customs messages use."""
    return china(moment).replace(tzinfo=None)


def from_customs_time(moment: datetime) -> datetime:
    """A naive customs time (UTC+8) as an aware moment; an aware one is kept."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=CHINA_TZ)


def china_day(moment: datetime) -> date:
    """The day in China on which ``moment`` falls."""
    return china(moment).date()
