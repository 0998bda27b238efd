"""The staff administrator's forms: invite a staff member, change a role, attach to a reception point."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length

from ...labels import ROLES
from ...models import Role
from .common import options


def _staff_roles():
    """The staff roles, the most common first (an invitation never defaults to administrator)."""
    return options((role.value, ROLES[role]) for role in (Role.INSTRUCTOR, Role.FINANCE, Role.ADMIN))


class StaffInviteForm(FlaskForm):
    full_name = StringField(_l("Prénom et nom"), validators=[DataRequired(_l("Indiquez le nom.")), Length(max=200)])
    email = EmailField(_l("E-mail professionnel"), validators=[DataRequired(_l("Indiquez l'e-mail.")),
                                                               Email(_l("E-mail invalide.")), Length(max=200)])
    role = SelectField(_l("Rôle"), choices=_staff_roles())


class RoleForm(FlaskForm):
    role = SelectField(_l("Rôle"), choices=_staff_roles())


class ReceptionPointChoiceForm(FlaskForm):
    reception_point = SelectField(_l("Point d'accueil"), coerce=int, choices=[])
