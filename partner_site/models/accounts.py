"""What keeps accounts safe: server-side sessions, password-reset links and second-factor recovery codes."""
import sqlalchemy as sa

from ..extensions import db
from .base import utcnow


class UserSession(db.Model):
    """One signed-in browser: the cookie carries a random token, only its hash is stored.

    Ending a session is setting `revoked_at`: the cookie, even copied, stops working at once.
    """

    __tablename__ = "user_sessions"

    id = sa.Column(sa.Integer, primary_key=True)
    token_hash = sa.Column(sa.String(64), nullable=False, unique=True)
    user_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=False, index=True)
    created_at = sa.Column(sa.DateTime, nullable=False, default=utcnow)
    last_seen_at = sa.Column(sa.DateTime, nullable=False, default=utcnow)
    expires_at = sa.Column(sa.DateTime, nullable=False)  # the absolute lifetime, whatever the activity
    revoked_at = sa.Column(sa.DateTime)
    user_agent = sa.Column(sa.String(200), nullable=False, default="")

    user = db.relationship("User")


class PasswordReset(db.Model):
    """A one-time link, e-mailed on request, by which a person chooses a new password."""

    __tablename__ = "password_resets"

    id = sa.Column(sa.Integer, primary_key=True)
    token_hash = sa.Column(sa.String(64), nullable=False, unique=True)
    user_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=False, index=True)
    created_at = sa.Column(sa.DateTime, nullable=False, default=utcnow)
    expires_at = sa.Column(sa.DateTime, nullable=False)
    used_at = sa.Column(sa.DateTime)

    user = db.relationship("User")


class RecoveryCode(db.Model):
    """A one-time code that replaces the second factor once (a lost phone); only its hash is stored."""

    __tablename__ = "recovery_codes"

    id = sa.Column(sa.Integer, primary_key=True)
    user_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=False, index=True)
    code_hash = sa.Column(sa.String(64), nullable=False, unique=True)
    created_at = sa.Column(sa.DateTime, nullable=False, default=utcnow)
    used_at = sa.Column(sa.DateTime)
