from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..access import manager_required
from ..domain import bank, claim_views
from ..domain import claims as service
from ..domain.errors import DomainError
from ..extensions import db
from ..models import ClaimStatus
from . import bp, downloads
from .actions import page_arg, run
from .forms import BankDetailsForm, SubmitClaimForm


@bp.get("/")
@manager_required
def index():
    """Show the running month, the finished months to send and the past claims with their status."""
    claims = claim_views.partner_claims(current_user.partner_id)
    period = service.current_period()
    running = next((c for c in claims if c.period == period), None)
    to_submit = [c for c in claims if c.status == ClaimStatus.OPEN and c.period < period]
    past = [c for c in claims if c.status != ClaimStatus.OPEN]
    rejected = {}
    for line in claim_views.rejected_lines([c.id for c in past if c.rejected_count]):
        rejected.setdefault(line.claim_id, []).append(line)
    return render_template(
        "claims/index.html", running=running, to_submit=to_submit, past=past, rejected=rejected,
        counts={c.id: claim_views.count_lines(c.id) for c in to_submit}, form=SubmitClaimForm(),
        summary=_summary(running.id) if running else None,
        recent=claim_views.lines(running.id, per_page=20) if running else [],
        account=bank.current_account(current_user.partner_id), pending=bank.pending_account(current_user.partner_id))


def _summary(claim_id: int) -> dict:
    return {"values": claim_views.by_face_value(claim_id), "workshops": claim_views.by_workshop(claim_id),
            "trainers": claim_views.by_trainer(claim_id), "count": claim_views.count_lines(claim_id)}


@bp.get("/<int:claim_id>")
@manager_required
def detail(claim_id: int):
    """Show one claim of the user's partner: totals by workshop and trainer, every line, page by page."""
    claim = service.get_partner_claim(current_user, claim_id)
    page = page_arg(request)
    summary = _summary(claim.id)
    return render_template("claims/detail.html", claim=claim, summary=summary, page=page,
                           pages=max(1, -(-summary["count"] // claim_views.PER_PAGE)),
                           lines=claim_views.lines(claim.id, page), form=SubmitClaimForm(),
                           submittable=claim.status == ClaimStatus.OPEN and service.is_finished(claim))


@bp.post("/<int:claim_id>/submit")
@manager_required
def submit(claim_id: int):
    """Send a finished month's claim to the département, once confirmed on a page restating the amount."""
    form = SubmitClaimForm()
    back = url_for("claims.detail", claim_id=claim_id)
    claim = service.get_partner_claim(current_user, claim_id)  # 404 for another partner's claim
    if not form.validate_on_submit():
        raise DomainError("bad_request")
    if not form.is_confirmed:
        summary = _summary(claim.id)
        refusal = _why_not_submittable(claim, summary["count"])
        if refusal:
            flash(refusal, "error")
            return redirect(back)
        return render_template("claims/confirm_submit.html", claim=claim, summary=summary,
                               form=form.ask_confirmation())
    return run(lambda: service.submit(current_user, claim_id),
               _("Demande envoyée au Département. Son bordereau est disponible en PDF et en CSV."), back)


def _why_not_submittable(claim, count: int) -> str | None:
    """Say why the claim page's button is stale (the domain still decides when it is confirmed)."""
    if claim.status != ClaimStatus.OPEN:
        return _("Cette demande a déjà été envoyée.")
    if not service.is_finished(claim):
        return _("Le mois n'est pas terminé : vous pourrez envoyer cette demande à partir du 1er du mois suivant.")
    if not count:
        return _("Cette demande ne contient aucun ticket : rien à envoyer.")
    return None


@bp.get("/<int:claim_id>/statement.pdf")
@manager_required
def statement(claim_id: int):
    """Download the claim's statement (bordereau de remise) as PDF."""
    return downloads.pdf_response(service.get_partner_claim(current_user, claim_id))


@bp.get("/<int:claim_id>/statement.csv")
@manager_required
def statement_as_csv(claim_id: int):
    """Download the claim's lines as CSV."""
    return downloads.csv_response(service.get_partner_claim(current_user, claim_id))


@bp.route("/bank", methods=["GET", "POST"])
@manager_required
def bank_details():
    """Show the association's identity and bank account; record new bank details for staff to check."""
    partner = current_user.partner
    account = bank.current_account(partner.id)
    form = BankDetailsForm()
    if request.method == "GET":
        form.siret.data = partner.siret
    if form.validate_on_submit():
        try:
            bank.submit_details(current_user, partner, holder_name=form.holder_name.data, iban=form.iban.data,
                                bic=form.bic.data, siret=form.siret.data)
        except DomainError as err:
            db.session.rollback()
            getattr(form, err.details.get("field", "iban"), form.iban).errors.append(err.message)
        else:
            db.session.commit()
            flash(_("Coordonnées enregistrées. Le Département doit les vérifier : vos paiements sont suspendus "
                    "jusqu'à cette validation."), "success")
            return redirect(url_for("claims.bank_details"))
    return render_template("claims/bank.html", partner=partner, account=account, form=form,
                           pending=bank.pending_account(partner.id), history=bank.history(partner.id)), \
        200 if not form.errors else 422
