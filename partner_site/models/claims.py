"""Claims: what a partner is owed for a month, from open to paid."""
import enum

import sqlalchemy as sa

from ..extensions import db
from .base import Lifecycle, TimestampMixin, enum_column


class ClaimStatus(Lifecycle):
    OPEN = "open"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    PAID = "paid"

    @classmethod
    def moves(cls):
        return {
            cls.OPEN: (cls.SUBMITTED,),
            cls.SUBMITTED: (cls.APPROVED,),
            cls.APPROVED: (cls.PAID,),
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

    partner = db.relationship("Partner")
    lines = db.relationship("ClaimLine", back_populates="claim", order_by="ClaimLine.id")

    __table_args__ = (sa.UniqueConstraint("partner_id", "period", name="uq_claims_partner_period"),)


class LineKind(str, enum.Enum):
    REDEMPTION = "redemption"
    ADJUSTMENT = "adjustment"


class LineStatus(str, enum.Enum):
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class ClaimLine(TimestampMixin, db.Model):
    """One line of a claim: a redemption, or an adjustment carried from an earlier claim."""

    __tablename__ = "claim_lines"

    id = sa.Column(sa.Integer, primary_key=True)
    claim_id = sa.Column(sa.Integer, sa.ForeignKey("claims.id"), nullable=False, index=True)
    kind = enum_column(LineKind, nullable=False, default=LineKind.REDEMPTION)
    redemption_id = sa.Column(sa.Integer, sa.ForeignKey("redemptions.id"), unique=True)
    amount_cents = sa.Column(sa.Integer, nullable=False)
    status = enum_column(LineStatus, nullable=False, default=LineStatus.ACCEPTED)
    reject_reason = sa.Column(sa.String(300))
    label = sa.Column(sa.String(300))

    claim = db.relationship("Claim", back_populates="lines")
    redemption = db.relationship("Redemption", backref=db.backref("claim_line", uselist=False))

    __table_args__ = (
        sa.CheckConstraint("(kind = 'redemption') = (redemption_id IS NOT NULL)", name="redemption_line_has_redemption"),
    )
