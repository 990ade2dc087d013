"""referrals day to day: the child key for duplicates (backfilled), the link to an earlier referral, and a
request key on history events (a resent card adds nothing twice)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""
import unicodedata
from datetime import date

from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def _fold(name: str) -> str:
    # A frozen copy of storage.referrals.child_key's folding (a migration must not change when the code does).
    return "".join(unicodedata.normalize("NFKC", name).casefold().split()).replace("\u2019", "'")


def upgrade() -> None:
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.add_column(sa.Column('child_key', sqlmodel.sql.sqltypes.AutoString(length=420), nullable=True))
        batch_op.add_column(sa.Column('duplicate_of_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('duplicate_reason', sa.Text(), nullable=True))
        batch_op.create_foreign_key('fk_referral_duplicate_of_id_referral', 'referral', ['duplicate_of_id'], ['id'])
    connection = op.get_bind()
    referral = sa.table('referral', sa.column('id', sa.Integer), sa.column('child_first_name', sa.String),
                        sa.column('child_last_name', sa.String), sa.column('child_dob', sa.Date),
                        sa.column('child_key', sa.String))
    rows = connection.execute(sa.select(referral.c.id, referral.c.child_first_name, referral.c.child_last_name,
                                        referral.c.child_dob)).all()
    for row in rows:
        dob = date.fromisoformat(row.child_dob) if isinstance(row.child_dob, str) else row.child_dob
        key = f"{_fold(row.child_first_name)}|{_fold(row.child_last_name)}|{dob.isoformat()}"
        connection.execute(referral.update().where(referral.c.id == row.id).values(child_key=key))
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.alter_column('child_key', existing_type=sqlmodel.sql.sqltypes.AutoString(length=420), nullable=False)
        batch_op.create_index(batch_op.f('ix_referral_child_key'), ['child_key'], unique=False)
    with op.batch_alter_table('referral_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('request_key', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True))
        batch_op.create_index(batch_op.f('ix_referral_event_request_key'), ['request_key'], unique=True)


def downgrade() -> None:
    with op.batch_alter_table('referral_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referral_event_request_key'))
        batch_op.drop_column('request_key')
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referral_child_key'))
        batch_op.drop_constraint('fk_referral_duplicate_of_id_referral', type_='foreignkey')
        batch_op.drop_column('duplicate_reason')
        batch_op.drop_column('duplicate_of_id')
        batch_op.drop_column('child_key')
