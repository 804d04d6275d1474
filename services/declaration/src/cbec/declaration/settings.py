"""Settings of the declaration service (environment variables; see cbec.shared.settings)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Literal

from pydantic import Field

from cbec.shared.settings import ServiceSettings

EXAMPLE_RULES_FILE = Path(__file__).parent / "domain" / "rules.example.toml"


class Settings(ServiceSettings):
    service_name: str = "declaration"
    database_url: str = "sqlite+aiosqlite:///./data/declaration.db"

    declaration_rules_file: Path = Field(
        default=EXAMPLE_RULES_FILE,
        description="TOML file of the declaration rules (risk, limits, summary); example default",
    )
    customs_adapter: Literal["rules", "files"] = Field(
        default="rules",
        description="rules: decide with the built-in rules; files: exchange CEB XML with customs",
    )
    customs_outbox_dir: Path = Field(
        default=Path("./data/customs/outbox"), description="where outgoing list XML is written"
    )
    customs_inbox_dir: Path = Field(
        default=Path("./data/customs/inbox"), description="where customs receipt XML arrives"
    )
    customs_poll_interval_s: float = Field(default=5.0, gt=0)
    three_document_wait: timedelta | None = Field(
        default=None,
        description="how long a list waits for missing documents; None: the rules file's value",
    )
    incomplete_check_interval_s: float = Field(default=300.0, gt=0)
    summary_run_day: int = Field(
        default=1, ge=1, le=28, description="day of the month the previous month is summarised"
    )
    summary_check_interval_s: float = Field(default=3600.0, gt=0)
    summary_customs_code: str = Field(
        default="4300", min_length=4, max_length=4, description="customs of the summary numbers"
    )
    tax_refund_url: str = Field(
        default="http://127.0.0.1:8004", description="base URL of the tax service (quotas)"
    )
    scheduler_enabled: bool = Field(
        default=True, description="run the periodic deadline, summary and inbox tasks"
    )
