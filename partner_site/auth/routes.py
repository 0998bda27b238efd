from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user

from ..extensions import db, limiter
from ..models import User, record, utcnow
from . import bp
from .forms import LoginForm


def safe_next(target: str | None) -> str | None:
    """Return `target` only if it stays on this site (a path, no scheme, no host)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


LOCKED_OUT = _l("Trop de tentatives de connexion : patientez quelques minutes avant de réessayer.")


def _login_key() -> str:
    return "email:" + ((request.form.get("email") or "").strip().lower()[:254] or "?")


def _locked_out(_limit):
    """Answer a locked-out login on the login page itself, in French, with 429."""
    flash(str(LOCKED_OUT), "error")
    return make_response(render_template("auth/login.html", form=LoginForm()), 429)


# Per address guessed (10 a minute, 50 an hour) and per client address (so many addresses
# cannot be tried from one place).
@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute;50 per hour", key_func=_login_key, methods=["POST"], on_breach=_locked_out)
@limiter.limit("30 per minute;300 per hour", methods=["POST"], scope="login-ip", on_breach=_locked_out)
def login():
    """Show the login form and sign the person in."""
    if current_user.is_authenticated:
        return redirect(url_for("web.home"))
    form = LoginForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        user = db.session.execute(sa.select(User).where(sa.func.lower(User.email) == email)).scalar_one_or_none()
        if user is None or not user.check_password(form.password.data) or not user.active:
            flash(_("Adresse e-mail ou mot de passe incorrect."), "error")
            return render_template("auth/login.html", form=form), 200
        login_user(user)
        user.last_login_at = utcnow()
        record(user, "user.login", user)
        db.session.commit()
        return redirect(safe_next(request.args.get("next")) or url_for("web.home"))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    """Sign out (a POST, so a link elsewhere cannot sign anyone out)."""
    logout_user()
    flash(_("Vous êtes déconnecté."), "info")
    return redirect(url_for("auth.login"))
