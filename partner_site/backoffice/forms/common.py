"""Fields and small forms used by several back-office areas."""
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DecimalField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from ...domain.communes import all_communes


def options(pairs) -> list[SelectChoice]:
    """Return (value, label) pairs as the choices WTForms expects."""
    return [SelectChoice(value, label) for value, label in pairs]


def commune_choices(blank=True) -> list[SelectChoice]:
    """Return the communes of Haute-Garonne as (INSEE code, "Name (postcode)") sorted by name."""
    choices = sorted(((c.insee_code, f"{c.name} ({', '.join(c.postcodes)})") for c in all_communes().values()),
                     key=lambda item: item[1])
    return options(([("", _l("— choisir une commune —"))] if blank else []) + choices)


class CommuneField(SelectField):
    """A commune of the département, chosen by name."""

    def __init__(self, label=None, **kwargs):
        kwargs.setdefault("validators", [DataRequired(_l("Choisissez une commune."))])
        super().__init__(label, choices=commune_choices(), **kwargs)


def cents(value: Decimal | None) -> int:
    """Return a euro amount typed in a form as integer cents."""
    return int((value or Decimal(0)) * 100)


class EurosField(DecimalField):
    """An amount in euros, typed the French way (1 234,50) or not."""

    def __init__(self, label=None, minimum=Decimal(0), **kwargs):
        kwargs.setdefault("validators", [InputRequired(_l("Indiquez un montant.")),
                                         NumberRange(min=minimum, max=10**9, message=_l("Montant hors limites."))])
        super().__init__(label, places=2, **kwargs)

    def process_formdata(self, valuelist):
        if valuelist:
            valuelist = [v.replace("\u202f", "").replace("\u00a0", "").replace(" ", "").replace(",", ".")
                         for v in valuelist]
        super().process_formdata(valuelist)


class ReasonForm(FlaskForm):
    """A motive, required by oppositions, suspensions, withdrawals and closures."""

    reason = TextAreaField(_l("Motif"), validators=[DataRequired(_l("Indiquez le motif.")), Length(max=300)])


class TicketOppositionForm(ReasonForm):
    serial = StringField(_l("Numéro du ticket (10 chiffres)"),
                         validators=[DataRequired(_l("Indiquez le numéro du ticket.")), Length(max=20)])


class EmptyForm(FlaskForm):
    """A bare button: still a form, so that CSRF covers it."""
