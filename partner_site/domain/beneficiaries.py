"""Beneficiaries' requests: register, assign a booklet, post it, replace it, close, anonymise.

Personal data never goes into the audit log: events name the request by its id only.
"""
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from ..extensions import db
from ..models import (
    BeneficiaryRequest,
    Booklet,
    BookletAssignment,
    BookletStatus,
    Campaign,
    PriorityPublic,
    ReceptionPoint,
    RequestPublic,
    RequestStatus,
    change_status,
    record,
    utcnow,
)
from . import booklets as booklet_ops
from .communes import commune
from .errors import DomainError

CONSENT_VERSION = "2021-03"
IDENTITY = ("civility", "first_name", "last_name", "address_recipient", "address_building", "address_street",
            "address_place", "postcode", "phone", "email")
CIVILITIES = ("", "Madame", "Monsieur")
LINE = 38  # NF Z 10-011: at most 38 characters a line


def visible(user):
    """Return a query of the requests this staff member may see: their reception point's, or all."""
    query = sa.select(BeneficiaryRequest)
    if user.reception_point_id is not None:
        query = query.where(BeneficiaryRequest.reception_point_id == user.reception_point_id)
    return query


def awaiting_letter(user):
    """Return a query of the requests this staff member may see whose booklet is assigned and not yet posted."""
    return visible(user).where(BeneficiaryRequest.status == RequestStatus.ASSIGNED).order_by(BeneficiaryRequest.id)


def get(user, request_id) -> BeneficiaryRequest:
    """Load a request the user may see: 404 for another reception point's (no existence leak)."""
    found = db.session.get(BeneficiaryRequest, request_id) if isinstance(request_id, int) else None
    if found is None or (user.reception_point_id is not None and found.reception_point_id != user.reception_point_id):
        raise DomainError("not_found", _("Demande introuvable."))
    return found


def _clean(values: dict) -> dict:
    out = {k: " ".join((values.get(k) or "").split()) for k in IDENTITY}
    if out["civility"] not in CIVILITIES:
        raise DomainError("bad_request", _("Civilité inconnue."), field="civility")
    if not out["last_name"] or not out["first_name"]:
        raise DomainError("bad_request", _("Indiquez le nom et le prénom."), field="last_name")
    if len(" ".join(filter(None, (out["civility"], out["first_name"], out["last_name"])))) > LINE:
        raise DomainError("bad_request", _("Civilité, prénom et nom tiennent sur une ligne de 38 caractères : "
                                           "abrégez le prénom."), field="first_name")
    if not out["address_street"]:
        raise DomainError("bad_request", _("Indiquez le numéro et la voie."), field="address_street")
    for key in ("address_recipient", "address_building", "address_street", "address_place"):
        if len(out[key]) > LINE:
            raise DomainError("bad_request", _("Une ligne d'adresse compte 38 caractères au plus."), field=key)
    place = commune(values.get("commune_insee") or "")
    if place is None:
        raise DomainError("bad_request", _("Choisissez la commune de Haute-Garonne où habite la personne."),
                          field="commune_insee")
    if out["postcode"] not in place.postcodes:
        raise DomainError("bad_request", _("Le code postal de %(name)s est %(codes)s.", name=place.name,
                                           codes=" ou ".join(place.postcodes)), field="postcode")
    if out["email"] and ("@" not in out["email"] or len(out["email"]) > 200):
        raise DomainError("bad_request", _("Adresse e-mail invalide."), field="email")
    out["commune_insee"] = place.insee_code
    return out


def _publics(values) -> list[PriorityPublic]:
    try:
        return sorted({PriorityPublic(v) for v in values or ()}, key=lambda p: p.value)
    except ValueError:
        raise DomainError("bad_request", _("Public prioritaire inconnu."), field="publics") from None


def register(actor, point: ReceptionPoint, values: dict, publics, consent: bool) -> BeneficiaryRequest:
    """Record a request at a reception point; the person's consent is required and dated."""
    if not consent:
        raise DomainError("bad_request", _("Le consentement de la personne est nécessaire pour enregistrer sa "
                                           "demande."), field="consent")
    if actor.reception_point_id is not None and actor.reception_point_id != point.id:
        raise DomainError("not_found", _("Point d'accueil introuvable."))
    fields = _clean(values)
    now = utcnow()
    request = BeneficiaryRequest(reception_point_id=point.id, created_by_id=actor.id, consent_at=now,
                                 consent_version=CONSENT_VERSION, status=RequestStatus.RECEIVED,
                                 status_changed_at=now, **fields)
    request.publics = [RequestPublic(public=p) for p in _publics(publics)]
    db.session.add(request)
    db.session.flush()
    record(actor, "request.created", request, after={"reception_point_id": point.id,
                                                     "publics": [p.value for p in _publics(publics)]})
    return request


def update(actor, request: BeneficiaryRequest, values: dict, publics) -> BeneficiaryRequest:
    """Correct a request's identity, address or publics (not once closed)."""
    if request.status == RequestStatus.CLOSED:
        raise DomainError("bad_request", _("Demande clôturée : elle ne peut plus être modifiée."))
    fields = _clean(values)
    changed = sorted(k for k, v in fields.items() if getattr(request, k) != v)
    for key, value in fields.items():
        setattr(request, key, value)
    wanted = set(_publics(publics))
    if wanted != request.public_values:
        request.publics = [p for p in request.publics if p.public in wanted] + [
            RequestPublic(public=p) for p in sorted(wanted - request.public_values, key=lambda p: p.value)]
        changed.append("publics")
    if changed:  # field names only: the values are personal data
        record(actor, "request.updated", request, after={"fields": changed})
    return request


