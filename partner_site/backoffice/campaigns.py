"""Campaigns: list, create, edit; generate and dispatch booklets; print; expire; unused-ticket report."""
import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..access import instructor_required, staff_required
from ..bounds import id_arg
from ..domain import booklets as booklet_ops
from ..domain import campaigns as campaign_ops
from ..domain import reception
from ..domain.clock import local_today
from ..domain.codes import ticket_serial
from ..domain.errors import DomainError
from ..extensions import db
from ..jobs import runner as jobs
from ..labels import TICKET_STATUSES
from ..models import Booklet, Campaign, ReceptionPoint
from ..printing import printshop, sheets
from . import bp
from .forms.campaigns import CampaignForm, DispatchForm, GenerateForm, PrintForm
from .forms.common import EmptyForm, cents, options
from .helpers import csv_response, first_error, form_error, get_or_404, pdf_response, post_action, submit

BOOKLETS_SHOWN = 50
# Up to this many booklets print within the request (about 15 ms each: under a second, far from gunicorn's
# 30 s timeout even on a loaded machine); more are printed by a background job (docs/backoffice.md).
SYNC_BOOKLETS = 50


def _serials(text: str | None) -> list[str]:
    return (text or "").replace(",", " ").split()


def _booklet_count(campaign: Campaign, serials: list[str]) -> int:
    """Return how many booklets a print makes: the serials asked for, or the whole campaign."""
    return len(serials) or db.session.scalar(sa.select(sa.func.count(Booklet.id)).where(
        Booklet.campaign_id == campaign.id))


def _point_choices(blank_label):
    points = db.session.execute(sa.select(ReceptionPoint.id, ReceptionPoint.name).order_by(ReceptionPoint.name)).all()
    return options([(0, blank_label)] + [(p.id, p.name) for p in points])


def _values(form: CampaignForm) -> dict:
    return {"name": form.name.data, "territory": form.territory.data, "budget_cents": cents(form.budget.data),
            "face_value_cents": cents(form.face_value.data), "starts_on": form.starts_on.data,
            "ends_on": form.ends_on.data, "grace_days": form.grace_days.data,
            "state_share_percent": form.state_share_percent.data}


@bp.get("/campaigns")
@staff_required
def campaigns():
    """List campaigns, newest first, with their budget use."""
    rows = db.session.execute(sa.select(Campaign).order_by(Campaign.starts_on.desc(), Campaign.id.desc())).scalars()
    return render_template("backoffice/campaigns/list.html", campaigns=rows.all(), today=local_today())


@bp.route("/campaigns/new", methods=["GET", "POST"])
@instructor_required
def campaign_new():
    """Create a campaign."""
    form = CampaignForm()
    done = submit(form, lambda: campaign_ops.create(current_user, **_values(form)),
                  lambda c: _("Campagne « %(name)s » créée.", name=c.name),
                  lambda c: url_for("backoffice.campaign", campaign_id=c.id))
    return done or render_template("backoffice/campaigns/form.html", form=form, campaign=None)


@bp.route("/campaigns/<int:campaign_id>/edit", methods=["GET", "POST"])
@instructor_required
def campaign_edit(campaign_id):
    """Change a campaign (its face value is frozen once booklets exist)."""
    campaign = get_or_404(Campaign, campaign_id)
    form = CampaignForm(obj=campaign)
    if request.method == "GET":
        form.budget.data, form.face_value.data = campaign.budget_cents / 100, campaign.face_value_cents / 100
    done = submit(form, lambda: campaign_ops.update(current_user, campaign, **_values(form)),
                  _("Campagne enregistrée."), url_for("backoffice.campaign", campaign_id=campaign.id))
    return done or render_template("backoffice/campaigns/form.html", form=form, campaign=campaign)


@bp.get("/campaigns/<int:campaign_id>")
@staff_required
def campaign(campaign_id):
    """Show a campaign: budget, stock per reception point, booklets, and the instructor's actions."""
    campaign = get_or_404(Campaign, campaign_id)
    generate, dispatch = GenerateForm(), DispatchForm()
    generate.reception_point.choices = _point_choices(_("— siège (non affectés) —"))
    dispatch.from_point.choices = _point_choices(_("Siège (non affectés)"))
    dispatch.to_point.choices = _point_choices(_("—"))[1:]
    after = id_arg(request.args, "after") or 0
    booklets = db.session.execute(
        sa.select(Booklet).where(Booklet.campaign_id == campaign.id, Booklet.number > after)
        .options(sa.orm.joinedload(Booklet.reception_point)).order_by(Booklet.number).limit(BOOKLETS_SHOWN + 1)
    ).scalars().all()
    next_after = booklets[BOOKLETS_SHOWN - 1].number if len(booklets) > BOOKLETS_SHOWN else None
    return render_template("backoffice/campaigns/detail.html", campaign=campaign, generate=generate,
                           dispatch=dispatch, stock=reception.stock(campaign.id), booklets=booklets[:BOOKLETS_SHOWN],
                           next_after=next_after, print_form=PrintForm(), button=EmptyForm(), today=local_today(),
                           sync_booklets=SYNC_BOOKLETS)


