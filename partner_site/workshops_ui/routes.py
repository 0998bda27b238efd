import uuid
from datetime import datetime, time, timedelta

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from wtforms.fields.choices import SelectChoice
from flask_login import current_user

from ..access import manager_required, partner_required
from ..domain import redemption as redemptions
from ..domain import sync, workshops
from ..domain.clock import local_today, to_local, to_utc_naive
from ..domain.codes import format_serial, ticket_serial
from ..domain.communes import commune, find_by_label, label, same_intercommunality
from ..domain.errors import MESSAGES, DomainError, Refusal
from ..extensions import db
from ..limits import limit_typed_check_codes, one_typed_entry
from ..models import utcnow
from . import bp
from .forms import DURATIONS, OTHER_THEME, ButtonForm, ManualEntryForm, WorkshopEditForm, WorkshopForm

# Which form field shows a domain error about which workshop attribute.
FORM_FIELDS = {"title": "other_theme", "ends_at": "duration", "place": "place", "capacity": "capacity",
               "tickets_per_participant": "tickets_per_participant", "commune_insee": "commune"}


# What the phone may answer by itself offline: the server's own sentences, and two of its own.
OFFLINE_REASONS = {
    **{reason: MESSAGES[reason] for reason in ("malformed", "bad_signature", "unknown_key", "unknown_ticket",
                                               "expired", "not_yet_valid", "workshop_not_open")},
    "blocked": lazy_gettext("Ce ticket ne peut pas être accepté : déjà validé, en opposition ou pas encore remis à "
                            "un bénéficiaire."),
    "scanned_here": lazy_gettext("Ticket déjà scanné sur ce téléphone : il attend la synchronisation."),
}


@bp.get("/")
@partner_required
def index():
    """Show the trainer's home: today's workshops of the association, then the upcoming ones."""
    today = local_today()
    items = workshops.current_and_upcoming(current_user, utcnow())
    todays = [w for w in items if to_local(w.starts_at).date() <= today]
    upcoming = [w for w in items if to_local(w.starts_at).date() > today]
    return render_template("workshops/index.html", todays=todays, upcoming=upcoming)


@bp.get("/all")
@manager_required
def all_workshops():
    """List every workshop of the association, newest first, a page at a time."""
    page = max(request.args.get("page", 1, type=int), 1)
    items, more = workshops.page_of_workshops(current_user, page)
    return render_template("workshops/all.html", workshops=items, page=page, more=more)


@bp.route("/new", methods=["GET", "POST"])
@partner_required
def new():
    """Create a workshop in a few taps: theme, day and time, commune; the rest has defaults."""
    form = WorkshopForm()
    home = commune(current_user.partner.commune_insee)
    if request.method == "GET":
        form.day.data = local_today()
        form.start.data = time(min(to_local(utcnow()).hour + 1, 23), 0)
        form.commune.data = label(home) if home else ""
    if form.validate_on_submit():
        workshop = _create(form)
        if workshop is not None:
            db.session.commit()
            flash(_("Atelier « %(title)s » créé.", title=workshop.title), "success")
            return redirect(url_for(".index"))
    suggestions = same_intercommunality(home.insee_code) if home else []
    return render_template("workshops/new.html", form=form, communes=[label(c) for c in suggestions])


def _create(form: WorkshopForm):
    """Create the workshop the form describes, or put the domain's objection on the right field."""
    place = find_by_label(form.commune.data)
    if place is None:
        form.commune.errors.append(_("Commune inconnue en Haute-Garonne : choisissez-la dans la liste."))
        return None
    starts_at = to_utc_naive(datetime.combine(form.day.data, form.start.data))
    try:
        return workshops.create_workshop(
            current_user, title=form.chosen_title(), starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=form.duration.data), place=form.place.data or "",
            capacity=form.capacity.data, tickets_per_participant=form.tickets_per_participant.data,
            commune_insee=place.insee_code)
    except DomainError as err:
        field = getattr(form, FORM_FIELDS.get(err.details.get("field"), ""), None)
        if field is None:
            raise
        field.errors.append(err.message)
        return None


