"""alerts: one row per alert and person (keyed like its outbox card), attendance state for crossing detection

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'alert',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('job', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column('child_id', sa.Integer(), nullable=False),
        sa.Column('pep_review_id', sa.Integer(), nullable=True),
        sa.Column('recipient_aad_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('period', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column('figures', sa.Text(), nullable=False),
        sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('acted_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column('snoozed_until', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column('resent', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['child_id'], ['child.id']),
        sa.ForeignKeyConstraint(['pep_review_id'], ['pep_review.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('key'),
    )
    with op.batch_alter_table('alert', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alert_child_id'), ['child_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_alert_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_alert_pep_review_id'), ['pep_review_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_alert_recipient_aad_id'), ['recipient_aad_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_alert_snoozed_until'), ['snoozed_until'], unique=False)
        batch_op.create_index(batch_op.f('ix_alert_status'), ['status'], unique=False)
    op.create_table(
        'attendance_alert_state',
        sa.Column('child_id', sa.Integer(), nullable=False),
        sa.Column('level', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column('dropped', sa.Boolean(), nullable=False),
        sa.Column('four_weeks', sa.Float(), nullable=True),
        sa.Column('term', sa.Float(), nullable=True),
        sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['child_id'], ['child.id']),
        sa.PrimaryKeyConstraint('child_id'),
    )


    # The unique (child_id, period_start, period_end) index serves child_id lookups: one index fewer to maintain
    # on every attendance import.
    with op.batch_alter_table('attendance_record', schema=None) as batch_op:
        batch_op.drop_index('ix_attendance_record_child_id')


def downgrade() -> None:
    with op.batch_alter_table('attendance_record', schema=None) as batch_op:
        batch_op.create_index('ix_attendance_record_child_id', ['child_id'], unique=False)
    op.drop_table('attendance_alert_state')
    with op.batch_alter_table('alert', schema=None) as batch_op:
        for name in ('status', 'snoozed_until', 'recipient_aad_id', 'pep_review_id', 'kind', 'child_id'):
            batch_op.drop_index(batch_op.f(f'ix_alert_{name}'))
    op.drop_table('alert')
