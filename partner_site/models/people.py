"""Partners (accredited associations), department sites and the people who log in."""
import enum

import sqlalchemy as sa
from flask_login import UserMixin
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from .base import Lifecycle, TimestampMixin, enum_column, utcnow


class PartnerStatus(Lifecycle):
    APPLIED = "applied"
    ACCREDITED = "accredited"
    SUSPENDED = "suspended"
    WITHDRAWN = "withdrawn"

    @classmethod
    def moves(cls):
        return {
            cls.APPLIED: (cls.ACCREDITED, cls.WITHDRAWN),
            cls.ACCREDITED: (cls.SUSPENDED, cls.WITHDRAWN),
            cls.SUSPENDED: (cls.ACCREDITED, cls.WITHDRAWN),
            cls.WITHDRAWN: (),
        }


class Partner(TimestampMixin, db.Model):
    """An accredited association (structure habilitée)."""

    __tablename__ = "partners"

    id = sa.Column(sa.Integer, primary_key=True)
    name = sa.Column(sa.String(200), nullable=False)
    siret = sa.Column(sa.String(14), nullable=False, unique=True)
    status = enum_column(PartnerStatus, nullable=False, default=PartnerStatus.APPLIED)
    commune_insee = sa.Column(sa.String(5), nullable=False)
    address = sa.Column(sa.String(300), nullable=False, default="")
    rural = sa.Column(sa.Boolean, nullable=False, default=False)
    rural_overridden = sa.Column(sa.Boolean, nullable=False, default=False)
    contact_name = sa.Column(sa.String(200), nullable=False, default="")
    contact_email = sa.Column(sa.String(200), nullable=False, default="")
    contact_phone = sa.Column(sa.String(40), nullable=False, default="")
    status_reason = sa.Column(sa.String(300))
    status_changed_at = sa.Column(sa.DateTime)

    users = db.relationship("User", back_populates="partner")


class ReceptionPointKind(str, enum.Enum):
    MDS = "mds"
    MDP = "mdp"
    MDPH = "mdph"
    OTHER = "other"


class ReceptionPoint(TimestampMixin, db.Model):
    """A departmental site where beneficiaries ask for a booklet (point d'accueil)."""

    __tablename__ = "reception_points"

    id = sa.Column(sa.Integer, primary_key=True)
    name = sa.Column(sa.String(200), nullable=False)
    kind = enum_column(ReceptionPointKind, nullable=False, default=ReceptionPointKind.MDS)
    commune_insee = sa.Column(sa.String(5), nullable=False)
    address = sa.Column(sa.String(300), nullable=False, default="")


class Role(str, enum.Enum):
    ADMIN = "admin"
    INSTRUCTOR = "instructor"
    FINANCE = "finance"
    MANAGER = "manager"
    TRAINER = "trainer"

    @property
    def is_staff(self) -> bool:
        """Department staff: they sign in with a second factor and belong to no partner."""
        return self in STAFF_ROLES


STAFF_ROLES = (Role.ADMIN, Role.INSTRUCTOR, Role.FINANCE)


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "users"

    id = sa.Column(sa.Integer, primary_key=True)
    email = sa.Column(sa.String(200), nullable=False, unique=True)
    full_name = sa.Column(sa.String(200), nullable=False, default="")
    password_hash = sa.Column(sa.String(300), nullable=False)
    role = enum_column(Role, nullable=False)
    partner_id = sa.Column(sa.Integer, sa.ForeignKey("partners.id"), index=True)
    reception_point_id = sa.Column(sa.Integer, sa.ForeignKey("reception_points.id"))
    active = sa.Column(sa.Boolean, nullable=False, default=True)
    last_login_at = sa.Column(sa.DateTime)
    # Second factor (staff): a TOTP secret, confirmed by a first code, and the last time step
    # accepted, so that a code seen over a shoulder cannot be used again.
    totp_secret = sa.Column(sa.String(64))
    totp_enrolled_at = sa.Column(sa.DateTime)
    totp_last_step = sa.Column(sa.BigInteger)

    partner = db.relationship("Partner", back_populates="users")
    reception_point = db.relationship("ReceptionPoint")

    __table_args__ = (
        # A partner's people belong to exactly one partner; staff to none.
        sa.CheckConstraint(
            "(role IN ('manager', 'trainer')) = (partner_id IS NOT NULL)", name="partner_people_have_partner"
        ),
    )

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method="scrypt")

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    @property
    def is_staff(self) -> bool:
        return self.role.is_staff

    @property
    def second_factor_enrolled(self) -> bool:
        return self.totp_enrolled_at is not None

    # The random token of the session this request runs in (set at login and by the loader):
    # what Flask-Login keeps in the signed cookie, instead of the user's id.
    session_token = None

    def get_id(self) -> str | None:
        return self.session_token


class Invitation(TimestampMixin, db.Model):
    """A one-time link that lets a person set their password and join a partner."""

    __tablename__ = "invitations"

    id = sa.Column(sa.Integer, primary_key=True)
    token_hash = sa.Column(sa.String(64), nullable=False, unique=True)
    email = sa.Column(sa.String(200), nullable=False)
    full_name = sa.Column(sa.String(200), nullable=False, default="")
    role = enum_column(Role, nullable=False)
    partner_id = sa.Column(sa.Integer, sa.ForeignKey("partners.id"))
    created_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"))
    expires_at = sa.Column(sa.DateTime, nullable=False)
    used_at = sa.Column(sa.DateTime)

    partner = db.relationship("Partner")

    @property
    def usable(self) -> bool:
        return self.used_at is None and self.expires_at > utcnow()
