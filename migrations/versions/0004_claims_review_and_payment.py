"""claims review, bank accounts, payment batches, counters, outbox

Claims gain the review and payment columns and a status for claims in a batch; claim lines
repeat their ticket so that a partial unique index refuses a ticket on two accepted lines.

Revision ID: 0004
Revises: 0001
Create Date: 2026-11-26 23:54:02.994211

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0001'
branch_labels = None
depends_on = None

STATUS_CHECK = "status IN ({})"
OLD_STATUSES = "'open', 'submitted', 'approved', 'paid'"
NEW_STATUSES = "'open', 'submitted', 'approved', 'in_batch', 'paid'"
CLAIM_CHECKS = [
    ('numbered_once_submitted', "(reference IS NULL) = (status = 'open')"),
    ('approved_total_not_negative', "status IN ('open', 'submitted') OR total_cents >= 0"),
    ('batched_has_batch', "(status <> 'in_batch' OR batch_id IS NOT NULL) "
                          "AND (batch_id IS NULL OR status IN ('in_batch', 'paid'))"),
    ('paid_has_date', "(status = 'paid') = (paid_at IS NOT NULL)"),
    ('approver_does_not_pay', "paid_by_id IS NULL OR approved_by_id IS NULL OR paid_by_id <> approved_by_id"),
    ('counts_positive', "rejected_count >= 0 AND flagged_count >= 0 AND line_count >= 0"),
]


def upgrade():
    op.create_table('counters',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('value >= 0', name=op.f('ck_counters_value_not_negative')),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_counters'))
    )
    op.create_table('bank_accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('holder_name', sa.String(length=140), nullable=False),
    sa.Column('iban', sa.String(length=34), nullable=False),
    sa.Column('bic', sa.String(length=11), nullable=False),
    sa.Column('siret', sa.String(length=14), nullable=False),
    sa.Column('status', sa.Enum('pending', 'validated', 'rejected', 'superseded', name='bankaccountstatus', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(), nullable=True),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('review_reason', sa.String(length=300), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_bank_accounts_partner_id_partners')),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], name=op.f('fk_bank_accounts_reviewed_by_id_users')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_bank_accounts_submitted_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bank_accounts'))
    )
    with op.batch_alter_table('bank_accounts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bank_accounts_partner_id'), ['partner_id'], unique=False)
        batch_op.create_index('uq_bank_accounts_pending', ['partner_id'], unique=True, sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'"))
        batch_op.create_index('uq_bank_accounts_validated', ['partner_id'], unique=True, sqlite_where=sa.text("status = 'validated'"), postgresql_where=sa.text("status = 'validated'"))

    op.create_table('payment_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=30), nullable=False),
    sa.Column('status', sa.Enum('draft', 'executed', 'cancelled', name='batchstatus', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('total_cents', sa.BigInteger(), nullable=False),
    sa.Column('claim_count', sa.Integer(), nullable=False),
    sa.Column('requested_on', sa.Date(), nullable=False),
    sa.Column('executed_on', sa.Date(), nullable=True),
    sa.Column('bank_reference', sa.String(length=100), nullable=True),
    sa.Column('executed_at', sa.DateTime(), nullable=True),
    sa.Column('executed_by_id', sa.Integer(), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("(status = 'executed') = (executed_on IS NOT NULL AND bank_reference IS NOT NULL)", name=op.f('ck_payment_batches_executed_has_date_and_reference')),
    sa.CheckConstraint('total_cents > 0 AND claim_count > 0', name=op.f('ck_payment_batches_not_empty')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_payment_batches_created_by_id_users')),
    sa.ForeignKeyConstraint(['executed_by_id'], ['users.id'], name=op.f('fk_payment_batches_executed_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_batches')),
    sa.UniqueConstraint('reference', name=op.f('uq_payment_batches_reference'))
    )
    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('claim_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('recipient', sa.String(length=200), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.String(length=300), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['claim_id'], ['claims.id'], name=op.f('fk_notifications_claim_id_claims')),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_notifications_partner_id_partners')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notifications_claim_id'), ['claim_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_notifications_partner_id'), ['partner_id'], unique=False)
        batch_op.create_index('ix_notifications_unsent', ['sent_at', 'id'], unique=False)

    op.create_table('payments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('claim_id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('bank_account_id', sa.Integer(), nullable=False),
    sa.Column('amount_cents', sa.BigInteger(), nullable=False),
    sa.Column('end_to_end_id', sa.String(length=35), nullable=False),
    sa.Column('cancelled_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('amount_cents > 0', name=op.f('ck_payments_amount_positive')),
    sa.ForeignKeyConstraint(['bank_account_id'], ['bank_accounts.id'], name=op.f('fk_payments_bank_account_id_bank_accounts')),
    sa.ForeignKeyConstraint(['batch_id'], ['payment_batches.id'], name=op.f('fk_payments_batch_id_payment_batches')),
    sa.ForeignKeyConstraint(['claim_id'], ['claims.id'], name=op.f('fk_payments_claim_id_claims')),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_payments_partner_id_partners')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payments'))
    )
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payments_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payments_claim_id'), ['claim_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payments_partner_id'), ['partner_id'], unique=False)
        batch_op.create_index('uq_payments_live_claim', ['claim_id'], unique=True, sqlite_where=sa.text('cancelled_at IS NULL'), postgresql_where=sa.text('cancelled_at IS NULL'))

    with op.batch_alter_table('claim_lines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ticket_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('flags', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('adjusts_claim_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('created_by_id', sa.Integer(), nullable=True))
    op.execute("UPDATE claim_lines SET ticket_id = (SELECT r.ticket_id FROM redemptions r "
               "WHERE r.id = claim_lines.redemption_id) WHERE redemption_id IS NOT NULL")
    with op.batch_alter_table('claim_lines', schema=None) as batch_op:
        batch_op.create_index('ix_claim_lines_claim_status', ['claim_id', 'status'], unique=False)
        batch_op.create_index('uq_claim_lines_accepted_ticket', ['ticket_id'], unique=True, sqlite_where=sa.text("status = 'accepted'"), postgresql_where=sa.text("status = 'accepted'"))
        batch_op.create_foreign_key(batch_op.f('fk_claim_lines_ticket_id_tickets'), 'tickets', ['ticket_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_claim_lines_created_by_id_users'), 'users', ['created_by_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_claim_lines_adjusts_claim_id_claims'), 'claims', ['adjusts_claim_id'], ['id'])
        batch_op.create_check_constraint(op.f('ck_claim_lines_redemption_line_has_ticket'),
                                         "(kind = 'redemption') = (ticket_id IS NOT NULL)")
        batch_op.create_check_constraint(op.f('ck_claim_lines_redemption_amount_positive'),
                                         "kind = 'adjustment' OR amount_cents > 0")
        batch_op.create_check_constraint(op.f('ck_claim_lines_amount_not_zero'), "amount_cents <> 0")
        batch_op.create_check_constraint(op.f('ck_claim_lines_rejection_has_reason'),
                                         "(status = 'rejected') = (reject_reason IS NOT NULL)")
        batch_op.create_check_constraint(op.f('ck_claim_lines_adjustment_not_rejected'),
                                         "kind = 'redemption' OR status = 'accepted'")

    with op.batch_alter_table('redemptions', schema=None) as batch_op:
        batch_op.create_index('ix_redemptions_booklet', ['booklet_id'], unique=False)

    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.add_column(sa.Column('submitted_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('line_count', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('flagged_count', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('rejected_count', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('approved_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('approved_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('batch_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('paid_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('paid_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('sealed_digest', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_claims_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index('ix_claims_status_submitted', ['status', 'submitted_at'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_claims_approved_by_id_users'), 'users', ['approved_by_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_claims_paid_by_id_users'), 'users', ['paid_by_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_claims_batch_id_payment_batches'), 'payment_batches', ['batch_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_claims_submitted_by_id_users'), 'users', ['submitted_by_id'], ['id'])
        batch_op.drop_constraint(op.f('ck_claims_claimstatus'), type_='check')
        batch_op.create_check_constraint(op.f('ck_claims_claimstatus'), STATUS_CHECK.format(NEW_STATUSES))
        for name, condition in CLAIM_CHECKS:
            batch_op.create_check_constraint(op.f(f'ck_claims_{name}'), condition)

def downgrade():
    with op.batch_alter_table('claims', schema=None) as batch_op:
        for name, _condition in CLAIM_CHECKS:
            batch_op.drop_constraint(op.f(f'ck_claims_{name}'), type_='check')
        batch_op.drop_constraint(op.f('ck_claims_claimstatus'), type_='check')
        batch_op.create_check_constraint(op.f('ck_claims_claimstatus'), STATUS_CHECK.format(OLD_STATUSES))
        batch_op.drop_constraint(batch_op.f('fk_claims_submitted_by_id_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_claims_batch_id_payment_batches'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_claims_paid_by_id_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_claims_approved_by_id_users'), type_='foreignkey')
        batch_op.drop_index('ix_claims_status_submitted')
        batch_op.drop_index(batch_op.f('ix_claims_batch_id'))
        batch_op.drop_column('sealed_digest')
        batch_op.drop_column('paid_by_id')
        batch_op.drop_column('paid_at')
        batch_op.drop_column('batch_id')
        batch_op.drop_column('approved_by_id')
        batch_op.drop_column('approved_at')
        batch_op.drop_column('rejected_count')
        batch_op.drop_column('flagged_count')
        batch_op.drop_column('line_count')
        batch_op.drop_column('submitted_by_id')

    with op.batch_alter_table('claim_lines', schema=None) as batch_op:
        for name in ('redemption_line_has_ticket', 'redemption_amount_positive', 'amount_not_zero',
                     'rejection_has_reason', 'adjustment_not_rejected'):
            batch_op.drop_constraint(op.f(f'ck_claim_lines_{name}'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_claim_lines_adjusts_claim_id_claims'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_claim_lines_created_by_id_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_claim_lines_ticket_id_tickets'), type_='foreignkey')
        batch_op.drop_index('uq_claim_lines_accepted_ticket', sqlite_where=sa.text("status = 'accepted'"), postgresql_where=sa.text("status = 'accepted'"))
        batch_op.drop_index('ix_claim_lines_claim_status')
        batch_op.drop_column('created_by_id')
        batch_op.drop_column('adjusts_claim_id')
        batch_op.drop_column('flags')
        batch_op.drop_column('ticket_id')

    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_index('uq_payments_live_claim', sqlite_where=sa.text('cancelled_at IS NULL'), postgresql_where=sa.text('cancelled_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_payments_partner_id'))
        batch_op.drop_index(batch_op.f('ix_payments_claim_id'))
        batch_op.drop_index(batch_op.f('ix_payments_batch_id'))

    op.drop_table('payments')
    with op.batch_alter_table('redemptions', schema=None) as batch_op:
        batch_op.drop_index('ix_redemptions_booklet')

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_unsent')
        batch_op.drop_index(batch_op.f('ix_notifications_partner_id'))
        batch_op.drop_index(batch_op.f('ix_notifications_claim_id'))

    op.drop_table('notifications')
    op.drop_table('payment_batches')
    with op.batch_alter_table('bank_accounts', schema=None) as batch_op:
        batch_op.drop_index('uq_bank_accounts_validated', sqlite_where=sa.text("status = 'validated'"), postgresql_where=sa.text("status = 'validated'"))
        batch_op.drop_index('uq_bank_accounts_pending', sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'"))
        batch_op.drop_index(batch_op.f('ix_bank_accounts_partner_id'))

    op.drop_table('bank_accounts')
    op.drop_table('counters')
