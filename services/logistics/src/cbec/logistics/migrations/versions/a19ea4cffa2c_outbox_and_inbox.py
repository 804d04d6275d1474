"""outbox and inbox

Revision ID: a19ea4cffa2c
Revises: 
Create Date: 2026-11-22 03:41:35.335873
"""

from collections.abc import Sequence

from cbec.shared.migrations import create_outbox_and_inbox, drop_outbox_and_inbox


revision: str = 'a19ea4cffa2c'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_outbox_and_inbox()


def downgrade() -> None:
    drop_outbox_and_inbox()
