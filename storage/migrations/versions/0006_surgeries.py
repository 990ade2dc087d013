"""surgeries: series, surgeries with status/version/cut-off, slots with a places counter, bookings

The old `surgery` and `surgery_slot` tables held only demo rows (nothing could book before this revision), so
they are replaced rather than altered; `vsbot demo seed` recreates the demo surgeries.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

_STR = sqlmodel.sql.sqltypes.AutoString
_UTC = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    with op.batch_alter_table('surgery_slot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_surgery_slot_surgery_id'))
    op.drop_table('surgery_slot')
    op.drop_table('surgery')

    op.create_table('surgery_series',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('interval_weeks', sa.Integer(), nullable=False),
    sa.Column('first_date', sa.Date(), nullable=False),
    sa.Column('until_date', sa.Date(), nullable=False),
    sa.Column('term_time_only', sa.Boolean(), nullable=False),
    sa.Column('created_by_aad_id', _STR(length=64), nullable=True),
    sa.Column('created_at', _UTC(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('surgery',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('series_id', sa.Integer(), nullable=True),
    sa.Column('title', _STR(length=200), nullable=False),
    sa.Column('subject', _STR(length=40), nullable=False),
    sa.Column('audience', _STR(length=200), nullable=False),
    sa.Column('kind', _STR(length=16), nullable=False),
    sa.Column('starts_at', _UTC(), nullable=False),
    sa.Column('ends_at', _UTC(), nullable=False),
    sa.Column('slot_minutes', sa.Integer(), nullable=True),
    sa.Column('join_url', _STR(length=500), nullable=True),
    sa.Column('venue', _STR(length=200), nullable=True),
    sa.Column('cutoff_minutes', sa.Integer(), nullable=False),
    sa.Column('booking_closes_at', _UTC(), nullable=False),
    sa.Column('host_aad_id', _STR(length=64), nullable=True),
    sa.Column('status', _STR(length=16), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', _UTC(), nullable=False),
    sa.Column('updated_at', _UTC(), nullable=False),
    sa.Column('cancelled_at', _UTC(), nullable=True),
    sa.ForeignKeyConstraint(['series_id'], ['surgery_series.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('surgery', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_surgery_booking_closes_at'), ['booking_closes_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_surgery_series_id'), ['series_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_surgery_starts_at'), ['starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_surgery_status'), ['status'], unique=False)

    op.create_table('surgery_slot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('surgery_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', _UTC(), nullable=False),
    sa.Column('ends_at', _UTC(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('booked', sa.Integer(), nullable=False),
    sa.CheckConstraint('booked >= 0 AND booked <= capacity', name='ck_surgery_slot_places'),
    sa.ForeignKeyConstraint(['surgery_id'], ['surgery.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('surgery_slot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_surgery_slot_surgery_id'), ['surgery_id'], unique=False)

    op.create_table('surgery_booking',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('surgery_id', sa.Integer(), nullable=False),
    sa.Column('slot_id', sa.Integer(), nullable=True),
    sa.Column('attendee_aad_id', _STR(length=64), nullable=False),
    sa.Column('attendee_name', _STR(length=200), nullable=True),
    sa.Column('topic', _STR(length=300), nullable=True),
    sa.Column('status', _STR(length=20), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('queued_at', _UTC(), nullable=True),
    sa.Column('offer_expires_at', _UTC(), nullable=True),
    sa.Column('invite_token', _STR(length=64), nullable=False),
    sa.Column('created_at', _UTC(), nullable=False),
    sa.Column('updated_at', _UTC(), nullable=False),
    sa.Column('confirmed_at', _UTC(), nullable=True),
    sa.Column('cancelled_at', _UTC(), nullable=True),
    sa.ForeignKeyConstraint(['slot_id'], ['surgery_slot.id'], ),
    sa.ForeignKeyConstraint(['surgery_id'], ['surgery.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('invite_token'),
    sa.UniqueConstraint('surgery_id', 'attendee_aad_id', name='uq_surgery_booking_attendee')
    )
    with op.batch_alter_table('surgery_booking', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_surgery_booking_attendee_aad_id'), ['attendee_aad_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_surgery_booking_offer_expires_at'), ['offer_expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_surgery_booking_slot_id'), ['slot_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_surgery_booking_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_surgery_booking_surgery_id'), ['surgery_id'], unique=False)


def downgrade() -> None:
    op.drop_table('surgery_booking')
    op.drop_table('surgery_slot')
    op.drop_table('surgery')
    op.drop_table('surgery_series')
    op.create_table('surgery',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', _STR(length=200), nullable=False),
    sa.Column('kind', _STR(length=16), nullable=False),
    sa.Column('audience', _STR(length=120), nullable=False),
    sa.Column('starts_at', _UTC(), nullable=False),
    sa.Column('ends_at', _UTC(), nullable=False),
    sa.Column('join_url', _STR(length=500), nullable=True),
    sa.Column('location', _STR(length=200), nullable=True),
    sa.Column('host_aad_id', _STR(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('surgery_slot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('surgery_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', _UTC(), nullable=False),
    sa.Column('ends_at', _UTC(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['surgery_id'], ['surgery.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('surgery_slot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_surgery_slot_surgery_id'), ['surgery_id'], unique=False)
