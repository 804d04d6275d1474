"""Alembic environment of the gateway service."""

from cbec.gateway.models import TABLES
from cbec.shared.migrations import run_env

run_env(TABLES)
