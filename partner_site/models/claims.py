"""Claims: what a partner is owed for a month, from open to paid."""
import enum

import sqlalchemy as sa

from ..extensions import db
from .base import Lifecycle, TimestampMixin, enum_column


class ClaimStatus(Lifecycle):
    OPEN = "open"  # accumulating as tickets are validated
    SUBMITTED = "submitted"  # sent by the association: numbered, waiting for an instructor
    APPROVED = "approved"  # reviewed (some lines may be rejected): waiting for a payment batch
    IN_BATCH = "in_batch"  # in a payment batch not yet executed
    PAID = "paid"  # final: corrections are adjustment lines on a later claim

    @classmethod
    def moves(cls):
        return {
            cls.OPEN: (cls.SUBMITTED,),
            cls.SUBMITTED: (cls.APPROVED,),
            # Straight to paid when nothing is left to transfer (a total of zero after adjustments).
            cls.APPROVED: (cls.IN_BATCH, cls.PAID),
            cls.IN_BATCH: (cls.PAID, cls.APPROVED),  # back to approved when its batch is cancelled
            cls.PAID: (),
        }


class Claim(TimestampMixin, db.Model):
    """A partner's redemptions for one month (bordereau de remise)."""

    __tablename__ = "claims"

    id = sa.Column(sa.Integer, primary_key=True)
    partner_id = sa.Column(sa.Integer, sa.ForeignKey("partners.id"), nullable=False, index=True)
    period = sa.Column(sa.Date, nullable=False)  # first day of the month
    status = enum_column(ClaimStatus, nullable=False, default=ClaimStatus.OPEN)
    reference = sa.Column(sa.String(30), unique=True)  # given at submission, without gaps
    # Sum of the accepted lines, kept in step by conditional updates; `claims check` proves it.
    total_cents = sa.Column(sa.BigInteger, nullable=False, default=0)
    submitted_at = sa.Column(sa.DateTime)
    submitted_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"))
    # Fixed at submission (no line joins a submitted claim), so lists need no count over lines.
    line_count = sa.Column(sa.Integer, nullable=False, default=0)
    flagged_count = sa.Column(sa.Integer, nullable=False, default=0)
    rejected_count = sa.Column(sa.Integer, nullable=False, default=0)
    approved_at = sa.Column(sa.DateTime)
    approved_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"))
    batch_id = sa.Column(sa.Integer, sa.ForeignKey("payment_batches.id"), index=True)
    paid_at = sa.Column(sa.DateTime)
    paid_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"))
    # Digest of the lines when paid: `claims check` proves a paid claim never changed.
    sealed_digest = sa.Column(sa.String(64))

    partner = db.relationship("Partner")
    lines = db.relationship("ClaimLine", back_populates="claim", order_by="ClaimLine.id",
                            foreign_keys="ClaimLine.claim_id")
    batch = db.relationship("PaymentBatch", back_populates="claims")
    submitted_by = db.relationship("User", foreign_keys=[submitted_by_id])
    approved_by = db.relationship("User", foreign_keys=[approved_by_id])

    __table_args__ = (
        sa.UniqueConstraint("partner_id", "period", name="uq_claims_partner_period"),
        sa.Index("ix_claims_status_submitted", "status", "submitted_at"),
        sa.CheckConstraint("(reference IS NULL) = (status = 'open')", name="numbered_once_submitted"),
        sa.CheckConstraint("status IN ('open', 'submitted') OR total_cents >= 0", name="approved_total_not_negative"),
        sa.CheckConstraint("(status <> 'in_batch' OR batch_id IS NOT NULL) "
                           "AND (batch_id IS NULL OR status IN ('in_batch', 'paid'))", name="batched_has_batch"),
        sa.CheckConstraint("(status = 'paid') = (paid_at IS NOT NULL)", name="paid_has_date"),
        # Four eyes: who approved a claim never pays it.
        sa.CheckConstraint("paid_by_id IS NULL OR approved_by_id IS NULL OR paid_by_id <> approved_by_id",
                           name="approver_does_not_pay"),
        sa.CheckConstraint("rejected_count >= 0 AND flagged_count >= 0 AND line_count >= 0", name="counts_positive"),
    )

    @property
    def is_final(self) -> bool:
        return self.status == ClaimStatus.PAID


class LineKind(str, enum.Enum):
    REDEMPTION = "redemption"
    ADJUSTMENT = "adjustment"


