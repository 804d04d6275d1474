"""the enterprise that filed each order and list

Revision ID: 5d1e0c7a2b94
Revises: 5d2e8c1a7f3b
Create Date: 2026-12-02 09:00:00.000000

Documents filed before this revision are taken as filed by the party of the key they were stored
under (an order's ebcCode for export, ebpCode for import; a list's agentCode): the sender recorded
in ``cop_code``/``submitted_by`` was rewritten by every change, also by one from another
enterprise, so it cannot be trusted as the filer.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "5d1e0c7a2b94"
down_revision: str | None = "5d2e8c1a7f3b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("decl_order", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("filed_by", sqlmodel.sql.sqltypes.AutoString(length=18), nullable=True)
        )
    op.execute("UPDATE decl_order SET filed_by = party_code WHERE filed_by IS NULL")
    with op.batch_alter_table("decl_order", schema=None) as batch_op:
        batch_op.alter_column(
            "filed_by", existing_type=sqlmodel.sql.sqltypes.AutoString(length=18), nullable=False
        )

    with op.batch_alter_table("decl_list", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("filed_by", sqlmodel.sql.sqltypes.AutoString(length=18), nullable=True)
        )
    op.execute("UPDATE decl_list SET filed_by = agent_code WHERE filed_by IS NULL")
    with op.batch_alter_table("decl_list", schema=None) as batch_op:
        batch_op.alter_column(
            "filed_by", existing_type=sqlmodel.sql.sqltypes.AutoString(length=18), nullable=False
        )


def downgrade() -> None:
    with op.batch_alter_table("decl_list", schema=None) as batch_op:
        batch_op.drop_column("filed_by")
    with op.batch_alter_table("decl_order", schema=None) as batch_op:
        batch_op.drop_column("filed_by")
