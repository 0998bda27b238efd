from flask import redirect, render_template, url_for
from flask_login import current_user, login_required

from ..models import Role
from . import bp


@bp.get("/")
@login_required
def home():
    """Send each person to what they came for: accounts, the back office, or the association's workshops."""
    if current_user.role == Role.ADMIN:
        return redirect(url_for("backoffice.staff"))
    if current_user.is_staff:
        return render_template("web/staff_home.html")
    return redirect(url_for("workshops.index"))
