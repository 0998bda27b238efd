from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import login_user, logout_user

from ..domain import invitations
from ..domain.errors import DomainError
from ..extensions import db, limiter
from . import bp
from .forms import AcceptForm


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
def accept(token):
    """Let an invited person choose a password; the link works once, until it expires."""
    invitation = invitations.find(token)
    form = AcceptForm(full_name=invitation.full_name)
    if form.validate_on_submit():
        try:
            user = invitations.accept(token, form.password.data, form.full_name.data)
        except DomainError as err:
            db.session.rollback()
            form.password.errors = [err.message]
        else:
            db.session.commit()
            logout_user()
            login_user(user)
            flash(_("Bienvenue ! Votre compte est prêt."), "success")
            return redirect(url_for("web.home"))
    return render_template("invitations/accept.html", form=form, invitation=invitation)
