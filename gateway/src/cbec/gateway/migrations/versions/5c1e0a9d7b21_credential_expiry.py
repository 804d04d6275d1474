"""credential expiry: a key replaced by a newer one works until the end of its grace period

Revision ID: 5c1e0a9d7b21
Revises: 3c8f1a6d2e57
Create Date: 2026-11-30 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '5c1e0a9d7b21'
down_revision: str | None = '3c8f1a6d2e57'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('credential', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table('credential', schema=None) as batch_op:
        batch_op.drop_column('expires_at')
