from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, StringField
from wtforms.validators import DataRequired, Length

from ..bounds import SaneDate
from ..claims.forms import ConfirmedForm
from ..review.forms import LinesField


class BuildBatchForm(FlaskForm):
    claims = LinesField(_l("Demandes"), validators=[DataRequired(_l("Cochez au moins une demande approuvée."))])
    requested_on = DateField(_l("Date d'exécution demandée"), validators=[
        DataRequired(_l("Indiquez la date d'exécution demandée à la banque.")), SaneDate()])


class ExecuteBatchForm(ConfirmedForm):
    executed_on = DateField(_l("Date d'exécution par la banque"), validators=[
        DataRequired(_l("Indiquez la date d'exécution.")), SaneDate()])
    bank_reference = StringField(_l("Référence de l'opération bancaire"), validators=[
        DataRequired(_l("Indiquez la référence donnée par la banque.")), Length(max=100)])


class CancelBatchForm(FlaskForm):
    """A bare button: cancel a batch not yet executed."""


class ValidateAccountForm(FlaskForm):
    """A bare button: the details were checked against the bank's document."""


class RejectAccountForm(FlaskForm):
    reason = StringField(_l("Motif du refus"), validators=[DataRequired(_l("Indiquez le motif du refus.")),
                                                          Length(max=300)])