def current_booklet(request: BeneficiaryRequest) -> Booklet | None:
    return request.assignments[-1].booklet if request.assignments else None


def _stock_booklet(point_id: int, today: date) -> Booklet:
    """Take the first booklet in stock at a point, from a campaign valid today, skipping ones being taken."""
    booklet = db.session.execute(
        sa.select(Booklet).join(Campaign, Booklet.campaign_id == Campaign.id)
        .where(Booklet.reception_point_id == point_id, Booklet.status == BookletStatus.ISSUED,
               Campaign.starts_on <= today, Campaign.ends_on >= today)
        .order_by(Booklet.number).limit(1).with_for_update(of=Booklet, skip_locked=True)).scalar_one_or_none()
    if booklet is None:
        raise DomainError("bad_request", _("Plus aucun carnet en stock pour ce point d'accueil : demandez un envoi de "
                                           "carnets au siège."))
    return booklet


def _give(actor, request: BeneficiaryRequest, booklet: Booklet | None, today: date, replaces=None):
    booklet = booklet_ops.hand_out(actor, booklet or _stock_booklet(request.reception_point_id, today), today)
    if booklet.reception_point_id is None:
        booklet.reception_point_id = request.reception_point_id
    assignment = BookletAssignment(request=request, booklet=booklet, replaces_booklet_id=replaces,
                                   assigned_at=utcnow(), assigned_by_id=getattr(actor, "id", None))
    db.session.add(assignment)
    db.session.flush()
    record(actor, "request.booklet_assigned", request,
           after={"booklet": booklet.serial, **({"replaces": replaces} if replaces else {})})
    return assignment


def assign(actor, request: BeneficiaryRequest, today: date, booklet: Booklet | None = None) -> BookletAssignment:
    """Give the request a booklet (the next in stock at its reception point, or a chosen one): its tickets activate."""
    if request.status != RequestStatus.RECEIVED:
        raise DomainError("bad_request", _("Cette demande a déjà un carnet."))
    assignment = _give(actor, request, booklet, today)
    change_status(request, RequestStatus.ASSIGNED, actor)
    request.status_changed_at = utcnow()
    return assignment


def replace(actor, request: BeneficiaryRequest, reason: str, today: date) -> BookletAssignment:
    """Declare the request's booklet lost or stolen (its unused tickets refused) and give a new one."""
    old = current_booklet(request)
    if old is None or request.status not in (RequestStatus.ASSIGNED, RequestStatus.POSTED):
        raise DomainError("bad_request", _("Cette demande n'a pas de carnet à remplacer."))
    if old.status != BookletStatus.CANCELLED:
        booklet_ops.oppose(actor, old, reason)
    assignment = _give(actor, request, None, today, replaces=old.id)
    if request.status == RequestStatus.POSTED:
        change_status(request, RequestStatus.ASSIGNED, actor, reason="replacement")
        request.status_changed_at = utcnow()
    return assignment


def mark_posted(actor, request: BeneficiaryRequest) -> BeneficiaryRequest:
    """Record that the letter with the booklet has been posted."""
    if request.status != RequestStatus.ASSIGNED:
        raise DomainError("bad_request", _("Seule une demande dont le carnet est attribué peut être marquée envoyée."))
    now = utcnow()
    assignment = request.assignments[-1]
    assignment.posted_at, assignment.posted_by_id = now, getattr(actor, "id", None)
    change_status(request, RequestStatus.POSTED, actor)
    request.status_changed_at = now
    return request


def close(actor, request: BeneficiaryRequest, reason: str) -> BeneficiaryRequest:
    """Close a request (used up, withdrawn, campaign over): it may then be anonymised."""
    reason = (reason or "").strip()
    if not reason or len(reason) > 300:
        raise DomainError("bad_request", _("Indiquez le motif de clôture (300 caractères au plus)."), field="reason")
    if request.status == RequestStatus.CLOSED:
        raise DomainError("bad_request", _("Cette demande est déjà clôturée."))
    now = utcnow()
    # Status and date change together: the database refuses a closed request without its date.
    with db.session.no_autoflush:
        change_status(request, RequestStatus.CLOSED, actor, reason=reason)
        request.closed_at = request.status_changed_at = now
        request.close_reason = reason
    return request


def purge(actor, older_than_days: int, now: datetime | None = None) -> int:
    """Blank the identity and address of requests closed more than N days ago; keep commune, publics, booklets."""
    if not isinstance(older_than_days, int) or older_than_days < 0:
        raise DomainError("bad_request", _("Nombre de jours invalide."))
    now = now or utcnow()
    blank = {key: "" for key in IDENTITY}
    count = db.session.execute(
        sa.update(BeneficiaryRequest)
        .where(BeneficiaryRequest.status == RequestStatus.CLOSED, BeneficiaryRequest.anonymised_at.is_(None),
               BeneficiaryRequest.closed_at < now - timedelta(days=older_than_days))
        .values(anonymised_at=now, **blank).execution_options(synchronize_session=False)).rowcount
    record(actor, "requests.purged", object_type="beneficiary_request", object_id="*",
           after={"older_than_days": older_than_days, "anonymised": count})
    return count
