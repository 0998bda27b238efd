from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..access import instructor_required, staff_required
from ..domain import adjustments
from ..claims import downloads
from ..claims.actions import form_errors, page_arg, run
from ..domain import anomalies, claim_views, notifications, sync
from ..domain import review as service
from ..domain.bank import current_account
from ..models import ClaimStatus
from . import bp
from .forms import (
    AdjustForm,
    ApproveAdjustmentForm,
    ApproveForm,
    RefuseAdjustmentForm,
    ReinstateLinesForm,
    RejectLinesForm,
)

QUEUE_STATUSES = [ClaimStatus.SUBMITTED, ClaimStatus.APPROVED, ClaimStatus.IN_BATCH, ClaimStatus.PAID]


@bp.get("/")
@staff_required
def queue():
    """List claims by status (the submitted ones first, oldest first), with flags and filters."""
    try:
        status = ClaimStatus(request.args.get("status", "submitted"))
    except ValueError:
        abort(400)
    if status not in QUEUE_STATUSES:
        abort(400)
    flagged = request.args.get("flagged") == "1"
    search = request.args.get("q", "")[:100]
    result = claim_views.queue(status, page_arg(request), flagged_only=flagged, search=search)
    return render_template("review/queue.html", result=result, status=status, statuses=QUEUE_STATUSES,
                           flagged=flagged, search=search)


@bp.get("/conflicts")
@staff_required
def conflicts():
    """List offline scans refused at synchronisation (no redemption counted), newest first, for review."""
    return render_template("review/conflicts.html", conflicts=sync.offline_conflicts(limit=500))


