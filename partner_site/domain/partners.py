"""Partners (structures habilitées): register, edit, accredit, suspend, withdraw, rural flag."""
import json
import re

import sqlalchemy as sa
from flask_babel import gettext as _

from ..extensions import db
from ..models import AuditEvent, Partner, PartnerStatus, Role, change_status, record, utcnow
from . import invitations
from .codes import luhn_digit
from .communes import commune
from .errors import DomainError

EDITABLE = ("name", "siret", "commune_insee", "address", "contact_name", "contact_email", "contact_phone")
REASON_REQUIRED = (PartnerStatus.SUSPENDED, PartnerStatus.WITHDRAWN)


def normalize_siret(text: str) -> str:
    """Return a SIRET without spaces, refusing anything but 14 digits with a valid Luhn key."""
    siret = re.sub(r"[\s.]", "", text or "")
    # La Poste's establishments (SIREN 356000000) follow their own rule: digits summing to a multiple of 5.
    valid = len(siret) == 14 and siret.isdigit() and (
        luhn_digit(siret[:-1]) == siret[-1] or (siret.startswith("356000000") and sum(map(int, siret)) % 5 == 0))
    if not valid:
        raise DomainError("bad_request", _("SIRET invalide : 14 chiffres dont une clé de contrôle ; vérifiez-le sur "
                                           "l'avis de situation Insee."), field="siret")
    return siret


def _clean(values: dict, partner: Partner | None) -> dict:
    out = {k: (values.get(k) or "").strip() for k in EDITABLE}
    if not out["name"] or len(out["name"]) > 200:
        raise DomainError("bad_request", _("Indiquez le nom de la structure."), field="name")
    out["siret"] = normalize_siret(out["siret"])
    taken = db.session.execute(sa.select(Partner.id).where(Partner.siret == out["siret"])).scalar_one_or_none()
    if taken is not None and (partner is None or taken != partner.id):
        raise DomainError("bad_request", _("Une structure est déjà enregistrée avec ce SIRET."), field="siret")
    if commune(out["commune_insee"]) is None:
        raise DomainError("bad_request", _("Choisissez une commune de Haute-Garonne."), field="commune_insee")
    if out["contact_email"] and "@" not in out["contact_email"]:
        raise DomainError("bad_request", _("Adresse e-mail de contact invalide."), field="contact_email")
    return out


def create(actor, manager_email: str, manager_name: str = "", **values) -> Partner:
    """Register a partner (applied) and invite its manager (the link goes to the manager's address)."""
    fields = _clean(values, None)
    partner = Partner(status=PartnerStatus.APPLIED, rural=commune(fields["commune_insee"]).rural, **fields)
    db.session.add(partner)
    db.session.flush()
    record(actor, "partner.created", partner, after={"name": partner.name, "siret": partner.siret,
                                                     "commune_insee": partner.commune_insee})
    invitations.invite(actor, email=manager_email, full_name=manager_name, role=Role.MANAGER, partner_id=partner.id)
    return partner


def update(actor, partner: Partner, **values) -> Partner:
    """Edit a partner's identity and contact; a new commune re-derives the rural flag unless overridden."""
    fields = _clean(values, partner)
    before = {k: getattr(partner, k) for k in EDITABLE}
    for key, value in fields.items():
        setattr(partner, key, value)
    if not partner.rural_overridden:
        partner.rural = commune(partner.commune_insee).rural
    changed = {k: v for k, v in fields.items() if before[k] != v}
    if changed:
        record(actor, "partner.updated", partner, before={k: before[k] for k in changed}, after=changed)
    return partner


def set_rural(actor, partner: Partner, rural: bool | None) -> Partner:
    """Override the rural flag (True/False), or go back to the commune's rule (None)."""
    before = {"rural": partner.rural, "overridden": partner.rural_overridden}
    if rural is None:
        partner.rural, partner.rural_overridden = commune(partner.commune_insee).rural, False
    else:
        partner.rural, partner.rural_overridden = bool(rural), True
    record(actor, "partner.rural_set", partner, before=before,
           after={"rural": partner.rural, "overridden": partner.rural_overridden})
    return partner


def change(actor, partner: Partner, target: PartnerStatus, reason: str = "") -> Partner:
    """Move a partner along its lifecycle; suspending or withdrawing needs a reason."""
    reason = (reason or "").strip()
    if target in REASON_REQUIRED and not reason:
        raise DomainError("bad_request", _("Indiquez le motif : il est communiqué à la structure."), field="reason")
    if len(reason) > 300:
        raise DomainError("bad_request", _("Motif trop long (300 caractères au plus)."), field="reason")
    if not partner.status.can_move_to(target):
        raise DomainError("bad_request", _("Changement impossible depuis l'état actuel de la structure."))
    change_status(partner, target, actor, reason=reason or None)
    partner.status_reason = reason or None
    partner.status_changed_at = utcnow()
    return partner


def history(partner: Partner) -> list[dict]:
    """Return the partner's status changes, newest first, from the audit log."""
    events = db.session.execute(
        sa.select(AuditEvent).where(AuditEvent.object_type == "partner", AuditEvent.object_id == str(partner.id),
                                    AuditEvent.action.in_([f"partner.{s.value}" for s in PartnerStatus]))
        .order_by(AuditEvent.id.desc())).scalars()
    out = []
    for event in events:
        after = json.loads(event.after or "{}")
        before = json.loads(event.before or "{}")
        out.append({"at": event.created_at, "by": event.actor_label, "from": before.get("status"),
                    "to": after.get("status"), "reason": after.get("reason", "")})
    return out
