"""Rate-limit counters shared by every worker and instance (the default store, see ratelimit_storage.py)."""
import sqlalchemy as sa

from ..extensions import db


class RateLimitCounter(db.Model):
    """Hits counted in one fixed window of one limit, e.g. a minute of logins for one address.

    Written by the rate limiter on its own connection, never in a request's transaction. A row
    whose window is over starts again at its next hit; rows nobody hits again are purged.
    """

    __tablename__ = "rate_limits"

    key = sa.Column(sa.String(255), primary_key=True)  # the limiter's key; longer ones are hashed
    hits = sa.Column(sa.Integer, nullable=False)
    expires_at = sa.Column(sa.Float, nullable=False)  # seconds since the epoch, as the limiter counts time

    __table_args__ = (sa.Index("ix_rate_limits_expires_at", "expires_at"),)
