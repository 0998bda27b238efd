"""Reception points: list with their stock, create, edit; the instructors attached (by the staff administrator)."""
import sqlalchemy as sa
from flask import render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..access import instructor_required, staff_required
from ..domain import reception
from ..domain.communes import commune
from ..extensions import db
from ..labels import RECEPTION_POINT_KINDS
from ..models import ReceptionPoint, User
from . import bp
from .forms.common import options
from .forms.partners import ReceptionPointForm
from .helpers import get_or_404, submit


def _form(obj=None) -> ReceptionPointForm:
    form = ReceptionPointForm(obj=obj)
    form.kind.choices = options((k.value, label) for k, label in RECEPTION_POINT_KINDS.items())
    if obj is not None and not form.is_submitted():
        form.kind.data = obj.kind.value
    return form


def _values(form) -> dict:
    return {"name": form.name.data, "kind": form.kind.data, "commune_insee": form.commune_insee.data,
            "address": form.address.data}


@bp.get("/reception-points")
@staff_required
def reception_points():
    """List reception points with their stock of booklets."""
    points = db.session.execute(sa.select(ReceptionPoint).order_by(ReceptionPoint.name)).scalars().all()
    stock = {row["point_id"]: row for row in reception.stock()}
    return render_template("backoffice/reception_points/list.html", points=points, stock=stock, commune=commune,
                           kinds=RECEPTION_POINT_KINDS)


@bp.route("/reception-points/new", methods=["GET", "POST"])
@instructor_required
def reception_point_new():
    """Create a reception point."""
    form = _form()
    done = submit(form, lambda: reception.create(current_user, **_values(form)), _("Point d'accueil créé."),
                  lambda point: url_for("backoffice.reception_point", point_id=point.id))
    return done or render_template("backoffice/reception_points/form.html", form=form, point=None)


@bp.route("/reception-points/<int:point_id>/edit", methods=["GET", "POST"])
@instructor_required
def reception_point_edit(point_id):
    """Edit a reception point."""
    point = get_or_404(ReceptionPoint, point_id)
    form = _form(point)
    done = submit(form, lambda: reception.update(current_user, point, **_values(form)),
                  _("Point d'accueil enregistré."), url_for("backoffice.reception_point", point_id=point.id))
    return done or render_template("backoffice/reception_points/form.html", form=form, point=point)


@bp.get("/reception-points/<int:point_id>")
@staff_required
def reception_point(point_id):
    """Show a reception point, its staff and its stock."""
    point = get_or_404(ReceptionPoint, point_id)
    staff = db.session.execute(sa.select(User).where(User.reception_point_id == point.id).order_by(User.email))
    stock = [row for row in reception.stock() if row["point_id"] == point.id]
    return render_template("backoffice/reception_points/detail.html", point=point, staff=staff.scalars().all(),
                           stock=stock[0] if stock else None, place=commune(point.commune_insee),
                           kinds=RECEPTION_POINT_KINDS)
