"""Payment batches: approved claims paid together by one SEPA credit transfer file."""
import sqlalchemy as sa

from ..extensions import db
from .base import Lifecycle, TimestampMixin, enum_column


class BatchStatus(Lifecycle):
    DRAFT = "draft"  # built: its files can be exported and sent to the bank
    EXECUTED = "executed"  # the bank paid it: its claims are paid, final
    CANCELLED = "cancelled"  # abandoned before execution: its claims are approved again

    @classmethod
    def moves(cls):
        return {cls.DRAFT: (cls.EXECUTED, cls.CANCELLED), cls.EXECUTED: (), cls.CANCELLED: ()}


class PaymentBatch(TimestampMixin, db.Model):
    """A set of approved claims paid together (lot de paiement)."""

    __tablename__ = "payment_batches"

    id = sa.Column(sa.Integer, primary_key=True)
    reference = sa.Column(sa.String(30), nullable=False, unique=True)
    status = enum_column(BatchStatus, nullable=False, default=BatchStatus.DRAFT)
    created_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=False)
    # Sum of its claims' totals, fixed when built; `claims check` proves it.
    total_cents = sa.Column(sa.BigInteger, nullable=False)
    claim_count = sa.Column(sa.Integer, nullable=False)
    requested_on = sa.Column(sa.Date, nullable=False)  # execution date asked of the bank
    executed_on = sa.Column(sa.Date)  # the date the bank executed it
    bank_reference = sa.Column(sa.String(100))
    executed_at = sa.Column(sa.DateTime)
    executed_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"))
    cancelled_at = sa.Column(sa.DateTime)

    claims = db.relationship("Claim", back_populates="batch", order_by="Claim.id")
    payments = db.relationship("Payment", back_populates="batch", order_by="Payment.id")
    created_by = db.relationship("User", foreign_keys=[created_by_id])
    executed_by = db.relationship("User", foreign_keys=[executed_by_id])

    __table_args__ = (
        sa.CheckConstraint("total_cents > 0 AND claim_count > 0", name="not_empty"),
        sa.CheckConstraint("(status = 'executed') = (executed_on IS NOT NULL AND bank_reference IS NOT NULL)",
                           name="executed_has_date_and_reference"),
    )


class Payment(TimestampMixin, db.Model):
    """One transfer of a batch: one claim paid to the bank account validated at that time."""

    __tablename__ = "payments"

    id = sa.Column(sa.Integer, primary_key=True)
    batch_id = sa.Column(sa.Integer, sa.ForeignKey("payment_batches.id"), nullable=False, index=True)
    claim_id = sa.Column(sa.Integer, sa.ForeignKey("claims.id"), nullable=False, index=True)
    partner_id = sa.Column(sa.Integer, sa.ForeignKey("partners.id"), nullable=False, index=True)
    bank_account_id = sa.Column(sa.Integer, sa.ForeignKey("bank_accounts.id"), nullable=False)
    amount_cents = sa.Column(sa.BigInteger, nullable=False)
    end_to_end_id = sa.Column(sa.String(35), nullable=False)
    cancelled_at = sa.Column(sa.DateTime)  # set when its batch is cancelled

    batch = db.relationship("PaymentBatch", back_populates="payments")
    claim = db.relationship("Claim")
    partner = db.relationship("Partner")
    bank_account = db.relationship("BankAccount")

    __table_args__ = (
        sa.CheckConstraint("amount_cents > 0", name="amount_positive"),
        # A claim is paid once: one live payment per claim.
        sa.Index("uq_payments_live_claim", "claim_id", unique=True,
                 sqlite_where=sa.text("cancelled_at IS NULL"), postgresql_where=sa.text("cancelled_at IS NULL")),
    )
