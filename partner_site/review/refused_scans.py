"""The refused scans, read by staff: a filtered, paginated list and its CSV export."""
from flask import render_template, request
from flask_babel import gettext as _

from ..access import staff_required
from ..backoffice.helpers import csv_response
from ..bounds import day_arg, id_arg
from ..domain import failed_scans
from ..domain.clock import to_local
from ..labels import REFUSAL_REASONS, refusal_reason
from . import bp

EXPORT_LIMIT = 100_000


def _filter() -> failed_scans.ScanFilter:
    args = request.args
    reason = args.get("reason") or ""
    return failed_scans.ScanFilter(partner_id=id_arg(args, "partner"),
                                   reason=reason if reason in REFUSAL_REASONS else "",
                                   date_from=day_arg(args, "date_from"), date_to=day_arg(args, "date_to"),
                                   offline_only=args.get("offline") == "1")


@bp.get("/refused-scans")
@staff_required
def refused_scans():
    """List the refused scans (the fraud and support trail), newest first, 50 a page, with filters."""
    f = _filter()
    scans, next_before = failed_scans.page(f, id_arg(request.args, "before"))
    args = {k: v for k, v in request.args.items() if k != "before"}
    return render_template("review/refused_scans.html", scans=scans, f=f, next_before=next_before, args=args,
                           partners=failed_scans.partners(), reasons=REFUSAL_REASONS, reason_label=refusal_reason)


@bp.get("/refused-scans.csv")
@staff_required
def refused_scans_csv():
    """Export the filtered refused scans as CSV, in French."""
    f = _filter()

    def rows():
        for scan in failed_scans.rows(f, EXPORT_LIMIT):
            yield [to_local(scan.when).strftime("%d/%m/%Y %H:%M"), scan.partner_name or "", scan.workshop_title or "",
                   scan.booklet_serial or "", "" if scan.booklet_serial else scan.typed_serial or "",
                   refusal_reason(scan.reason), _("hors connexion") if scan.offline else _("en ligne")]

    return csv_response("scans-refuses.csv", [_("Date et heure"), _("Structure"), _("Atelier"), _("Carnet"),
                                              _("Numéro saisi"), _("Motif"), _("Mode")], rows())