def _as_drawn(workshop) -> tuple:
    """Return the workshop's day, start time and duration in minutes, as the form shows them."""
    start = to_local(workshop.starts_at)
    minutes = round((workshop.ends_at - workshop.starts_at).total_seconds() / 60)
    return start.date(), start.time().replace(second=0, microsecond=0), minutes


@bp.route("/<int:workshop_id>/edit", methods=["GET", "POST"])
@partner_required
def edit(workshop_id: int):
    """Change a workshop: everything until a ticket is validated there, then the theme, place and places only."""
    workshop = workshops.get_workshop(current_user, workshop_id)
    if workshop.cancelled_at is not None:
        flash(MESSAGES["workshop_cancelled"], "error")
        return redirect(url_for(".scan", workshop_id=workshop.id))
    form = WorkshopEditForm()
    day, start, minutes = _as_drawn(workshop)
    if minutes not in [choice.value for choice in DURATIONS]:  # set through the API: offered as it is
        form.duration.choices = [SelectChoice(minutes, _("%(hours)s h %(minutes)s", hours=minutes // 60,
                                                         minutes=f"{minutes % 60:02d}"))] + DURATIONS
    if request.method == "GET":
        themes = [str(theme) for theme in workshops.COMMON_THEMES]
        if workshop.title in themes:
            form.theme.data = str(themes.index(workshop.title))
        else:
            form.theme.data, form.other_theme.data = OTHER_THEME, workshop.title
        form.day.data, form.start.data, form.duration.data = day, start, minutes
        place = commune(workshop.commune_insee) if workshop.commune_insee else None
        form.commune.data = label(place) if place else ""
        form.place.data = workshop.place
        form.capacity.data, form.tickets_per_participant.data = workshop.capacity, workshop.tickets_per_participant
    if form.validate_on_submit() and _update(form, workshop, (day, start, minutes)):
        db.session.commit()
        flash(_("Atelier « %(title)s » modifié.", title=workshop.title), "success")
        return redirect(url_for(".scan", workshop_id=workshop.id))
    home = commune(current_user.partner.commune_insee)
    suggestions = same_intercommunality(home.insee_code) if home else []
    return render_template("workshops/edit.html", form=form, workshop=workshop,
                           validated=workshops.has_validations(workshop),
                           communes=[label(c) for c in suggestions])


def _update(form: WorkshopEditForm, workshop, drawn: tuple) -> bool:
    """Apply the form to the workshop, or put the domain's objection on the right field."""
    fields = dict(title=form.chosen_title(), place=form.place.data or "", capacity=form.capacity.data,
                  tickets_per_participant=form.tickets_per_participant.data)
    if form.commune.data:
        place = find_by_label(form.commune.data)
        if place is None:
            form.commune.errors.append(_("Commune inconnue en Haute-Garonne : choisissez-la dans la liste."))
            return False
        fields["commune_insee"] = place.insee_code
    elif workshop.commune_insee is not None:
        form.commune.errors.append(_("Indiquez la commune."))
        return False
    if (form.day.data, form.start.data, form.duration.data) != drawn:  # only what was changed: seconds stay
        starts_at = to_utc_naive(datetime.combine(form.day.data, form.start.data))
        fields.update(starts_at=starts_at, ends_at=starts_at + timedelta(minutes=form.duration.data))
    try:
        workshops.update_workshop(current_user, workshop, **fields)
    except DomainError as err:
        db.session.rollback()
        field = getattr(form, {**FORM_FIELDS, "starts_at": "day"}.get(err.details.get("field"), ""), None)
        if field is None:
            flash(err.message, "error")
        else:
            field.errors.append(err.message)
        return False
    return True


@bp.get("/<int:workshop_id>/cancel")
@partner_required
def cancel_confirm(workshop_id: int):
    """Ask before cancelling a workshop, and say which validations must be undone first."""
    workshop = workshops.get_workshop(current_user, workshop_id)
    live = workshops.live_redemptions(workshop)
    return render_template("workshops/cancel.html", workshop=workshop, button=ButtonForm(),
                           serials=[format_serial(ticket_serial(r.ticket_number)) for r in live])


