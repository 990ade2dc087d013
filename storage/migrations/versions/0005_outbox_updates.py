"""outbox: updates in place (operation, updates_key) and an index for the dispatcher's due query

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.add_column(sa.Column('operation', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False,
                                      server_default='send'))
        batch_op.add_column(sa.Column('updates_key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True))
        batch_op.create_index(batch_op.f('ix_delivery_updates_key'), ['updates_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_delivery_next_attempt_at'), ['next_attempt_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_delivery_next_attempt_at'))
        batch_op.drop_index(batch_op.f('ix_delivery_updates_key'))
        batch_op.drop_column('updates_key')
        batch_op.drop_column('operation')
