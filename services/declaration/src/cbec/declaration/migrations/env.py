"""Alembic environment of the declaration service."""

from cbec.declaration.models import TABLES
from cbec.shared.migrations import run_env

run_env(TABLES)
