"""a release awaiting its quota reservation

Revision ID: 7a4c2e9b1d60
Revises: 5d1e0c7a2b94
Create Date: 2026-12-04 09:00:00.000000

An import list decided for release is recorded as awaiting the buyer's quota reservation
(``awaiting_quota``, the decision as JSON) and committed; the reservation is asked of the tax
service outside any transaction and its answer applied in a new one.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7a4c2e9b1d60"
down_revision: str | None = "5d1e0c7a2b94"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("decl_list", schema=None) as batch_op:
        batch_op.add_column(sa.Column("awaiting_quota", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("decl_list", schema=None) as batch_op:
        batch_op.drop_column("awaiting_quota")
