from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DecimalField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, ValidationError

from ..bounds import valid_id
from ..claims.forms import ConfirmedForm


class LinesField(SelectMultipleField):
    """The ids of the lines ticked in a table (any id: the domain checks they are the claim's)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, coerce=int, validate_choice=False, **kwargs)

    def pre_validate(self, form):
        if not all(valid_id(i) for i in self.data or ()):
            raise ValidationError(_l("Certaines lignes cochées n'existent pas. Rechargez la page."))


class RejectLinesForm(FlaskForm):
    lines = LinesField(_l("Tickets"), validators=[DataRequired(_l("Cochez au moins un ticket."))])
    reason = StringField(_l("Motif du refus (visible par l'association)"), validators=[
        DataRequired(_l("Indiquez le motif du refus : l'association le verra.")), Length(max=300)])


class ReinstateLinesForm(FlaskForm):
    lines = LinesField(_l("Tickets"), validators=[DataRequired(_l("Cochez au moins un ticket."))])


class ApproveForm(ConfirmedForm):
    """A bare button: ask to approve the claim as it stands; confirmed, approve it."""


class AdjustForm(FlaskForm):
    amount = DecimalField(_l("Montant en euros (négatif pour un trop-perçu ; positif : soumis à une seconde "
                             "approbation)"), places=2, validators=[
        DataRequired(_l("Indiquez un montant non nul.")),
        NumberRange(min=Decimal("-100000"), max=Decimal("100000"), message=_l("Montant hors limites."))])
    reason = StringField(_l("Motif"), validators=[DataRequired(_l("Indiquez le motif de l'ajustement.")),
                                                  Length(max=200)])


class ApproveAdjustmentForm(FlaskForm):
    """A bare button: approve a pending adjustment as a second staff member."""


class RefuseAdjustmentForm(FlaskForm):
    reason = StringField(_l("Motif du refus"), validators=[DataRequired(_l("Indiquez le motif du refus.")),
                                                          Length(max=300)])
