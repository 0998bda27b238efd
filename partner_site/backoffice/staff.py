"""The staff administrator's pages: staff accounts, invitations, roles, reception points, any account's
activation and second factor. No claim, no payment, no beneficiary here."""
import sqlalchemy as sa
from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..access import admin_required
from ..domain import accounts, invitations, notifications, second_factor
from ..extensions import db
from ..models import ReceptionPoint, UserSession, utcnow
from . import bp
from .forms.common import EmptyForm, options
from .forms.staff import ReceptionPointChoiceForm, RoleForm, StaffInviteForm
from .helpers import post_action


def _point_form(user=None) -> ReceptionPointChoiceForm:
    form = ReceptionPointChoiceForm()
    points = db.session.execute(sa.select(ReceptionPoint.id, ReceptionPoint.name).order_by(ReceptionPoint.name))
    form.reception_point.choices = options([(0, _("— aucun (siège) : voit toutes les demandes —"))] + list(points))
    if user is not None and not form.is_submitted():
        form.reception_point.data = user.reception_point_id or 0
    return form


@bp.get("/staff/")
@admin_required
def staff():
    """List staff accounts and pending staff invitations; find an association's people."""
    query = (request.args.get("q") or "").strip()[:100]
    return render_template("backoffice/staff/list.html", staff=accounts.staff(), query=query,
                           found=accounts.search_partner_people(query), pending=invitations.pending_for_staff(),
                           form=StaffInviteForm(), button=EmptyForm())


@bp.post("/staff/invitations")
@admin_required
def staff_invite():
    """E-mail a one-time link to a new staff member (the answer is the same if the address has an account)."""
    form = StaffInviteForm()
    hours = int(invitations.INVITATION_LIFETIME.total_seconds() // 3600)
    notifications.deliver_after_response()
    return post_action(
        form, lambda: accounts.invite_staff(current_user, email=form.email.data, full_name=form.full_name.data,
                                            role=form.role.data),
        lambda invitation: _("Invitation envoyée à %(email)s : le lien qu'elle contient est valable %(hours)s heures.",
                             email=invitation.email, hours=hours),
        url_for("backoffice.staff"))


@bp.post("/staff/invitations/<int:invitation_id>/revoke")
@admin_required
def staff_invitation_revoke(invitation_id):
    """Cancel a pending staff invitation: its link stops working at once."""
    return post_action(EmptyForm(), lambda: invitations.revoke(current_user, invitation_id),
                       lambda invitation: _("Invitation de %(email)s annulée.", email=invitation.email),
                       url_for("backoffice.staff"))


@bp.get("/staff/<int:user_id>")
@admin_required
def staff_member(user_id):
    """Show one account: role, reception point, second factor, sessions; the administrator's actions."""
    user = accounts.get_account(user_id)
    now = utcnow()
    live = db.session.execute(sa.select(sa.func.count()).select_from(UserSession).where(
        UserSession.user_id == user.id, UserSession.revoked_at.is_(None), UserSession.expires_at > now)).scalar_one()
    role_form = RoleForm()
    role_form.role.data = user.role.value
    return render_template("backoffice/staff/detail.html", user=user, live_sessions=live, role_form=role_form,
                           point_form=_point_form(user), button=EmptyForm(),
                           codes_left=second_factor.recovery_codes_left(user) if user.role.is_staff else None)


def _back(user_id) -> str:
    return url_for("backoffice.staff_member", user_id=user_id)


@bp.post("/staff/<int:user_id>/<any(deactivate, reactivate):action>")
@admin_required
def staff_active(user_id, action):
    """Deactivate any account (its sessions end at once) or reactivate it."""
    user = accounts.get_account(user_id)
    active = action == "reactivate"
    return post_action(EmptyForm(), lambda: accounts.set_active(current_user, user, active),
                       _("Compte réactivé.") if active else _("Compte désactivé : ses sessions sont fermées."),
                       _back(user.id))


@bp.post("/staff/<int:user_id>/role")
@admin_required
def staff_role(user_id):
    """Change a staff member's role (their sessions end)."""
    user = accounts.get_account(user_id)
    form = RoleForm()
    return post_action(form, lambda: accounts.set_role(current_user, user, form.role.data),
                       _("Rôle changé : la personne se reconnecte avec ses nouveaux droits."), _back(user.id))


@bp.post("/staff/<int:user_id>/reception-point")
@admin_required
def staff_reception_point(user_id):
    """Attach an instructor to a reception point, or to none (the central office)."""
    user = accounts.get_account(user_id)
    form = _point_form()
    return post_action(form, lambda: accounts.set_reception_point(current_user, user, form.reception_point.data),
                       _("Point d'accueil enregistré."), _back(user.id))


@bp.post("/staff/<int:user_id>/second-factor/reset")
@admin_required
def staff_second_factor_reset(user_id):
    """Forget a staff member's second factor (a lost phone): they enrol again at their next sign-in."""
    user = accounts.get_account(user_id)
    return post_action(EmptyForm(), lambda: second_factor.reset(current_user, user),
                       _("Double authentification réinitialisée : la personne l'activera de nouveau à sa prochaine "
                         "connexion."), _back(user.id))
