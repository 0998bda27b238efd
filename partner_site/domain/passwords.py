"""Passwords: checking one without telling whether the address has an account, changing one, resetting one.

A reset link is e-mailed through the outbox, lives 30 minutes, works once, and only its hash is
stored. Asking for one answers the same whether or not the address has an account.
"""
import hashlib
import secrets
from datetime import datetime, timedelta
from functools import lru_cache

import sqlalchemy as sa
from flask_babel import gettext as _
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..models import PasswordReset, User, record, utcnow
from . import account_messages, sessions
from .errors import DomainError

MIN_PASSWORD_LENGTH = 10
RESET_LIFETIME = timedelta(minutes=30)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """A hash made like every real one, checked when the address is unknown (same time either way)."""
    return generate_password_hash(secrets.token_urlsafe(16), method="scrypt")


def find_user(email) -> User | None:
    """Load the user with this e-mail address (case-insensitive), active or not."""
    email = (email or "").strip().lower() if isinstance(email, str) else ""
    return db.session.execute(sa.select(User).where(sa.func.lower(User.email) == email)).scalar_one_or_none()


def authenticate(email: str, password: str) -> User | None:
    """Return the active user with this address and password, else None, in the same time either way."""
    user = find_user(email)
    if user is None:
        check_password_hash(_dummy_hash(), password or "")
        return None
    if not user.check_password(password or "") or not user.active:
        return None
    return user


def check_new_password(password) -> str:
    """Return an acceptable new password, or refuse it with a French message."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH or len(password) > 200:
        raise DomainError("bad_request", _("Choisissez un mot de passe d'au moins %(n)s caractères.",
                                           n=MIN_PASSWORD_LENGTH), field="password")
    return password


def change_password(user: User, current: str, new: str) -> User:
    """Change a signed-in person's password (the current one is asked); end their other sessions."""
    if not user.check_password(current or ""):
        raise DomainError("bad_request", _("Mot de passe actuel incorrect."), field="current")
    user.set_password(check_new_password(new))
    ended = sessions.revoke_all(user, keep_token=user.session_token)
    record(user, "user.password_changed", user, after={"sessions_ended": ended})
    return user


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def request_reset(email: str, now: datetime | None = None) -> None:
    """E-mail a one-time reset link to an active account with this address; do nothing otherwise.

    The caller answers the same in both cases, so the form tells nobody which addresses exist.
    """
    now = now or utcnow()
    user = find_user(email)
    if user is None or not user.active:
        return
    token = secrets.token_urlsafe(32)
    reset = PasswordReset(token_hash=_hash(token), user_id=user.id, created_at=now, expires_at=now + RESET_LIFETIME)
    db.session.add(reset)
    db.session.flush()
    record(user, "password_reset.requested", user, after={"reset_id": reset.id, "expires_at": reset.expires_at})
    account_messages.password_reset(user, token, RESET_LIFETIME)


def usable_reset(token, now: datetime | None = None) -> PasswordReset:
    """Return the reset behind a link if it can still be used, else refuse."""
    now = now or utcnow()
    reset = None
    if isinstance(token, str) and 20 <= len(token) <= 100:
        reset = db.session.execute(sa.select(PasswordReset).where(
            PasswordReset.token_hash == _hash(token))).scalar_one_or_none()
    if reset is None or reset.used_at is not None or reset.expires_at <= now or not reset.user.active:
        raise DomainError("reset_link_invalid")
    return reset


def reset_password(token: str, password: str, now: datetime | None = None) -> User:
    """Set a new password through a reset link, once; end every session of the account."""
    now = now or utcnow()
    reset = usable_reset(token, now)
    password = check_new_password(password)
    spent = db.session.execute(
        sa.update(PasswordReset).where(PasswordReset.id == reset.id, PasswordReset.used_at.is_(None))
        .values(used_at=now).execution_options(synchronize_session=False)).rowcount
    if not spent:  # used a moment ago in another tab
        raise DomainError("reset_link_invalid")
    user = reset.user
    user.set_password(password)
    # Other links of this account stop working too: the newest request is the one the person followed.
    db.session.execute(sa.update(PasswordReset).where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
                       .values(used_at=now).execution_options(synchronize_session=False))
    ended = sessions.revoke_all(user, now=now)
    record(user, "user.password_reset", user, after={"reset_id": reset.id, "sessions_ended": ended})
    return user
