"""Partners: register (inviting the manager), edit, accredit / suspend / withdraw, rural flag, invitations."""
import sqlalchemy as sa
from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..access import instructor_required, staff_required
from ..domain import invitations, notifications
from ..domain import partners as partner_ops
from ..domain.communes import commune
from ..extensions import db
from ..models import Partner, PartnerStatus, Role, User
from . import bp
from .forms.partners import InviteForm, NewPartnerForm, PartnerForm, PartnerStatusForm, RuralForm
from .helpers import get_or_404, post_action, submit


def _invitation_sent(email: str) -> str:
    """Say the invitation left, the same words whether or not the address already has an account."""
    hours = int(invitations.INVITATION_LIFETIME.total_seconds() // 3600)
    return _("Invitation envoyée à %(email)s : le lien qu'elle contient est valable %(hours)s heures.",
             email=(email or "").strip().lower(), hours=hours)


@bp.get("/partners")
@staff_required
def partners():
    """List partners, optionally by status."""
    query = sa.select(Partner).order_by(Partner.name)
    status = request.args.get("status")
    if status in {s.value for s in PartnerStatus}:
        query = query.where(Partner.status == PartnerStatus(status))
    return render_template("backoffice/partners/list.html", partners=db.session.execute(query).scalars().all(),
                           status=status, commune=commune)


@bp.route("/partners/new", methods=["GET", "POST"])
@instructor_required
def partner_new():
    """Register a partner (applied) and invite its manager by a one-time link."""
    form = NewPartnerForm()

    notifications.deliver_after_response()
    done = submit(form, lambda: partner_ops.create(current_user, form.manager_email.data, form.manager_name.data,
                                                   **{k: getattr(form, k).data for k in partner_ops.EDITABLE}),
                  lambda p: _("Structure « %(name)s » enregistrée.", name=p.name) + " "
                  + _invitation_sent(form.manager_email.data),
                  lambda p: url_for("backoffice.partner", partner_id=p.id))
    return done or render_template("backoffice/partners/form.html", form=form, partner=None)


@bp.get("/partners/<int:partner_id>")
@staff_required
def partner(partner_id):
    """Show a partner: identity, accreditation history, people, pending invitations."""
    partner = get_or_404(Partner, partner_id)
    people = db.session.execute(sa.select(User).where(User.partner_id == partner.id).order_by(User.email)).scalars()
    rural = RuralForm(rural=("rural" if partner.rural else "urban") if partner.rural_overridden else "auto")
    return render_template("backoffice/partners/detail.html", partner=partner, place=commune(partner.commune_insee),
                           history=partner_ops.history(partner), people=people.all(),
                           pending=invitations.pending_for_partner(partner.id), status_form=PartnerStatusForm(),
                           rural_form=rural, invite_form=InviteForm())


@bp.route("/partners/<int:partner_id>/edit", methods=["GET", "POST"])
@instructor_required
def partner_edit(partner_id):
    """Edit a partner's identity and contact."""
    partner = get_or_404(Partner, partner_id)
    form = PartnerForm(obj=partner)
    done = submit(form, lambda: partner_ops.update(current_user, partner,
                                                   **{k: getattr(form, k).data for k in partner_ops.EDITABLE}),
                  _("Structure enregistrée."), url_for("backoffice.partner", partner_id=partner.id))
    return done or render_template("backoffice/partners/form.html", form=form, partner=partner)


@bp.post("/partners/<int:partner_id>/status")
@instructor_required
def partner_status(partner_id):
    """Accredit, suspend or withdraw a partner, with a reason for the last two."""
    partner = get_or_404(Partner, partner_id)
    form = PartnerStatusForm()
    return post_action(form, lambda: partner_ops.change(current_user, partner, PartnerStatus(form.target.data),
                                                        form.reason.data),
                       _("État de la structure mis à jour."), url_for("backoffice.partner", partner_id=partner.id))


@bp.post("/partners/<int:partner_id>/rural")
@instructor_required
def partner_rural(partner_id):
    """Override the rural flag, or go back to the commune's population rule."""
    partner = get_or_404(Partner, partner_id)
    form = RuralForm()
    choice = {"auto": None, "rural": True, "urban": False}
    return post_action(form, lambda: partner_ops.set_rural(current_user, partner, choice[form.rural.data]),
                       _("Territoire de la structure enregistré."),
                       url_for("backoffice.partner", partner_id=partner.id))


@bp.post("/partners/<int:partner_id>/invite")
@instructor_required
def partner_invite(partner_id):
    """Invite a manager or a trainer of this partner by a one-time link."""
    partner = get_or_404(Partner, partner_id)
    form = InviteForm()

    notifications.deliver_after_response()
    return post_action(form, lambda: invitations.invite(current_user, email=form.email.data,
                                                        full_name=form.full_name.data, role=Role(form.role.data),
                                                        partner_id=partner.id),
                       lambda invitation: _invitation_sent(invitation.email),
                       url_for("backoffice.partner", partner_id=partner.id))
