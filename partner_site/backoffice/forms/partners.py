"""Partner and reception point forms."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional

from .common import CommuneField, options


class PartnerForm(FlaskForm):
    name = StringField(_l("Nom de la structure"), validators=[DataRequired(_l("Indiquez le nom.")), Length(max=200)])
    siret = StringField(_l("SIRET (14 chiffres)"), validators=[DataRequired(_l("Indiquez le SIRET.")), Length(max=20)])
    address = StringField(_l("Adresse"), validators=[Length(max=300)])
    commune_insee = CommuneField(_l("Commune"))
    contact_name = StringField(_l("Personne à contacter"), validators=[Length(max=200)])
    contact_email = EmailField(_l("E-mail de contact"), validators=[Optional(), Email(_l("E-mail invalide.")),
                                                                    Length(max=200)])
    contact_phone = StringField(_l("Téléphone"), validators=[Length(max=40)])


class NewPartnerForm(PartnerForm):
    manager_name = StringField(_l("Nom du ou de la responsable"),
                               validators=[DataRequired(_l("Indiquez le nom du responsable.")), Length(max=200)])
    manager_email = EmailField(_l("E-mail du ou de la responsable (recevra le lien d'invitation)"),
                               validators=[DataRequired(_l("Indiquez l'e-mail du responsable.")),
                                           Email(_l("E-mail invalide.")), Length(max=200)])


class PartnerStatusForm(FlaskForm):
    target = SelectField(_l("Nouvel état"), choices=options([
        ("accredited", _l("Habiliter")), ("suspended", _l("Suspendre")), ("withdrawn", _l("Retirer l'habilitation"))]))
    reason = TextAreaField(_l("Motif (obligatoire pour suspendre ou retirer)"), validators=[Length(max=300)])


class RuralForm(FlaskForm):
    rural = RadioField(_l("Territoire"), default="auto", choices=options([
        ("auto", _l("Selon la population de la commune")), ("rural", _l("Rural (corrigé)")),
        ("urban", _l("Urbain (corrigé)"))]))


class InviteForm(FlaskForm):
    full_name = StringField(_l("Prénom et nom"), validators=[DataRequired(_l("Indiquez le nom.")), Length(max=200)])
    email = EmailField(_l("E-mail"), validators=[DataRequired(_l("Indiquez l'e-mail.")), Email(_l("E-mail invalide.")),
                                                 Length(max=200)])
    role = SelectField(_l("Rôle"), choices=options([("manager", _l("Responsable de structure")),
                                                    ("trainer", _l("Formateur"))]))


class ReceptionPointForm(FlaskForm):
    name = StringField(_l("Nom"), validators=[DataRequired(_l("Indiquez le nom.")), Length(max=200)])
    kind = SelectField(_l("Type"), choices=[])
    commune_insee = CommuneField(_l("Commune"))
    address = StringField(_l("Adresse"), validators=[Length(max=300)])

