"""Alembic environment of the tax-refund service."""

from cbec.shared.migrations import run_env
from cbec.tax_refund.models import TABLES

run_env(TABLES)
