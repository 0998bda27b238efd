"""The dashboard: budget, funnel, monthly validations, publics, partners, rural/urban, stock; CSV of each."""
import sqlalchemy as sa
from flask import abort, render_template, request
from flask_babel import gettext as _

from ..access import staff_required
from ..bounds import id_arg
from ..domain import campaigns as campaign_ops
from ..domain import stats
from ..domain.clock import local_today
from ..extensions import db
from ..models import Campaign
from . import bp
from .charts import category_chart, funnel_chart, month_chart, split_chart
from .helpers import csv_response, euros

PARTNERS_SHOWN = 15


def _campaign_filter():
    """Return the campaign id chosen in ?campaign= (None for all), 404 for an unknown one."""
    campaign_id = id_arg(request.args, "campaign")
    if campaign_id and db.session.get(Campaign, campaign_id) is None:
        abort(404)
    return campaign_id or None


@bp.get("/")
@staff_required
def dashboard():
    """Show the programme at a glance, for one campaign or all."""
    campaign_id = _campaign_filter()
    tables = {name: build(campaign_id) for name, build in stats.TABLES.items()}
    charts = {
        "funnel": funnel_chart(tables["funnel"].rows, _("Tickets émis, remis, validés et payés")),
        "monthly": month_chart([(r["month"], r["validations"]) for r in tables["monthly"].rows],
                               _("Validations par mois")),
        "publics": category_chart([(str(r["public"]), r["validations"]) for r in tables["publics"].rows],
                                  _("Tickets validés par public prioritaire")),
        "rural": split_chart([(str(r["area"]), r["amount"]) for r in tables["rural"].rows],
                             _("Montant validé, structures rurales et urbaines")),
    }
    campaigns = db.session.execute(sa.select(Campaign).order_by(Campaign.starts_on.desc())).scalars().all()
    return render_template("backoffice/dashboard.html", tables=tables, charts=charts, campaigns=campaigns,
                           campaign_id=campaign_id, alerts=campaign_ops.expiry_alerts(local_today()),
                           partners_shown=PARTNERS_SHOWN)


@bp.get("/dashboard/<name>.csv")
@staff_required
def dashboard_csv(name):
    """Export one of the dashboard's tables as CSV (for the State's co-funding report)."""
    build = stats.TABLES.get(name)
    if build is None:
        abort(404)
    table = build(_campaign_filter())

    def cell(column, value):
        return euros(value) if column.kind == "money" else str(value)

    header = [f"{column.label} (€)" if column.kind == "money" else str(column.label) for column in table.columns]
    rows = ([cell(c, row[c.key]) for c in table.columns] for row in table.rows)
    return csv_response(f"pass-numerique-{name}.csv", header, rows)
