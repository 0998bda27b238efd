from datetime import timedelta

import sqlalchemy as sa
from flask import render_template
from flask_login import current_user, login_required

from ..extensions import db
from ..models import Workshop, utcnow
from . import bp


@bp.get("/")
@login_required
def home():
    """Show each person what they came for: today's workshops, or the back office."""
    if current_user.is_staff:
        return render_template("web/staff_home.html")
    since = utcnow() - timedelta(hours=12)
    workshops = db.session.execute(
        sa.select(Workshop).where(Workshop.partner_id == current_user.partner_id, Workshop.ends_at >= since)
        .order_by(Workshop.starts_at).limit(50)
    ).scalars().all()
    return render_template("web/partner_home.html", workshops=workshops)
