from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
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


def _login_key() -> str:
    return (request.form.get("email") or "").strip().lower() or request.remote_addr or "?"


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute", key_func=_login_key, methods=["POST"],
               error_message="Trop de tentatives de connexion : patientez une minute avant de réessayer.")
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
