from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length


class AcceptForm(FlaskForm):
    full_name = StringField(_l("Votre nom"), validators=[Length(max=200)])
    password = PasswordField(_l("Mot de passe (10 caractères au moins)"),
                             validators=[DataRequired(_l("Choisissez un mot de passe.")),
                                         Length(min=10, max=200, message=_l("10 caractères au moins."))])
    confirm = PasswordField(_l("Confirmez le mot de passe"),
                            validators=[EqualTo("password", _l("Les deux mots de passe diffèrent."))])
