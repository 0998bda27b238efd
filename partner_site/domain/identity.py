"""Identity and bank numbers: SIRET (python-stdnum), IBAN and BIC (schwifty), cleaned or refused."""
from flask_babel import gettext as _
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException
from stdnum import exceptions as stdnum_errors
from stdnum.fr import siret as stdnum_siret

from .errors import DomainError


def clean_siret(value) -> str:
    """Return a SIRET as 14 digits, or refuse it with a French message."""
    try:
        return stdnum_siret.validate(value if isinstance(value, str) else "")
    except stdnum_errors.ValidationError:
        raise DomainError("bad_request", _("SIRET invalide : 14 chiffres attendus, vérifiez-le sur votre avis "
                                           "de situation Sirene."), field="siret") from None


def format_siret(value: str) -> str:
    """Format a SIRET for reading: 443 061 841 00047 (anything else is shown as it is)."""
    return stdnum_siret.format(value) if value and len(value) == 14 and value.isdigit() else value or ""


def clean_iban(value) -> IBAN:
    """Return a valid IBAN of the SEPA zone, or refuse it with a French message."""
    try:
        iban = IBAN(value if isinstance(value, str) else "")
    except SchwiftyException:
        raise DomainError("bad_request", _("IBAN invalide : recopiez-le depuis votre relevé d'identité bancaire."),
                          field="iban") from None
    if not iban.in_sepa_zone:
        raise DomainError("bad_request", _("Ce compte n'est pas dans la zone SEPA : indiquez un compte en euros "
                                           "de la zone SEPA."), field="iban")
    return iban


def clean_bic(value) -> BIC:
    """Return a valid BIC, or refuse it with a French message."""
    try:
        return BIC(value if isinstance(value, str) else "")
    except SchwiftyException:
        raise DomainError("bad_request", _("BIC invalide : 8 ou 11 caractères, sur votre relevé d'identité bancaire."),
                          field="bic") from None
