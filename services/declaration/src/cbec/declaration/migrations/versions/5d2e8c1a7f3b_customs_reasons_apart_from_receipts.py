"""customs' reasons for a list's status, apart from the declarant's receipts

Revision ID: 5d2e8c1a7f3b
Revises: bec0cd0435c7
Create Date: 2026-12-02 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '5d2e8c1a7f3b'
down_revision: str | None = 'bec0cd0435c7'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('decl_customs_reason',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('list_id', sa.Integer(), nullable=False),
    sa.Column('return_status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('rule', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
    sa.Column('officer', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['list_id'], ['decl_list.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('decl_customs_reason', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_decl_customs_reason_list_id'), ['list_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('decl_customs_reason', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_decl_customs_reason_list_id'))

    op.drop_table('decl_customs_reason')
