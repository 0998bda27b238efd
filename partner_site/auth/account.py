"""A person's own account: change the password, renew recovery codes; a forgotten password by e-mail."""
from flask import flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..access import roles_required
from ..domain import notifications, passwords, second_factor
from ..domain.errors import DomainError
from ..extensions import db, limiter
from ..models import STAFF_ROLES
from . import bp
from .forms import ChangePasswordForm, ConfirmPasswordForm, ForgotForm, ResetForm
from .routes import NO_STORE


def _account_page(change=None, renew=None, status=200):
    return render_template("auth/account.html", change=change or ChangePasswordForm(),
                           renew=renew or ConfirmPasswordForm(),
                           codes_left=second_factor.recovery_codes_left(current_user)
                           if current_user.role.is_staff else None), status, NO_STORE


@bp.get("/account/")
@login_required
def account():
    """Show the person's account: change the password; for staff, their recovery codes."""
    return _account_page()


@bp.post("/account/password")
@login_required
def change_password():
    """Change the password (the current one is asked); every other session of the account ends."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            passwords.change_password(current_user, form.current.data, form.password.data)
        except DomainError as err:
            db.session.rollback()
            form.current.errors = [err.message]
        else:
            db.session.commit()
            flash(_("Mot de passe changé. Vos autres sessions (autres appareils, autres navigateurs) sont fermées."),
                  "success")
            return redirect(url_for(".account"))
    return _account_page(change=form)


@bp.post("/account/recovery-codes")
@roles_required(*STAFF_ROLES)
def renew_recovery_codes():
    """Replace a staff member's recovery codes with ten new ones, shown once (the password is asked)."""
    form = ConfirmPasswordForm()
    if form.validate_on_submit():
        try:
            codes = second_factor.regenerate_recovery_codes(current_user, form.password.data)
        except DomainError as err:
            db.session.rollback()
            form.password.errors = [err.message]
        else:
            db.session.commit()
            return render_template("auth/recovery_codes.html", codes=codes, target=url_for(".account")), 200, NO_STORE
    return _account_page(renew=form)


def _forgot_key() -> str:
    return "forgot:" + ((request.form.get("email") or "").strip().lower()[:254] or "?")


def _forgot_locked_out(_limit):
    flash(_("Trop de demandes : patientez avant d'en faire une nouvelle."), "error")
    return make_response(render_template("auth/forgot.html", form=ForgotForm()), 429)


# A few links an hour per address (nobody's mailbox is flooded) and per client address.
@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit("3 per hour;10 per day", key_func=_forgot_key, methods=["POST"], on_breach=_forgot_locked_out)
@limiter.limit("10 per minute;100 per day", methods=["POST"], scope="forgot-ip", on_breach=_forgot_locked_out)
def forgot_password():
    """E-mail a one-time link to choose a new password; the same answer whether or not the address has an account."""
    form = ForgotForm()
    if form.validate_on_submit():
        passwords.request_reset(form.email.data)
        db.session.commit()
        notifications.deliver_after_response()
        flash(_("Si un compte existe pour %(email)s, un e-mail vient de lui être envoyé avec un lien pour choisir un "
                "nouveau mot de passe (valable %(minutes)s minutes). Pensez à regarder dans les indésirables.",
                email=form.email.data.strip().lower(),
                minutes=int(passwords.RESET_LIFETIME.total_seconds() // 60)), "info")
        return redirect(url_for(".login"))
    return render_template("auth/forgot.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"], scope="reset-ip")
def reset_password(token: str):
    """Let a person who followed an e-mailed link choose a new password; the link then stops working."""
    passwords.usable_reset(token)
    form = ResetForm()
    if form.validate_on_submit():
        passwords.reset_password(token, form.password.data)
        db.session.commit()
        flash(_("Mot de passe changé : connectez-vous avec le nouveau."), "success")
        return redirect(url_for(".login"))
    return render_template("auth/reset.html", form=form), 200, NO_STORE
