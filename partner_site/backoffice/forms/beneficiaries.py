"""Beneficiary request forms."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SelectField, SelectMultipleField, StringField, widgets
from wtforms.validators import DataRequired, Length, Optional

from ...labels import PRIORITY_PUBLICS
from .common import CommuneField, options

LINE = _l("38 caractères au plus")


class CheckboxesField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class RequestForm(FlaskForm):
    reception_point = SelectField(_l("Point d'accueil"), coerce=int)
    civility = SelectField(_l("Civilité"), choices=options([("", _l("—")), ("Madame", _l("Madame")),
                                                            ("Monsieur", _l("Monsieur"))]), default="")
    first_name = StringField(_l("Prénom"), validators=[DataRequired(_l("Indiquez le prénom.")), Length(max=60)])
    last_name = StringField(_l("Nom"), validators=[DataRequired(_l("Indiquez le nom.")), Length(max=60)])
    address_recipient = StringField(_l("Appartement, étage, chez…"), validators=[Length(max=38, message=LINE)])
    address_building = StringField(_l("Bâtiment, résidence"), validators=[Length(max=38, message=LINE)])
    address_street = StringField(_l("Numéro et voie"), validators=[DataRequired(_l("Indiquez le numéro et la voie.")),
                                                                   Length(max=38, message=LINE)])
    address_place = StringField(_l("Lieu-dit, boîte postale"), validators=[Length(max=38, message=LINE)])
    postcode = StringField(_l("Code postal"), validators=[DataRequired(_l("Indiquez le code postal.")), Length(max=5)])
    commune_insee = CommuneField(_l("Commune"))
    phone = StringField(_l("Téléphone (facultatif)"), validators=[Length(max=40)])
    email = EmailField(_l("E-mail (facultatif)"), validators=[Optional(), Length(max=200)])
    publics = CheckboxesField(_l("Publics prioritaires"), choices=options(
        (p.value, label) for p, label in PRIORITY_PUBLICS.items()))
    consent = BooleanField(_l("La personne accepte que ses coordonnées servent à lui envoyer son carnet et soient "
                              "conservées jusqu'à la clôture de sa demande."))


class AssignForm(FlaskForm):
    serial = StringField(_l("Numéro de carnet (vide : le prochain en stock)"), validators=[Optional(), Length(max=20)])
