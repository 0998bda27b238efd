"""The audit log viewer: filter by actor, object, action and date; export as CSV."""
from flask import render_template, request

from ..access import journal_required
from ..bounds import day_arg, id_arg
from ..domain import audit_log
from ..extensions import db
from . import bp
from .helpers import csv_response

EXPORT_LIMIT = 100_000


def _filter() -> audit_log.AuditFilter:
    args = request.args
    return audit_log.AuditFilter(actor=(args.get("actor") or "").strip()[:200],
                                 object_type=(args.get("object_type") or "").strip()[:40],
                                 object_id=(args.get("object_id") or "").strip()[:40],
                                 action=(args.get("action") or "").strip()[:60],
                                 date_from=day_arg(request.args, "date_from"), date_to=day_arg(request.args, "date_to"))


@bp.get("/audit")
@journal_required
def audit():
    """Show the audit log, newest first, 50 events a page."""
    f = _filter()
    events, next_before = audit_log.page(f, id_arg(request.args, "before"))
    args = {k: v for k, v in request.args.items() if k != "before"}
    return render_template("backoffice/audit.html", events=events, f=f, next_before=next_before, args=args,
                           object_types=audit_log.object_types())


@bp.get("/audit.csv")
@journal_required
def audit_csv():
    """Export the filtered audit log as CSV."""
    f = _filter()

    def rows():
        events = db.session.execute(audit_log.query(f).limit(EXPORT_LIMIT).execution_options(yield_per=1000))
        for e in events.scalars():
            yield [e.id, e.created_at.isoformat(sep=" ") + "Z", e.actor_label, e.action, e.object_type, e.object_id,
                   e.before or "", e.after or ""]

    return csv_response("journal.csv", ["id", "utc_time", "actor", "action", "object_type", "object_id", "before",
                                        "after"], rows())
