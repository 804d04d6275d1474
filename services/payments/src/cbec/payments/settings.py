"""Settings of the payments service (environment variables; see cbec.shared.settings).

The rate and fee files default to the shipped examples (``cbec/payments/data``, marked as
such); a deployment names its own. How long an order waits for its funds and funds for their
order are not published (DOMAIN.md §4, §7): they are settings here.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from pydantic import Field

from cbec.payments.domain import ReconciliationPolicy
from cbec.shared.settings import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "payments"
    database_url: str = "sqlite+aiosqlite:///./data/payments.db"

    rate_table_file: Path | None = Field(
        default=None,
        description="CSV of the day's rates loaded when no table is on file (default: example)",
    )
    fee_table_file: Path | None = Field(
        default=None,
        description="CSV of the institutions' fees, loaded on start (default: example)",
    )
    funds_deadline_hours: float = Field(
        default=72.0, ge=0, description="how long an order may wait for its funds"
    )
    orphan_grace_hours: float = Field(
        default=24.0, ge=0, description="how long funds may wait for their order"
    )
    amount_tolerance: Decimal = Field(
        default=Decimal(0), ge=0, description="funds vs order amount tolerance (CNY)"
    )
    settlement_interval_seconds: float = Field(
        default=3600.0,
        gt=0,
        description="how often the settlement task settles every day up to yesterday",
    )
    reconciliation_interval_seconds: float = Field(
        default=300.0, gt=0, description="how often the reconciliation task runs"
    )
    scheduler_enabled: bool = Field(
        default=True, description="run settlement and reconciliation periodically"
    )

    def reconciliation_policy(self) -> ReconciliationPolicy:
        return ReconciliationPolicy(
            funds_deadline=timedelta(hours=self.funds_deadline_hours),
            orphan_grace=timedelta(hours=self.orphan_grace_hours),
            tolerance=self.amount_tolerance,
        )
