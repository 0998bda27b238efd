"""Offline conflicts keep the phone's scan time.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27
"""
from alembic import op
import sqlalchemy as sa

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('failed_scans', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scanned_at', sa.DateTime(), nullable=True))
        # The staff's conflict list reads offline refusals, newest first.
        batch_op.create_index('ix_failed_scans_offline_created', ['created_at'], unique=False,
                              sqlite_where=sa.text('offline'), postgresql_where=sa.text('offline'))


def downgrade():
    with op.batch_alter_table('failed_scans', schema=None) as batch_op:
        batch_op.drop_index('ix_failed_scans_offline_created')
        batch_op.drop_column('scanned_at')
