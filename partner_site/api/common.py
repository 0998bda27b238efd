"""Helpers shared by the API endpoints: who may call, and how a body is read."""
from datetime import datetime
from functools import wraps

from flask import request
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from ..domain.clock import to_utc_naive
from ..domain.errors import DomainError


def partner_user_required(view):
    """Let through a logged-in trainer or manager; anyone else gets a JSON 401 or 403."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated:
            raise DomainError("unauthenticated", _("Connectez-vous pour continuer."))
        if current_user.partner_id is None:
            raise DomainError("forbidden", _("Réservé aux personnes d'une structure habilitée."))
        return view(*args, **kwargs)

    return wrapper


def json_body(allowed: frozenset[str] | None = None) -> dict:
    """Return the request's JSON object, or refuse with `bad_request` (not an object, or keys not in `allowed`)."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise DomainError("bad_request", _("Le corps de la requête doit être un objet JSON."))
    return data if allowed is None else only_keys(data, allowed)


def only_keys(data: dict, allowed: frozenset[str]) -> dict:
    """Return `data`, or refuse with `bad_request` naming its keys that are not in `allowed`.

    A key the route never reads is refused rather than ignored: what a limit counts and what the
    view processes must be the same fields (issue 10: a typed check code hidden beside `items`).
    """
    unexpected = sorted(str(key)[:40] for key in data if key not in allowed)
    if unexpected:
        shown = unexpected[:5]
        raise DomainError("bad_request", ngettext("Champ inattendu : %(keys)s. Retirez-le et renvoyez la demande.",
                                                  "Champs inattendus : %(keys)s. Retirez-les et renvoyez la demande.",
                                                  len(shown), keys=", ".join(shown)), unexpected=shown)
    return data


def parse_datetime(value, field: str) -> datetime:
    """Parse an ISO 8601 date-time (an offset, Z, or local French time) into naive UTC."""
    if not isinstance(value, str):
        raise DomainError("bad_request", _("Champ %(field)s : date et heure ISO 8601 attendues.", field=field), field=field)
    try:
        # Past the calendar's ends (year 1 or 9999 with an offset) the conversion overflows.
        return to_utc_naive(datetime.fromisoformat(value.replace("Z", "+00:00")))
    except (ValueError, OverflowError):
        raise DomainError("bad_request", _("Champ %(field)s : date et heure ISO 8601 attendues.", field=field),
                          field=field) from None


def iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") + "Z" if value else None