@bp.post("/campaigns/<int:campaign_id>/generate")
@instructor_required
def campaign_generate(campaign_id):
    """Issue booklets within the campaign's budget."""
    campaign = get_or_404(Campaign, campaign_id)
    form = GenerateForm()
    form.reception_point.choices = _point_choices("")
    return post_action(
        form, lambda: booklet_ops.generate(current_user, campaign, form.count.data, form.reception_point.data or None),
        lambda made: _("%(n)s carnet(s) émis : n° %(first)s à %(last)s.", n=len(made), first=made[0].serial,
                       last=made[-1].serial),
        url_for("backoffice.campaign", campaign_id=campaign.id))


@bp.post("/campaigns/<int:campaign_id>/dispatch")
@instructor_required
def campaign_dispatch(campaign_id):
    """Send booklets in stock to a reception point."""
    campaign = get_or_404(Campaign, campaign_id)
    form = DispatchForm()
    form.from_point.choices = _point_choices("")
    form.to_point.choices = _point_choices("")[1:]

    def dispatch():
        source = get_or_404(ReceptionPoint, form.from_point.data) if form.from_point.data else None
        return reception.dispatch(current_user, campaign, get_or_404(ReceptionPoint, form.to_point.data),
                                  form.count.data, source)

    return post_action(form, dispatch, lambda n: _("%(n)s carnet(s) envoyé(s) au point d'accueil.", n=n),
                       url_for("backoffice.campaign", campaign_id=campaign.id))


@bp.post("/campaigns/<int:campaign_id>/print")
@instructor_required
def campaign_print(campaign_id):
    """Print booklets: a few at once (on to the PDF), more in the background (on to the job's progress page)."""
    campaign = get_or_404(Campaign, campaign_id)
    form = PrintForm()
    back = url_for("backoffice.campaign", campaign_id=campaign.id)
    if not form.validate_on_submit():
        flash(first_error(form), "error")
        return redirect(back)
    serials = _serials(form.serials.data)
    try:
        if serials:
            sheets.check_serials(campaign, serials)
    except DomainError as err:
        form_error(None, err)
        return redirect(back)
    count = _booklet_count(campaign, serials)
    if count <= SYNC_BOOKLETS:
        return redirect(url_for("backoffice.campaign_pdf", campaign_id=campaign.id, serials=" ".join(serials) or None))
    job = jobs.start(current_user, "booklets_pdf", {"campaign_id": campaign.id, "serials": serials or None}, count,
                     _("Carnets de la campagne « %(name)s » (%(n)s carnets)", name=campaign.name, n=count),
                     f"carnets-campagne-{campaign.id}.pdf")
    return redirect(url_for("jobs.detail", job_id=job.id))


@bp.get("/campaigns/<int:campaign_id>/booklets.pdf")
@instructor_required
def campaign_pdf(campaign_id):
    """Stream the print-ready PDF of a few booklets (?serials=), or of a small campaign; more go to `campaign_print`."""
    campaign = get_or_404(Campaign, campaign_id)
    serials = _serials(request.args.get("serials", "")[:2000])
    if serials:
        sheets.check_serials(campaign, serials)
    count = _booklet_count(campaign, serials)
    if count > SYNC_BOOKLETS:
        flash(_("%(n)s carnets : trop pour un PDF immédiat. Utilisez « Imprimer » ci-dessous : le PDF sera préparé "
                "en arrière-plan, avec sa progression.", n=count), "warning")
        return redirect(url_for("backoffice.campaign", campaign_id=campaign.id))
    return pdf_response(sheets.stream_pdf(campaign, serials or None), f"carnets-campagne-{campaign.id}.pdf")


@bp.get("/campaigns/<int:campaign_id>/print-shop.csv")
@instructor_required
def campaign_printshop_csv(campaign_id):
    """Export the print shop's CSV: serial, check code, signed code, booklet, status."""
    campaign = get_or_404(Campaign, campaign_id)
    return csv_response(f"imprimeur-campagne-{campaign.id}.csv", printshop.HEADER,
                        printshop.rows(campaign, local_today()))


@bp.post("/campaigns/<int:campaign_id>/expire")
@instructor_required
def campaign_expire(campaign_id):
    """Mark the unused tickets of an ended campaign (past its grace period) as expired."""
    campaign = get_or_404(Campaign, campaign_id)
    return post_action(EmptyForm(), lambda: campaign_ops.expire(current_user, campaign, local_today()),
                       lambda n: _("%(n)s ticket(s) non utilisé(s) marqué(s) expiré(s).", n=n),
                       url_for("backoffice.campaign_report", campaign_id=campaign.id))


@bp.get("/campaigns/<int:campaign_id>/report")
@staff_required
def campaign_report(campaign_id):
    """Show the end-of-campaign report of unused tickets, per reception point."""
    campaign = get_or_404(Campaign, campaign_id)
    return render_template("backoffice/campaigns/report.html", campaign=campaign,
                           rows=campaign_ops.unused_by_point(campaign), today=local_today(), button=EmptyForm())


@bp.get("/campaigns/<int:campaign_id>/unused.csv")
@staff_required
def campaign_unused_csv(campaign_id):
    """Export every unused ticket of a campaign (serial, status, booklet, reception point)."""
    campaign = get_or_404(Campaign, campaign_id)
    rows = ([ticket_serial(number), str(TICKET_STATUSES[status]), booklet, point or "",
             "oui" if activated else "non"]
            for number, status, booklet, point, activated in campaign_ops.unused_tickets(campaign))
    return csv_response(f"tickets-non-utilises-campagne-{campaign.id}.csv",
                        [_("Ticket"), _("État"), _("Carnet"), _("Point d'accueil"), _("Remis")], rows)
