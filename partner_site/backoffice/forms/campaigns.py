"""Campaign and booklet forms."""
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ...bounds import SaneDate
from .common import EurosField


class CampaignForm(FlaskForm):
    name = StringField(_l("Nom"), validators=[DataRequired(_l("Donnez un nom à la campagne.")), Length(max=200)])
    territory = StringField(_l("Territoire"), default="Haute-Garonne",
                            validators=[DataRequired(_l("Indiquez le territoire.")), Length(max=100)])
    budget = EurosField(_l("Budget (€)"))
    face_value = EurosField(_l("Valeur faciale d'un ticket (€)"), minimum=Decimal("0.01"), default=10)
    starts_on = DateField(_l("Début de validité"), validators=[DataRequired(_l("Date de début attendue.")),
                                                                           SaneDate()])
    ends_on = DateField(_l("Fin de validité"), validators=[DataRequired(_l("Date de fin attendue.")), SaneDate()])
    grace_days = IntegerField(_l("Délai de tolérance après la fin (jours)"), default=31,
                              validators=[InputRequired(_l("Indiquez un nombre de jours.")),
                                          NumberRange(0, 366, _l("De 0 à 366 jours."))])
    # "%%": WTForms formats a NumberRange message with % (a lone "%" made every refusal a 500).
    state_share_percent = IntegerField(_l("Part de l'État (%)"), default=50,
                                       validators=[InputRequired(_l("Indiquez la part de l'État.")),
                                                   NumberRange(0, 100, _l("De 0 à 100 %%."))])


class GenerateForm(FlaskForm):
    count = IntegerField(_l("Nombre de carnets"), validators=[InputRequired(_l("Indiquez un nombre de carnets.")),
                                                              NumberRange(1, 100_000, _l("De 1 à 100 000."))])
    reception_point = SelectField(_l("Point d'accueil destinataire"), coerce=int, default=0)


class DispatchForm(FlaskForm):
    count = IntegerField(_l("Nombre de carnets"), validators=[InputRequired(_l("Indiquez un nombre de carnets.")),
                                                              NumberRange(1, 10_000, _l("De 1 à 10 000."))])
    from_point = SelectField(_l("Depuis"), coerce=int, default=0)
    to_point = SelectField(_l("Vers"), coerce=int)


class PrintForm(FlaskForm):
    """The PDF of chosen booklets, or of the whole campaign: at once when small, else as a background job."""

    serials = StringField(_l("Numéros de carnets (vide : toute la campagne)"),
                          validators=[Optional(), Length(max=2000)])
