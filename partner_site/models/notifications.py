"""The outbox of messages to partners and to people about their accounts: e-mailed when SMTP is configured."""
import sqlalchemy as sa

from ..extensions import db
from .base import TimestampMixin


class Notification(TimestampMixin, db.Model):
    """One message: to a partner about one of its claims, or to a person about their account."""

    __tablename__ = "notifications"

    id = sa.Column(sa.Integer, primary_key=True)
    partner_id = sa.Column(sa.Integer, sa.ForeignKey("partners.id"), index=True)  # none for account messages
    claim_id = sa.Column(sa.Integer, sa.ForeignKey("claims.id"), index=True)
    kind = sa.Column(sa.String(30), nullable=False)  # claim_approved, ..., invitation, account_exists, password_reset
    recipient = sa.Column(sa.String(200), nullable=False)
    subject = sa.Column(sa.String(200), nullable=False)
    body = sa.Column(sa.Text, nullable=False)
    sent_at = sa.Column(sa.DateTime)
    attempts = sa.Column(sa.Integer, nullable=False, default=0)
    # Set while one sender holds the message, so that two senders running at once never both send it.
    sending_since = sa.Column(sa.DateTime)
    last_error = sa.Column(sa.String(300))

    partner = db.relationship("Partner")
    claim = db.relationship("Claim")

    __table_args__ = (sa.Index("ix_notifications_unsent", "sent_at", "id"),)
