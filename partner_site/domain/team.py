"""A partner's team: the manager sees, deactivates and reactivates the partner's trainers."""
import sqlalchemy as sa
from flask_babel import gettext as _

from ..extensions import db
from ..models import Role, User
from . import accounts
from .errors import DomainError


def members(partner_id: int) -> list[User]:
    """List the partner's people: managers first, then trainers, by name."""
    return list(db.session.execute(
        sa.select(User).where(User.partner_id == partner_id)
        .order_by(User.role, sa.func.lower(User.full_name), User.email)
    ).scalars())


def get_trainer(manager, user_id) -> User:
    """Load a trainer of the manager's own partner: 404 for anyone else (no existence leak)."""
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or manager.partner_id is None or user.partner_id != manager.partner_id:
        raise DomainError("not_found", _("Personne introuvable."))
    if user.role != Role.TRAINER:
        raise DomainError("forbidden", _("Seuls les comptes de formateurs se gèrent ici."))
    return user


def set_active(manager, trainer: User, active: bool) -> User:
    """Deactivate (they are signed out at once) or reactivate a trainer's account."""
    return accounts.set_active(manager, trainer, active)
