"""Rate-limit counters in the database, so that limits hold for the whole site without Redis.

Revision ID: 0012_rate_limits
Revises: 0010_jobs
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa

revision = '0012_rate_limits'
down_revision = '0010_jobs'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rate_limits',
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('hits', sa.Integer(), nullable=False),
    sa.Column('expires_at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_rate_limits'))
    )
    with op.batch_alter_table('rate_limits', schema=None) as batch_op:
        # The purge deletes counters whose window is over.
        batch_op.create_index('ix_rate_limits_expires_at', ['expires_at'], unique=False)


def downgrade():
    with op.batch_alter_table('rate_limits', schema=None) as batch_op:
        batch_op.drop_index('ix_rate_limits_expires_at')

    op.drop_table('rate_limits')
