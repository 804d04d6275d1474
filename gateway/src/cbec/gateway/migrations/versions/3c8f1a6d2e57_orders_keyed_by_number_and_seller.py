"""orders keyed by number and seller

Revision ID: 3c8f1a6d2e57
Revises: af0eb88cd2ad
Create Date: 2026-12-02 10:00:00.000000

The one-stop views were keyed by the order number alone, so two sellers using one number shared
a view. Orders, their parties and events are now keyed by the number and the seller (ebcCode);
``waybill_link`` becomes ``order_link`` (waybills, list numbers and import order keys), and an
event that waits for its order keeps the link it waits for (``event_record.link_key``).

Rows already projected take the seller their events named: an order whose events named several
sellers (the collision this revision ends) goes to the first of them in code order; replaying
the topics into an empty projection separates them exactly.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "3c8f1a6d2e57"
down_revision: str | None = "af0eb88cd2ad"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SELLER = (
    "(SELECT MIN(p.code) FROM order_party p "
    "WHERE p.order_no = {table}.order_no AND p.role = 'ebcCode')"
)


def _code(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    # order_view: + ebc_code, unique (order_no, ebc_code)
    with op.batch_alter_table("order_view", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ebc_code", _code(18), nullable=True))
    op.execute(
        f"UPDATE order_view SET ebc_code = COALESCE({_SELLER.format(table='order_view')}, '')"
    )
    # The first revision left the unique constraint on order_no unnamed: PostgreSQL named it
    # order_view_order_no_key; on SQLite a naming convention names it for batch mode.
    sqlite = op.get_bind().dialect.name == "sqlite"
    with op.batch_alter_table(
        "order_view",
        schema=None,
        naming_convention={"uq": "uq_%(table_name)s_%(column_0_name)s"} if sqlite else None,
    ) as batch_op:
        batch_op.alter_column("ebc_code", existing_type=_code(18), nullable=False)
        batch_op.drop_constraint(
            "uq_order_view_order_no" if sqlite else "order_view_order_no_key", type_="unique"
        )
        batch_op.create_unique_constraint(
            "uq_order_view_order_no_ebc_code", ["order_no", "ebc_code"]
        )

    # event_order and order_party: the seller joins the primary key
    op.create_table(
        "event_order_keyed",
        sa.Column("order_no", _code(60), nullable=False),
        sa.Column("ebc_code", _code(18), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("order_no", "ebc_code", "seq"),
    )
    op.execute(
        "INSERT INTO event_order_keyed (order_no, ebc_code, seq) "
        "SELECT e.order_no, v.ebc_code, e.seq FROM event_order e "
        "JOIN order_view v ON v.order_no = e.order_no"
    )
    op.drop_table("event_order")
    op.rename_table("event_order_keyed", "event_order")

    op.create_table(
        "order_party_keyed",
        sa.Column("order_no", _code(60), nullable=False),
        sa.Column("ebc_code", _code(18), nullable=False),
        sa.Column("code", _code(18), nullable=False),
        sa.Column("role", _code(20), nullable=False),
        sa.PrimaryKeyConstraint("order_no", "ebc_code", "code", "role"),
    )
    op.execute(
        "INSERT INTO order_party_keyed (order_no, ebc_code, code, role) "
        "SELECT p.order_no, v.ebc_code, p.code, p.role FROM order_party p "
        "JOIN order_view v ON v.order_no = p.order_no"
    )
    with op.batch_alter_table("order_party", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_party_code"))
    op.drop_table("order_party")
    op.rename_table("order_party_keyed", "order_party")
    with op.batch_alter_table("order_party", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_order_party_code"), ["code"], unique=False)

    # waybill_link -> order_link
    op.create_table(
        "order_link",
        sa.Column("link_key", _code(100), nullable=False),
        sa.Column("order_no", _code(60), nullable=False),
        sa.Column("ebc_code", _code(18), nullable=False),
        sa.PrimaryKeyConstraint("link_key"),
    )
    op.execute(
        "INSERT INTO order_link (link_key, order_no, ebc_code) "
        "SELECT 'W|' || w.logistics_code || '|' || w.logistics_no, w.order_no, v.ebc_code "
        "FROM waybill_link w JOIN order_view v ON v.order_no = w.order_no"
    )
    with op.batch_alter_table("waybill_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_waybill_link_order_no"))
    op.drop_table("waybill_link")

    # event_record: the link an event waits for, in place of its waybill columns
    with op.batch_alter_table("event_record", schema=None) as batch_op:
        batch_op.add_column(sa.Column("link_key", _code(100), nullable=True))
    op.execute(
        "UPDATE event_record SET link_key = 'W|' || logistics_code || '|' || logistics_no "
        "WHERE logistics_code IS NOT NULL AND logistics_no IS NOT NULL "
        "AND seq NOT IN (SELECT seq FROM event_order)"
    )
    with op.batch_alter_table("event_record", schema=None) as batch_op:
        batch_op.drop_index("ix_event_record_waybill")
        batch_op.drop_column("logistics_no")
        batch_op.drop_column("logistics_code")
        batch_op.create_index(batch_op.f("ix_event_record_link_key"), ["link_key"], unique=False)


def downgrade() -> None:
    raise NotImplementedError(
        "orders of one number and several sellers cannot be merged back: restore a backup or "
        "replay the topics into the previous version's projection"
    )
