"""Beneficiaries' requests (instructors only): register, assign a booklet, the mailing, replace, close.

Every request is loaded through `domain.beneficiaries.get`, which answers 404 for a request of
another reception point when the instructor is attached to one.
"""
import io

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..access import instructor_required
from ..bounds import id_arg
from ..domain import beneficiaries as requests_ops
from ..domain import booklets as booklet_ops
from ..domain.clock import local_today
from ..extensions import db
from ..jobs import runner as jobs
from ..labels import PRIORITY_PUBLICS, REQUEST_STATUSES
from ..models import BeneficiaryRequest, ReceptionPoint, RequestStatus
from ..printing import letters
from ..printing.postal import address_lines
from . import bp
from .forms.beneficiaries import AssignForm, RequestForm
from .forms.common import EmptyForm, ReasonForm, options
from .helpers import get_or_404, pdf_response, post_action, submit

PAGE = 50
# Up to this many letters print within the request (each looks up the nearest partners for its flyer: 33 to
# 45 ms measured on a loaded machine, so under a second); more are printed by a background job (docs/backoffice.md).
SYNC_LETTERS = 20


def _load(request_id: int) -> BeneficiaryRequest:
    return requests_ops.get(current_user, request_id)


def _request_form(obj=None) -> RequestForm:
    form = RequestForm(obj=obj)
    points = sa.select(ReceptionPoint).order_by(ReceptionPoint.name)
    if current_user.reception_point_id is not None:
        points = points.where(ReceptionPoint.id == current_user.reception_point_id)
    form.reception_point.choices = options((p.id, p.name) for p in db.session.execute(points).scalars())
    if obj is not None and not form.is_submitted():
        form.publics.data = [p.public.value for p in obj.publics]
        form.reception_point.data = obj.reception_point_id
    return form


def _values(form: RequestForm) -> dict:
    return {k: getattr(form, k).data for k in (*requests_ops.IDENTITY, "commune_insee")}


@bp.get("/requests")
@instructor_required
def requests():
    """List the requests the instructor may see, by status, newest first; search by name."""
    query = requests_ops.visible(current_user).options(sa.orm.joinedload(BeneficiaryRequest.reception_point))
    status = request.args.get("status")
    if status in {s.value for s in RequestStatus}:
        query = query.where(BeneficiaryRequest.status == RequestStatus(status))
    q = (request.args.get("q") or "").strip()
    if q:
        query = query.where(BeneficiaryRequest.last_name.ilike(f"%{q.replace('%', '')}%"))
    before = id_arg(request.args, "before")
    if before:
        query = query.where(BeneficiaryRequest.id < before)
    found = db.session.execute(query.order_by(BeneficiaryRequest.id.desc()).limit(PAGE + 1)).scalars().all()
    return render_template("backoffice/requests/list.html", rows=found[:PAGE], status=status, q=q,
                           next_before=found[PAGE - 1].id if len(found) > PAGE else None,
                           statuses=REQUEST_STATUSES, button=EmptyForm())


@bp.route("/requests/new", methods=["GET", "POST"])
@instructor_required
def request_new():
    """Register a request at a reception point, with the person's consent."""
    form = _request_form()
    done = submit(form, lambda: requests_ops.register(
        current_user, get_or_404(ReceptionPoint, form.reception_point.data), _values(form), form.publics.data,
        form.consent.data),
                  lambda found: _("Demande n° %(id)s enregistrée.", id=found.id),
                  lambda found: url_for("backoffice.request_detail", request_id=found.id))
    return done or render_template("backoffice/requests/form.html", form=form, item=None)


@bp.get("/requests/<int:request_id>")
@instructor_required
def request_detail(request_id):
    """Show a request: identity, address as printed, publics, booklets and the next step."""
    item = _load(request_id)
    return render_template("backoffice/requests/detail.html", item=item, address=address_lines(item),
                           publics=PRIORITY_PUBLICS, statuses=REQUEST_STATUSES, assign_form=AssignForm(),
                           reason_form=ReasonForm(), button=EmptyForm(),
                           booklet=requests_ops.current_booklet(item))


@bp.route("/requests/<int:request_id>/edit", methods=["GET", "POST"])
@instructor_required
def request_edit(request_id):
    """Correct a request's identity, address or publics."""
    item = _load(request_id)
    form = _request_form(item)
    del form.consent  # given once, at registration
    done = submit(form, lambda: requests_ops.update(current_user, item, _values(form), form.publics.data),
                  _("Demande enregistrée."), url_for("backoffice.request_detail", request_id=item.id))
    return done or render_template("backoffice/requests/form.html", form=form, item=item)


