"""Server-side sessions: the signed cookie carries a random token, the database its hash.

Logout, deactivation and a password change end sessions at once by revoking their rows; a
session also ends after an idle and an absolute lifetime that depend on the role (config).
The loader runs on every request of a signed-in person, scans included: one statement loads
the session, its user and the user's partner, and `last_seen_at` is written at most once every
few minutes.
"""
import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from ..extensions import db
from ..models import User, UserSession, utcnow

TOUCH_EVERY = timedelta(minutes=5)  # how stale `last_seen_at` may be: the idle lifetime's precision


def token_hash(token: str) -> str:
    """Hash a session token (a random 256-bit value: no salt or slow hash is needed)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def lifetimes(user: User) -> tuple[timedelta, timedelta]:
    """Return (idle, absolute) lifetimes for the user's sessions: shorter for staff."""
    config = current_app.config
    if user.role.is_staff:
        return config["STAFF_SESSION_IDLE"], config["STAFF_SESSION_MAX"]
    return config["PARTNER_SESSION_IDLE"], config["PARTNER_SESSION_MAX"]


def open_session(user: User, user_agent: str = "", now: datetime | None = None) -> str:
    """Start a session for `user` and return its token (kept only in the person's cookie)."""
    now = now or utcnow()
    db.session.execute(sa.delete(UserSession).where(  # the user's dead sessions are of no more use
        UserSession.user_id == user.id, sa.or_(UserSession.revoked_at.is_not(None), UserSession.expires_at <= now)))
    token = secrets.token_urlsafe(32)
    db.session.add(UserSession(token_hash=token_hash(token), user_id=user.id, created_at=now, last_seen_at=now,
                               expires_at=now + lifetimes(user)[1], user_agent=(user_agent or "")[:200]))
    db.session.flush()
    user.session_token = token
    return token


_LOAD = (sa.select(User, UserSession).join(UserSession, UserSession.user_id == User.id)
         .options(sa.orm.joinedload(User.partner))
         .where(UserSession.token_hash == sa.bindparam("token_hash"), UserSession.revoked_at.is_(None)))


def load(token, now: datetime | None = None) -> User | None:
    """Return the user of a live session, or None (unknown, revoked, idle too long, too old, inactive user).

    Commits when it refreshes `last_seen_at`: call it before the request changes anything.
    """
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        return None
    now = now or utcnow()
    row = db.session.execute(_LOAD, {"token_hash": token_hash(token)}).first()
    if row is None:
        return None
    user, session = row
    idle, _absolute = lifetimes(user)
    if not user.active or session.expires_at <= now or session.last_seen_at + idle <= now:
        return None
    if session.last_seen_at + TOUCH_EVERY <= now:
        db.session.execute(sa.update(UserSession).where(UserSession.id == session.id).values(last_seen_at=now)
                           .execution_options(synchronize_session=False))
        db.session.commit()
    user.session_token = token
    return user


def revoke(token: str | None, now: datetime | None = None) -> None:
    """End the session behind a token (logout)."""
    if token:
        db.session.execute(sa.update(UserSession).where(
            UserSession.token_hash == token_hash(token), UserSession.revoked_at.is_(None))
            .values(revoked_at=now or utcnow()).execution_options(synchronize_session=False))


def revoke_all(user: User, keep_token: str | None = None, now: datetime | None = None) -> int:
    """End every session of `user` (but the one of `keep_token`); return how many were ended."""
    query = sa.update(UserSession).where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
    if keep_token:
        query = query.where(UserSession.token_hash != token_hash(keep_token))
    return db.session.execute(query.values(revoked_at=now or utcnow())
                              .execution_options(synchronize_session=False)).rowcount
