"""What each kind of job makes: its file's extension and type, and the function that writes it.

A producer writes to `out` and calls `progress(n)` after each item (a booklet, a letter); it
reads the database through the session like any page, and reuses the printing code the quick
synchronous paths use, so a file made in the background is the same as one made at once.
"""
from dataclasses import dataclass
from typing import BinaryIO, Callable

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..domain import beneficiaries as requests_ops
from ..domain.clock import local_today
from ..domain.errors import DomainError
from ..extensions import db
from ..models import BeneficiaryRequest, Campaign, Job
from ..printing import letters, sheets
from ..printing.pdfstream import PdfWriter

Progress = Callable[[int], None]


@dataclass(frozen=True)
class Kind:
    extension: str
    mimetype: str
    unit: str  # what progress counts, in French
    produce: Callable[[Job, BinaryIO, Progress], None]


def booklets_pdf(job: Job, out: BinaryIO, progress: Progress) -> None:
    """Print a campaign's booklets (all, or the serials asked for), one sheet each."""
    campaign = db.session.get(Campaign, job.params["campaign_id"])
    if campaign is None:
        raise DomainError("not_found", _("Cette campagne n'existe plus."))
    writer = PdfWriter(out, title=_("Carnets - %(name)s", name=campaign.name), compress_level=sheets.COMPRESSION)
    for done, _page in enumerate(sheets.iter_pages(writer, campaign, job.params.get("serials")), 1):
        progress(done)
    writer.close()


def mailing_pdf(job: Job, out: BinaryIO, progress: Progress) -> None:
    """Print the letters asked for that still await posting and that the person who asked may see."""
    pending = db.session.execute(requests_ops.awaiting_letter(job.user).where(
        BeneficiaryRequest.id.in_(job.params["request_ids"]))).scalars().all()
    if not pending:
        raise DomainError("not_found", _("Aucun de ces courriers n'attend plus d'envoi : rien à imprimer."))

    def items():
        for done, request in enumerate(pending, 1):
            yield request, requests_ops.current_booklet(request)
            progress(done)

    letters.write_mailing(out, items(), local_today())


KINDS = {
    "booklets_pdf": Kind("pdf", "application/pdf", _l("carnets"), booklets_pdf),
    "mailing_pdf": Kind("pdf", "application/pdf", _l("courriers"), mailing_pdf),
}
