"""Adjustments that raise what is paid wait for a second staff member's approval.

Claim lines gain who approved them and when, and a `pending` status: a positive adjustment
counted nowhere until someone other than its author approves it. CHECK constraints hold it:
a positive adjustment counts only once approved by another person (a claim's own carried
balance excepted); only positive adjustments wait or are refused.

Positive adjustments counted before this revision without a second approval go back to
pending, out of their claim's total, when that claim is still open or submitted. On a claim
already approved or paid the upgrade stops and lists them: that money was decided on one
person's word, and a person must look at it (the site held no real data before this).

Revision ID: 0009_adjustment_approval
Revises: 0006
Create Date: 2026-11-28
"""
from alembic import op
import sqlalchemy as sa

revision = '0009_adjustment_approval'
down_revision = '0007_accounts'
branch_labels = None
depends_on = None

UNAPPROVED = ("claim_lines.kind = 'adjustment' AND claim_lines.amount_cents > 0 "
              "AND claim_lines.status = 'accepted' AND claim_lines.claim_id <> claim_lines.adjusts_claim_id")
CHECKS = {
    'adjustment_not_rejected': "kind = 'redemption' OR status = 'accepted' OR amount_cents > 0",
    'pending_is_positive_adjustment': "status <> 'pending' OR (kind = 'adjustment' AND amount_cents > 0)",
    'positive_adjustment_approved_by_another': (
        "kind = 'redemption' OR amount_cents < 0 OR status <> 'accepted' OR adjusts_claim_id = claim_id "
        "OR (approved_by_id IS NOT NULL AND created_by_id IS NOT NULL AND approved_by_id <> created_by_id)"),
    'approval_has_date': "(approved_by_id IS NULL) = (approved_at IS NULL)",
}


def upgrade():
    conn = op.get_bind()
    decided = conn.execute(sa.text(
        "SELECT claim_lines.id, claims.reference FROM claim_lines JOIN claims ON claims.id = claim_lines.claim_id "
        f"WHERE {UNAPPROVED} AND claims.status NOT IN ('open', 'submitted')")).all()
    if decided:
        raise RuntimeError("positive adjustments counted without a second approval on claims already approved "
                           f"or paid (line, claim): {decided}; review them before upgrading")
    with op.batch_alter_table('claim_lines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('approved_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('approved_at', sa.DateTime(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_claim_lines_approved_by_id_users'), 'users', ['approved_by_id'],
                                    ['id'])
        batch_op.drop_constraint(op.f('ck_claim_lines_linestatus'), type_='check')
        batch_op.create_check_constraint(op.f('ck_claim_lines_linestatus'),
                                         "status IN ('accepted', 'rejected', 'pending')")
        batch_op.drop_constraint(op.f('ck_claim_lines_adjustment_not_rejected'), type_='check')
    conn.execute(sa.text(
        "UPDATE claims SET total_cents = total_cents - (SELECT sum(claim_lines.amount_cents) FROM claim_lines "
        f"WHERE claim_lines.claim_id = claims.id AND {UNAPPROVED}) "
        f"WHERE id IN (SELECT claim_lines.claim_id FROM claim_lines WHERE {UNAPPROVED})"))
    conn.execute(sa.text(f"UPDATE claim_lines SET status = 'pending' WHERE {UNAPPROVED}"))
    with op.batch_alter_table('claim_lines', schema=None) as batch_op:
        for name, condition in CHECKS.items():
            batch_op.create_check_constraint(op.f(f'ck_claim_lines_{name}'), condition)


def downgrade():
    # Adjustments that never counted (waiting or refused) cannot exist before this revision.
    op.execute("DELETE FROM claim_lines WHERE kind = 'adjustment' AND status <> 'accepted'")
    with op.batch_alter_table('claim_lines', schema=None) as batch_op:
        for name in CHECKS:
            batch_op.drop_constraint(op.f(f'ck_claim_lines_{name}'), type_='check')
        batch_op.create_check_constraint(op.f('ck_claim_lines_adjustment_not_rejected'),
                                         "kind = 'redemption' OR status = 'accepted'")
        batch_op.drop_constraint(op.f('ck_claim_lines_linestatus'), type_='check')
        batch_op.create_check_constraint(op.f('ck_claim_lines_linestatus'), "status IN ('accepted', 'rejected')")
        batch_op.drop_constraint(batch_op.f('fk_claim_lines_approved_by_id_users'), type_='foreignkey')
        batch_op.drop_column('approved_at')
        batch_op.drop_column('approved_by_id')