@bp.get("/<int:claim_id>")
@staff_required
def detail(claim_id: int):
    """Show a claim for review: its partner, totals, flagged lines first if asked, and the actions."""
    claim = service.get_claim(claim_id)
    flagged = request.args.get("flagged") == "1"
    page = page_arg(request)
    count = claim_views.count_lines(claim.id, flagged_only=flagged)
    return render_template(
        "review/detail.html", claim=claim, flagged=flagged, page=page,
        pages=max(1, -(-count // claim_views.PER_PAGE)), count=count,
        lines=claim_views.lines(claim.id, page, flagged_only=flagged), flag_labels=anomalies.labels,
        summary={"values": claim_views.by_face_value(claim.id), "workshops": claim_views.by_workshop(claim.id),
                 "trainers": claim_views.by_trainer(claim.id)},
        account=current_account(claim.partner_id), reject_form=RejectLinesForm(), reinstate_form=ReinstateLinesForm(),
        approve_form=ApproveForm(), adjust_form=AdjustForm(),
        ceiling=adjustments.ceiling(claim) if claim.status == ClaimStatus.PAID else None,
        corrections=adjustments.against(claim.id), pending=adjustments.pending_on(claim.id),
        can_review=current_user.role.value == "instructor" and claim.status == ClaimStatus.SUBMITTED)


def _back(claim_id: int) -> str:
    return request.form.get("back") if (request.form.get("back") or "").startswith("/staff/claims/") \
        else url_for("review.detail", claim_id=claim_id)


@bp.post("/<int:claim_id>/reject")
@instructor_required
def reject(claim_id: int):
    """Reject the ticked lines with one reason, which the association will see."""
    service.get_claim(claim_id)  # 404 for a claim that does not exist
    form = RejectLinesForm()
    if not form.validate_on_submit():
        form_errors(form)
        return _redirect(claim_id)
    return run(lambda: service.reject_lines(current_user, claim_id, form.lines.data, form.reason.data),
               _("%(count)s ticket(s) refusé(s).", count=len(form.lines.data)), _back(claim_id))


@bp.post("/<int:claim_id>/reinstate")
@instructor_required
def reinstate(claim_id: int):
    """Accept again lines rejected by mistake (before approval)."""
    service.get_claim(claim_id)
    form = ReinstateLinesForm()
    if not form.validate_on_submit():
        form_errors(form)
        return _redirect(claim_id)
    return run(lambda: service.reinstate_lines(current_user, claim_id, form.lines.data),
               _("%(count)s ticket(s) rétabli(s).", count=len(form.lines.data)), _back(claim_id))


@bp.post("/<int:claim_id>/approve")
@instructor_required
def approve(claim_id: int):
    """Approve the claim as it stands, once confirmed on a page restating the amounts; the association is told."""
    claim = service.get_claim(claim_id)
    form = ApproveForm()
    if not form.validate_on_submit():
        abort(400)
    if not form.is_confirmed:
        return _confirm_approval(claim, form)
    return run(lambda: service.approve(current_user, claim_id), _("Demande approuvée ; l'association est prévenue."),
               url_for("review.queue"), failure_to=url_for("review.detail", claim_id=claim_id), notify=True)


def _confirm_approval(claim, form):
    """Restate what approving will do (accepted and rejected lines, the amount), or say why it cannot."""
    pending = adjustments.pending_on(claim.id)
    if claim.status != ClaimStatus.SUBMITTED:
        flash(_("Cette demande n'est plus à instruire (elle est déjà approuvée)."), "error")
        return _redirect(claim.id)
    if pending:
        flash(_("%(n)s ajustement(s) de cette demande attendent leur seconde approbation : faites-les approuver "
                "ou refuser avant d'approuver la demande.", n=pending), "error")
        return _redirect(claim.id)
    return render_template("review/confirm_approve.html", claim=claim, form=form.ask_confirmation(),
                           lines=claim_views.by_status(claim.id))


@bp.post("/<int:claim_id>/adjust")
@instructor_required
def adjust(claim_id: int):
    """Correct a paid claim: a debt counts at once on the partner's next claim, money added once approved."""
    service.get_claim(claim_id)
    form = AdjustForm()
    if not form.validate_on_submit():
        form_errors(form)
        return _redirect(claim_id)
    cents = int(form.amount.data * 100)
    done = _("Ajustement enregistré : il figurera sur la prochaine demande de l'association.") if cents < 0 else \
        _("Ajustement proposé : il ne comptera qu'après la seconde approbation d'une autre personne "
          "(instructeur ou payeur).")
    return run(lambda: adjustments.correct_paid_claim(current_user, claim_id, cents, form.reason.data), done,
               url_for("review.detail", claim_id=claim_id))


@bp.get("/adjustments")
@staff_required
def adjustments_page():
    """List the adjustments that raise what is paid and wait for a second staff member's approval."""
    return render_template("review/adjustments.html", waiting=adjustments.waiting(),
                           approve_form=ApproveAdjustmentForm(), refuse_form=RefuseAdjustmentForm())


@bp.post("/adjustments/<int:line_id>/approve")
@staff_required
def approve_adjustment(line_id: int):
    """Approve an adjustment proposed by someone else: it counts from now on."""
    if not ApproveAdjustmentForm().validate_on_submit():
        abort(400)
    return run(lambda: adjustments.approve_adjustment(current_user, line_id),
               _("Ajustement approuvé : il compte désormais dans la demande de l'association."),
               url_for("review.adjustments_page"))


@bp.post("/adjustments/<int:line_id>/refuse")
@staff_required
def refuse_adjustment(line_id: int):
    """Refuse an adjustment (or withdraw one's own): it never counts."""
    form = RefuseAdjustmentForm()
    if not form.validate_on_submit():
        form_errors(form)
        return redirect(url_for("review.adjustments_page"))
    return run(lambda: adjustments.refuse_adjustment(current_user, line_id, form.reason.data),
               _("Ajustement refusé : il ne comptera pas."), url_for("review.adjustments_page"))


def _redirect(claim_id: int):
    return redirect(url_for("review.detail", claim_id=claim_id))


@bp.get("/<int:claim_id>/statement.pdf")
@staff_required
def statement(claim_id: int):
    return downloads.pdf_response(service.get_claim(claim_id))


@bp.get("/<int:claim_id>/statement.csv")
@staff_required
def statement_as_csv(claim_id: int):
    return downloads.csv_response(service.get_claim(claim_id))


@bp.get("/outbox")
@staff_required
def outbox():
    """Show the messages sent (or waiting) to associations."""
    page = page_arg(request)
    rows, total = notifications.outbox(page)
    return render_template("review/outbox.html", rows=rows, page=page, pages=max(1, -(-total // 50)),
                           smtp=notifications.smtp_configured())
