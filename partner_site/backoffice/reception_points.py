"""Reception points: list with their stock, create, edit, attach staff."""
import sqlalchemy as sa
from flask import abort, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..access import instructor_required, staff_required
from ..domain import reception
from ..domain.communes import commune
from ..extensions import db
from ..labels import RECEPTION_POINT_KINDS
from ..models import ReceptionPoint, User
from . import bp
from .forms.common import EmptyForm, options
from .forms.partners import ReceptionPointForm, StaffForm
from .helpers import get_or_404, post_action, submit


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
                           kinds=RECEPTION_POINT_KINDS, staff_form=StaffForm(), button=EmptyForm())


@bp.post("/reception-points/<int:point_id>/staff")
@instructor_required
def reception_point_staff(point_id):
    """Attach a staff member (by e-mail) to this reception point."""
    point = get_or_404(ReceptionPoint, point_id)
    form = StaffForm()

    def attach():
        email = form.email.data.strip().lower()
        user = db.session.execute(sa.select(User).where(sa.func.lower(User.email) == email)).scalar_one_or_none()
        return reception.attach_staff(current_user, point, user)

    return post_action(form, attach, lambda user: _("%(email)s est rattaché(e) à ce point d'accueil.",
                                                    email=user.email),
                       url_for("backoffice.reception_point", point_id=point.id))


@bp.post("/reception-points/<int:point_id>/staff/<int:user_id>/detach")
@instructor_required
def reception_point_detach(point_id, user_id):
    """Detach a staff member from this reception point (back to the central office)."""
    point = get_or_404(ReceptionPoint, point_id)
    user = get_or_404(User, user_id)
    if user.reception_point_id != point.id:
        abort(404)
    return post_action(EmptyForm(), lambda: reception.attach_staff(current_user, None, user),
                       _("%(email)s n'est plus rattaché(e) à ce point d'accueil.", email=user.email),
                       url_for("backoffice.reception_point", point_id=point.id))
