from urllib.parse import urlsplit

from flask import flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from ..domain import passwords, second_factor
from ..domain.errors import DomainError
from ..extensions import db, limiter
from ..models import record
from . import bp, signin
from .forms import CodeForm, LoginForm


def safe_next(target: str | None) -> str | None:
    """Return `target` only if it stays on this site (a path, no scheme, no host)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


LOCKED_OUT = _l("Trop de tentatives de connexion : patientez quelques minutes avant de réessayer.")
NO_STORE = {"Cache-Control": "no-store"}


def _login_key() -> str:
    return "email:" + ((request.form.get("email") or "").strip().lower()[:254] or "?")


def _locked_out(_limit):
    """Answer a locked-out login on the login page itself, in French, with 429."""
    flash(str(LOCKED_OUT), "error")
    return make_response(render_template("auth/login.html", form=LoginForm()), 429)


def _second_step_key() -> str:
    user = signin.pending_user()
    return f"second-factor:{user.id if user else '?'}"


def _second_step_locked_out(_limit):
    flash(str(LOCKED_OUT), "error")
    return make_response(render_template("auth/second_factor.html", form=CodeForm()), 429)


# Per address guessed (10 a minute, 50 an hour) and per client address (so many addresses
# cannot be tried from one place).
@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute;50 per hour", key_func=_login_key, methods=["POST"], on_breach=_locked_out)
@limiter.limit("30 per minute;300 per hour", methods=["POST"], scope="login-ip", on_breach=_locked_out)
def login():
    """Show the login form and check the password (the same time whether or not the address exists)."""
    if current_user.is_authenticated:
        return redirect(url_for("web.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = passwords.authenticate(form.email.data, form.password.data)
        if user is None:
            flash(_("Adresse e-mail ou mot de passe incorrect."), "error")
            return render_template("auth/login.html", form=form), 200
        return signin.start(user, safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


def _restart():
    flash(_("Saisissez de nouveau votre adresse e-mail et votre mot de passe."), "info")
    return redirect(url_for("auth.login"))


# A code has a million values and three are valid at a time: 20 tries a day per person leave a
# guesser who already has the password about one chance in 45 a year; each refusal is in the journal.
SECOND_STEP_LIMIT = "5 per minute;20 per day"


def _refused(user, form, err: DomainError) -> None:
    """Keep the refusal in the journal (a guessed password shows there) and say so next to the field."""
    db.session.rollback()
    record(user, "user.second_factor_refused", user)
    db.session.commit()
    form.code.errors = [err.message]


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(SECOND_STEP_LIMIT, key_func=_second_step_key, methods=["POST"],
               on_breach=_second_step_locked_out)
@limiter.limit("30 per minute;300 per hour", methods=["POST"], scope="login-ip", on_breach=_second_step_locked_out)
def second_step():
    """Ask staff for the code of their authenticator app (or a recovery code) after the password."""
    user = signin.pending_user()
    if user is None:
        return _restart()
    if not user.second_factor_enrolled:
        return redirect(url_for("auth.enrol"))
    form = CodeForm()
    if form.validate_on_submit():
        try:
            how = second_factor.verify(user, form.code.data)
        except DomainError as err:
            _refused(user, form, err)
        else:
            target = signin.pending_next()
            signin.sign_in(user, how)
            if how == "recovery":
                flash(_("Code de secours accepté ; il vous en reste %(n)s. Si vous avez perdu votre téléphone, "
                        "demandez à un administrateur de réinitialiser votre double authentification.",
                        n=second_factor.recovery_codes_left(user)), "info")
            return redirect(target or url_for("web.home"))
    return render_template("auth/second_factor.html", form=form), 200, NO_STORE


@bp.route("/login/enrol", methods=["GET", "POST"])
@limiter.limit(SECOND_STEP_LIMIT, key_func=_second_step_key, methods=["POST"],
               on_breach=_second_step_locked_out)
def enrol():
    """At a staff member's first sign-in: show a QR code of a new secret, confirmed by a first code."""
    user = signin.pending_user()
    if user is None:
        return _restart()
    if user.second_factor_enrolled:
        return redirect(url_for("auth.second_step"))
    second_factor.start_enrolment(user)
    db.session.commit()
    form = CodeForm()
    if form.validate_on_submit():
        try:
            codes = second_factor.confirm_enrolment(user, form.code.data)
        except DomainError as err:
            _refused(user, form, err)
        else:
            target = signin.pending_next()
            signin.sign_in(user, "totp")
            return render_template("auth/recovery_codes.html", codes=codes,
                                   target=target or url_for("web.home")), 200, NO_STORE
    return render_template("auth/enrol.html", form=form, secret=second_factor.grouped(user.totp_secret),
                           qr=second_factor.qr_data_uri(second_factor.provisioning_uri(user))), 200, NO_STORE


@bp.post("/logout")
@login_required
def logout():
    """Sign out (a POST, so a link elsewhere cannot sign anyone out): the session ends on the server too."""
    signin.sign_out(current_user)
    flash(_("Vous êtes déconnecté."), "info")
    return redirect(url_for("auth.login"))

