from flask import redirect, render_template, url_for
from flask_login import current_user, login_required

from . import bp


@bp.get("/")
@login_required
def home():
    """Send each person to what they came for: the back office, or the association's workshops."""
    if current_user.is_staff:
        return render_template("web/staff_home.html")
    return redirect(url_for("workshops.index"))
