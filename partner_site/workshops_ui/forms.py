from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, IntegerField, RadioField, SelectField, StringField, TimeField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp

from ..domain.workshops import COMMON_THEMES

OTHER_THEME = "other"
DURATIONS = [SelectChoice(60, _l("1 h")), SelectChoice(90, _l("1 h 30")), SelectChoice(120, _l("2 h")),
             SelectChoice(150, _l("2 h 30")), SelectChoice(180, _l("3 h")), SelectChoice(240, _l("4 h"))]


class WorkshopForm(FlaskForm):
    """A workshop in a few taps: a theme, a day and time, a commune; the rest has defaults."""

    theme = RadioField(_l("Thème"), choices=[SelectChoice(str(i), t) for i, t in enumerate(COMMON_THEMES)]
                       + [SelectChoice(OTHER_THEME, _l("Autre thème"))], validators=[InputRequired(_l("Choisissez un thème."))])
    other_theme = StringField(_l("Autre thème (précisez)"), validators=[Optional(), Length(max=200)])
    day = DateField(_l("Date"), validators=[InputRequired(_l("Indiquez la date."))])
    start = TimeField(_l("Heure de début"), validators=[InputRequired(_l("Indiquez l'heure de début."))])
    duration = SelectField(_l("Durée"), choices=DURATIONS, coerce=int, default=120)
    commune = StringField(_l("Commune"), validators=[DataRequired(_l("Indiquez la commune.")), Length(max=120)])
    place = StringField(_l("Lieu (salle, adresse)"), validators=[Optional(), Length(max=200)])
    capacity = IntegerField(_l("Nombre de places"), default=10,
                            validators=[InputRequired(_l("Indiquez le nombre de places."))])
    tickets_per_participant = IntegerField(_l("Tickets par participant"), default=1,
                                           validators=[InputRequired(_l("Indiquez le nombre de tickets."))])

    def chosen_title(self) -> str:
        """Return the theme to store: the chosen one, or the text typed for another."""
        if self.theme.data == OTHER_THEME:
            return (self.other_theme.data or "").strip()
        return str(COMMON_THEMES[int(self.theme.data)])


class WorkshopEditForm(WorkshopForm):
    """The same fields to change a workshop; the commune may stay empty for one created without it (API)."""

    commune = StringField(_l("Commune"), validators=[Optional(), Length(max=120)])


class ManualEntryForm(FlaskForm):
    """A damaged or unreadable ticket: its printed serial and check code (works without JavaScript)."""

    serial = StringField(_l("Numéro du ticket"), validators=[
        DataRequired(_l("Saisissez le numéro imprimé sous le QR code.")), Length(max=20)])
    check_code = StringField(_l("Code de contrôle"), validators=[
        DataRequired(_l("Saisissez le code de contrôle imprimé à côté du numéro.")), Length(max=12)])
    nonce = HiddenField(validators=[Regexp(r"^[A-Za-z0-9_-]{8,64}$")])


class ButtonForm(FlaskForm):
    """A bare button that changes something: it still posts a form, so CSRF covers it."""
