from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from ..domain.accounts import MIN_PASSWORD_LENGTH


class InviteForm(FlaskForm):
    full_name = StringField(_l("Prénom et nom"), validators=[DataRequired(_l("Indiquez le nom du formateur.")),
                                                              Length(max=200)])
    email = EmailField(_l("Adresse e-mail"), validators=[DataRequired(_l("Indiquez son adresse e-mail.")),
                                                         Email(_l("Adresse e-mail invalide.")), Length(max=200)])


class AcceptForm(FlaskForm):
    full_name = StringField(_l("Prénom et nom"), validators=[DataRequired(_l("Indiquez vos prénom et nom.")),
                                                              Length(max=200)])
    password = PasswordField(_l("Mot de passe"), validators=[
        DataRequired(_l("Choisissez un mot de passe.")),
        Length(min=MIN_PASSWORD_LENGTH, max=200,
               message=_l("Choisissez un mot de passe d'au moins %(n)s caractères.", n=MIN_PASSWORD_LENGTH))])
    confirm = PasswordField(_l("Mot de passe, à nouveau"), validators=[
        EqualTo("password", _l("Les deux mots de passe ne sont pas identiques."))])
