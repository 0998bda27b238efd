"""Invitations: a one-time link that expires, by which a person sets a password and joins a partner.

Only a hash of the token is stored, so a copy of the database cannot be used to join. The
link is shown once to whoever invited, who passes it on (e-mail, SMS).
"""
import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from ..extensions import db
from ..models import Invitation, Role, User, record, utcnow
from .accounts import check_password, clean_email
from .accounts import email_taken as _email_taken
from .errors import DomainError

INVITATION_LIFETIME = timedelta(hours=72)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def invite(actor, *, email: str, full_name: str, role: Role, partner_id: int | None,
           now: datetime | None = None) -> tuple[Invitation, str]:
    """Create an invitation and return it with its token (the only time the token exists)."""
    now = now or utcnow()
    email = clean_email(email)
    if _email_taken(email):
        raise DomainError("bad_request", _("Une personne utilise déjà l'adresse %(email)s.", email=email), field="email")
    token = secrets.token_urlsafe(32)
    invitation = Invitation(token_hash=token_hash(token), email=email, full_name=(full_name or "").strip()[:200],
                            role=role, partner_id=partner_id, created_by_id=getattr(actor, "id", None),
                            expires_at=now + INVITATION_LIFETIME, created_at=now)
    db.session.add(invitation)
    db.session.flush()
    record(actor, "invitation.created", invitation,
           after={"email": email, "role": role.value, "partner_id": partner_id, "expires_at": invitation.expires_at})
    return invitation, token


def invite_trainer(manager, *, email: str, full_name: str) -> tuple[Invitation, str]:
    """Invite a trainer into the manager's own partner."""
    return invite(manager, email=email, full_name=full_name, role=Role.TRAINER, partner_id=manager.partner_id)


def usable_invitation(token: str, now: datetime | None = None) -> Invitation:
    """Return the invitation behind a link if it can still be used, else refuse."""
    now = now or utcnow()
    invitation = None
    if isinstance(token, str) and 20 <= len(token) <= 100:
        invitation = db.session.execute(
            sa.select(Invitation).where(Invitation.token_hash == token_hash(token))).scalar_one_or_none()
    if invitation is None or invitation.used_at is not None or invitation.expires_at <= now:
        raise DomainError("invitation_invalid")
    return invitation


def accept(token: str, *, full_name: str, password: str, now: datetime | None = None) -> User:
    """Create the invited person's account and spend the invitation, once."""
    now = now or utcnow()
    invitation = usable_invitation(token, now)
    if not full_name or not full_name.strip() or len(full_name) > 200:
        raise DomainError("bad_request", _("Indiquez vos prénom et nom."), field="full_name")
    check_password(password)
    if _email_taken(invitation.email):
        raise DomainError("bad_request", _("Un compte existe déjà pour %(email)s : connectez-vous.",
                                           email=invitation.email))
    spent = db.session.execute(
        sa.update(Invitation).where(Invitation.id == invitation.id, Invitation.used_at.is_(None),
                                    Invitation.expires_at > now)
        .values(used_at=now).execution_options(synchronize_session=False)
    ).rowcount
    if not spent:  # another tab or person used the link a moment ago
        raise DomainError("invitation_invalid")
    user = User(email=invitation.email, full_name=full_name.strip(), role=invitation.role,
                partner_id=invitation.partner_id)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    record(user, "invitation.accepted", invitation, after={"user_id": user.id})
    record(user, "user.created", user, after={"email": user.email, "role": user.role.value,
                                              "partner_id": user.partner_id, "invitation_id": invitation.id})
    return user


def pending_for_partner(partner_id: int, now: datetime | None = None) -> list[Invitation]:
    """List the partner's invitations not used and not yet expired, newest first."""
    now = now or utcnow()
    return list(db.session.execute(
        sa.select(Invitation).where(Invitation.partner_id == partner_id, Invitation.used_at.is_(None),
                                    Invitation.expires_at > now)
        .order_by(Invitation.created_at.desc())
    ).scalars())


def revoke(manager, invitation_id, now: datetime | None = None) -> Invitation:
    """Make a pending invitation of the manager's partner unusable at once."""
    now = now or utcnow()
    invitation = db.session.get(Invitation, invitation_id) if isinstance(invitation_id, int) else None
    if invitation is None or invitation.partner_id != manager.partner_id:
        raise DomainError("not_found", _("Invitation introuvable."))
    if invitation.used_at is not None or invitation.expires_at <= now:
        raise DomainError("bad_request", _("Cette invitation n'est plus en attente."))
    before = invitation.expires_at
    invitation.expires_at = now
    record(manager, "invitation.revoked", invitation, before={"expires_at": before}, after={"expires_at": now})
    return invitation
