"""the enterprise that filed each funds document, and the operator who ran each settlement

Revision ID: 3b7e0c1d2f45
Revises: 12f35750d384
Create Date: 2026-12-03 09:00:00.000000

``submitted_by`` becomes ``filed_by`` and is required: only the enterprise that filed a
document changes or deletes it. A row stored without it takes the party code it is stored
under: a voucher its ``payCode``, a receipt of funds its ``ebcCode``.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '3b7e0c1d2f45'
down_revision: str | None = '12f35750d384'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CODE = sa.String(length=18)
_KEY_PARTY = {'payment_voucher': 'pay_code', 'receipt_of_funds': 'ebc_code'}


def upgrade() -> None:
    for table, party in _KEY_PARTY.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                'submitted_by', new_column_name='filed_by', existing_type=_CODE,
                existing_nullable=True,
            )
        op.execute(f'UPDATE {table} SET filed_by = {party} WHERE filed_by IS NULL')
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('filed_by', existing_type=_CODE, nullable=False)
    with op.batch_alter_table('settlement', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('filed_by', sqlmodel.sql.sqltypes.AutoString(length=18), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table('settlement', schema=None) as batch_op:
        batch_op.drop_column('filed_by')
    for table in _KEY_PARTY:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                'filed_by', new_column_name='submitted_by', existing_type=_CODE, nullable=True
            )
