"""Workshops: creation rules and access, for the API and the pages alike."""
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..extensions import db
from ..models import Redemption, Workshop, record, utcnow
from .clock import local_today, to_local
from .codes import format_serial, ticket_serial
from .errors import DomainError

# The themes most workshops have (stored as the workshop's title); any other text is allowed.
COMMON_THEMES = (
    _l("Créer et utiliser une adresse e-mail"),
    _l("Faire ses démarches en ligne"),
    _l("Utiliser son smartphone"),
    _l("Découvrir l'ordinateur et internet"),
    _l("Prendre rendez-vous et consulter en ligne (santé)"),
    _l("Sécuriser ses comptes et reconnaître les arnaques"),
    _l("Échanger avec ses proches (messagerie, visio)"),
    _l("Chercher un emploi en ligne"),
)


def get_workshop(user, workshop_id) -> Workshop:
    """Load a workshop the user's partner runs: 404 for anyone else's (no existence leak)."""
    workshop = db.session.get(Workshop, workshop_id) if isinstance(workshop_id, int) else None
    if workshop is None or user.partner_id is None or workshop.partner_id != user.partner_id:
        raise DomainError("not_found", _("Atelier introuvable."))
    return workshop


def is_open(workshop: Workshop, when: datetime) -> bool:
    """Say whether tickets may be accepted at a workshop at `when` (naive UTC): on its day(s), unless cancelled."""
    day = to_local(when).date()
    return not workshop.cancelled_at and to_local(workshop.starts_at).date() <= day <= to_local(workshop.ends_at).date()


def get_redemption(workshop: Workshop, redemption_id) -> Redemption:
    """Load a redemption made at this workshop, or 404."""
    found = db.session.get(Redemption, redemption_id) if isinstance(redemption_id, int) else None
    if found is None or found.workshop_id != workshop.id:
        raise DomainError("not_found", _("Validation introuvable."))
    return found


