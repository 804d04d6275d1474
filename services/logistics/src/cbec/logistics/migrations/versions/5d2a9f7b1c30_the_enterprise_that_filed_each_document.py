"""the enterprise that filed each document; bookings keyed by seller and order number

Revision ID: 5d2a9f7b1c30
Revises: c66ca5364e75
Create Date: 2026-12-03 09:30:00.000000

Every document on file records the enterprise that filed it (``filed_by``): only that one
changes or deletes it, or sends more under its key. Rows stored without it take the party code
they are stored under: a waybill, a split part and a master bill their ``logisticsCode``, a
return its list's seller, a stock movement its warehouse's seller. A booking is keyed by its
seller and order number: an order number is unique per seller only.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '5d2a9f7b1c30'
down_revision: str | None = 'c66ca5364e75'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OLD = sa.String(length=18)
_CODE = sqlmodel.sql.sqltypes.AutoString(length=18)

_RENAMED = {'logi_waybill': 'logistics_code', 'logi_split_part': 'logistics_code'}
_ADDED = {
    'logi_master_bill': 'logistics_code',
    'logi_stock_movement': 'ebc_code',
    'logi_return': (
        '(SELECT ebc_code FROM logi_released_list'
        ' WHERE logi_released_list.invt_no = logi_return.invt_no)'
    ),
}


def upgrade() -> None:
    for table in _RENAMED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                'submitted_by', new_column_name='filed_by', existing_type=_OLD,
                existing_nullable=True,
            )
    for table in _ADDED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('filed_by', _CODE, nullable=True))
    for table, party in {**_RENAMED, **_ADDED}.items():
        op.execute(f'UPDATE {table} SET filed_by = {party} WHERE filed_by IS NULL')
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('filed_by', existing_type=_OLD, nullable=False)
    if op.get_bind().dialect.name == 'sqlite':
        with op.batch_alter_table('logi_booking', recreate='always') as batch_op:
            batch_op.create_primary_key('pk_logi_booking', ['ebc_code', 'order_no'])
    else:
        op.drop_constraint('logi_booking_pkey', 'logi_booking', type_='primary')
        op.create_primary_key('logi_booking_pkey', 'logi_booking', ['ebc_code', 'order_no'])


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        with op.batch_alter_table('logi_booking', recreate='always') as batch_op:
            batch_op.create_primary_key('pk_logi_booking', ['order_no'])
    else:
        op.drop_constraint('logi_booking_pkey', 'logi_booking', type_='primary')
        op.create_primary_key('logi_booking_pkey', 'logi_booking', ['order_no'])
    for table in _ADDED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('filed_by')
    for table in _RENAMED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                'filed_by', new_column_name='submitted_by', existing_type=_OLD, nullable=True
            )
