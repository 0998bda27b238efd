"""Campaigns, booklets and tickets: the paper vouchers and their lifecycle."""
from datetime import date, timedelta

import sqlalchemy as sa

from ..extensions import db
from .base import Lifecycle, TimestampMixin, enum_column

BOOKLET_SIZE = 10


class Campaign(TimestampMixin, db.Model):
    """A funded programme: territory, budget, face value, validity and grace period."""

    __tablename__ = "campaigns"

    id = sa.Column(sa.Integer, primary_key=True)
    name = sa.Column(sa.String(200), nullable=False)
    territory = sa.Column(sa.String(100), nullable=False, default="Haute-Garonne")
    budget_cents = sa.Column(sa.BigInteger, nullable=False)
    face_value_cents = sa.Column(sa.Integer, nullable=False)
    booklet_size = sa.Column(sa.Integer, nullable=False, default=BOOKLET_SIZE)
    starts_on = sa.Column(sa.Date, nullable=False)
    ends_on = sa.Column(sa.Date, nullable=False)
    grace_days = sa.Column(sa.Integer, nullable=False, default=31)
    # The scheme's rule, enforced at redemption whatever a workshop declares: one ticket per
    # participant per started slot of this length (APTIC's rule: 120 minutes).
    minutes_per_ticket = sa.Column(sa.Integer, nullable=False, default=120, server_default="120")
    state_share_percent = sa.Column(sa.Integer, nullable=False, default=50)
    # Face value of every ticket issued so far: kept in step so the budget check is one row.
    issued_cents = sa.Column(sa.BigInteger, nullable=False, default=0)

    __table_args__ = (
        sa.CheckConstraint("face_value_cents > 0", name="face_value_positive"),
        sa.CheckConstraint("budget_cents >= 0", name="budget_not_negative"),
        sa.CheckConstraint("issued_cents <= budget_cents", name="issued_within_budget"),
        sa.CheckConstraint("ends_on >= starts_on", name="dates_ordered"),
        sa.CheckConstraint("booklet_size BETWEEN 1 AND 99", name="booklet_size_range"),
        sa.CheckConstraint("state_share_percent BETWEEN 0 AND 100", name="state_share_range"),
        sa.CheckConstraint("minutes_per_ticket BETWEEN 15 AND 1440", name="minutes_per_ticket_range"),
    )

    @property
    def valid_until(self) -> date:
        """Return the last day a ticket is accepted: the end date plus the grace period."""
        return self.ends_on + timedelta(days=self.grace_days)


class BookletStatus(Lifecycle):
    ISSUED = "issued"  # printed, in stock
    DISTRIBUTED = "distributed"  # handed out to a beneficiary: its tickets are active
    CANCELLED = "cancelled"  # opposition: lost or stolen

    @classmethod
    def moves(cls):
        return {
            cls.ISSUED: (cls.DISTRIBUTED, cls.CANCELLED),
            cls.DISTRIBUTED: (cls.CANCELLED,),
            cls.CANCELLED: (),
        }


class Booklet(TimestampMixin, db.Model):
    """Ten tickets (configurable per campaign) with one serial, handed out as a whole."""

    __tablename__ = "booklets"

    id = sa.Column(sa.Integer, primary_key=True)
    campaign_id = sa.Column(sa.Integer, sa.ForeignKey("campaigns.id"), nullable=False, index=True)
    number = sa.Column(sa.Integer, nullable=False, unique=True)
    serial = sa.Column(sa.String(12), nullable=False, unique=True)
    status = enum_column(BookletStatus, nullable=False, default=BookletStatus.ISSUED)
    reception_point_id = sa.Column(sa.Integer, sa.ForeignKey("reception_points.id"), index=True)
    distributed_at = sa.Column(sa.DateTime)
    cancelled_at = sa.Column(sa.DateTime)
    cancel_reason = sa.Column(sa.String(300))

    campaign = db.relationship("Campaign")
    reception_point = db.relationship("ReceptionPoint")
    tickets = db.relationship("Ticket", back_populates="booklet", order_by="Ticket.number")


class TicketStatus(Lifecycle):
    ISSUED = "issued"
    ACTIVE = "active"
    REDEEMED = "redeemed"
    CLAIMED = "claimed"
    PAID = "paid"
    CANCELLED = "cancelled"
    EXPIRED = "expired"

    @classmethod
    def moves(cls):
        return {
            cls.ISSUED: (cls.ACTIVE, cls.CANCELLED, cls.EXPIRED),
            cls.ACTIVE: (cls.REDEEMED, cls.CANCELLED, cls.EXPIRED),
            cls.REDEEMED: (cls.ACTIVE, cls.CLAIMED),  # back to active when voided
            cls.CLAIMED: (cls.PAID, cls.REDEEMED),  # back to redeemed when its line is rejected
            cls.PAID: (),
            cls.CANCELLED: (),
            cls.EXPIRED: (),
        }


class Ticket(db.Model):
    """One voucher. Its number identifies it in the signed code and in the printed serial."""

    __tablename__ = "tickets"

    id = sa.Column(sa.Integer, primary_key=True)
    booklet_id = sa.Column(sa.Integer, sa.ForeignKey("booklets.id"), nullable=False, index=True)
    campaign_id = sa.Column(sa.Integer, sa.ForeignKey("campaigns.id"), nullable=False, index=True)
    number = sa.Column(sa.BigInteger, nullable=False, unique=True)
    status = enum_column(TicketStatus, nullable=False, default=TicketStatus.ISSUED)
    activated_at = sa.Column(sa.DateTime)
    cancelled_at = sa.Column(sa.DateTime)
    cancel_reason = sa.Column(sa.String(300))
    # Bumped on every status change: lets offline phones fetch what changed since a cursor.
    changed_at = sa.Column(sa.DateTime)

    booklet = db.relationship("Booklet", back_populates="tickets")
    campaign = db.relationship("Campaign")

    __table_args__ = (sa.Index("ix_tickets_status_changed", "status", "changed_at"),)

    @property
    def serial(self) -> str:
        from ..domain.codes import ticket_serial

        return ticket_serial(self.number)
