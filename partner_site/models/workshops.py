"""Workshops, the redemptions made at them and the refused scans."""
import sqlalchemy as sa

from ..extensions import db
from .base import TimestampMixin, utcnow


class Workshop(TimestampMixin, db.Model):
    """A session run by a partner, where each participant hands over tickets."""

    __tablename__ = "workshops"

    id = sa.Column(sa.Integer, primary_key=True)
    partner_id = sa.Column(sa.Integer, sa.ForeignKey("partners.id"), nullable=False, index=True)
    created_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"))
    title = sa.Column(sa.String(200), nullable=False)
    starts_at = sa.Column(sa.DateTime, nullable=False)  # naive UTC
    ends_at = sa.Column(sa.DateTime, nullable=False)
    place = sa.Column(sa.String(200), nullable=False, default="")
    commune_insee = sa.Column(sa.String(5))
    capacity = sa.Column(sa.Integer, nullable=False)
    tickets_per_participant = sa.Column(sa.Integer, nullable=False, default=1)
    # Live redemptions at this workshop, kept by a conditional update so capacity holds under load.
    redeemed_count = sa.Column(sa.Integer, nullable=False, default=0)
    cancelled_at = sa.Column(sa.DateTime)

    partner = db.relationship("Partner")

    __table_args__ = (
        sa.CheckConstraint("capacity BETWEEN 1 AND 1000", name="capacity_range"),
        sa.CheckConstraint("tickets_per_participant BETWEEN 1 AND 10", name="tickets_per_participant_range"),
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.CheckConstraint("redeemed_count >= 0 AND redeemed_count <= capacity * tickets_per_participant",
                           name="redeemed_within_capacity"),
        sa.Index("ix_workshops_partner_starts", "partner_id", "starts_at"),
    )

    @property
    def max_tickets(self) -> int:
        return self.capacity * self.tickets_per_participant


class Redemption(db.Model):
    """One ticket accepted at one workshop, by one trainer, once."""

    __tablename__ = "redemptions"

    id = sa.Column(sa.Integer, primary_key=True)
    ticket_id = sa.Column(sa.Integer, sa.ForeignKey("tickets.id"), nullable=False)
    booklet_id = sa.Column(sa.Integer, sa.ForeignKey("booklets.id"), nullable=False)
    workshop_id = sa.Column(sa.Integer, sa.ForeignKey("workshops.id"), nullable=False, index=True)
    partner_id = sa.Column(sa.Integer, sa.ForeignKey("partners.id"), nullable=False, index=True)
    user_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=False)
    nonce = sa.Column(sa.String(64), nullable=False, unique=True)
    amount_cents = sa.Column(sa.Integer, nullable=False)
    redeemed_at = sa.Column(sa.DateTime, nullable=False, default=utcnow)  # server time
    scanned_at = sa.Column(sa.DateTime, nullable=False, default=utcnow)  # the phone's time
    offline = sa.Column(sa.Boolean, nullable=False, default=False)
    voided_at = sa.Column(sa.DateTime)
    voided_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"))

    ticket = db.relationship("Ticket")
    workshop = db.relationship("Workshop")
    user = db.relationship("User", foreign_keys=[user_id])

    @property
    def ticket_number(self) -> int:
        return self.ticket.number

    __table_args__ = (
        # Invariant 1: at most one live redemption per ticket, whatever the concurrency.
        sa.Index("uq_redemptions_live_ticket", "ticket_id", unique=True,
                 sqlite_where=sa.text("voided_at IS NULL"), postgresql_where=sa.text("voided_at IS NULL")),
        sa.Index("ix_redemptions_workshop_booklet", "workshop_id", "booklet_id"),
        sa.Index("ix_redemptions_partner_redeemed", "partner_id", "redeemed_at"),
        sa.Index("ix_redemptions_booklet", "booklet_id"),  # anomaly rule: one booklet's tickets on one day
        sa.CheckConstraint("amount_cents > 0", name="amount_positive"),
    )


class FailedScan(db.Model):
    """A refused scan, kept as a fraud and support trail."""

    __tablename__ = "failed_scans"

    id = sa.Column(sa.Integer, primary_key=True)
    created_at = sa.Column(sa.DateTime, nullable=False, default=utcnow, index=True)
    user_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), index=True)
    partner_id = sa.Column(sa.Integer, sa.ForeignKey("partners.id"), index=True)
    workshop_id = sa.Column(sa.Integer, sa.ForeignKey("workshops.id"))
    ticket_id = sa.Column(sa.Integer, sa.ForeignKey("tickets.id"))
    nonce = sa.Column(sa.String(64), index=True)
    code_prefix = sa.Column(sa.String(40))  # truncated: enough for support, useless to replay
    serial = sa.Column(sa.String(20))
    reason = sa.Column(sa.String(30), nullable=False)
    offline = sa.Column(sa.Boolean, nullable=False, default=False)
    # An offline scan's time on the phone (created_at is its upload): what staff review a conflict by.
    scanned_at = sa.Column(sa.DateTime)

    __table_args__ = (
        sa.Index("ix_failed_scans_offline_created", "created_at", sqlite_where=sa.text("offline"),
                 postgresql_where=sa.text("offline")),
    )
