"""Settings of the logistics service (environment variables; see cbec.shared.settings)."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field

from cbec.shared.settings import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "logistics"
    database_url: str = "sqlite+aiosqlite:///./data/logistics.db"

    parcel_departure_wait: timedelta = Field(
        default=timedelta(hours=72),
        description=(
            "PARCEL_DEPARTURE_WAIT: how long a released export parcel may wait before it departs "
            "(ISO 8601 duration or seconds). Not published by customs (DOMAIN.md §4): a setting."
        ),
    )
    overdue_check_interval_seconds: float = Field(
        default=300.0,
        gt=0,
        description="how often the overdue-parcel check runs in the background",
    )
    overdue_check_enabled: bool = Field(
        default=True, description="run the overdue-parcel check periodically"
    )
    warehouse_default_code: str = Field(
        default="DEFAULT",
        min_length=1,
        max_length=40,
        description=(
            "the overseas warehouse a booking's goods enter when the enterprise did not assign "
            "the booking to one of its warehouses"
        ),
    )
    document_time_tolerance_seconds: int = Field(
        default=300,
        ge=0,
        description="how far in the future a document's own time (appTime, leaveTime) may be",
    )