@bp.post("/<int:workshop_id>/cancel")
@partner_required
def cancel(workshop_id: int):
    """Cancel a workshop without validations (the confirmation page's button)."""
    workshop = workshops.get_workshop(current_user, workshop_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        workshops.cancel_workshop(current_user, workshop)
    except DomainError as err:
        db.session.rollback()
        flash(err.message, "error")
        return redirect(url_for(".cancel_confirm", workshop_id=workshop.id))
    db.session.commit()
    flash(_("Atelier « %(title)s » annulé.", title=workshop.title), "info")
    return redirect(url_for(".scan", workshop_id=workshop.id))


@bp.get("/<int:workshop_id>/scan")
@partner_required
def scan(workshop_id: int):
    """Show the scan page: camera, verdicts, manual entry and the tickets validated here."""
    workshop = workshops.get_workshop(current_user, workshop_id)
    items = workshops.redemptions_at(workshop)
    voidable = {r.id for r in items if redemptions.voidable(current_user, r)}
    return render_template(
        "workshops/scan.html", workshop=workshop, items=items, voidable=voidable,
        form=ManualEntryForm(nonce=uuid.uuid4().hex), button=ButtonForm(),
        open_now=workshops.is_open(workshop, utcnow()), timezone=current_app.config["TIMEZONE"],
        conflicts=sync.offline_conflicts(workshop), offline_reasons=OFFLINE_REASONS)


@bp.post("/<int:workshop_id>/scan")
@partner_required
@limit_typed_check_codes(one_typed_entry)
def manual_entry(workshop_id: int):
    """Accept a ticket typed by hand (the scan page's form when JavaScript is not running)."""
    workshop = workshops.get_workshop(current_user, workshop_id)
    form = ManualEntryForm()
    if not form.validate_on_submit():
        flash(next(iter(form.errors.values()))[0], "error")
        return redirect(url_for(".scan", workshop_id=workshop.id))
    scan_request = redemptions.ScanRequest(workshop_id=workshop.id, nonce=form.nonce.data,
                                           serial=form.serial.data, check_code=form.check_code.data)
    try:
        outcome = redemptions.redeem(current_user, scan_request)
    except Refusal as refusal:
        db.session.commit()  # keep the failed-scan trail
        flash(refusal.message, "error")
    else:
        db.session.commit()
        flash(_("Ticket %(serial)s accepté.", serial=format_serial(ticket_serial(outcome.redemption.ticket_number))),
              "success")
    return redirect(url_for(".scan", workshop_id=workshop.id))


@bp.post("/<int:workshop_id>/redemptions/<int:redemption_id>/void")
@partner_required
def void(workshop_id: int, redemption_id: int):
    """Undo a validation made here today (the scan page's button when JavaScript is not running)."""
    workshop = workshops.get_workshop(current_user, workshop_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    found = workshops.get_redemption(workshop, redemption_id)
    try:
        redemptions.void(current_user, found.id)
    except DomainError as err:
        db.session.rollback()
        flash(err.message, "error")
    else:
        db.session.commit()
        flash(_("Validation du ticket %(serial)s annulée.", serial=format_serial(ticket_serial(found.ticket_number))),
              "info")
    return redirect(url_for(".scan", workshop_id=workshop.id))


@bp.get("/<int:workshop_id>/attendance")
@partner_required
def attendance(workshop_id: int):
    """Show the attendance sheet (feuille d'émargement), printable from a phone or the office."""
    workshop = workshops.get_workshop(current_user, workshop_id)
    rows = workshops.live_redemptions(workshop)
    trainers = sorted({r.user.full_name or r.user.email for r in rows})
    return render_template("workshops/attendance.html", workshop=workshop, rows=rows, trainers=trainers,
                           place=commune(workshop.commune_insee) if workshop.commune_insee else None,
                           total_cents=sum(r.amount_cents for r in rows), printed_at=utcnow())
