"""Booklets and tickets: find by serial, see their tickets, declare them lost or stolen."""
import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..access import instructor_required, staff_required
from ..domain import booklets as booklet_ops
from ..domain import oppositions
from ..domain.errors import DomainError
from ..extensions import db
from ..models import Booklet, BookletAssignment, Redemption, Role
from . import bp
from .forms.common import ReasonForm, TicketOppositionForm
from .helpers import get_or_404, post_action


@bp.get("/booklets")
@staff_required
def booklet_search():
    """Find a booklet by its serial (8 digits) or a ticket by its serial (10 digits)."""
    text = (request.args.get("serial") or "").replace(" ", "")
    if not text:
        return render_template("backoffice/booklets/search.html", ticket_form=TicketOppositionForm())
    try:
        booklet = oppositions.ticket_by_serial(text).booklet if len(text) == 10 else booklet_ops.by_serial(text)
    except DomainError as err:
        flash(err.message, "error")
        return render_template("backoffice/booklets/search.html", ticket_form=TicketOppositionForm()), 404
    return redirect(url_for("backoffice.booklet", booklet_id=booklet.id))


@bp.get("/booklets/<int:booklet_id>")
@staff_required
def booklet(booklet_id):
    """Show a booklet, its tickets and where they were used."""
    booklet = get_or_404(Booklet, booklet_id)
    used = {r.ticket_id: r for r in db.session.execute(
        sa.select(Redemption).where(Redemption.booklet_id == booklet.id, Redemption.voided_at.is_(None))
        .options(sa.orm.joinedload(Redemption.workshop))).scalars()}
    assignment = None
    if current_user.role == Role.INSTRUCTOR:  # finance does not see who holds a booklet
        assignment = db.session.execute(
            sa.select(BookletAssignment).where(BookletAssignment.booklet_id == booklet.id)).scalar_one_or_none()
    return render_template("backoffice/booklets/detail.html", booklet=booklet, used=used, assignment=assignment,
                           form=ReasonForm(), ticket_form=TicketOppositionForm())


@bp.post("/booklets/<int:booklet_id>/oppose")
@instructor_required
def booklet_oppose(booklet_id):
    """Declare a whole booklet lost or stolen: its unused tickets are refused from now on."""
    booklet = get_or_404(Booklet, booklet_id)
    form = ReasonForm()
    return post_action(form, lambda: booklet_ops.oppose(current_user, booklet, form.reason.data),
                       lambda n: _("Opposition enregistrée : %(n)s ticket(s) bloqué(s).", n=n),
                       url_for("backoffice.booklet", booklet_id=booklet.id))


@bp.post("/tickets/oppose")
@instructor_required
def ticket_oppose():
    """Declare one ticket lost or stolen, by its serial."""
    form = TicketOppositionForm()
    return post_action(
        form, lambda: oppositions.oppose_ticket(current_user, oppositions.ticket_by_serial(form.serial.data),
                                                form.reason.data),
        lambda ticket: _("Ticket %(serial)s mis en opposition.", serial=ticket.serial),
        url_for("backoffice.booklet_search"))