@bp.post("/requests/<int:request_id>/assign")
@instructor_required
def request_assign(request_id):
    """Assign a booklet (the next in stock at the reception point, or a given serial): its tickets activate."""
    item = _load(request_id)
    form = AssignForm()

    def assign():
        chosen = booklet_ops.by_serial(form.serial.data) if (form.serial.data or "").strip() else None
        return requests_ops.assign(current_user, item, local_today(), chosen)

    return post_action(form, assign, lambda a: _("Carnet n° %(serial)s attribué : ses tickets sont utilisables. "
                                                 "Imprimez le courrier.", serial=a.booklet.serial),
                       url_for("backoffice.request_detail", request_id=item.id))


@bp.get("/requests/<int:request_id>/letter.pdf")
@instructor_required
def request_letter(request_id):
    """Return the letter for a window envelope and the flyer of nearby partners (two pages)."""
    item = _load(request_id)
    booklet = requests_ops.current_booklet(item)
    if booklet is None or item.status == RequestStatus.CLOSED:
        flash(_("Attribuez d'abord un carnet à cette demande."), "error")
        return redirect(url_for("backoffice.request_detail", request_id=item.id))
    out = io.BytesIO()
    letters.write_mailing(out, [(item, booklet)], local_today())
    return pdf_response([out.getvalue()], f"courrier-demande-{item.id}.pdf")


@bp.post("/requests/mailing")
@instructor_required
def mailing_print():
    """Print the letters awaiting posting: a few at once (on to the PDF), more in the background (the job's page)."""
    if not EmptyForm().validate_on_submit():
        flash(_("Formulaire expiré : rechargez la page puis recommencez."), "error")
        return redirect(url_for("backoffice.requests"))
    ids = db.session.execute(requests_ops.awaiting_letter(current_user).with_only_columns(BeneficiaryRequest.id)
                             ).scalars().all()
    if len(ids) <= SYNC_LETTERS:
        return redirect(url_for("backoffice.requests_mailing"))
    job = jobs.start(current_user, "mailing_pdf", {"request_ids": ids}, len(ids),
                     _("Courriers à envoyer (%(n)s courriers)", n=len(ids)), "courriers-a-envoyer.pdf")
    return redirect(url_for("jobs.detail", job_id=job.id))


@bp.get("/requests/mailing.pdf")
@instructor_required
def requests_mailing():
    """Return the letters and flyers of every request whose booklet is assigned and not yet posted (a few)."""
    pending = db.session.execute(requests_ops.awaiting_letter(current_user).limit(SYNC_LETTERS + 1)).scalars().all()
    if not pending:
        flash(_("Aucun courrier à imprimer : aucune demande n'attend d'envoi."), "info")
        return redirect(url_for("backoffice.requests"))
    if len(pending) > SYNC_LETTERS:
        flash(_("Plus de %(n)s courriers : trop pour un PDF immédiat. Utilisez « Imprimer les courriers à "
                "envoyer » : le PDF sera préparé en arrière-plan, avec sa progression.", n=SYNC_LETTERS), "warning")
        return redirect(url_for("backoffice.requests"))
    out = io.BytesIO()
    letters.write_mailing(out, [(r, requests_ops.current_booklet(r)) for r in pending], local_today())
    return pdf_response([out.getvalue()], "courriers-a-envoyer.pdf")


@bp.post("/requests/<int:request_id>/posted")
@instructor_required
def request_posted(request_id):
    """Record that the letter has been posted."""
    item = _load(request_id)
    return post_action(EmptyForm(), lambda: requests_ops.mark_posted(current_user, item),
                       _("Courrier marqué comme envoyé."), url_for("backoffice.request_detail", request_id=item.id))


@bp.post("/requests/<int:request_id>/replace")
@instructor_required
def request_replace(request_id):
    """Declare the booklet lost or stolen and assign a replacement to the same person."""
    item = _load(request_id)
    form = ReasonForm()
    return post_action(form, lambda: requests_ops.replace(current_user, item, form.reason.data, local_today()),
                       lambda a: _("Ancien carnet en opposition ; nouveau carnet n° %(serial)s attribué. Imprimez le "
                                   "courrier.", serial=a.booklet.serial),
                       url_for("backoffice.request_detail", request_id=item.id))


@bp.post("/requests/<int:request_id>/close")
@instructor_required
def request_close(request_id):
    """Close a request; its personal data will be erased by the purge."""
    item = _load(request_id)
    form = ReasonForm()
    return post_action(form, lambda: requests_ops.close(current_user, item, form.reason.data), _("Demande clôturée."),
                       url_for("backoffice.request_detail", request_id=item.id))