class LineStatus(Lifecycle):
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    # A positive adjustment waiting for a second staff member: counted nowhere until approved.
    PENDING = "pending"

    @classmethod
    def moves(cls):
        # An instructor may change their mind until the claim is approved (checked by the domain).
        return {cls.ACCEPTED: (cls.REJECTED,), cls.REJECTED: (cls.ACCEPTED,), cls.PENDING: (cls.ACCEPTED, cls.REJECTED)}


class ClaimLine(TimestampMixin, db.Model):
    """One line of a claim: a redemption, or an adjustment carried from an earlier claim."""

    __tablename__ = "claim_lines"

    id = sa.Column(sa.Integer, primary_key=True)
    claim_id = sa.Column(sa.Integer, sa.ForeignKey("claims.id"), nullable=False, index=True)
    kind = enum_column(LineKind, nullable=False, default=LineKind.REDEMPTION)
    redemption_id = sa.Column(sa.Integer, sa.ForeignKey("redemptions.id"), unique=True)
    # The redeemed ticket, repeated here so the database itself refuses a ticket on two accepted lines.
    ticket_id = sa.Column(sa.Integer, sa.ForeignKey("tickets.id"))
    amount_cents = sa.Column(sa.Integer, nullable=False)
    status = enum_column(LineStatus, nullable=False, default=LineStatus.ACCEPTED)
    reject_reason = sa.Column(sa.String(300))
    label = sa.Column(sa.String(300))
    # Anomaly rules that matched at submission, comma-separated codes (see domain.anomalies).
    flags = sa.Column(sa.String(100))
    # For an adjustment: the earlier claim it corrects, and the staff member who made it.
    adjusts_claim_id = sa.Column(sa.Integer, sa.ForeignKey("claims.id"))
    created_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"))
    # For an adjustment that raises what is paid: the second staff member who approved it.
    approved_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"))
    approved_at = sa.Column(sa.DateTime)

    claim = db.relationship("Claim", back_populates="lines", foreign_keys=[claim_id])
    adjusts_claim = db.relationship("Claim", foreign_keys=[adjusts_claim_id])
    created_by = db.relationship("User", foreign_keys=[created_by_id])
    approved_by = db.relationship("User", foreign_keys=[approved_by_id])
    redemption = db.relationship("Redemption", backref=db.backref("claim_line", uselist=False))

    __table_args__ = (
        sa.CheckConstraint("(kind = 'redemption') = (redemption_id IS NOT NULL)", name="redemption_line_has_redemption"),
        sa.CheckConstraint("(kind = 'redemption') = (ticket_id IS NOT NULL)", name="redemption_line_has_ticket"),
        sa.CheckConstraint("kind = 'adjustment' OR amount_cents > 0", name="redemption_amount_positive"),
        sa.CheckConstraint("amount_cents <> 0", name="amount_not_zero"),
        sa.CheckConstraint("(status = 'rejected') = (reject_reason IS NOT NULL)", name="rejection_has_reason"),
        # Only a positive adjustment waits for approval or is refused; a debt (negative) counts at once.
        sa.CheckConstraint("kind = 'redemption' OR status = 'accepted' OR amount_cents > 0",
                           name="adjustment_not_rejected"),
        sa.CheckConstraint("status <> 'pending' OR (kind = 'adjustment' AND amount_cents > 0)",
                           name="pending_is_positive_adjustment"),
        # Four eyes: an adjustment that raises what is paid counts only once someone else approved it.
        # (A claim's own carried balance, `adjusts_claim_id = claim_id`, brings a negative total to zero.)
        sa.CheckConstraint("kind = 'redemption' OR amount_cents < 0 OR status <> 'accepted' "
                           "OR adjusts_claim_id = claim_id OR (approved_by_id IS NOT NULL "
                           "AND created_by_id IS NOT NULL AND approved_by_id <> created_by_id)",
                           name="positive_adjustment_approved_by_another"),
        sa.CheckConstraint("(approved_by_id IS NULL) = (approved_at IS NULL)", name="approval_has_date"),
        # No ticket paid twice: a ticket is on at most one accepted line, ever.
        sa.Index("uq_claim_lines_accepted_ticket", "ticket_id", unique=True,
                 sqlite_where=sa.text("status = 'accepted'"), postgresql_where=sa.text("status = 'accepted'")),
        sa.Index("ix_claim_lines_claim_status", "claim_id", "status"),
    )
