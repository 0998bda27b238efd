"""Accounts as the staff administrator manages them: staff invited, roles, reception points, (de)activation.

The administrator creates and deactivates accounts and attaches instructors to reception points;
the role can neither approve claims, nor pay, nor read beneficiaries' personal data. Nobody
changes their own role or deactivates themselves, and the last active administrator stays one.
`create_user` is the command line's way in, with the checks an invited person passes.
"""
import sqlalchemy as sa
from flask_babel import gettext as _

from ..extensions import db
from ..models import STAFF_ROLES, Invitation, Partner, ReceptionPoint, Role, User, record
from . import invitations, reception, sessions
from .errors import DomainError
from .passwords import check_new_password

SEARCH_LIMIT = 50
MAX_LENGTH = 200  # e-mail and name alike


def staff() -> list[User]:
    """List the département's staff: administrators, instructors, finance; by name."""
    return list(db.session.execute(
        sa.select(User).where(User.role.in_(STAFF_ROLES)).options(sa.orm.joinedload(User.reception_point))
        .order_by(User.role, sa.func.lower(User.full_name), User.email)).scalars())


def search_partner_people(text: str) -> list[User]:
    """Find associations' people by e-mail, name or association name (at most 50)."""
    from ..models import Partner

    text = (text or "").strip().lower()[:100]
    if len(text) < 2:
        return []
    like = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return list(db.session.execute(
        sa.select(User).join(Partner, User.partner_id == Partner.id)
        .where(sa.or_(sa.func.lower(User.email).like(like, escape="\\"),
                      sa.func.lower(User.full_name).like(like, escape="\\"),
                      sa.func.lower(Partner.name).like(like, escape="\\")))
        .options(sa.orm.contains_eager(User.partner)).order_by(Partner.name, User.email).limit(SEARCH_LIMIT)).scalars())


def get_account(user_id) -> User:
    """Load any account for the administrator, or 404."""
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None:
        raise DomainError("not_found", _("Compte introuvable."))
    return user


def invite_staff(admin: User, *, email: str, full_name: str, role) -> Invitation:
    """Invite a person to join the staff in a role (the link goes to their address)."""
    try:
        role = Role(role)
    except ValueError:
        role = None
    if role not in STAFF_ROLES:
        raise DomainError("bad_request", _("Choisissez un rôle du Département."), field="role")
    return invitations.invite(admin, email=email, full_name=full_name, role=role, partner_id=None)


def _not_self(actor: User, user: User, message: str) -> None:
    if actor is not None and getattr(actor, "id", None) == user.id:
        raise DomainError("bad_request", message)


def _keep_an_admin(user: User) -> None:
    """Refuse to take away the last active administrator (nobody could manage accounts any more)."""
    if user.role != Role.ADMIN or not user.active:
        return
    others = db.session.execute(sa.select(sa.func.count()).select_from(User).where(
        User.role == Role.ADMIN, User.active.is_(True), User.id != user.id)).scalar_one()
    if not others:
        raise DomainError("bad_request", _("C'est le dernier compte administrateur actif : nommez-en un autre "
                                           "d'abord."))


def set_active(actor, user: User, active: bool) -> User:
    """Deactivate an account (its sessions end at once, no more sign-ins) or let it sign in again."""
    _not_self(actor, user, _("Vous ne pouvez pas désactiver votre propre compte."))
    if user.active == active:
        raise DomainError("bad_request",
                          _("Ce compte est déjà actif.") if active else _("Ce compte est déjà désactivé."))
    if not active:
        _keep_an_admin(user)
    user.active = active
    ended = sessions.revoke_all(user)
    record(actor, "user.reactivated" if active else "user.deactivated", user,
           before={"active": not active}, after={"active": active, "sessions_ended": ended})
    return user


def set_role(actor, user: User, role) -> User:
    """Change a staff member's role among the staff roles; their sessions end (rights changed)."""
    try:
        role = Role(role)
    except ValueError:
        role = None
    if not user.role.is_staff or role not in STAFF_ROLES:
        raise DomainError("bad_request", _("Seuls les comptes du Département changent de rôle ici, vers un rôle du "
                                           "Département."), field="role")
    _not_self(actor, user, _("Vous ne pouvez pas changer votre propre rôle : demandez-le à un autre administrateur."))
    if role == user.role:
        raise DomainError("bad_request", _("Ce compte a déjà ce rôle."), field="role")
    if role != Role.ADMIN:
        _keep_an_admin(user)
    before = user.role
    user.role = role
    ended = sessions.revoke_all(user)
    record(actor, "user.role_changed", user, before={"role": before.value},
           after={"role": role.value, "sessions_ended": ended})
    return user


def set_reception_point(actor, user: User, point_id: int | None) -> User:
    """Attach an instructor to a reception point (they then see its requests only), or to none."""
    point = None
    if point_id:
        point = db.session.get(ReceptionPoint, point_id)
        if point is None:
            raise DomainError("bad_request", _("Point d'accueil inconnu."), field="reception_point")
    return reception.attach_staff(actor, point, user)


def create_user(actor, *, email, password, role: Role, partner_id: int | None, full_name: str = "") -> User:
    """Create an account: a free e-mail, a long enough password; managers and trainers in one partner, staff in none."""
    email = invitations.clean_email(email)
    check_new_password(password)
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
    if invitations.email_taken(email):
        raise DomainError("bad_request", _("Une personne utilise déjà l'adresse %(email)s.", email=email),
                          field="email")
    user = User(email=email, full_name=full_name, role=role, partner_id=partner_id)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    record(actor, "user.created", user, after={"email": email, "role": role.value, "partner_id": partner_id})
    return user
