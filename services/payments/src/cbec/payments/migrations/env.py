"""Alembic environment of the payments service."""

from cbec.payments.models import TABLES
from cbec.shared.migrations import run_env

run_env(TABLES)
