"""Outbox messages record which sender holds them, so that two senders never send one twice.

Revision ID: 0011_cli
Revises: 0006
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa

revision = '0011_cli'
down_revision = '0009_adjustment_approval'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sending_since', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_column('sending_since')
