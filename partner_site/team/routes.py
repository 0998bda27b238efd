from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..access import manager_required
from ..auth import signin
from ..domain import invitations, notifications, team
from ..domain.errors import DomainError
from ..extensions import db, limiter
from ..models import utcnow
from . import bp
from .forms import AcceptForm, InviteForm


@bp.get("/team/")
@manager_required
def index():
    """Show the association's people, its pending invitations and the form to invite a trainer."""
    return render_template("team/index.html", members=team.members(current_user.partner_id),
                           pending=invitations.pending_for_partner(current_user.partner_id),
                           form=InviteForm(), now=utcnow())


@bp.post("/team/invitations")
@manager_required
def invite():
    """E-mail a one-time link to a new trainer (the answer is the same if the address has an account)."""
    form = InviteForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            flash(errors[0], "error")
        return redirect(url_for(".index"))
    try:
        invitation = invitations.invite_trainer(current_user, email=form.email.data, full_name=form.full_name.data)
    except DomainError as err:
        db.session.rollback()
        flash(err.message, "error")
        return redirect(url_for(".index"))
    db.session.commit()
    notifications.deliver_after_response()
    flash(_("Invitation envoyée à %(email)s : le lien qu'elle contient est valable %(hours)s heures.",
            email=invitation.email, hours=int(invitations.INVITATION_LIFETIME.total_seconds() // 3600)), "success")
    return redirect(url_for(".index"))


@bp.post("/team/invitations/<int:invitation_id>/revoke")
@manager_required
def revoke(invitation_id: int):
    """Cancel a pending invitation: its link stops working at once."""
    invitation = invitations.revoke(current_user, invitation_id)
    db.session.commit()
    flash(_("Invitation de %(email)s annulée.", email=invitation.email), "info")
    return redirect(url_for(".index"))


@bp.post("/team/members/<int:user_id>/<any(deactivate, reactivate):action>")
@manager_required
def set_active(user_id: int, action: str):
    """Deactivate a trainer's account (signed out at once, no more logins), or let them log in again."""
    active = action == "reactivate"
    trainer = team.set_active(current_user, team.get_trainer(current_user, user_id), active)
    db.session.commit()
    name = trainer.full_name or trainer.email
    if active:
        flash(_("Compte de %(name)s réactivé.", name=name), "success")
    else:
        flash(_("Compte de %(name)s désactivé.", name=name), "info")
    return redirect(url_for(".index"))


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def accept(token: str):
    """Let an invited person choose a password; the link then stops working. Staff go on to enrol
    their second factor; an association's people are signed in."""
    invitation = invitations.usable_invitation(token)
    form = AcceptForm()
    if request.method == "GET":
        form.full_name.data = invitation.full_name
    if form.validate_on_submit():
        user = invitations.accept(token, full_name=form.full_name.data, password=form.password.data)
        db.session.commit()
        flash(_("Bienvenue ! Votre compte est prêt."), "success")
        return signin.start(user, None)
    response = render_template("team/accept.html", form=form, invitation=invitation)
    return response, 200, {"Cache-Control": "no-store"}
