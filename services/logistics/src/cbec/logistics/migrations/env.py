"""Alembic environment of the logistics service."""

from cbec.logistics.models import TABLES
from cbec.shared.migrations import run_env

run_env(TABLES)
