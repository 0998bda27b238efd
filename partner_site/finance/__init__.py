"""Staff pages for finance: payment batches, SEPA files, execution, bank details to validate."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

from ..models import BatchStatus

bp = Blueprint("finance", __name__, url_prefix="/finance")

BATCH_STATUS_LABELS = {BatchStatus.DRAFT: _l("À exécuter"), BatchStatus.EXECUTED: _l("Exécuté"),
                       BatchStatus.CANCELLED: _l("Annulé")}


@bp.app_template_global("batch_status")
def batch_status(status: BatchStatus) -> str:
    return str(BATCH_STATUS_LABELS[status])


@bp.app_template_filter("iban")
def iban_groups(iban: str) -> str:
    """Show a full IBAN in groups of four (finance staff compare it with the bank's document)."""
    return " ".join(iban[i:i + 4] for i in range(0, len(iban), 4))


from . import routes  # noqa: E402,F401
