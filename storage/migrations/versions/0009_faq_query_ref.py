"""faq query ref: a random reference for each recorded question, made before the row is written, so the answer
card can carry it while the row is written a moment later, off the turn's path (issue 8)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('faq_query', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ref', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True))
        batch_op.create_index(batch_op.f('ix_faq_query_ref'), ['ref'], unique=True)


def downgrade() -> None:
    with op.batch_alter_table('faq_query', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_faq_query_ref'))
        batch_op.drop_column('ref')
