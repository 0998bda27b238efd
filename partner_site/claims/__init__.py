"""The association's claims pages: the running month, past claims, statements, bank details."""
from flask import Blueprint

from ..domain.bank import status_label as account_status
from ..domain.identity import format_siret
from ..domain.notifications import period_label
from ..domain.statements import status_label as claim_status

bp = Blueprint("claims", __name__, url_prefix="/claims")
bp.add_app_template_filter(period_label, "period")
bp.add_app_template_filter(format_siret, "siret")
bp.add_app_template_global(claim_status, "claim_status")
bp.add_app_template_global(account_status, "account_status")

from . import routes  # noqa: E402,F401
