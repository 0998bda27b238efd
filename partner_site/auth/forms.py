from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from ..domain.passwords import MIN_PASSWORD_LENGTH


class LoginForm(FlaskForm):
    email = EmailField(_l("Adresse e-mail"), validators=[DataRequired(_l("Saisissez votre adresse e-mail.")),
                                                         Email(_l("Adresse e-mail invalide."))])
    password = PasswordField(_l("Mot de passe"), validators=[DataRequired(_l("Saisissez votre mot de passe.")),
                                                             Length(max=200)])


class CodeForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(_l("Saisissez le code.")), Length(max=40)])


class ForgotForm(FlaskForm):
    email = EmailField(_l("Adresse e-mail"), validators=[DataRequired(_l("Saisissez votre adresse e-mail.")),
                                                         Email(_l("Adresse e-mail invalide.")), Length(max=200)])


def _new_password_fields():
    return (
        PasswordField(_l("Nouveau mot de passe"), validators=[
            DataRequired(_l("Choisissez un mot de passe.")),
            Length(min=MIN_PASSWORD_LENGTH, max=200,
                   message=_l("Choisissez un mot de passe d'au moins %(n)s caractères.", n=MIN_PASSWORD_LENGTH))]),
        PasswordField(_l("Nouveau mot de passe, à nouveau"), validators=[
            EqualTo("password", _l("Les deux mots de passe ne sont pas identiques."))]),
    )


class ResetForm(FlaskForm):
    password, confirm = _new_password_fields()


class ChangePasswordForm(FlaskForm):
    current = PasswordField(_l("Mot de passe actuel"), validators=[
        DataRequired(_l("Saisissez votre mot de passe actuel.")), Length(max=200)])
    password, confirm = _new_password_fields()


class ConfirmPasswordForm(FlaskForm):
    password = PasswordField(_l("Votre mot de passe"), validators=[
        DataRequired(_l("Saisissez votre mot de passe.")), Length(max=200)])
