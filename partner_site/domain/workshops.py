"""Workshops: creation rules and access, for the API and the pages alike."""
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..extensions import db
from ..models import Redemption, Workshop, record
from .clock import local_today, to_local
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


def create_workshop(user, *, title, starts_at: datetime, ends_at: datetime, place="", capacity=None,
                    tickets_per_participant=1, commune_insee=None) -> Workshop:
    """Create a workshop for the user's partner after checking every field."""
    if not isinstance(title, str) or not title.strip() or len(title) > 200:
        raise DomainError("bad_request", _("Donnez un thème à l'atelier (200 caractères au plus)."), field="title")
    if not isinstance(place, str) or len(place) > 200:
        raise DomainError("bad_request", _("Lieu trop long (200 caractères au plus)."), field="place")
    if ends_at <= starts_at:
        raise DomainError("bad_request", _("L'atelier doit finir après son début."), field="ends_at")
    if (ends_at - starts_at).days >= 1:
        raise DomainError("bad_request", _("Un atelier dure moins de 24 heures."), field="ends_at")
    capacity = _bounded_int(capacity, "capacity", 1, 1000)
    tickets_per_participant = _bounded_int(tickets_per_participant, "tickets_per_participant", 1, 10)
    _check_day(to_local(starts_at).date())
    if commune_insee is not None:
        from .communes import commune

        if not isinstance(commune_insee, str) or commune(commune_insee) is None:
            raise DomainError("bad_request", _("Commune inconnue."), field="commune_insee")
    workshop = Workshop(partner_id=user.partner_id, created_by_id=user.id, title=title.strip(), starts_at=starts_at,
                        ends_at=ends_at, place=place.strip(), capacity=capacity,
                        tickets_per_participant=tickets_per_participant, commune_insee=commune_insee)
    db.session.add(workshop)
    db.session.flush()
    record(user, "workshop.created", workshop, after={"title": workshop.title, "starts_at": starts_at})
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
