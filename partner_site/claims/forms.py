from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired, Length


class ConfirmedForm(FlaskForm):
    """A form for an action that moves money: it acts only once confirmed on a page restating the amounts.

    Posted without `confirmed=1` (the button of the claim or batch page, an old form, a crafted
    request), the route answers with the confirmation page and changes nothing.
    """

    confirmed = HiddenField()

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed.data == "1"

    def ask_confirmation(self) -> "ConfirmedForm":
        """Prepare the form for the confirmation page, where posting it acts."""
        self.confirmed.data = "1"
        return self


class SubmitClaimForm(ConfirmedForm):
    """A bare button: posting it (with its CSRF token) asks to send the claim; confirmed, it sends it."""


class BankDetailsForm(FlaskForm):
    holder_name = StringField(_l("Titulaire du compte"), validators=[
        DataRequired(_l("Indiquez le titulaire du compte.")), Length(max=140)])
    iban = StringField(_l("IBAN"), validators=[DataRequired(_l("Indiquez l'IBAN.")), Length(max=50)])
    bic = StringField(_l("BIC"), validators=[DataRequired(_l("Indiquez le BIC.")), Length(max=20)])
    siret = StringField(_l("SIRET de la structure"), validators=[DataRequired(_l("Indiquez le SIRET.")),
                                                                 Length(max=20)])
