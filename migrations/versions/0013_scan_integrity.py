"""Campaigns carry the scheme's rule: one ticket per participant per started slot of minutes.

Revision ID: 0013_scan_integrity
Revises: 0012_rate_limits
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa

revision = '0013_scan_integrity'
down_revision = '0012_rate_limits'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.add_column(sa.Column('minutes_per_ticket', sa.Integer(), server_default='120', nullable=False))
        batch_op.create_check_constraint(op.f('ck_campaigns_minutes_per_ticket_range'), 'minutes_per_ticket BETWEEN 15 AND 1440')


def downgrade():
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_campaigns_minutes_per_ticket_range'), type_='check')
        batch_op.drop_column('minutes_per_ticket')
