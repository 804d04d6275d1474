"""The configurable values of the declaration rules.

DOMAIN.md keeps some values out of the code: those it marks [verify] (the items per
declaration form), those nobody publishes (how long customs waits for a missing document)
and data tables (usual prices per HS code, the negative list, holidays). They live in a
TOML file; `rules.example.toml` next to this module is an example, not authoritative data.
The service reads the file and hands the text to :func:`load_rules`::

    rules = load_rules(Path(settings.declaration_rules_file).read_text(encoding="utf-8"))
    result = check_export(invt, on_file, rules.three_document)
"""

from __future__ import annotations

import re
import tomllib
from datetime import date, timedelta
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, field_validator


class RulesModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ThreeDocumentRules(RulesModel):
    """Settings of the three-document check (DOMAIN.md §4)."""

    amount_tolerance: Decimal = Field(default=Decimal(0), ge=0)
    """How far the funds amount may be from the order's amount; the standard says equal."""
    document_wait: timedelta
    """How long a list may wait for its missing documents before it is reported."""


class ImportLimits(RulesModel):
    """Limits of CBEC retail imports (财关税〔2018〕49号, DOMAIN.md §6.4)."""

    per_transaction: Decimal = Field(gt=0)
    annual: Decimal = Field(gt=0)


class UsualPrice(RulesModel):
    """The usual unit price of goods of one HS code, in one currency and declared unit."""

    gcode: str
    currency: str
    unit: str
    price: Decimal = Field(gt=0)


class RiskRules(RulesModel):
    """Risk screening of the zone's risk-control system (DOMAIN.md §9)."""

    negative_list: frozenset[str] = frozenset()
    usual_prices: tuple[UsualPrice, ...] = ()
    price_tolerance_factor: Decimal = Field(gt=1)
    """A unit price above usual × factor or below usual / factor is "far from usual"."""
    split_order_limit: Decimal = Field(gt=0)
    """Same buyer, same day: a sum over this while each order is at or under it is a split."""
    repeated_mismatch_threshold: int = Field(ge=1)
    """This many recent three-document rejections of the enterprise send a list to review."""
    inspection_rate: Decimal = Field(ge=0, le=1)
    inspection_rate_by_grade: dict[str, Decimal] = Field(default_factory=dict)
    """The credit grade's own rate of random inspection, in place of `inspection_rate`."""
    selection_seed: str = Field(min_length=1)


class WorkingCalendar(RulesModel):
    """Which days are working days: Monday to Friday, less holidays, plus the weekend days
    declared working days in exchange for a holiday (调休)."""

    holidays: frozenset[date] = frozenset()
    extra_working_days: frozenset[date] = frozenset()

    def is_working_day(self, day: date) -> bool:
        if day in self.extra_working_days:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def on_or_after(self, day: date) -> date:
        """The first working day on or after `day`."""
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day


class SummaryRules(RulesModel):
    """Summary declaration (DOMAIN.md §5)."""

    max_items_per_form: int = Field(ge=1)
    deadline_day: int = Field(ge=1, le=28)
    """Day of the next month by which a month's lists are consolidated."""
    calendar: WorkingCalendar = WorkingCalendar()


KEY_TAKEN_DEFAULTS: dict[str, str] = {
    "CEB303": "-301010",
    "CEB311": "-301010",
    "CEB603": "-603010",
    "CEB621": "-621010",
    "CEB605": "-605010",
    "CEB623": "-623010",
    "CEB701": "-701010",
}
"""DOMAIN.md §3 gives -301010 (the order already exists); the other messages' codes follow
its pattern (the message's number, then 010) and are to be verified against the customs
standard's error table: a deployment sets them in the rules file."""


class ReceiptCodes(RulesModel):
    """Negative ``returnStatus`` codes of refusals (DOMAIN.md §3, "processing error")."""

    key_taken: dict[str, str] = Field(default_factory=lambda: dict(KEY_TAKEN_DEFAULTS))
    """Per business message (``CEB303`` ...): a document under a key that another enterprise
    filed, or a revocation of a list by an enterprise that neither filed it nor is its agent."""

    @field_validator("key_taken")
    @classmethod
    def _every_message_a_negative_code(cls, codes: dict[str, str]) -> dict[str, str]:
        missing = sorted(set(KEY_TAKEN_DEFAULTS) - set(codes))
        if missing:
            raise ValueError(f"a code for each of {', '.join(missing)}")
        wrong = sorted(k for k, v in codes.items() if not re.fullmatch(r"-[0-9]{6}", v))
        if wrong:
            raise ValueError(f"a minus and 6 digits for {', '.join(wrong)}")
        return codes


class DeclarationRules(RulesModel):
    three_document: ThreeDocumentRules
    import_limits: ImportLimits
    risk: RiskRules
    summary: SummaryRules
    receipts: ReceiptCodes = ReceiptCodes()


def load_rules(toml_text: str) -> DeclarationRules:
    """Parse the rules file's text; a wrong or missing value raises pydantic's ValidationError."""
    return DeclarationRules.model_validate(tomllib.loads(toml_text))
