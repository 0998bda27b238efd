"""Workshops: creation rules and access, for the API and the pages alike."""
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from ..extensions import db
from ..models import Redemption, Workshop, record
from .errors import DomainError


def get_workshop(user, workshop_id) -> Workshop:
    """Load a workshop the user's partner runs: 404 for anyone else's (no existence leak)."""
    workshop = db.session.get(Workshop, workshop_id) if isinstance(workshop_id, int) else None
    if workshop is None or user.partner_id is None or workshop.partner_id != user.partner_id:
        raise DomainError("not_found", _("Atelier introuvable."))
    return workshop


def _bounded_int(value, field: str, low: int, high: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise DomainError("bad_request", _("Champ %(field)s : nombre entier de %(low)s à %(high)s attendu.",
                                           field=field, low=low, high=high), field=field)
    return value


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
