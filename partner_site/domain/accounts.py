"""People's accounts: the checks every new account passes, and creating one directly (command line, staff).

An invited person's account is created by `invitations.accept`, with the same password rule.
"""
import sqlalchemy as sa
from flask_babel import gettext as _

from ..extensions import db
from ..models import Partner, Role, User, record
from .errors import DomainError

MIN_PASSWORD_LENGTH = 10
MAX_LENGTH = 200  # e-mail, name and password alike


def clean_email(email) -> str:
    """Return an e-mail address trimmed and lowercased, or refuse it."""
    email = (email or "").strip().lower() if isinstance(email, str) else ""
    if not email or "@" not in email or len(email) > MAX_LENGTH:
        raise DomainError("bad_request", _("Adresse e-mail invalide."), field="email")
    return email


def email_taken(email: str) -> bool:
    """Say whether an account uses this (cleaned) e-mail address already."""
    return db.session.execute(sa.select(User.id).where(sa.func.lower(User.email) == email)).first() is not None


def check_password(password) -> None:
    """Refuse a password shorter than MIN_PASSWORD_LENGTH characters or longer than MAX_LENGTH."""
    if not isinstance(password, str) or not MIN_PASSWORD_LENGTH <= len(password) <= MAX_LENGTH:
        raise DomainError("bad_request", _("Choisissez un mot de passe d'au moins %(n)s caractères.",
                                           n=MIN_PASSWORD_LENGTH), field="password")


def create_user(actor, *, email, password, role: Role, partner_id: int | None, full_name: str = "") -> User:
    """Create an account: a free e-mail, a long enough password; managers and trainers in one partner, staff in none."""
    email = clean_email(email)
    check_password(password)
    full_name = (full_name or "").strip()
    if len(full_name) > MAX_LENGTH:
        raise DomainError("bad_request", _("Nom trop long (%(n)s caractères au plus).", n=MAX_LENGTH),
                          field="full_name")
    if role.is_staff and partner_id is not None:
        raise DomainError("bad_request", _("Un agent du Département n'appartient à aucune structure."),
                          field="partner_id")
    if not role.is_staff and (partner_id is None or db.session.get(Partner, partner_id) is None):
        raise DomainError("bad_request", _("Un responsable ou un formateur appartient à une structure existante."),
                          field="partner_id")
    if email_taken(email):
        raise DomainError("bad_request", _("Une personne utilise déjà l'adresse %(email)s.", email=email),
                          field="email")
    user = User(email=email, full_name=full_name, role=role, partner_id=partner_id)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    record(actor, "user.created", user, after={"email": email, "role": role.value, "partner_id": partner_id})
    return user