def _bounded_int(value, field: str, low: int, high: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise DomainError("bad_request", _("Champ %(field)s : nombre entier de %(low)s à %(high)s attendu.",
                                           field=field, low=low, high=high), field=field)
    return value


# How far ahead a workshop may be planned (a year: the next campaign at most).
MAX_DAYS_AHEAD = 366


def _check_day(day):
    """Refuse a workshop on a day already past, or beyond what can be planned.

    A workshop dated in the past would let offline scans be back-dated into it; tickets collected
    on paper at a past workshop go through the Département, who reviews them.
    """
    today = local_today()
    if day < today:
        raise DomainError("bad_request", _("Un atelier ne peut pas être créé pour un jour passé. Pour des tickets "
                                           "collectés sur papier lors d'un atelier passé, contactez le Département."),
                          field="starts_at")
    if day > today + timedelta(days=MAX_DAYS_AHEAD):
        raise DomainError("bad_request", _("Un atelier se prévoit au plus un an à l'avance."), field="starts_at")


def _validated(*, title, starts_at: datetime, ends_at: datetime, place, capacity, tickets_per_participant,
               commune_insee, check_day=True) -> dict:
    """Check a workshop's fields as creation does; return them cleaned (title and place trimmed)."""
    if not isinstance(title, str) or not title.strip() or len(title) > 200:
        raise DomainError("bad_request", _("Donnez un thème à l'atelier (200 caractères au plus)."), field="title")
    if not isinstance(place, str) or len(place) > 200:
        raise DomainError("bad_request", _("Lieu trop long (200 caractères au plus)."), field="place")
    if not isinstance(starts_at, datetime) or not isinstance(ends_at, datetime):
        raise DomainError("bad_request", _("Indiquez le début et la fin de l'atelier."), field="starts_at")
    if ends_at <= starts_at:
        raise DomainError("bad_request", _("L'atelier doit finir après son début."), field="ends_at")
    if (ends_at - starts_at).days >= 1:
        raise DomainError("bad_request", _("Un atelier dure moins de 24 heures."), field="ends_at")
    capacity = _bounded_int(capacity, "capacity", 1, 1000)
    tickets_per_participant = _bounded_int(tickets_per_participant, "tickets_per_participant", 1, 10)
    if check_day:
        _check_day(to_local(starts_at).date())
    if commune_insee is not None:
        from .communes import commune

        if not isinstance(commune_insee, str) or commune(commune_insee) is None:
            raise DomainError("bad_request", _("Commune inconnue."), field="commune_insee")
    return dict(title=title.strip(), starts_at=starts_at, ends_at=ends_at, place=place.strip(), capacity=capacity,
                tickets_per_participant=tickets_per_participant, commune_insee=commune_insee)


def create_workshop(user, *, title, starts_at: datetime, ends_at: datetime, place="", capacity=None,
                    tickets_per_participant=1, commune_insee=None) -> Workshop:
    """Create a workshop for the user's partner after checking every field."""
    values = _validated(title=title, starts_at=starts_at, ends_at=ends_at, place=place, capacity=capacity,
                        tickets_per_participant=tickets_per_participant, commune_insee=commune_insee)
    workshop = Workshop(partner_id=user.partner_id, created_by_id=user.id, **values)
    db.session.add(workshop)
    db.session.flush()
    record(user, "workshop.created", workshop, after={"title": workshop.title, "starts_at": starts_at})
    return workshop


# What a workshop's page may change; once a ticket is validated, only the first four.
EDITABLE = ("title", "place", "capacity", "tickets_per_participant", "starts_at", "ends_at", "commune_insee")
EDITABLE_AFTER_VALIDATIONS = ("title", "place", "capacity", "tickets_per_participant")


def _locked(workshop: Workshop) -> Workshop:
    """Reload the workshop under a row lock, so no scan changes its count while it is edited or cancelled."""
    return db.session.execute(
        sa.select(Workshop).where(Workshop.id == workshop.id).with_for_update().execution_options(
            populate_existing=True)
    ).scalar_one()


def _live_redemptions_query(workshop: Workshop):
    return (sa.select(Redemption).where(Redemption.workshop_id == workshop.id, Redemption.voided_at.is_(None))
            .options(sa.orm.joinedload(Redemption.ticket)).order_by(Redemption.redeemed_at, Redemption.id))


def has_validations(workshop: Workshop) -> bool:
    """Say whether a ticket counts at this workshop (its counter, or a live redemption row)."""
    if workshop.redeemed_count:
        return True
    return db.session.execute(
        sa.select(sa.func.count()).select_from(Redemption)
        .where(Redemption.workshop_id == workshop.id, Redemption.voided_at.is_(None))
    ).scalar_one() > 0


def update_workshop(user, workshop: Workshop, **fields) -> Workshop:
    """Change a workshop of the user's partner.

    Before any ticket is validated, everything may change, checked as at creation (the day rules
    apply when the dates change). Afterwards only the title and the place, and the number of places
    and tickets per participant as long as the tickets already validated still fit; never the dates
    nor the commune (the validations were made there, on that day).
    """
    unknown = sorted(set(fields) - set(EDITABLE))
    if unknown:
        raise DomainError("bad_request", _("Champ inconnu : %(field)s.", field=unknown[0]), field=unknown[0])
    workshop = _locked(workshop)
    if workshop.cancelled_at is not None:
        raise DomainError("workshop_cancelled")
    current = {name: getattr(workshop, name) for name in EDITABLE}
    values = {**current, **fields}
    validated = has_validations(workshop)
    if validated:
        if (values["starts_at"], values["ends_at"]) != (current["starts_at"], current["ends_at"]):
            raise DomainError("workshop_has_validations", _(
                "Des tickets ont déjà été validés à cet atelier : sa date et ses horaires ne peuvent plus changer, "
                "car les validations ont été faites ce jour-là. Annulez d'abord les validations (le jour même "
                "seulement) ou contactez le Département."), field="starts_at")
        if values["commune_insee"] != current["commune_insee"]:
            raise DomainError("workshop_has_validations", _(
                "Des tickets ont déjà été validés à cet atelier : sa commune ne peut plus changer. Seuls le thème, "
                "le lieu et le nombre de places peuvent encore être modifiés."), field="commune_insee")
    dates_change = (values["starts_at"], values["ends_at"]) != (current["starts_at"], current["ends_at"])
    cleaned = _validated(**values, check_day=dates_change)
    changed = {name: value for name, value in cleaned.items() if value != current[name]}
    if not changed:
        return workshop
    if validated:
        used = max(workshop.redeemed_count, len(db.session.execute(_live_redemptions_query(workshop)).all()))
        if cleaned["capacity"] * cleaned["tickets_per_participant"] < used:
            raise DomainError("workshop_has_validations", _(
                "%(used)s tickets ont déjà été validés à cet atelier : le nombre de places multiplié par le nombre "
                "de tickets par participant ne peut pas descendre en dessous.", used=used), field="capacity")
    before = {name: current[name] for name in changed}
    for name, value in changed.items():
        setattr(workshop, name, value)
    db.session.flush()
    record(user, "workshop.updated", workshop, before=before, after=changed)
    return workshop


def cancel_workshop(user, workshop: Workshop, now: datetime | None = None) -> Workshop:
    """Cancel a workshop of the user's partner, unless a validation made there still counts.

    Once cancelled, a workshop accepts no more tickets (see is_open) and stays listed as cancelled.
    """
    workshop = _locked(workshop)
    if workshop.cancelled_at is not None:
        raise DomainError("workshop_cancelled", _("Cet atelier est déjà annulé."))
    live = list(db.session.execute(_live_redemptions_query(workshop)).scalars())
    if live or workshop.redeemed_count:
        serials = [format_serial(ticket_serial(r.ticket.number)) for r in live]
        raise DomainError("workshop_has_validations", _(
            "Cet atelier ne peut pas être annulé : des tickets y ont été validés (%(serials)s). Annulez d'abord "
            "ces validations depuis la page de scan ; une validation ne s'annule que le jour même, sinon contactez "
            "le Département.", serials=", ".join(serials) or "—"), serials=serials)
    now = now or utcnow()
    workshop.cancelled_at = now
    db.session.flush()
    record(user, "workshop.cancelled", workshop, before={"cancelled_at": None}, after={"cancelled_at": now})
    return workshop


def redemptions_at(workshop: Workshop) -> list[Redemption]:
    return list(db.session.execute(
        sa.select(Redemption).where(Redemption.workshop_id == workshop.id)
        .options(sa.orm.joinedload(Redemption.ticket), sa.orm.joinedload(Redemption.user))
        .order_by(Redemption.redeemed_at.desc())
    ).scalars())


def live_count(workshop_id: int) -> int:
    """Return the workshop's live redemptions as the database holds them now."""
    return db.session.execute(sa.select(Workshop.redeemed_count).where(Workshop.id == workshop_id)).scalar_one()


def current_and_upcoming(user, now: datetime, limit: int = 50) -> list[Workshop]:
    """List the user's partner's workshops not yet over (those of today first), soonest first."""
    return list(db.session.execute(
        sa.select(Workshop).where(Workshop.partner_id == user.partner_id, Workshop.ends_at >= now - timedelta(hours=12),
                                  Workshop.cancelled_at.is_(None))
        .order_by(Workshop.starts_at).limit(limit)
    ).scalars())


def page_of_workshops(user, page: int, per_page: int = 30) -> tuple[list[Workshop], bool]:
    """Return one page of all the partner's workshops, newest first, and whether more follow."""
    rows = list(db.session.execute(
        sa.select(Workshop).where(Workshop.partner_id == user.partner_id)
        .order_by(Workshop.starts_at.desc(), Workshop.id.desc())
        .offset((page - 1) * per_page).limit(per_page + 1)
    ).scalars())
    return rows[:per_page], len(rows) > per_page


def live_redemptions(workshop: Workshop) -> list[Redemption]:
    """List the redemptions that count at a workshop, oldest first (the attendance sheet's order)."""
    return [r for r in reversed(redemptions_at(workshop)) if r.voided_at is None]
