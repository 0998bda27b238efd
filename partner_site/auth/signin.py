"""Signing in and out: a server-side session per browser, and the second step staff go through.

Between the password and the second factor, the signed cookie holds only who is half-way
and since when (ten minutes at most); the session itself starts once the second factor is
accepted. Starting it clears everything the cookie held, so the CSRF token changes at login.
"""
import time

from flask import redirect, request, session, url_for
from flask_login import login_user, logout_user

from ..domain import sessions
from ..extensions import db
from ..models import User, record, utcnow

PENDING = "sign_in_pending"
PENDING_SECONDS = 600  # long enough to install an authenticator app at the first sign-in


def start(user: User, next_url: str | None):
    """After a right password: sign a partner's person in, or send staff to their second step."""
    if not user.role.is_staff:
        sign_in(user, "password")
        return redirect(next_url or url_for("web.home"))
    session.clear()
    session[PENDING] = {"user": user.id, "at": int(time.time()), "next": next_url}
    return redirect(url_for("auth.second_step" if user.second_factor_enrolled else "auth.enrol"))


def pending_user() -> User | None:
    """Return the staff member half-way through signing in, if the password was given lately."""
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or not isinstance(pending.get("at"), int):
        return None
    if not 0 <= time.time() - pending["at"] < PENDING_SECONDS:
        return None
    user = db.session.get(User, pending.get("user")) if isinstance(pending.get("user"), int) else None
    return user if user is not None and user.active and user.role.is_staff else None


def pending_next() -> str | None:
    return (session.get(PENDING) or {}).get("next")


def sign_in(user: User, how: str) -> None:
    """Start a fresh session for `user` (new cookie content, new CSRF token) and commit."""
    session.clear()
    sessions.open_session(user, request.user_agent.string)
    login_user(user)
    user.last_login_at = utcnow()
    record(user, "user.login", user, after={"with": how})
    db.session.commit()


def sign_out(user: User) -> None:
    """End this browser's session on the server, then forget the cookie's content."""
    sessions.revoke(user.session_token)
    db.session.commit()
    logout_user()
    session.clear()
