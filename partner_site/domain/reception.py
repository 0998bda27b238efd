"""Reception points (points d'accueil), their staff and their stock of booklets."""
import sqlalchemy as sa
from flask_babel import gettext as _

from ..extensions import db
from ..models import (
    Booklet,
    BookletStatus,
    Campaign,
    ReceptionPoint,
    ReceptionPointKind,
    Redemption,
    Role,
    User,
    record,
)
from .communes import commune
from .errors import DomainError


def _clean(values: dict) -> dict:
    name = (values.get("name") or "").strip()
    if not name or len(name) > 200:
        raise DomainError("bad_request", _("Indiquez le nom du point d'accueil."), field="name")
    if commune(values.get("commune_insee") or "") is None:
        raise DomainError("bad_request", _("Choisissez une commune de Haute-Garonne."), field="commune_insee")
    try:
        kind = ReceptionPointKind(values.get("kind"))
    except ValueError:
        raise DomainError("bad_request", _("Type de point d'accueil inconnu."), field="kind") from None
    return {"name": name, "kind": kind, "commune_insee": values["commune_insee"],
            "address": (values.get("address") or "").strip()[:300]}


def create(actor, **values) -> ReceptionPoint:
    point = ReceptionPoint(**_clean(values))
    db.session.add(point)
    db.session.flush()
    record(actor, "reception_point.created", point, after={"name": point.name, "kind": point.kind.value})
    return point


def update(actor, point: ReceptionPoint, **values) -> ReceptionPoint:
    fields = _clean(values)
    before = {k: getattr(point, k) for k in fields}
    for key, value in fields.items():
        setattr(point, key, value)
    changed = {k: v for k, v in fields.items() if before[k] != v}
    if changed:
        record(actor, "reception_point.updated", point, before={k: before[k] for k in changed}, after=changed)
    return point


def attach_staff(actor, point: ReceptionPoint | None, user: User) -> User:
    """Attach an instructor to a reception point (None: back to the central office). The staff
    administrator's act: an instructor who could do it could leave their point."""
    if user is None or user.role != Role.INSTRUCTOR:
        raise DomainError("bad_request", _("Seuls les instructeurs du Département peuvent être rattachés à un point "
                                           "d'accueil."), field="reception_point")
    before = user.reception_point_id
    user.reception_point_id = point.id if point else None
    record(actor, "user.reception_point_set", user, before={"reception_point_id": before},
           after={"reception_point_id": user.reception_point_id})
    return user


def stock(campaign_id: int | None = None) -> list[dict]:
    """Count booklets per reception point: issued, handed out, started, in stock, opposed (as funders see it)."""
    query = (sa.select(Booklet.reception_point_id, Booklet.status, sa.func.count())
             .group_by(Booklet.reception_point_id, Booklet.status))
    if campaign_id:
        query = query.where(Booklet.campaign_id == campaign_id)
    counts: dict = {}
    for point_id, status, count in db.session.execute(query):
        counts.setdefault(point_id, {})[status] = count
    started_query = (sa.select(Booklet.reception_point_id, sa.func.count(sa.distinct(Booklet.id)))
                     .join(Redemption, Redemption.booklet_id == Booklet.id).where(Redemption.voided_at.is_(None))
                     .group_by(Booklet.reception_point_id))
    if campaign_id:
        started_query = started_query.where(Booklet.campaign_id == campaign_id)
    started = dict(db.session.execute(started_query).all())
    names = dict(db.session.execute(sa.select(ReceptionPoint.id, ReceptionPoint.name)).all())
    rows = []
    for point_id in sorted(counts, key=lambda p: (p is None, names.get(p, ""))):
        c = counts[point_id]
        rows.append({"point_id": point_id, "point": names.get(point_id, _("Non affectés (siège)")),
                     "issued": sum(c.values()), "handed_out": c.get(BookletStatus.DISTRIBUTED, 0),
                     "started": started.get(point_id, 0), "in_stock": c.get(BookletStatus.ISSUED, 0),
                     "opposed": c.get(BookletStatus.CANCELLED, 0)})
    return rows


def dispatch(actor, campaign: Campaign, to_point: ReceptionPoint, count: int,
             from_point: ReceptionPoint | None = None) -> int:
    """Move `count` booklets in stock (at `from_point`, or unallocated) to a reception point."""
    if not isinstance(count, int) or count < 1:
        raise DomainError("bad_request", _("Nombre de carnets invalide."), field="count")
    if from_point is not None and from_point.id == to_point.id:
        raise DomainError("bad_request", _("Choisissez un point d'accueil différent de l'origine."), field="to_point")
    source = (Booklet.reception_point_id == from_point.id) if from_point else Booklet.reception_point_id.is_(None)
    ids = list(db.session.execute(
        sa.select(Booklet.id).where(Booklet.campaign_id == campaign.id, Booklet.status == BookletStatus.ISSUED, source)
        .order_by(Booklet.number).limit(count).with_for_update(skip_locked=True)).scalars())
    if len(ids) < count:
        raise DomainError("bad_request", _("Stock insuffisant : %(n)s carnet(s) disponible(s) à l'origine.",
                                           n=len(ids)), field="count")
    db.session.execute(sa.update(Booklet).where(Booklet.id.in_(ids), Booklet.status == BookletStatus.ISSUED)
                       .values(reception_point_id=to_point.id).execution_options(synchronize_session=False))
    record(actor, "booklets.dispatched", campaign, after={"count": count, "to": to_point.id,
                                                          "from": from_point.id if from_point else None})
    return count
