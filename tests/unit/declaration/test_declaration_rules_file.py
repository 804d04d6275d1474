"""The rules file: the shipped example loads, and a wrong file is refused."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from importlib.resources import files

import pytest
from pydantic import ValidationError

from cbec.declaration.domain import load_rules

EXAMPLE = (files("cbec.declaration.domain") / "rules.example.toml").read_text(encoding="utf-8")


def test_the_example_rules_file_loads() -> None:
    rules = load_rules(EXAMPLE)
    assert rules.three_document.amount_tolerance == Decimal(0)
    assert rules.three_document.document_wait == timedelta(days=3)
    assert (rules.import_limits.per_transaction, rules.import_limits.annual) == (
        Decimal(5000),
        Decimal(26000),
    )
    assert rules.summary.max_items_per_form == 50
    assert rules.summary.deadline_day == 15


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("max_items_per_form = 50", "max_items_per_form = 0"),
        ('inspection_rate = "0.02"', 'inspection_rate = "1.5"'),
        ('price_tolerance_factor = "3"', 'price_tolerance_factor = "1"'),
        ("deadline_day = 15", "deadline_day = 15\nunknown_setting = 1"),
    ],
)
def test_a_wrong_rules_file_is_refused(old: str, new: str) -> None:
    assert old in EXAMPLE
    with pytest.raises(ValidationError):
        load_rules(EXAMPLE.replace(old, new))
