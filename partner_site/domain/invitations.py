"""Invitations: a one-time link that expires, by which a person sets a password and joins a partner
(or, invited by the staff administrator, the département's staff).

Only a hash of the token is stored, so a copy of the database cannot be used to join. The link
is e-mailed to the invited address through the outbox, never shown to whoever invited: the
invitation is the proof that the address is the person's. Inviting an address that already has
an account looks the same to whoever invited; its holder gets a notice instead of a link.
"""
import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from ..extensions import db
from ..models import Invitation, Role, User, record, utcnow
from . import account_messages
from .errors import DomainError
from .passwords import check_new_password

INVITATION_LIFETIME = timedelta(hours=72)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def clean_email(email) -> str:
    """Return an e-mail address trimmed and lowercased, or refuse it."""
    email = (email or "").strip().lower() if isinstance(email, str) else ""
    if not email or "@" not in email or len(email) > 200:
        raise DomainError("bad_request", _("Adresse e-mail invalide."), field="email")
    return email


def email_taken(email: str) -> bool:
    """Say whether an account uses this (cleaned) e-mail address already."""
    return db.session.execute(sa.select(User.id).where(sa.func.lower(User.email) == email)).first() is not None


def invite(actor, *, email: str, full_name: str, role: Role, partner_id: int | None,
           now: datetime | None = None) -> Invitation:
    """Create an invitation and e-mail its link (or, to an address that has an account, a notice)."""
    now = now or utcnow()
    email = clean_email(email)
    token = secrets.token_urlsafe(32)
    invitation = Invitation(token_hash=token_hash(token), email=email, full_name=(full_name or "").strip()[:200],
                            role=role, partner_id=partner_id, created_by_id=getattr(actor, "id", None),
                            expires_at=now + INVITATION_LIFETIME, created_at=now)
    db.session.add(invitation)
    db.session.flush()
    record(actor, "invitation.created", invitation,
           after={"email": email, "role": role.value, "partner_id": partner_id, "expires_at": invitation.expires_at})
    if email_taken(email):
        account_messages.account_exists(invitation)  # the token is dropped: this invitation can never be used
    else:
        account_messages.invitation(invitation, token, int(INVITATION_LIFETIME.total_seconds() // 3600))
    return invitation


def invite_trainer(manager, *, email: str, full_name: str) -> Invitation:
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
    check_new_password(password)
    if email_taken(invitation.email):
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


def pending_for_staff(now: datetime | None = None) -> list[Invitation]:
    """List the invitations to join the staff not used and not yet expired, newest first."""
    now = now or utcnow()
    return list(db.session.execute(
        sa.select(Invitation).where(Invitation.partner_id.is_(None), Invitation.used_at.is_(None),
                                    Invitation.expires_at > now)
        .order_by(Invitation.created_at.desc())
    ).scalars())


def revoke(actor, invitation_id, now: datetime | None = None) -> Invitation:
    """Make a pending invitation unusable at once: one of the manager's partner, or (actor with no
    partner: the staff administrator) one to join the staff."""
    now = now or utcnow()
    invitation = db.session.get(Invitation, invitation_id) if isinstance(invitation_id, int) else None
    if invitation is None or invitation.partner_id != actor.partner_id:
        raise DomainError("not_found", _("Invitation introuvable."))
    if invitation.used_at is not None or invitation.expires_at <= now:
        raise DomainError("bad_request", _("Cette invitation n'est plus en attente."))
    before = invitation.expires_at
    invitation.expires_at = now
    record(actor, "invitation.revoked", invitation, before={"expires_at": before}, after={"expires_at": now})
    return invitation
