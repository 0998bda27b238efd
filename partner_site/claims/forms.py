from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length


class SubmitClaimForm(FlaskForm):
    """A bare button: posting it (with its CSRF token) sends the claim."""


class BankDetailsForm(FlaskForm):
    holder_name = StringField(_l("Titulaire du compte"), validators=[
        DataRequired(_l("Indiquez le titulaire du compte.")), Length(max=140)])
    iban = StringField(_l("IBAN"), validators=[DataRequired(_l("Indiquez l'IBAN.")), Length(max=50)])
    bic = StringField(_l("BIC"), validators=[DataRequired(_l("Indiquez le BIC.")), Length(max=20)])
    siret = StringField(_l("SIRET de la structure"), validators=[DataRequired(_l("Indiquez le SIRET.")),
                                                                 Length(max=20)])
